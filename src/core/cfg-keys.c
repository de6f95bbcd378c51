/*
 * The keys a config may hold: one table per group with each key's type,
 * range or words, and the code that checks a libconfig setting against
 * its entry and stores it in struct cfg.
 */
#include "config.h"

#include <ctype.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libconfig.h>

#include "nodemux/cfg.h"
#include "nodemux/plan.h"
#include "nodemux/tmpl.h"
#include "nodemux/util.h"

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
	CFG_HOSTS,	/* cluster.hosts: a list of host groups */
	CFG_STRV,	/* cluster.ssh_options: a list of strings */
};

struct cfg_key {
	const char		*name;
	enum cfg_type		 type;
	size_t			 off;
	long			 min, max;
	const char *const	*words;	/* CFG_WORD: the words; CFG_TMPL:
					   the variables (NULL: all) */
	const struct cfg_key	*sub;
};

#define CFG_OFF(f) offsetof(struct cfg, f)

static const char *const cfg_name_modes[] = { "long", "short", NULL };
static const char *const cfg_policies[] = { "strict", "next-free", NULL };
static const char *const cfg_restarts[] = { "no", "on-failure", "always", NULL };
static const char *const cfg_placements[] = { "spread", "fill", NULL };

static const struct cfg_key cfg_ports_keys[] = {
	{ .name = "http_base", .type = CFG_INT, .off = CFG_OFF(http_base),
	  .min = 1024, .max = 65535 },
	{ .name = "dist_base", .type = CFG_INT, .off = CFG_OFF(dist_base),
	  .min = 1024, .max = 65535 },
	{ .name = "stride", .type = CFG_INT, .off = CFG_OFF(stride),
	  .min = 1, .max = 10000 },
	{ .name = "policy", .type = CFG_WORD, .off = CFG_OFF(policy),
	  .words = cfg_policies },
	{ .name = NULL }
};

static const struct cfg_key cfg_cluster_keys[] = {
	{ .name = "default_size", .type = CFG_INT,
	  .off = CFG_OFF(default_size), .min = 1, .max = 1000 },
	{ .name = "min_size", .type = CFG_INT, .off = CFG_OFF(min_size),
	  .min = 1, .max = 1000 },
	{ .name = "max_size", .type = CFG_INT, .off = CFG_OFF(max_size),
	  .min = 1, .max = 1000 },
	{ .name = "name_prefix", .type = CFG_NAME,
	  .off = CFG_OFF(name_prefix) },
	{ .name = "host", .type = CFG_STR, .off = CFG_OFF(host) },
	{ .name = "name_mode", .type = CFG_WORD, .off = CFG_OFF(name_mode),
	  .words = cfg_name_modes },
	{ .name = "cookie", .type = CFG_STR, .off = CFG_OFF(cookie) },
	{ .name = "ports", .type = CFG_GROUP, .sub = cfg_ports_keys },
	{ .name = "stop_signal", .type = CFG_SIGNAL,
	  .off = CFG_OFF(stop_signal) },
	{ .name = "stop_timeout_ms", .type = CFG_INT,
	  .off = CFG_OFF(stop_timeout_ms), .min = 0, .max = 3600000 },
	{ .name = "log_dir", .type = CFG_TMPL, .off = CFG_OFF(log_dir),
	  .words = cfg_cluster_vars },
	{ .name = "scrollback_lines", .type = CFG_INT,
	  .off = CFG_OFF(scrollback_lines), .min = 10, .max = 10000000 },
	{ .name = "hosts", .type = CFG_HOSTS },
	{ .name = "placement", .type = CFG_WORD, .off = CFG_OFF(placement),
	  .words = cfg_placements },
	{ .name = "ssh_options", .type = CFG_STRV },
	{ .name = NULL }
};

static const struct cfg_key cfg_ready_keys[] = {
	{ .name = "tcp", .type = CFG_PORT, .off = CFG_OFF(ready_tcp),
	  .min = 1, .max = 65535 },
	{ .name = "log", .type = CFG_TMPL, .off = CFG_OFF(ready_log) },
	{ .name = "http", .type = CFG_TMPL, .off = CFG_OFF(ready_http) },
	{ .name = "timeout_ms", .type = CFG_INT,
	  .off = CFG_OFF(ready_timeout_ms), .min = 1, .max = 86400000 },
	{ .name = NULL }
};

static const struct cfg_key cfg_node_keys[] = {
	{ .name = "command", .type = CFG_COMMAND },
	{ .name = "cwd", .type = CFG_TMPL, .off = CFG_OFF(cwd) },
	{ .name = "env", .type = CFG_ENV },
	{ .name = "ready", .type = CFG_GROUP, .sub = cfg_ready_keys },
	{ .name = "restart", .type = CFG_WORD, .off = CFG_OFF(restart),
	  .words = cfg_restarts },
	{ .name = "max_restarts", .type = CFG_INT,
	  .off = CFG_OFF(max_restarts), .min = 0, .max = 1000000 },
	{ .name = "backoff_ms", .type = CFG_INT, .off = CFG_OFF(backoff_ms),
	  .min = 0, .max = 30000 },
	{ .name = NULL }
};

/* The keys of a profile, and of the top level. */
static const struct cfg_key cfg_profile_keys[] = {
	{ .name = "cluster", .type = CFG_GROUP, .sub = cfg_cluster_keys },
	{ .name = "node", .type = CFG_GROUP, .sub = cfg_node_keys },
	{ .name = NULL }
};

static const struct cfg_key cfg_top_keys[] = {
	{ .name = "cluster", .type = CFG_GROUP, .sub = cfg_cluster_keys },
	{ .name = "node", .type = CFG_GROUP, .sub = cfg_node_keys },
	{ .name = "profiles", .type = CFG_LATER },
	{ .name = NULL }
};

static const struct {
	const char	*name;
	int		 sig;
} cfg_signals[] = {
	{ "HUP", SIGHUP }, { "INT", SIGINT }, { "QUIT", SIGQUIT },
	{ "KILL", SIGKILL }, { "USR1", SIGUSR1 }, { "USR2", SIGUSR2 },
	{ "TERM", SIGTERM }, { "ALRM", SIGALRM },
};

int
cfg_line(struct cfg *cfg, const config_setting_t *s)
{
	const char	*file;
	char		*shown;
	int		 line, i;

	for (; s != NULL; s = config_setting_parent(s)) {
		if ((line = config_setting_source_line(s)) != 0)
			break;
	}
	if (s == NULL)
		return 0;
	if (line > CFG_LINE_MAX)
		line = CFG_LINE_MAX;	/* a config of a million lines */
	file = config_setting_source_file(s);
	if (file == NULL || strcmp(file, cfg->path) == 0)
		return line;
	shown = cfg_file_name(cfg, file);
	for (i = 0; i < cfg->nfiles; i++) {
		if (strcmp(cfg->files[i], shown) == 0)
			break;
	}
	if (i < cfg->nfiles)
		free(shown);
	else if (cfg->nfiles == CFG_FILES_MAX) {
		free(shown);
		return line;	/* over 1023 files: named as the config, as
				   before files were */
	} else {
		cfg->files = xreallocarray(cfg->files, cfg->nfiles + 1,
		    sizeof *cfg->files);
		cfg->files[cfg->nfiles++] = shown;
	}
	return (i + 1) << CFG_LINE_BITS | line;
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
int
cfg_type_error(struct cfg *cfg, const config_setting_t *s, const char *key,
    const char *want, char **cause)
{
	*cause = cfg_error(cfg, cfg_line(cfg, s), "%s: expected %s, not %s", key,
	    want, cfg_type_name(config_setting_type(s)));
	return -1;
}

/* Set *out to the string of s (key) or fail with a type error. */
int
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
	char		*why = NULL, *other = NULL;
	const char	*var = NULL;
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i;

	if (tmpl_check(t, names, flags, &why) == 0)
		return 0;
	/* A node's own variable in a key of the whole cluster: say so,
	   not that nodemux does not know it. */
	if (names != cfg_vars && tmpl_check(t, cfg_vars, flags, &other) == 0 &&
	    strncmp(why, "unknown variable ", 17) == 0)
		var = why + 17;
	free(other);
	if (var == NULL) {
		*cause = cfg_error(cfg, line, "%s: %s", key, why);
		free(why);
		return -1;
	}
	for (i = 0; names[i] != NULL; i++)
		strbuf_addf(&sb, "%s${%s}", i == 0 ? "" : names[i + 1] ==
		    NULL ? " and " : ", ", names[i]);
	*cause = cfg_error(cfg, line, "%s: %s is a node's own variable; "
	    "this key serves every node and takes only %s", key, var, sb.buf);
	strbuf_free(&sb);
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
void
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
		*cause = cfg_error(cfg, cfg_line(cfg, s), "%s: %lld is out of range "
		    "%ld-%ld", key, v, k->min, k->max);
		return -1;
	}
	dst->v = (int)v;
	dst->line = cfg_line(cfg, s);
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
			dst->line = cfg_line(cfg, s);
			strbuf_free(&sb);
			return 0;
		}
		strbuf_adds(&sb, i == 0 ? "" : ", ");
		strbuf_adds(&sb, k->words[i]);
	}
	*cause = cfg_error(cfg, cfg_line(cfg, s), "%s: \"%s\" is not one of %s", key,
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
			dst->line = cfg_line(cfg, s);
			return 0;
		}
	}
	*cause = cfg_error(cfg, cfg_line(cfg, s), "%s: unknown signal \"%s\" (use "
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
	    k->words : cfg_vars, 0, key, cfg_line(cfg, s), cause) != 0)
		return -1;
	if (k->type != CFG_TMPL && *v == '\0') {
		*cause = cfg_error(cfg, cfg_line(cfg, s), "%s: must not be empty",
		    key);
		return -1;
	}
	for (p = v; k->type == CFG_NAME && *p != '\0'; p++) {
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-') {
			*cause = cfg_error(cfg, cfg_line(cfg, s), "%s: \"%s\": a "
			    "node name may hold only letters, digits, _ and -",
			    key, v);
			return -1;
		}
	}
	cfg_set_str(dst, v, cfg_line(cfg, s));
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
		*cause = cfg_error(cfg, cfg_line(cfg, s), "%s: %lld is out of range "
		    "%ld-%ld", key, v, k->min, k->max);
		return -1;
	}
	text = xasprintf("%lld", v);
	cfg_set_str(dst, text, cfg_line(cfg, s));
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
		*cause = cfg_error(cfg, cfg_line(cfg, s), "%s: is empty", key);
		return -1;
	}
	argv = xcalloc(n + 1, sizeof *argv);
	for (i = 0; i < n; i++) {
		e = t == CONFIG_TYPE_STRING ? s : config_setting_get_elem(s, i);
		if (cfg_get_string(cfg, e, key, &v, cause) != 0 ||
		    cfg_check_vars(cfg, v, cfg_vars, t == CONFIG_TYPE_STRING ?
		    TMPL_SHELL : 0, key, cfg_line(cfg, e), cause) != 0)
			goto fail;
		if (i == 0 && *v == '\0') {
			*cause = cfg_error(cfg, cfg_line(cfg, e), "%s: the program "
			    "is empty", key);
			goto fail;
		}
		argv[i] = xstrdup(v);
	}
	strv_free(cfg->command);
	cfg->command = argv;
	cfg->command_shell = t == CONFIG_TYPE_STRING;
	cfg->command_line = cfg_line(cfg, s);
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
		*cause = cfg_error(cfg, cfg_line(cfg, e), "%s: not a valid "
		    "environment variable name", path);
		free(path);
		return -1;
	}
	if (config_setting_type(e) == CONFIG_TYPE_INT ||
	    config_setting_type(e) == CONFIG_TYPE_INT64)
		text = xasprintf("%lld", config_setting_get_int64(e));
	else if ((rc = cfg_get_string(cfg, e, path, &v, cause)) != 0 ||
	    (rc = cfg_check_tmpl(cfg, v, path, cfg_line(cfg, e), cause)) != 0) {
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
	cfg->env[i].line = cfg_line(cfg, e);
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

/* The edit distance of a and b (insertions, deletions, substitutions);
   3 stands for "3 or more": enough to tell a typo from another word. */
static int
cfg_distance(const char *a, const char *b)
{
	int	 row[65], prev, old, i, j, la = strlen(a), lb = strlen(b);

	if (la > 64 || lb > 64)
		return 3;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			old = row[j];
			row[j] = prev + (a[i - 1] != b[j - 1]);
			if (row[j] > old + 1)
				row[j] = old + 1;
			if (row[j] > row[j - 1] + 1)
				row[j] = row[j - 1] + 1;
			prev = old;
		}
	}
	return row[lb] > 3 ? 3 : row[lb];
}

/* The error for an unknown key, suggesting the nearest of names. */
int
cfg_unknown_name(struct cfg *cfg, const config_setting_t *s, const char *key,
    const char *const *names, char **cause)
{
	const char	*best = NULL;
	int		 d, bestd = 3;

	for (; *names != NULL; names++) {
		if ((d = cfg_distance(config_setting_name(s), *names)) < bestd) {
			best = *names;
			bestd = d;
		}
	}
	if (best != NULL)
		*cause = cfg_error(cfg, cfg_line(cfg, s), "unknown key %s (did you "
		    "mean %s?)", key, best);
	else
		*cause = cfg_error(cfg, cfg_line(cfg, s), "unknown key %s", key);
	return -1;
}

/* The error for an unknown key, suggesting the nearest one of keys. */
static int
cfg_unknown(struct cfg *cfg, const config_setting_t *s, const char *key,
    const struct cfg_key *keys, char **cause)
{
	const char	*names[32];
	size_t		 n = 0;

	for (; keys->name != NULL && n < nitems(names) - 1; keys++)
		names[n++] = keys->name;
	names[n] = NULL;
	return cfg_unknown_name(cfg, s, key, names, cause);
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
	case CFG_HOSTS:
		return cfg_set_hosts(cfg, s, key, cause);
	case CFG_STRV:
		return cfg_set_strv(cfg, s, key, cause);
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
		if (k->name == NULL)
			rc = cfg_unknown(cfg, s, key, keys, cause);
		else
			rc = cfg_apply_key(cfg, k, s, key, cause);
		free(key);
		if (rc != 0)
			return -1;
	}
	return 0;
}

int
cfg_apply(struct cfg *cfg, const config_setting_t *g, int profile,
    const char *prefix, char **cause)
{
	return cfg_apply_group(cfg, g, profile ? cfg_profile_keys : cfg_top_keys,
	    prefix, cause);
}
