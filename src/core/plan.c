/*
 * The plan: from the config, the command line and the environment to
 * the N nodes with their names, ports, argv, environment and files.
 * Every template is expanded here, once per node.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "nodemux/cfg.h"
#include "nodemux/hosts.h"
#include "nodemux/net.h"
#include "nodemux/plan.h"
#include "nodemux/tmpl.h"
#include "nodemux/util.h"

/* The variables of one node: names from cfg_vars, values owned here. */
struct plan_vars {
	struct tmpl_var	 v[16];
	char		*own[16];
	size_t		 n;
};

/* Add NAME=value (taking value) to pv. */
static void
plan_vars_add(struct plan_vars *pv, const char *name, char *value)
{
	pv->v[pv->n].name = name;
	pv->v[pv->n].value = value;
	pv->own[pv->n++] = value;
}

static void
plan_vars_free(struct plan_vars *pv)
{
	size_t	 i;

	for (i = 0; i < pv->n; i++)
		free(pv->own[i]);
	pv->n = 0;
}

/* The names of every node but skip (0-based; -1: none), comma-separated. */
static char *
plan_names(const struct plan *plan, int skip)
{
	struct strbuf	 sb = STRBUF_INIT;
	int		 i;

	for (i = 0; i < plan->size; i++) {
		if (i == skip)
			continue;
		if (sb.len != 0)
			strbuf_addc(&sb, ',');
		strbuf_adds(&sb, plan->nodes[i].name);
	}
	return strbuf_detach(&sb);
}

/* The absolute path of this executable, for ${NODEMUX}. */
static char *
plan_self(void)
{
	char	 buf[PATH_MAX];
	ssize_t	 n;

	n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		return xstrdup("nodemux");
	buf[n] = '\0';
	return xstrdup(buf);
}

/* The variables of node i (0-based), in the order of SPEC §3; i == -1
   gives only the cluster-wide ones (for log_dir). */
static void
plan_vars(const struct plan *plan, int i, struct plan_vars *pv)
{
	const struct plan_node	*n = i >= 0 ? &plan->nodes[i] : NULL;

	pv->n = 0;
	if (n != NULL)
		plan_vars_add(pv, "NODE_INDEX", xasprintf("%d", n->index));
	plan_vars_add(pv, "CLUSTER_SIZE", xasprintf("%d", plan->size));
	if (n != NULL) {
		plan_vars_add(pv, "NODE_NAME", xstrdup(n->name));
		plan_vars_add(pv, "NODE_SNAME", xstrdup(n->sname));
	}
	plan_vars_add(pv, "NODE_HOST", xstrdup(n != NULL ? n->host_addr :
	    plan->host));
	if (n != NULL) {
		plan_vars_add(pv, "HTTP_PORT", xasprintf("%d", n->http_port));
		plan_vars_add(pv, "NODE_PORT", xasprintf("%d", n->http_port));
		plan_vars_add(pv, "DIST_PORT", xasprintf("%d", n->dist_port));
	}
	plan_vars_add(pv, "COOKIE", xstrdup(plan->cookie));
	plan_vars_add(pv, "CLUSTER_NODES", plan_names(plan, -1));
	if (n != NULL)
		plan_vars_add(pv, "CLUSTER_PEERS", plan_names(plan, i));
	plan_vars_add(pv, "NODEMUX", plan_self());
	plan_vars_add(pv, "START_DIR", xstrdup(plan->start_dir));
}

/* Expand template t of key (from line) into *out; flags as tmpl_expand. */
static int
plan_expand_flags(const struct plan *plan, const struct plan_vars *pv,
    const char *t, int flags, const char *key, int line, char **out,
    char **cause)
{
	char	*why = NULL;

	if ((*out = tmpl_expand(t, pv->v, pv->n, flags, &why)) != NULL)
		return 0;
	*cause = cfg_error(plan->cfg, line, "%s: %s", key, why);
	free(why);
	return -1;
}

/* Expand template t of key (from line) into *out. */
static int
plan_expand_one(const struct plan *plan, const struct plan_vars *pv,
    const char *t, const char *key, int line, char **out, char **cause)
{
	return plan_expand_flags(plan, pv, t, 0, key, line, out, cause);
}

/* path made absolute against dir ("." is dir itself). */
static char *
plan_path(const char *dir, const char *path)
{
	if (*path == '/')
		return xstrdup(path);
	if (strcmp(path, ".") == 0)
		return xstrdup(dir);
	if (strncmp(path, "./", 2) == 0)
		path += 2;
	return xasprintf("%s/%s", dir, path);
}

/* Free what expansion put in node n. */
static void
plan_node_clear(struct plan_node *n)
{
	strv_free(n->argv);
	strv_free(n->env);
	free(n->cwd);
	free(n->ready_log);
	free(n->ready_http);
	n->argv = n->env = NULL;
	n->cwd = n->ready_log = n->ready_http = NULL;
	n->ready_tcp_port = 0;
}

/* node.command for one node: argv as listed, or /bin/sh -c STRING. */
static int
plan_argv(const struct plan *plan, const struct plan_vars *pv,
    struct plan_node *n, char **cause)
{
	const struct cfg	*cfg = plan->cfg;
	size_t			 i, len = strv_len(cfg->command);

	if (cfg->command_shell) {
		n->argv = xcalloc(4, sizeof *n->argv);
		n->argv[0] = xstrdup("/bin/sh");
		n->argv[1] = xstrdup("-c");
		return plan_expand_flags(plan, pv, cfg->command[0], TMPL_SHELL,
		    "node.command", cfg->command_line, &n->argv[2], cause);
	}
	n->argv = xcalloc(len + 1, sizeof *n->argv);
	for (i = 0; i < len; i++) {
		if (plan_expand_one(plan, pv, cfg->command[i], "node.command",
		    cfg->command_line, &n->argv[i], cause) != 0)
			return -1;
	}
	return 0;
}

/* The environment of a node: the variables, then node.env. */
static int
plan_env(const struct plan *plan, const struct plan_vars *pv,
    struct plan_node *n, char **cause)
{
	const struct cfg	*cfg = plan->cfg;
	char			*v, *key;
	size_t			 i;
	int			 j, rc;

	n->env = xcalloc(pv->n + cfg->nenv + 1, sizeof *n->env);
	for (i = 0; i < pv->n; i++)
		n->env[i] = xasprintf("%s=%s", pv->v[i].name, pv->v[i].value);
	for (j = 0; j < cfg->nenv; j++) {
		key = xasprintf("node.env.%s", cfg->env[j].name);
		rc = plan_expand_one(plan, pv, cfg->env[j].value, key,
		    cfg->env[j].line, &v, cause);
		free(key);
		if (rc != 0)
			return -1;
		n->env[i + j] = xasprintf("%s=%s", cfg->env[j].name, v);
		free(v);
	}
	return 0;
}

/* Is pattern a regex PCRE2 compiles?  0, or -1 and *why. */
static int
plan_regex_check(const char *pattern, char **why)
{
	pcre2_code	*re;
	PCRE2_UCHAR	 msg[256];
	PCRE2_SIZE	 off;
	int		 err;

	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, 0, &err,
	    &off, NULL);
	if (re != NULL) {
		pcre2_code_free(re);
		return 0;
	}
	pcre2_get_error_message(err, msg, sizeof msg);
	*why = xasprintf("bad regex \"%s\" at offset %zu: %s", pattern,
	    (size_t)off, (char *)msg);
	return -1;
}

/* node.ready.http for one node: a path to GET, "/..." without blanks. */
static int
plan_ready_http(const struct plan *plan, const struct plan_vars *pv,
    struct plan_node *n, char **cause)
{
	const struct cfg	*cfg = plan->cfg;
	const unsigned char	*p;

	if (cfg->ready_http.v == NULL || *cfg->ready_http.v == '\0')
		return 0;
	if (plan_expand_one(plan, pv, cfg->ready_http.v, "node.ready.http",
	    cfg->ready_http.line, &n->ready_http, cause) != 0)
		return -1;
	for (p = (const unsigned char *)n->ready_http; *p > 0x20 && *p < 0x7f;
	    p++)
		/* nothing */;
	if (*n->ready_http == '/' && *p == '\0' &&
	    strlen(n->ready_http) <= PLAN_READY_HTTP_MAX)
		return 0;
	*cause = cfg_error(cfg, cfg->ready_http.line, "node.ready.http: \"%s\" "
	    "is not a path to GET: use one starting with / (e.g. \"/health\"), "
	    "without blanks, at most %d bytes", n->ready_http,
	    PLAN_READY_HTTP_MAX);
	return -1;
}

/* node.ready for one node: the tcp port, the log pattern, the http path. */
static int
plan_ready(const struct plan *plan, const struct plan_vars *pv,
    struct plan_node *n, char **cause)
{
	const struct cfg	*cfg = plan->cfg;
	char			*v, *why;

	n->ready_timeout_ms = cfg->ready_timeout_ms.v;
	if (cfg->ready_tcp.v != NULL) {
		if (plan_expand_one(plan, pv, cfg->ready_tcp.v, "node.ready.tcp",
		    cfg->ready_tcp.line, &v, cause) != 0)
			return -1;
		if (*v != '\0' && parse_int(v, 1, 65535, &n->ready_tcp_port)) {
			*cause = cfg_error(cfg, cfg->ready_tcp.line, "node.ready."
			    "tcp: \"%s\" is not a port number (1-65535)", v);
			free(v);
			return -1;
		}
		free(v);
	}
	if (plan_ready_http(plan, pv, n, cause) != 0)
		return -1;
	if (cfg->ready_log.v == NULL || *cfg->ready_log.v == '\0')
		return 0;
	if (plan_expand_one(plan, pv, cfg->ready_log.v, "node.ready.log",
	    cfg->ready_log.line, &n->ready_log, cause) != 0)
		return -1;
	if (plan_regex_check(n->ready_log, &why) != 0) {
		*cause = cfg_error(cfg, cfg->ready_log.line, "node.ready.log: %s",
		    why);
		free(why);
		return -1;
	}
	return 0;
}

/* Expand every template of node i (0-based) with its current ports. */
static int
plan_expand(struct plan *plan, int i, char **cause)
{
	struct plan_node	*n = &plan->nodes[i];
	struct plan_vars	 pv;
	char			*cwd = NULL;
	int			 rc = -1;

	plan_node_clear(n);
	plan_vars(plan, i, &pv);
	if (plan_argv(plan, &pv, n, cause) != 0 ||
	    plan_env(plan, &pv, n, cause) != 0 ||
	    plan_ready(plan, &pv, n, cause) != 0)
		goto out;
	if (plan_expand_one(plan, &pv, plan->cfg->cwd.v, "node.cwd",
	    plan->cfg->cwd.line, &cwd, cause) != 0)
		goto out;
	/* On another machine a relative cwd starts in the login's home. */
	if (plan_node_remote(n))
		n->cwd = xstrdup(*cwd == '\0' ? "." : cwd);
	else
		n->cwd = plan_path(plan->cfg->dir, *cwd == '\0' ? "." : cwd);
	rc = 0;
out:
	free(cwd);
	plan_vars_free(&pv);
	return rc;
}

int
plan_node_set_ports(struct plan *plan, int i, int http_port, int dist_port,
    char **cause)
{
	if (i < 0 || i >= plan->size) {
		*cause = xasprintf("no node %d in a cluster of %d", i + 1,
		    plan->size);
		return -1;
	}
	plan->nodes[i].http_port = http_port;
	plan->nodes[i].dist_port = dist_port;
	return plan_expand(plan, i, cause);
}

/* Is s an optional sign and digits (a number out of an int's range)? */
static int
plan_is_integer(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	return *s != '\0' && s[strspn(s, "0123456789")] == '\0';
}

/* The cluster size: --size, else CLUSTER_SIZE, else the config. */
static int
plan_size(struct plan *plan, const struct plan_opts *po, char **cause)
{
	const struct cfg	*cfg = plan->cfg;
	const char		*env = getenv("CLUSTER_SIZE");
	char			*from;
	int			 n;

	if (po->size != -1) {
		n = po->size;
		from = xstrdup("--size");
	} else if (env != NULL && *env != '\0') {
		if (parse_int(env, INT_MIN, INT_MAX, &n) != 0) {
			*cause = xasprintf("invalid cluster size %s: %s (from "
			    "CLUSTER_SIZE)", env, plan_is_integer(env) ?
			    "out of range" : "not a number");
			return -1;
		}
		from = xstrdup("CLUSTER_SIZE");
	} else {
		n = cfg->default_size.v;
		if (cfg->default_size.line != 0)
			from = xstrdup("cluster.default_size");
		else
			from = xstrdup("the built-in default size");
	}
	if (n < cfg->min_size.v || n > cfg->max_size.v) {
		if (po->size == -1 && (env == NULL || *env == '\0') &&
		    cfg->default_size.line != 0)
			*cause = cfg_error(cfg, cfg->default_size.line,
			    "invalid cluster size %d: use %d-%d (from %s)", n,
			    cfg->min_size.v, cfg->max_size.v, from);
		else
			*cause = xasprintf("invalid cluster size %d: use %d-%d "
			    "(from %s)", n, cfg->min_size.v, cfg->max_size.v,
			    from);
		free(from);
		return -1;
	}
	free(from);
	plan->size = n;
	return 0;
}

/* <sname>@<host>, the host without its domain for -sname. */
static char *
plan_node_name(const struct plan *plan, const struct plan_node *n)
{
	const char	*h = n->host_addr, *dot;

	if (plan->name_mode == PLAN_NAME_SHORT && !host_is_ip(h) &&
	    (dot = strchr(h, '.')) != NULL)
		return xasprintf("%s@%.*s", n->sname, (int)(dot - h), h);
	return xasprintf("%s@%s", n->sname, h);
}

/* Resolve the host, place the nodes on hosts and name every node. */
static int
plan_host(struct plan *plan, const struct plan_opts *po, char **cause)
{
	const struct cfg	*cfg = plan->cfg;
	struct host_res		 hr;
	char			*why = NULL, *dot;
	int			 i;

	if (host_resolve(cfg->host.v, plan->name_mode == PLAN_NAME_LONG, &hr,
	    &why) != 0) {
		*cause = cfg_error(cfg, cfg->host.line, "cluster.host: %s", why);
		free(why);
		return -1;
	}
	plan->host = hr.name;
	plan->bind_addr = hr.addr;
	plan->host_why = hr.why;
	/* -sname wants the host without its domain. */
	if (plan->name_mode == PLAN_NAME_SHORT && !host_is_ip(plan->host) &&
	    (dot = strchr(plan->host, '.')) != NULL)
		*dot = '\0';
	plan->nodes = xcalloc(plan->size, sizeof *plan->nodes);
	if (hosts_plan(plan, po->hosts, cause) != 0)
		return -1;
	for (i = 0; i < plan->size; i++) {
		plan->nodes[i].index = i + 1;
		plan->nodes[i].sname = xasprintf("%s%d", cfg->name_prefix.v,
		    i + 1);
		plan->nodes[i].name = plan_node_name(plan, &plan->nodes[i]);
	}
	return 0;
}

/* The later (nonzero) of two lines. */
static int
plan_line(int a, int b)
{
	return a > b ? a : b;
}

/* Nominal ports: each in 1024..65535, the http and dist ranges apart. */
static int
plan_ports(struct plan *plan, char **cause)
{
	const struct cfg	*cfg = plan->cfg;
	struct plan_node	*n;
	int			 i, hlast, dlast, line;

	line = plan_line(cfg->stride.line, plan_line(cfg->http_base.line,
	    cfg->dist_base.line));
	for (i = 0; i < plan->size; i++) {
		n = &plan->nodes[i];
		n->http_port = n->http_nominal = cfg->http_base.v +
		    i * cfg->stride.v;
		n->dist_port = n->dist_nominal = cfg->dist_base.v +
		    i * cfg->stride.v;
		if (n->http_port > 65535 || n->dist_port > 65535) {
			*cause = cfg_error(cfg, line, "cluster.ports: %s port "
			    "%d of node %d (%s) is out of range 1024-65535",
			    n->http_port > 65535 ? "http" : "dist",
			    n->http_port > 65535 ? n->http_port : n->dist_port,
			    n->index, n->name);
			return -1;
		}
	}
	hlast = plan->nodes[plan->size - 1].http_port;
	dlast = plan->nodes[plan->size - 1].dist_port;
	for (i = 0; i < plan->size; i++) {
		n = &plan->nodes[i];
		if (n->dist_port >= cfg->http_base.v && n->dist_port <= hlast) {
			*cause = cfg_error(cfg, line, "cluster.ports: dist port "
			    "%d of node %d (%s) lies in the http ports %d-%d",
			    n->dist_port, n->index, n->name, cfg->http_base.v,
			    hlast);
			return -1;
		}
		if (n->http_port >= cfg->dist_base.v && n->http_port <= dlast) {
			*cause = cfg_error(cfg, line, "cluster.ports: http port "
			    "%d of node %d (%s) lies in the dist ports %d-%d",
			    n->http_port, n->index, n->name, cfg->dist_base.v,
			    dlast);
			return -1;
		}
	}
	return 0;
}

/* Is port p among the n claimed ones? */
static int
plan_claimed(const int *claimed, int n, int p)
{
	int	 i;

	for (i = 0; i < n; i++) {
		if (claimed[i] == p)
			return 1;
	}
	return 0;
}

/* next-free: *port, or the first port above it that is free and that no
   other node claims; claim it. */
static int
plan_free_port(struct plan *plan, int *claimed, int *nclaimed, int *port,
    const char *role, const struct plan_node *n, char **cause)
{
	char	*why = NULL;
	int	 p, r;

	for (p = *port; p <= 65535; p++) {
		if (p != *port && plan_claimed(claimed, *nclaimed, p))
			continue;
		r = port_probe(plan->bind_addr, p, &why);
		if (r == -1) {
			*cause = xasprintf("cannot probe %s port %d of node %s: "
			    "%s", role, p, n->name, why);
			free(why);
			return -1;
		}
		if (r == 1) {
			*port = p;
			claimed[(*nclaimed)++] = p;
			return 0;
		}
	}
	*cause = xasprintf("no free %s port for node %s from %d to 65535",
	    role, n->name, *port);
	return -1;
}

/* next-free: move every node whose port is busy. */
static int
plan_next_free(struct plan *plan, char **cause)
{
	struct plan_node	*n;
	int			*claimed, nclaimed = 0, i, rc = 0;

	claimed = xcalloc(4 * plan->size, sizeof *claimed);
	for (i = 0; i < plan->size; i++) {
		claimed[nclaimed++] = plan->nodes[i].http_port;
		claimed[nclaimed++] = plan->nodes[i].dist_port;
	}
	for (i = 0; i < plan->size && rc == 0; i++) {
		n = &plan->nodes[i];
		if (plan_node_remote(n))
			continue;	/* probed on its host at start */
		rc = plan_free_port(plan, claimed, &nclaimed, &n->http_port,
		    "http", n, cause);
		if (rc == 0)
			rc = plan_free_port(plan, claimed, &nclaimed,
			    &n->dist_port, "dist", n, cause);
	}
	free(claimed);
	return rc;
}

/* The log directory: --log-dir (from the current directory) or
   cluster.log_dir (from the config's); "" turns logging off. */
static int
plan_log_dir(struct plan *plan, const struct plan_opts *po, char **cause)
{
	struct plan_vars	 pv;
	char			*dir;
	int			 rc;

	if (po->log_dir != NULL) {
		if (*po->log_dir == '\0' || *po->log_dir == '/')
			plan->log_dir = xstrdup(po->log_dir);
		else
			plan->log_dir = plan_path(plan->start_dir, po->log_dir);
		return 0;
	}
	plan_vars(plan, -1, &pv);
	rc = plan_expand_one(plan, &pv, plan->cfg->log_dir.v, "cluster.log_dir",
	    plan->cfg->log_dir.line, &dir, cause);
	plan_vars_free(&pv);
	if (rc != 0)
		return -1;
	plan->log_dir = *dir == '\0' ? xstrdup("") : plan_path(plan->cfg->dir,
	    dir);
	free(dir);
	return 0;
}

/* The directory nodemux was started from (START_DIR). */
static int
plan_start_dir(struct plan *plan, char **cause)
{
	char	 cwd[PATH_MAX];

	if (getcwd(cwd, sizeof cwd) == NULL) {
		*cause = xasprintf("cannot find the current directory: %s",
		    strerror(errno));
		return -1;
	}
	plan->start_dir = xstrdup(cwd);
	return 0;
}

/* Copy the cluster-wide settings of the config into plan. */
static void
plan_settings(struct plan *plan)
{
	const struct cfg	*cfg = plan->cfg;

	plan->config_path = xstrdup(cfg->path);
	plan->config_name = xstrdup(cfg->name);
	plan->profile = cfg->profile != NULL ? xstrdup(cfg->profile) : NULL;
	plan->name_mode = cfg->name_mode.v;
	plan->cookie = xstrdup(cfg->cookie.v);
	plan->stop_signal = cfg->stop_signal.v;
	plan->stop_timeout_ms = cfg->stop_timeout_ms.v;
	plan->scrollback_lines = cfg->scrollback_lines.v;
	plan->restart = cfg->restart.v;
	plan->max_restarts = cfg->max_restarts.v;
	plan->backoff_ms = cfg->backoff_ms.v;
	plan->port_policy = cfg->policy.v;
}

/* Build the nodes of plan, whose config is loaded. */
static int
plan_build(struct plan *plan, const struct plan_opts *po, char **cause)
{
	int	 i;

	plan_settings(plan);
	if (plan_start_dir(plan, cause) != 0 ||
	    plan_size(plan, po, cause) != 0 || plan_host(plan, po, cause) != 0 ||
	    plan_ports(plan, cause) != 0 || plan_log_dir(plan, po, cause) != 0)
		return -1;
	if (plan->port_policy == PLAN_PORTS_NEXT_FREE &&
	    plan_next_free(plan, cause) != 0)
		return -1;
	for (i = 0; i < plan->size; i++) {
		if (plan_expand(plan, i, cause) != 0)
			return -1;
		if (*plan->log_dir != '\0')
			plan->nodes[i].log_path = xasprintf("%s/%s.log",
			    plan->log_dir, plan->nodes[i].name);
	}
	return 0;
}

struct plan *
plan_load(const struct plan_opts *po, char **cause)
{
	struct plan	*plan;
	struct cfg	*cfg;
	const char	*profile = po->profile;
	char		*path;

	if (profile == NULL && (profile = getenv("NODEMUX_PROFILE")) != NULL &&
	    *profile == '\0')
		profile = NULL;
	path = cfg_find(po->config);
	cfg = cfg_load(path, profile, cause);
	free(path);
	if (cfg == NULL) {
		msg_clean(cause);	/* it may quote any value */
		return NULL;
	}
	plan = xcalloc(1, sizeof *plan);
	plan->cfg = cfg;
	if (plan_build(plan, po, cause) != 0) {
		msg_clean(cause);
		plan_free(plan);
		return NULL;
	}
	return plan;
}

void
plan_free(struct plan *plan)
{
	int	 i;

	if (plan == NULL)
		return;
	for (i = 0; plan->nodes != NULL && i < plan->size; i++) {
		plan_node_clear(&plan->nodes[i]);
		free(plan->nodes[i].name);
		free(plan->nodes[i].sname);
		free(plan->nodes[i].log_path);
	}
	free(plan->nodes);
	hosts_free(plan);
	free(plan->config_path);
	free(plan->config_name);
	free(plan->profile);
	free(plan->host);
	free(plan->bind_addr);
	free(plan->host_why);
	free(plan->start_dir);
	free(plan->cookie);
	free(plan->log_dir);
	cfg_free(plan->cfg);
	free(plan);
}
