/*
 * nodemux ctl: the client of a running console's control socket.  It
 * sends one request line and prints the JSON lines that come back, as a
 * table, as log text, or as they are with --json.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/ctl.h"
#include "nodemux/opts.h"
#include "nodemux/stats.h"
#include "nodemux/util.h"

struct ctl_out {
	int	 json;
	int	 status;	/* a status request: print a table */
	int	 rc;
	int	 rows;
};

/*
 * The value of "key" in a flat JSON object written by ctl.c, decoded, as
 * a fresh string (numbers as their text); NULL when absent.
 */
static char *
ctl_field(const char *obj, const char *key)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		*pat = xasprintf("\"%s\":", key);
	const char	*p = strstr(obj, pat);
	unsigned int	 u;

	free(pat);
	if (p == NULL)
		return NULL;
	p += strlen(key) + 3;
	if (*p != '"') {
		strbuf_add(&sb, p, strcspn(p, ",}"));
		return strbuf_detach(&sb);
	}
	for (p++; *p != '\0' && *p != '"'; p++) {
		if (*p != '\\') {
			strbuf_addc(&sb, *p);
			continue;
		}
		switch (*++p) {
		case 'n': strbuf_addc(&sb, '\n'); break;
		case 'r': strbuf_addc(&sb, '\r'); break;
		case 't': strbuf_addc(&sb, '\t'); break;
		case 'u':
			if (sscanf(p + 1, "%4x", &u) == 1)
				strbuf_addc(&sb, (char)u);
			p += 4;
			break;
		case '\0': p--; break;
		default: strbuf_addc(&sb, *p); break;
		}
	}
	return strbuf_detach(&sb);
}

/* Uptime in ms as "3m12s". */
static void
ctl_uptime(const char *ms, char *buf, size_t len)
{
	long long	 s = ms != NULL ? atoll(ms) / 1000 : 0;

	if (s >= 3600)
		snprintf(buf, len, "%lldh%02lldm", s / 3600, s / 60 % 60);
	else if (s >= 60)
		snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
	else
		snprintf(buf, len, "%llds", s);
}

/* The usage columns: "37%", "84M", "120", or "-" when not sampled (or,
   CPU and memory of a node on another machine, unknown). */
static void
ctl_usage(const char *cpu_pct, const char *rss_kib, const char *lines_per_s,
    char *cpu, char *rss, char *lps, size_t len)
{
	snprintf(cpu, len, "-");
	snprintf(rss, len, "-");
	snprintf(lps, len, "-");
	if (strcmp(cpu_pct, "-") != 0)
		snprintf(cpu, len, "%.0f%%", atof(cpu_pct));
	if (strcmp(rss_kib, "-") != 0)
		stats_size_str(strtoull(rss_kib, NULL, 10), rss, len);
	if (strcmp(lines_per_s, "-") != 0)
		snprintf(lps, len, "%.0f", atof(lines_per_s));
}

/* One status row as a table line. */
static void
ctl_print_row(const char *line)
{
	static const char	*keys[] = { "index", "name", "state", "pid",
				    "http_port", "dist_port", "restarts",
				    "uptime_ms", "cpu_pct", "rss_kib",
				    "lines_per_s" };
	char			*v[nitems(keys)], up[32], cpu[32], rss[32];
	char			 lps[32];
	size_t			 k;
	int			 running;

	for (k = 0; k < nitems(keys); k++) {
		v[k] = ctl_field(line, keys[k]);
		if (v[k] == NULL || strcmp(v[k], "null") == 0) {
			free(v[k]);
			v[k] = xstrdup("-");
		}
	}
	/* No process: pid null (or 0, from an older nodemux). */
	running = strcmp(v[3], "-") != 0 && strcmp(v[3], "0") != 0;
	ctl_uptime(v[7], up, sizeof up);
	ctl_usage(v[8], v[9], v[10], cpu, rss, lps, sizeof cpu);
	printf("%-3s %-28s %-20s %-8s %-6s %-6s %-3s %-8s %-5s %-6s %s\n",
	    v[0], v[1], v[2], running ? v[3] : "-", v[4], v[5], v[6],
	    running ? up : "-", cpu, rss, lps);
	for (k = 0; k < nitems(keys); k++)
		free(v[k]);
}

/* Handle one response line. */
static int
ctl_print(void *arg, const char *line)
{
	struct ctl_out	*o = arg;
	char		*ok, *err, *text;

	if ((ok = ctl_field(line, "ok")) != NULL) {
		if (strcmp(ok, "true") != 0) {
			err = ctl_field(line, "error");
			nm_warn("%s", err ? err : line);
			free(err);
			o->rc = 1;
		}
		free(ok);
		if (o->json && !o->status)
			puts(line);
		return 0;
	}
	if (o->json) {
		puts(line);
	} else if (o->status) {
		if (o->rows++ == 0)
			printf("%-3s %-28s %-20s %-8s %-6s %-6s %-3s %-8s "
			    "%-5s %-6s %s\n", "#", "NAME", "STATE", "PID",
			    "HTTP", "DIST", "↻", "UPTIME", "CPU", "RSS",
			    "L/S");
		ctl_print_row(line);
	} else if ((text = ctl_field(line, "text")) != NULL) {
		puts(text);
		free(text);
	}
	fflush(stdout);
	return 0;
}

/* Build the request line from the operands; NULL after a usage error. */
static char *
ctl_build(const struct opts *o)
{
	struct strbuf	 sb = STRBUF_INIT;
	const char	*verb = o->argc > 0 ? o->argv[0] : NULL;
	int		 nargs = 0;

	if (verb == NULL) {
		nm_warn("ctl: missing request: status, start, stop, restart, "
		    "pause, resume, logs or quit");
		return NULL;
	}
	if (strcmp(verb, "start") == 0 || strcmp(verb, "stop") == 0 ||
	    strcmp(verb, "restart") == 0 || strcmp(verb, "logs") == 0 ||
	    strcmp(verb, "pause") == 0 || strcmp(verb, "resume") == 0)
		nargs = 1;
	else if (strcmp(verb, "status") != 0 && strcmp(verb, "quit") != 0) {
		nm_warn("ctl: unknown request: %s", verb);
		return NULL;
	}
	if (o->argc != 1 + nargs) {
		nm_warn("ctl %s: %s", verb, !nargs ? "takes no operand" :
		    strcmp(verb, "logs") == 0 ? "needs N, one node" :
		    "needs N or all");
		return NULL;
	}
	if ((o->follow || o->grep != NULL) && strcmp(verb, "logs") != 0) {
		nm_warn("ctl: -f and --grep are for logs");
		return NULL;
	}
	strbuf_adds(&sb, verb);
	if (nargs) {
		strbuf_addc(&sb, ' ');
		strbuf_adds(&sb, o->argv[1]);
	}
	if (o->follow)
		strbuf_adds(&sb, " follow");
	if (o->grep != NULL) {
		strbuf_adds(&sb, " grep ");
		strbuf_adds(&sb, o->grep);
	}
	return strbuf_detach(&sb);
}

int
cmd_ctl(struct opts *o)
{
	struct ctl_out	 out = { .json = o->json };
	struct plan	*plan = NULL;
	char		*req, *path, *cause = NULL;

	if ((req = ctl_build(o)) == NULL)
		return 2;
	out.status = strncmp(req, "status", 6) == 0;
	if (o->socket != NULL)
		path = xstrdup(o->socket);
	else {
		if ((plan = opts_plan(o)) == NULL) {
			free(req);
			return 2;
		}
		path = ctl_default_path(plan->config_name);
		plan_free(plan);
	}
	if (ctl_request(path, req, ctl_print, &out, &cause) == -1) {
		nm_warn("%s", cause);
		free(cause);
		out.rc = 1;
	}
	free(req);
	free(path);
	return out.rc;
}
