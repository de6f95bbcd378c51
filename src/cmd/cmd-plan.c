/*
 * nodemux plan: show what each node would be (name, host, ports, argv,
 * cwd, log file) without starting anything, as a table or as JSON.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/opts.h"
#include "nodemux/plan.h"
#include "nodemux/util.h"

/* The columns of the table, after the index. */
enum {
	PLAN_COL_NAME,
	PLAN_COL_HOST,
	PLAN_COL_HTTP,
	PLAN_COL_DIST,
	PLAN_COL_CWD,
	PLAN_COL_LOG,
	PLAN_COL_ARGV,
	PLAN_NCOLS
};

static const char *const cmd_plan_heads[PLAN_NCOLS] = {
	[PLAN_COL_NAME] = "NAME", [PLAN_COL_HOST] = "HOST",
	[PLAN_COL_HTTP] = "HTTP", [PLAN_COL_DIST] = "DIST",
	[PLAN_COL_CWD] = "CWD", [PLAN_COL_LOG] = "LOG",
	[PLAN_COL_ARGV] = "ARGV",
};

/* A port, starred when next-free moved it off its configured one. */
static char *
cmd_plan_port(int port, int nominal)
{
	return xasprintf("%d%s", port, port != nominal ? "*" : "");
}

/* Quote s for the table: as shell_quote, but a string with control
   characters becomes $'...' with C escapes, so a row stays one line. */
static void
cmd_plan_quote(struct strbuf *sb, const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p >= 0x20 && *p != 0x7f; p++)
		/* nothing */;
	if (*p == '\0') {
		shell_quote(sb, s);
		return;
	}
	strbuf_adds(sb, "$'");
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\n')
			strbuf_adds(sb, "\\n");
		else if (*p == '\t')
			strbuf_adds(sb, "\\t");
		else if (*p == '\\' || *p == '\'')
			strbuf_addf(sb, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			strbuf_addf(sb, "\\x%02x", *p);
		else
			strbuf_addc(sb, (char)*p);
	}
	strbuf_addc(sb, '\'');
}

/* The cells of node n's row. */
static void
cmd_plan_cells(const struct plan_node *n, const struct plan *plan,
    char *cell[PLAN_NCOLS])
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i;

	for (i = 0; n->argv[i] != NULL; i++) {
		if (i != 0)
			strbuf_addc(&sb, ' ');
		cmd_plan_quote(&sb, n->argv[i]);
	}
	cell[PLAN_COL_ARGV] = strbuf_detach(&sb);
	cell[PLAN_COL_NAME] = xstrdup(n->name);
	cell[PLAN_COL_HOST] = n->host != NULL ? xstrdup(n->host->name) :
	    xstrdup(plan->host);
	cell[PLAN_COL_HTTP] = cmd_plan_port(n->http_port, n->http_nominal);
	cell[PLAN_COL_DIST] = cmd_plan_port(n->dist_port, n->dist_nominal);
	cmd_plan_quote(&sb, n->cwd);
	cell[PLAN_COL_CWD] = strbuf_detach(&sb);
	if (n->log_path != NULL) {
		cmd_plan_quote(&sb, n->log_path);
		cell[PLAN_COL_LOG] = strbuf_detach(&sb);
	} else
		cell[PLAN_COL_LOG] = xstrdup("-");
}

/* The hosts, one line each, when nodes are placed on hosts. */
static void
cmd_plan_hosts(const struct plan *plan)
{
	const struct plan_host	*h;
	int			 i;

	if (plan->nhosts == 0)
		return;
	printf("hosts (%s, %s):\n", plan->hosts_from, plan->placement ==
	    PLAN_PLACE_FILL ? "fill" : "spread");
	for (i = 0; i < plan->nhosts; i++) {
		h = &plan->hosts[i];
		printf("  %-12s ", h->name);
		if (h->ssh == NULL)
			printf("this machine");
		else if (h->port != 0)
			printf("ssh %s port %d", h->ssh, h->port);
		else
			printf("ssh %s", h->ssh);
		printf(", address %s, %d node%s", h->address, h->nodes,
		    h->nodes == 1 ? "" : "s");
		if (h->slots != 0)
			printf(" of %d slots", h->slots);
		putchar('\n');
	}
	putchar('\n');
}

/* The header lines and one row per node. */
static void
cmd_plan_table(const struct plan *plan)
{
	char	**cells;
	int	  w[PLAN_NCOLS], i, c, moved = 0;

	printf("config:  %s\nprofile: %s\nsize:    %d\nhost:    %s (ports "
	    "probed on %s)\n         %s\ncookie:  %s\nlog dir: %s\n\n",
	    plan->config_path, plan->profile != NULL ? plan->profile :
	    "(none)", plan->size, plan->host, plan->bind_addr, plan->host_why,
	    plan->cookie,
	    *plan->log_dir != '\0' ? plan->log_dir : "(none)");
	cmd_plan_hosts(plan);
	cells = xcalloc((size_t)plan->size * PLAN_NCOLS, sizeof *cells);
	for (c = 0; c < PLAN_NCOLS; c++)
		w[c] = strlen(cmd_plan_heads[c]);
	for (i = 0; i < plan->size; i++) {
		cmd_plan_cells(&plan->nodes[i], plan, cells + i * PLAN_NCOLS);
		for (c = 0; c < PLAN_NCOLS; c++) {
			if ((int)strlen(cells[i * PLAN_NCOLS + c]) > w[c])
				w[c] = strlen(cells[i * PLAN_NCOLS + c]);
			moved |= strchr(cells[i * PLAN_NCOLS + c], '*') != NULL &&
			    (c == PLAN_COL_HTTP || c == PLAN_COL_DIST);
		}
	}
	printf("%-3s", "#");
	for (c = 0; c < PLAN_NCOLS; c++)
		printf("  %-*s", c == PLAN_NCOLS - 1 ? 0 : w[c], cmd_plan_heads[c]);
	putchar('\n');
	for (i = 0; i < plan->size; i++) {
		printf("%-3d", plan->nodes[i].index);
		for (c = 0; c < PLAN_NCOLS; c++) {
			printf("  %-*s", c == PLAN_NCOLS - 1 ? 0 : w[c],
			    cells[i * PLAN_NCOLS + c]);
			free(cells[i * PLAN_NCOLS + c]);
		}
		putchar('\n');
	}
	free(cells);
	if (moved)
		puts("\n* busy: next-free moved the node off its configured port");
}

/* "key":value pairs: a string, or null when s is NULL. */
static void
cmd_plan_jstr(struct strbuf *sb, const char *key, const char *s)
{
	json_quote(sb, key);
	strbuf_addc(sb, ':');
	if (s == NULL)
		strbuf_adds(sb, "null");
	else
		json_quote(sb, s);
}

/* The env of node n as a JSON object, in order. */
static void
cmd_plan_jenv(struct strbuf *sb, const struct plan_node *n)
{
	char	*name, *eq;
	size_t	 i;

	strbuf_adds(sb, "\"env\":{");
	for (i = 0; n->env[i] != NULL; i++) {
		eq = strchr(n->env[i], '=');
		name = xstrndup(n->env[i], eq - n->env[i]);
		if (i != 0)
			strbuf_addc(sb, ',');
		cmd_plan_jstr(sb, name, eq + 1);
		free(name);
	}
	strbuf_addc(sb, '}');
}

/* Node n as a JSON object. */
static void
cmd_plan_jnode(struct strbuf *sb, const struct plan *plan,
    const struct plan_node *n)
{
	size_t	 i;

	strbuf_addf(sb, "{\"index\":%d,", n->index);
	cmd_plan_jstr(sb, "name", n->name);
	strbuf_addc(sb, ',');
	cmd_plan_jstr(sb, "sname", n->sname);
	strbuf_addc(sb, ',');
	cmd_plan_jstr(sb, "host", n->host_addr);
	strbuf_addf(sb, ",\"http_port\":%d,\"dist_port\":%d,\"argv\":[",
	    n->http_port, n->dist_port);
	for (i = 0; n->argv[i] != NULL; i++) {
		if (i != 0)
			strbuf_addc(sb, ',');
		json_quote(sb, n->argv[i]);
	}
	strbuf_adds(sb, "],");
	cmd_plan_jstr(sb, "cwd", n->cwd);
	strbuf_addc(sb, ',');
	cmd_plan_jstr(sb, "log", n->log_path);
	strbuf_addc(sb, ',');
	cmd_plan_jenv(sb, n);
	strbuf_addc(sb, ',');
	cmd_plan_jstr(sb, "host_name", n->host != NULL ? n->host->name : NULL);
	strbuf_addc(sb, ',');
	cmd_plan_jstr(sb, "ssh", plan_node_remote(n) ? n->host->ssh : NULL);
	if (plan_node_remote(n) && n->host->port != 0)
		strbuf_addf(sb, ",\"ssh_port\":%d", n->host->port);
	strbuf_addc(sb, '}');
}

/* The whole plan as one JSON object on one line. */
static void
cmd_plan_json(const struct plan *plan)
{
	struct strbuf	 sb = STRBUF_INIT;
	int		 i;

	strbuf_addc(&sb, '{');
	cmd_plan_jstr(&sb, "config", plan->config_path);
	strbuf_addc(&sb, ',');
	cmd_plan_jstr(&sb, "profile", plan->profile);
	strbuf_addf(&sb, ",\"size\":%d,", plan->size);
	cmd_plan_jstr(&sb, "host", plan->host);
	strbuf_addc(&sb, ',');
	cmd_plan_jstr(&sb, "host_why", plan->host_why);
	strbuf_addc(&sb, ',');
	cmd_plan_jstr(&sb, "cookie", plan->cookie);
	strbuf_adds(&sb, ",\"nodes\":[");
	for (i = 0; i < plan->size; i++) {
		if (i != 0)
			strbuf_addc(&sb, ',');
		cmd_plan_jnode(&sb, plan, &plan->nodes[i]);
	}
	strbuf_adds(&sb, "]}\n");
	fputs(sb.buf, stdout);
	strbuf_free(&sb);
}

int
cmd_plan(struct opts *o)
{
	struct plan	*plan;

	if (o->argc != 0) {
		nm_warn("plan: unexpected argument %s", o->argv[0]);
		return 2;
	}
	if ((plan = opts_plan(o)) == NULL)
		return 2;
	if (o->json)
		cmd_plan_json(plan);
	else
		cmd_plan_table(plan);
	plan_free(plan);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		nm_warn("plan: cannot write the output");
		return 1;
	}
	return 0;
}
