/*
 * The config file: lookup, reading with libconfig, and a check of every
 * key against the tables below (type, range, words, templates), with the
 * chosen profile laid over the top level.  Nothing here expands a template.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#include "nodemux/cfg.h"
#include "nodemux/plan.h"
#include "nodemux/tmpl.h"
#include "nodemux/util.h"

const char *const cfg_vars[] = {
	"NODE_INDEX", "CLUSTER_SIZE", "NODE_NAME", "NODE_SNAME", "NODE_HOST",
	"HTTP_PORT", "NODE_PORT", "DIST_PORT", "COOKIE", "CLUSTER_NODES",
	"CLUSTER_PEERS", "NODEMUX", NULL
};

const char *const cfg_cluster_vars[] = {
	"CLUSTER_SIZE", "NODE_HOST", "COOKIE", "CLUSTER_NODES", "NODEMUX", NULL
};

enum cfg_type {
	CFG_INT,	/* struct cfg_int within min..max */
	CFG_STR,	/* struct cfg_str, any string */
	CFG_NAME,	/* struct cfg_str, a node name prefix */
	CFG_TMPL,	/* struct cfg_str, a template of words (NULL:
			   cfg_vars) */
	CFG_PORT,	/* struct cfg_str, a port number or a template */
	CFG_WORD,	/* struct cfg_int, the index of one of words */
	CFG_SIGNAL,	/* struct cfg_int, a signal name */
	CFG_GROUP,	/* keys of sub */
	CFG_COMMAND,	/* node.command: a list (argv) or a string (sh -c) */
	CFG_ENV,	/* node.env: NAME = "template" */
	CFG_LATER,	/* profiles: read after the top level */
};

struct cfg_key {
	const char		*name;
	enum cfg_type		 type;
	size_t			 off;
	long			 min, max;
	const char *const	*words;
	const struct cfg_key	*sub;
};

#define CFG_OFF(f) offsetof(struct cfg, f)

static const char *const cfg_name_modes[] = { "long", "short", NULL };
static const char *const cfg_policies[] = { "strict", "next-free", NULL };
static const char *const cfg_restarts[] = { "no", "on-failure", "always", NULL };

static const struct cfg_key cfg_ports_keys[] = {
	{ "http_base", CFG_INT, CFG_OFF(http_base), 1024, 65535, NULL, NULL },
	{ "dist_base", CFG_INT, CFG_OFF(dist_base), 1024, 65535, NULL, NULL },
	{ "stride", CFG_INT, CFG_OFF(stride), 1, 10000, NULL, NULL },
	{ "policy", CFG_WORD, CFG_OFF(policy), 0, 0, cfg_policies, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

static const struct cfg_key cfg_cluster_keys[] = {
	{ "default_size", CFG_INT, CFG_OFF(default_size), 1, 1000, NULL, NULL },
	{ "min_size", CFG_INT, CFG_OFF(min_size), 1, 1000, NULL, NULL },
	{ "max_size", CFG_INT, CFG_OFF(max_size), 1, 1000, NULL, NULL },
	{ "name_prefix", CFG_NAME, CFG_OFF(name_prefix), 0, 0, NULL, NULL },
	{ "host", CFG_STR, CFG_OFF(host), 0, 0, NULL, NULL },
	{ "name_mode", CFG_WORD, CFG_OFF(name_mode), 0, 0, cfg_name_modes, NULL },
	{ "cookie", CFG_STR, CFG_OFF(cookie), 0, 0, NULL, NULL },
	{ "ports", CFG_GROUP, 0, 0, 0, NULL, cfg_ports_keys },
	{ "stop_signal", CFG_SIGNAL, CFG_OFF(stop_signal), 0, 0, NULL, NULL },
	{ "stop_timeout_ms", CFG_INT, CFG_OFF(stop_timeout_ms), 0, 3600000,
	  NULL, NULL },
	{ "log_dir", CFG_TMPL, CFG_OFF(log_dir), 0, 0, cfg_cluster_vars,
	  NULL },
	{ "scrollback_lines", CFG_INT, CFG_OFF(scrollback_lines), 10, 10000000,
	  NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

static const struct cfg_key cfg_ready_keys[] = {
	{ "tcp", CFG_PORT, CFG_OFF(ready_tcp), 1, 65535, NULL, NULL },
	{ "log", CFG_TMPL, CFG_OFF(ready_log), 0, 0, NULL, NULL },
	{ "timeout_ms", CFG_INT, CFG_OFF(ready_timeout_ms), 1, 86400000,
	  NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

static const struct cfg_key cfg_node_keys[] = {
	{ "command", CFG_COMMAND, 0, 0, 0, NULL, NULL },
	{ "cwd", CFG_TMPL, CFG_OFF(cwd), 0, 0, NULL, NULL },
	{ "env", CFG_ENV, 0, 0, 0, NULL, NULL },
	{ "ready", CFG_GROUP, 0, 0, 0, NULL, cfg_ready_keys },
	{ "restart", CFG_WORD, CFG_OFF(restart), 0, 0, cfg_restarts, NULL },
	{ "max_restarts", CFG_INT, CFG_OFF(max_restarts), 0, 1000000,
	  NULL, NULL },
	{ "backoff_ms", CFG_INT, CFG_OFF(backoff_ms), 0, 30000, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

/* The keys of a profile, and of the top level. */
static const struct cfg_key cfg_profile_keys[] = {
	{ "cluster", CFG_GROUP, 0, 0, 0, NULL, cfg_cluster_keys },
	{ "node", CFG_GROUP, 0, 0, 0, NULL, cfg_node_keys },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

static const struct cfg_key cfg_top_keys[] = {
	{ "cluster", CFG_GROUP, 0, 0, 0, NULL, cfg_cluster_keys },
	{ "node", CFG_GROUP, 0, 0, 0, NULL, cfg_node_keys },
	{ "profiles", CFG_LATER, 0, 0, 0, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL }
};

static const struct {
	const char	*name;
	int		 sig;
} cfg_signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
	{ "TERM", SIGTERM }, { "ALRM", SIGALRM },
};

char *
cfg_error(const struct cfg *cfg, int line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg, *s;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (line > 0)
		s = xasprintf("%s:%d: %s", cfg->path, line, msg);
	else
		s = xasprintf("%s: %s", cfg->path, msg);
	free(msg);
	return s;
}

/* The line of setting s, or of its nearest parent that has one. */
static int
cfg_line(const config_setting_t *s)
{
	for (; s != NULL; s = config_setting_parent(s)) {
		if (config_setting_source_line(s) != 0)
			return config_setting_source_line(s);
	}
	return 0;
}

/* What a setting of libconfig type t is, for messages. */
static const char *
cfg_type_name(int t)
{
	switch (t) {
	case CONFIG_TYPE_GROUP:
		return "a group { ... }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a float";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "a boolean";
	case CONFIG_TYPE_ARRAY:
		return "an array [ ... ]";
	case CONFIG_TYPE_LIST:
		return "a list ( ... )";
	}
	return "nothing";
}

/* The error for setting s (key path key) not being what it should. */
static int
cfg_type_error(struct cfg *cfg, const config_setting_t *s, const char *key,
    const char *want, char **cause)
{
	*cause = cfg_error(cfg, cfg_line(s), "%s: expected %s, not %s", key,
	    want, cfg_type_name(config_setting_type(s)));
	return -1;
}

/* Set *out to the string of s (key) or fail with a type error. */
static int
cfg_get_string(struct cfg *cfg, const config_setting_t *s, const char *key,
    const char **out, char **cause)
{
	*out = "";
	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return cfg_type_error(cfg, s, key, "a string", cause);
	*out = config_setting_get_string(s);
	return 0;
}

/* Check template t of key (at line) against variables names. */
static int
cfg_check_vars(struct cfg *cfg, const char *t, const char *const *names,
    int flags, const char *key, int line, char **cause)
{
	char	*why = NULL;

	if (tmpl_check(t, names, flags, &why) == 0)
		return 0;
	*cause = cfg_error(cfg, line, "%s: %s", key, why);
	free(why);
	return -1;
}

/* Check template t of key (at line) against the per-node variables. */
static int
cfg_check_tmpl(struct cfg *cfg, const char *t, const char *key, int line,
    char **cause)
{
	return cfg_check_vars(cfg, t, cfg_vars, 0, key, line, cause);
}

/* Replace string value dst with v from line. */
static void
cfg_set_str(struct cfg_str *dst, const char *v, int line)
{
	free(dst->v);
	dst->v = xstrdup(v);
	dst->line = line;
}

/* An integer key within k->min..k->max. */
static int
cfg_set_int(struct cfg *cfg, const struct cfg_key *k, const config_setting_t *s,
    const char *key, char **cause)
{
	struct cfg_int	*dst = (struct cfg_int *)((char *)cfg + k->off);
	long long	 v;

	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return cfg_type_error(cfg, s, key, "an integer", cause);
	v = config_setting_get_int64(s);
	if (v < k->min || v > k->max) {
		*cause = cfg_error(cfg, cfg_line(s), "%s: %lld is out of range "
		    "%ld-%ld", key, v, k->min, k->max);
		return -1;
	}
	dst->v = (int)v;
	dst->line = cfg_line(s);
	return 0;
}

/* A key that is one of the words of k; stores the word's index. */
static int
cfg_set_word(struct cfg *cfg, const struct cfg_key *k, const config_setting_t *s,
    const char *key, char **cause)
{
	struct cfg_int	*dst = (struct cfg_int *)((char *)cfg + k->off);
	struct strbuf	 sb = STRBUF_INIT;
	const char	*v;
	int		 i;

	if (cfg_get_string(cfg, s, key, &v, cause) != 0)
		return -1;
	for (i = 0; k->words[i] != NULL; i++) {
		if (strcmp(v, k->words[i]) == 0) {
			dst->v = i;
			dst->line = cfg_line(s);
			strbuf_free(&sb);
			return 0;
		}
		strbuf_adds(&sb, i == 0 ? "" : ", ");
		strbuf_adds(&sb, k->words[i]);
	}
	*cause = cfg_error(cfg, cfg_line(s), "%s: \"%s\" is not one of %s", key,
	    v, sb.buf);
	strbuf_free(&sb);
	return -1;
}

/* A signal name: TERM, SIGTERM or term. */
static int
cfg_set_signal(struct cfg *cfg, const struct cfg_key *k,
    const config_setting_t *s, const char *key, char **cause)
{
	struct cfg_int	*dst = (struct cfg_int *)((char *)cfg + k->off);
	const char	*v, *name;
	size_t		 i;

	if (cfg_get_string(cfg, s, key, &v, cause) != 0)
		return -1;
	name = strncasecmp(v, "SIG", 3) == 0 ? v + 3 : v;
	for (i = 0; i < nitems(cfg_signals); i++) {
		if (strcasecmp(name, cfg_signals[i].name) == 0) {
			dst->v = cfg_signals[i].sig;
			dst->line = cfg_line(s);
			return 0;
		}
	}
	*cause = cfg_error(cfg, cfg_line(s), "%s: unknown signal \"%s\" (use "
	    "TERM, INT, HUP, QUIT, USR1, USR2, ALRM or KILL)", key, v);
	return -1;
}

/* A string key; CFG_NAME must make a valid node name, CFG_STR must not
   be empty, CFG_TMPL must be a valid template. */
static int
cfg_set_string(struct cfg *cfg, const struct cfg_key *k,
    const config_setting_t *s, const char *key, char **cause)
{
	struct cfg_str	*dst = (struct cfg_str *)((char *)cfg + k->off);
	const char	*v, *p;

	if (cfg_get_string(cfg, s, key, &v, cause) != 0)
		return -1;
	if (k->type == CFG_TMPL && cfg_check_vars(cfg, v, k->words != NULL ?
	    k->words : cfg_vars, 0, key, cfg_line(s), cause) != 0)
		return -1;
	if (k->type != CFG_TMPL && *v == '\0') {
		*cause = cfg_error(cfg, cfg_line(s), "%s: must not be empty",
		    key);
		return -1;
	}
	for (p = v; k->type == CFG_NAME && *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-') {
			*cause = cfg_error(cfg, cfg_line(s), "%s: \"%s\": a "
			    "node name may hold only letters, digits, _ and -",
			    key, v);
			return -1;
		}
	}
	cfg_set_str(dst, v, cfg_line(s));
	return 0;
}

/* A port: a number in k->min..k->max, or a template giving one. */
static int
cfg_set_port(struct cfg *cfg, const struct cfg_key *k, const config_setting_t *s,
    const char *key, char **cause)
{
	struct cfg_str	*dst = (struct cfg_str *)((char *)cfg + k->off);
	long long	 v;
	char		*text;

	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return cfg_set_string(cfg, &(struct cfg_key){ .type = CFG_TMPL,
		    .off = k->off }, s, key, cause);
	if (config_setting_type(s) != CONFIG_TYPE_INT &&
	    config_setting_type(s) != CONFIG_TYPE_INT64)
		return cfg_type_error(cfg, s, key, "a port number or a string",
		    cause);
	v = config_setting_get_int64(s);
	if (v < k->min || v > k->max) {
		*cause = cfg_error(cfg, cfg_line(s), "%s: %lld is out of range "
		    "%ld-%ld", key, v, k->min, k->max);
		return -1;
	}
	text = xasprintf("%lld", v);
	cfg_set_str(dst, text, cfg_line(s));
	free(text);
	return 0;
}

/* node.command: a list of templates (argv) or one string (sh -c). */
static int
cfg_set_command(struct cfg *cfg, const config_setting_t *s, const char *key,
    char **cause)
{
	const config_setting_t	*e;
	const char		*v;
	char			**argv;
	int			 i, n, t = config_setting_type(s);

	if (t != CONFIG_TYPE_STRING && t != CONFIG_TYPE_ARRAY &&
	    t != CONFIG_TYPE_LIST)
		return cfg_type_error(cfg, s, key, "a list of strings or a "
		    "string", cause);
	n = t == CONFIG_TYPE_STRING ? 1 : config_setting_length(s);
	if (n == 0) {
		*cause = cfg_error(cfg, cfg_line(s), "%s: is empty", key);
		return -1;
	}
	argv = xcalloc(n + 1, sizeof *argv);
	for (i = 0; i < n; i++) {
		e = t == CONFIG_TYPE_STRING ? s : config_setting_get_elem(s, i);
		if (cfg_get_string(cfg, e, key, &v, cause) != 0 ||
		    cfg_check_vars(cfg, v, cfg_vars, t == CONFIG_TYPE_STRING ?
		    TMPL_SHELL : 0, key, cfg_line(e), cause) != 0)
			goto fail;
		if (i == 0 && *v == '\0') {
			*cause = cfg_error(cfg, cfg_line(e), "%s: the program "
			    "is empty", key);
			goto fail;
		}
		argv[i] = xstrdup(v);
	}
	strv_free(cfg->command);
	cfg->command = argv;
	cfg->command_shell = t == CONFIG_TYPE_STRING;
	cfg->command_line = cfg_line(s);
	return 0;
fail:
	strv_free(argv);
	return -1;
}

/* Is s a name the environment can hold: [A-Za-z_][A-Za-z0-9_]*? */
static int
cfg_env_name(const char *s)
{
	if (!isalpha((unsigned char)*s) && *s != '_')
		return 0;
	for (; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	}
	return 1;
}

/* One NAME = value of node.env, replacing an earlier NAME. */
static int
cfg_set_env_one(struct cfg *cfg, const config_setting_t *e, const char *key,
    char **cause)
{
	const char	*name = config_setting_name(e), *v;
	char		*text, *path;
	int		 i, rc;

	path = xasprintf("%s.%s", key, name);
	if (!cfg_env_name(name)) {
		*cause = cfg_error(cfg, cfg_line(e), "%s: not a valid "
		    "environment variable name", path);
		free(path);
		return -1;
	}
	if (config_setting_type(e) == CONFIG_TYPE_INT ||
	    config_setting_type(e) == CONFIG_TYPE_INT64)
		text = xasprintf("%lld", config_setting_get_int64(e));
	else if ((rc = cfg_get_string(cfg, e, path, &v, cause)) != 0 ||
	    (rc = cfg_check_tmpl(cfg, v, path, cfg_line(e), cause)) != 0) {
		free(path);
		return -1;
	} else
		text = xstrdup(v);
	free(path);
	for (i = 0; i < cfg->nenv && strcmp(cfg->env[i].name, name) != 0; i++)
		/* nothing */;
	if (i == cfg->nenv) {
		cfg->env = xreallocarray(cfg->env, ++cfg->nenv,
		    sizeof *cfg->env);
		cfg->env[i].name = xstrdup(name);
	} else
		free(cfg->env[i].value);
	cfg->env[i].value = text;
	cfg->env[i].line = cfg_line(e);
	return 0;
}

/* node.env: a group of NAME = "template" (or a number). */
static int
cfg_set_env(struct cfg *cfg, const config_setting_t *s, const char *key,
    char **cause)
{
	int	 i;

	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return cfg_type_error(cfg, s, key, "a group { NAME = \"value\"; }",
		    cause);
	for (i = 0; i < config_setting_length(s); i++) {
		if (cfg_set_env_one(cfg, config_setting_get_elem(s, i), key,
		    cause) != 0)
			return -1;
	}
	return 0;
}

static int cfg_apply_group(struct cfg *, const config_setting_t *,
    const struct cfg_key *, const char *, char **);

/* Apply setting s, which is key k at path key. */
static int
cfg_apply_key(struct cfg *cfg, const struct cfg_key *k,
    const config_setting_t *s, const char *key, char **cause)
{
	switch (k->type) {
	case CFG_INT:
		return cfg_set_int(cfg, k, s, key, cause);
	case CFG_STR:
	case CFG_NAME:
	case CFG_TMPL:
		return cfg_set_string(cfg, k, s, key, cause);
	case CFG_PORT:
		return cfg_set_port(cfg, k, s, key, cause);
	case CFG_WORD:
		return cfg_set_word(cfg, k, s, key, cause);
	case CFG_SIGNAL:
		return cfg_set_signal(cfg, k, s, key, cause);
	case CFG_GROUP:
		return cfg_apply_group(cfg, s, k->sub, key, cause);
	case CFG_COMMAND:
		return cfg_set_command(cfg, s, key, cause);
	case CFG_ENV:
		return cfg_set_env(cfg, s, key, cause);
	case CFG_LATER:
		break;
	}
	return 0;
}

/* Apply every setting of group g (at path prefix, "" at the top) as one
   of keys; any other name is an error. */
static int
cfg_apply_group(struct cfg *cfg, const config_setting_t *g,
    const struct cfg_key *keys, const char *prefix, char **cause)
{
	const config_setting_t	*s;
	const struct cfg_key	*k;
	char			*key;
	int			 i, rc;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		return cfg_type_error(cfg, g, prefix, "a group { ... }", cause);
	for (i = 0; i < config_setting_length(g); i++) {
		s = config_setting_get_elem(g, i);
		key = xasprintf("%s%s%s", prefix, *prefix ? "." : "",
		    config_setting_name(s));
		for (k = keys; k->name != NULL; k++) {
			if (strcmp(k->name, config_setting_name(s)) == 0)
				break;
		}
		if (k->name == NULL) {
			*cause = cfg_error(cfg, cfg_line(s), "unknown key %s",
			    key);
			rc = -1;
		} else
			rc = cfg_apply_key(cfg, k, s, key, cause);
		free(key);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* The built-in defaults of SPEC §2, line 0. */
static void
cfg_defaults(struct cfg *cfg)
{
	cfg->default_size.v = 2;
	cfg->min_size.v = 1;
	cfg->max_size.v = 10;
	cfg_set_str(&cfg->name_prefix, "node", 0);
	cfg_set_str(&cfg->host, "auto", 0);
	cfg->name_mode.v = PLAN_NAME_LONG;
	cfg_set_str(&cfg->cookie, "nodemux_cookie", 0);
	cfg->http_base.v = 4000;
	cfg->dist_base.v = 9100;
	cfg->stride.v = 10;
	cfg->policy.v = PLAN_PORTS_STRICT;
	cfg->stop_signal.v = SIGTERM;
	cfg->stop_timeout_ms.v = 5000;
	cfg_set_str(&cfg->log_dir, "log", 0);
	cfg->scrollback_lines.v = 10000;
	cfg_set_str(&cfg->cwd, ".", 0);
	cfg->ready_timeout_ms.v = 30000;
	cfg->restart.v = PLAN_RESTART_NO;
	cfg->max_restarts.v = 5;
	cfg->backoff_ms.v = 500;
}

/* Free the values of cfg, not its names. */
static void
cfg_clear(struct cfg *cfg)
{
	int	 i;

	free(cfg->name_prefix.v);
	free(cfg->host.v);
	free(cfg->cookie.v);
	free(cfg->log_dir.v);
	free(cfg->cwd.v);
	free(cfg->ready_tcp.v);
	free(cfg->ready_log.v);
	strv_free(cfg->command);
	for (i = 0; i < cfg->nenv; i++) {
		free(cfg->env[i].name);
		free(cfg->env[i].value);
	}
	free(cfg->env);
}

void
cfg_free(struct cfg *cfg)
{
	if (cfg == NULL)
		return;
	cfg_clear(cfg);
	free(cfg->path);
	free(cfg->dir);
	free(cfg->name);
	free(cfg->profile);
	free(cfg);
}

/* A comma-separated list of the names in group g. */
static char *
cfg_names(const config_setting_t *g)
{
	struct strbuf	 sb = STRBUF_INIT;
	int		 i;

	for (i = 0; i < config_setting_length(g); i++) {
		strbuf_adds(&sb, i == 0 ? "" : ", ");
		strbuf_adds(&sb, config_setting_name(config_setting_get_elem(g,
		    i)));
	}
	return strbuf_detach(&sb);
}

/* Check every profile of group ps, lay the one named want over cfg. */
static int
cfg_profiles(struct cfg *cfg, const config_setting_t *ps, const char *want,
    char **cause)
{
	const config_setting_t	*p;
	struct cfg		 scratch;
	char			*key, *names;
	int			 i, rc, found = 0;

	if (ps != NULL && config_setting_type(ps) != CONFIG_TYPE_GROUP)
		return cfg_type_error(cfg, ps, "profiles", "a group { ... }",
		    cause);
	for (i = 0; ps != NULL && i < config_setting_length(ps); i++) {
		p = config_setting_get_elem(ps, i);
		key = xasprintf("profiles.%s", config_setting_name(p));
		if (want != NULL && strcmp(want, config_setting_name(p)) == 0) {
			found = 1;
			rc = cfg_apply_group(cfg, p, cfg_profile_keys, key,
			    cause);
		} else {
			memset(&scratch, 0, sizeof scratch);
			scratch.path = cfg->path;
			cfg_defaults(&scratch);
			rc = cfg_apply_group(&scratch, p, cfg_profile_keys, key,
			    cause);
			cfg_clear(&scratch);
		}
		free(key);
		if (rc != 0)
			return -1;
	}
	if (want == NULL || found)
		return 0;
	if (ps == NULL || config_setting_length(ps) == 0) {
		*cause = cfg_error(cfg, 0, "no profile \"%s\": this config has "
		    "no profiles", want);
		return -1;
	}
	names = cfg_names(ps);
	*cause = cfg_error(cfg, cfg_line(ps), "no profile \"%s\": the profiles "
	    "are %s", want, names);
	free(names);
	return -1;
}

/* Checks across keys, once the profile is applied. */
static int
cfg_finish(struct cfg *cfg, char **cause)
{
	if (cfg->min_size.v > cfg->max_size.v) {
		*cause = cfg_error(cfg, cfg->min_size.line > cfg->max_size.line ?
		    cfg->min_size.line : cfg->max_size.line, "cluster.min_size "
		    "%d is larger than cluster.max_size %d", cfg->min_size.v,
		    cfg->max_size.v);
		return -1;
	}
	if (cfg->command == NULL) {
		*cause = cfg_error(cfg, 0, "node.command is missing: say what "
		    "each node runs");
		return -1;
	}
	return 0;
}

/* Fill cfg from the parsed config c. */
static int
cfg_parse(struct cfg *cfg, config_t *c, const char *profile, char **cause)
{
	const config_setting_t	*root = config_root_setting(c);

	cfg_defaults(cfg);
	if (cfg_apply_group(cfg, root, cfg_top_keys, "", cause) != 0)
		return -1;
	if (cfg_profiles(cfg, config_setting_get_member(root, "profiles"),
	    profile, cause) != 0)
		return -1;
	if (profile != NULL)
		cfg->profile = xstrdup(profile);
	return cfg_finish(cfg, cause);
}

/* A cfg named after path: its absolute directory and its short name. */
static struct cfg *
cfg_new(const char *path, char **cause)
{
	struct cfg	*cfg = xcalloc(1, sizeof *cfg);
	char		*copy, *d, *dot, cwd[4096];

	cfg->path = xstrdup(path);
	if (getcwd(cwd, sizeof cwd) == NULL) {
		*cause = xasprintf("cannot find the current directory: %s",
		    strerror(errno));
		cfg_free(cfg);
		return NULL;
	}
	if (strcmp(path, CFG_BUILTIN_PATH) == 0) {
		cfg->dir = xstrdup(cwd);
		cfg->name = xstrdup("demo");
		return cfg;
	}
	copy = xstrdup(path);
	d = dirname(copy);
	cfg->dir = *d == '/' ? xstrdup(d) : strcmp(d, ".") == 0 ?
	    xstrdup(cwd) : xasprintf("%s/%s", cwd, d);
	free(copy);
	copy = xstrdup(path);
	cfg->name = xstrdup(basename(copy));
	free(copy);
	if ((dot = strrchr(cfg->name, '.')) != NULL && dot != cfg->name)
		*dot = '\0';
	return cfg;
}

/* The message for a config libconfig could not parse. */
static char *
cfg_read_error(const struct cfg *cfg, const config_t *c)
{
	const char	*file = config_error_file(c);

	if (file == NULL)
		file = cfg->path;
	if (config_error_line(c) > 0)
		return xasprintf("%s:%d: %s", file, config_error_line(c),
		    config_error_text(c));
	return xasprintf("%s: %s", file, config_error_text(c));
}

/* Parse what c read (ok is its result) into cfg, then free c. */
static struct cfg *
cfg_done(struct cfg *cfg, config_t *c, int ok, const char *profile,
    char **cause)
{
	if (!ok) {
		*cause = cfg_read_error(cfg, c);
		goto fail;
	}
	if (cfg_parse(cfg, c, profile, cause) != 0)
		goto fail;
	config_destroy(c);
	return cfg;
fail:
	config_destroy(c);
	cfg_free(cfg);
	return NULL;
}

struct cfg *
cfg_load_string(const char *text, const char *path, const char *profile,
    char **cause)
{
	struct cfg	*cfg;
	config_t	 c;

	if ((cfg = cfg_new(path, cause)) == NULL)
		return NULL;
	config_init(&c);
	config_set_include_dir(&c, cfg->dir);
	return cfg_done(cfg, &c, config_read_string(&c, text) == CONFIG_TRUE,
	    profile, cause);
}

struct cfg *
cfg_load(const char *path, const char *profile, char **cause)
{
	struct cfg	*cfg;
	struct stat	 st;
	config_t	 c;
	FILE		*f;
	int		 ok;

	if (path == NULL)
		return cfg_load_string(cfg_demo_text, CFG_BUILTIN_PATH, profile,
		    cause);
	if ((f = fopen(path, "r")) == NULL) {
		*cause = xasprintf("cannot read config %s: %s", path,
		    strerror(errno));
		return NULL;
	}
	if (fstat(fileno(f), &st) == 0 && !S_ISREG(st.st_mode)) {
		*cause = xasprintf("cannot read config %s: not a regular file",
		    path);
		fclose(f);
		return NULL;
	}
	if ((cfg = cfg_new(path, cause)) == NULL) {
		fclose(f);
		return NULL;
	}
	config_init(&c);
	config_set_include_dir(&c, cfg->dir);
	ok = config_read(&c, f) == CONFIG_TRUE;
	fclose(f);
	return cfg_done(cfg, &c, ok, profile, cause);
}

/* Does a file exist at path (built from fmt)?  The path, or NULL. */
static char *
cfg_try(const char *fmt, ...)
{
	va_list	 ap;
	char	*path;

	va_start(ap, fmt);
	path = xvasprintf(fmt, ap);
	va_end(ap);
	if (access(path, F_OK) == 0)
		return path;
	free(path);
	return NULL;
}

char *
cfg_find(const char *path)
{
	const char	*env;

	if (path != NULL)
		return xstrdup(path);
	if ((env = getenv("NODEMUX_CONFIG")) != NULL && *env != '\0')
		return xstrdup(env);
	if (access("nodemux.cfg", F_OK) == 0)
		return xstrdup("nodemux.cfg");
	if ((env = getenv("XDG_CONFIG_HOME")) != NULL && *env == '/')
		return cfg_try("%s/nodemux/nodemux.cfg", env);
	if ((env = getenv("HOME")) != NULL && *env != '\0')
		return cfg_try("%s/.config/nodemux/nodemux.cfg", env);
	return NULL;
}
