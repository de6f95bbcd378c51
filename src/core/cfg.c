/*
 * The config file: lookup, reading with libconfig, defaults, and the
 * chosen profile laid over the top level (each key is checked by
 * cfg-keys.c).  Nothing here expands a template.
 */
#include "config.h"

#include <errno.h>
#include <libgen.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libconfig.h>

#include "nodemux/cfg.h"
#include "nodemux/plan.h"
#include "nodemux/util.h"

const char *const cfg_vars[] = {
	"NODE_INDEX", "CLUSTER_SIZE", "NODE_NAME", "NODE_SNAME", "NODE_HOST",
	"HTTP_PORT", "NODE_PORT", "DIST_PORT", "COOKIE", "CLUSTER_NODES",
	"CLUSTER_PEERS", "NODEMUX", "START_DIR", NULL
};

const char *const cfg_cluster_vars[] = {
	"CLUSTER_SIZE", "NODE_HOST", "COOKIE", "CLUSTER_NODES", "NODEMUX",
	"START_DIR", NULL
};

/*
 * libconfig 1.5 leaks the text of a string token when a syntax error
 * comes right at it (its parser frees no discarded token), so that
 * 'x "abc";' would end a sanitizer build with a leak report instead of
 * exit 2.  Tell LeakSanitizer, which alone calls this, that leaks from
 * inside libconfig are not ours.  Weak: another part may say more.
 */
const char *__lsan_default_suppressions(void) __attribute__((weak));

const char *
__lsan_default_suppressions(void)
{
	return "leak:libconfig.so\n";
}

/* ...and not to list the suppressions it used on every exit. */
const char *__lsan_default_options(void) __attribute__((weak));

const char *
__lsan_default_options(void)
{
	return "print_suppressions=0";
}

/* name, a file the config at cfgpath names, from the directory cfgpath
   was given in (libconfig's include dir) unless absolute: fresh. */
static char *
cfg_relative(const char *cfgpath, const char *name)
{
	const char	*slash = strrchr(cfgpath, '/');

	if (*name == '/' || slash == NULL)
		return xstrdup(name);
	return xasprintf("%.*s%s", (int)(slash + 1 - cfgpath), cfgpath, name);
}

char *
cfg_file_name(const struct cfg *cfg, const char *file)
{
	if (strcmp(file, cfg->path) == 0)
		return xstrdup(file);
	return cfg_relative(cfg->path, file);
}

char *
cfg_error(const struct cfg *cfg, int where, const char *fmt, ...)
{
	va_list		 ap;
	char		*msg, *s;
	const char	*file = cfg->path;
	int		 n = where >> CFG_LINE_BITS;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (n > 0 && n <= cfg->nfiles)
		file = cfg->files[n - 1];
	if (where > 0)
		s = xasprintf("%s:%d: %s", file, where & CFG_LINE_MAX, msg);
	else
		s = xasprintf("%s: %s", file, msg);
	free(msg);
	return s;
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
	free(cfg->ready_http.v);
	strv_free(cfg->command);
	strv_free(cfg->ssh_options);
	cfg_hosts_clear(cfg);
	for (i = 0; i < cfg->nenv; i++) {
		free(cfg->env[i].name);
		free(cfg->env[i].value);
	}
	free(cfg->env);
	for (i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg->files);
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
	strv_free(cfg->profiles);
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
	cfg->profiles = xcalloc(ps != NULL ? config_setting_length(ps) + 1 : 1,
	    sizeof *cfg->profiles);
	for (i = 0; ps != NULL && i < config_setting_length(ps); i++) {
		p = config_setting_get_elem(ps, i);
		cfg->profiles[i] = xstrdup(config_setting_name(p));
		key = xasprintf("profiles.%s", config_setting_name(p));
		if (want != NULL && strcmp(want, config_setting_name(p)) == 0) {
			found = 1;
			rc = cfg_apply(cfg, p, 1, key, cause);
		} else {
			memset(&scratch, 0, sizeof scratch);
			scratch.path = cfg->path;
			cfg_defaults(&scratch);
			rc = cfg_apply(&scratch, p, 1, key, cause);
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
	*cause = cfg_error(cfg, cfg_line(cfg, ps), "no profile \"%s\": the profiles "
	    "are %s", want, names);
	free(names);
	return -1;
}

/* Checks across keys, once the profile is applied. */
static int
cfg_finish(struct cfg *cfg, int node_where, char **cause)
{
	if (cfg->min_size.v > cfg->max_size.v) {
		*cause = cfg_error(cfg, cfg->min_size.line > cfg->max_size.line ?
		    cfg->min_size.line : cfg->max_size.line, "cluster.min_size "
		    "%d is larger than cluster.max_size %d", cfg->min_size.v,
		    cfg->max_size.v);
		return -1;
	}
	if (cfg->command == NULL) {
		*cause = cfg_error(cfg, node_where, "node.command is missing: "
		    "say what each node runs");
		return -1;
	}
	return 0;
}

/* Fill cfg from the parsed config c. */
static int
cfg_parse(struct cfg *cfg, config_t *c, const char *profile, char **cause)
{
	const config_setting_t	*root = config_root_setting(c), *node;

	cfg_defaults(cfg);
	if (cfg_apply(cfg, root, 0, "", cause) != 0)
		return -1;
	if (cfg_profiles(cfg, config_setting_get_member(root, "profiles"),
	    profile, cause) != 0)
		return -1;
	if (profile != NULL)
		cfg->profile = xstrdup(profile);
	node = config_setting_get_member(root, "node");
	return cfg_finish(cfg, node != NULL ? cfg_line(cfg, node) : 0, cause);
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
	char	*file, *msg;

	file = cfg_file_name(cfg, config_error_file(c) != NULL ?
	    config_error_file(c) : cfg->path);
	if (config_error_line(c) > 0)
		msg = xasprintf("%s:%d: %s", file, config_error_line(c),
		    config_error_text(c));
	else
		msg = xasprintf("%s: %s", file, config_error_text(c));
	free(file);
	return msg;
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

/* libconfig's limit on nested @include files. */
#define CFG_INCLUDE_DEPTH 10

/* The files cfg_check_file has read: each once, however often and
   however deep it is included (a file that includes itself twice would
   otherwise be read 2^CFG_INCLUDE_DEPTH times). */
struct cfg_seen {
	struct stat	*v;
	size_t		 n, cap;
};

static int	cfg_check_file(FILE *, const char *, const char *, int,
		    struct cfg_seen *, char **);

/* Has the file of st been read?  If not, it is from now on. */
static int
cfg_seen(struct cfg_seen *seen, const struct stat *st)
{
	size_t	 i;

	for (i = 0; i < seen->n; i++) {
		if (seen->v[i].st_dev == st->st_dev &&
		    seen->v[i].st_ino == st->st_ino)
			return 1;
	}
	if (seen->n == seen->cap) {
		seen->cap = seen->cap != 0 ? seen->cap * 2 : 8;
		seen->v = xreallocarray(seen->v, seen->cap, sizeof *seen->v);
	}
	seen->v[seen->n++] = *st;
	return 0;
}

/*
 * The file named by an @include line as libconfig 1.5's scanner reads
 * it: the line starts with it, the name is quoted, \\ and \" escape;
 * from the directory of the config at cfgpath (cfg_relative).  NULL when line is no @include; NULL
 * and *bad when the scanner would go wrong: a name that does not end on
 * its line (it would read on into the next), or another backslash (it
 * has no rule for one: it echoes it to stdout and drops it).
 */
static char *
cfg_include_path(const char *line, size_t len, const char *cfgpath,
    const char **bad)
{
	const char	*p = line, *end = line + len;
	struct strbuf	 sb = STRBUF_INIT;
	char		*name;

	*bad = NULL;
	p += strspn(p, " \t");
	if (end - p < 9 || strncmp(p, "@include", 8) != 0 ||
	    (p[8] != ' ' && p[8] != '\t'))
		return NULL;
	p += 8;
	p += strspn(p, " \t");
	if (p >= end || *p++ != '"')
		return NULL;
	for (; p < end && *p != '"' && *p != '\n'; p++) {
		if (*p == '\\' && p + 1 < end && (p[1] == '\\' || p[1] == '"'))
			p++;
		else if (*p == '\\') {
			*bad = "a backslash in the file name escapes only "
			    "\\\\ or \\\"";
			break;
		}
		strbuf_addc(&sb, *p);
	}
	if (*bad == NULL && (p >= end || *p != '"'))
		*bad = "the file name must end (\") on its line";
	if (*bad != NULL) {
		strbuf_free(&sb);
		return NULL;
	}
	strbuf_addc(&sb, '\0');
	/* An empty name is the directory itself to libconfig: so to us. */
	name = cfg_relative(cfgpath, *sb.buf != '\0' ? sb.buf : ".");
	strbuf_free(&sb);
	return name;
}

/*
 * Check the file an @include line names, as the config itself: libconfig
 * would read it the same way.  One that cannot be opened is left for
 * libconfig to report; one that is not a regular file is refused here
 * (an @include of a FIFO or /dev/zero would never end).
 */
static int
cfg_check_include(const char *path, const char *cfgpath, int depth,
    const char *from, int line, struct cfg_seen *seen, char **cause)
{
	struct stat	 st;
	FILE		*f;
	int		 rc;

	if (depth > CFG_INCLUDE_DEPTH)
		return 0;	/* libconfig refuses it, naming the file */
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fstat(fileno(f), &st) != 0) {
		fclose(f);
		return 0;	/* left for libconfig, as an unreadable one */
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s:%d: cannot include %s: not a regular "
		    "file", from, line, path);
		fclose(f);
		return -1;
	}
	rc = cfg_seen(seen, &st) ? 0 :
	    cfg_check_file(f, path, cfgpath, depth, seen, cause);
	fclose(f);
	return rc;
}

/*
 * A NUL byte would silently end the string it is in (libconfig reads C
 * strings), so "echo a<NUL>b" would run "echo a": refuse the file, or
 * any file it includes, naming the file and line.  The file is rewound
 * for the parser.
 */
static int
cfg_check_file(FILE *f, const char *path, const char *cfgpath, int depth,
    struct cfg_seen *seen, char **cause)
{
	char		*buf = NULL, *inc;
	const char	*bad;
	size_t		 cap = 0;
	ssize_t		 n;
	int		 line = 0, rc = 0;

	while (rc == 0 && (n = getline(&buf, &cap, f)) != -1) {
		line++;
		if (memchr(buf, '\0', n) != NULL) {
			*cause = xasprintf("%s:%d: a NUL byte: a config is "
			    "text", path, line);
			rc = -1;
		} else if ((inc = cfg_include_path(buf, n, cfgpath, &bad)) ==
		    NULL && bad != NULL) {
			*cause = xasprintf("%s:%d: @include: %s", path, line,
			    bad);
			rc = -1;
		} else if (inc != NULL) {
			rc = cfg_check_include(inc, cfgpath, depth + 1, path, line,
			    seen, cause);
			free(inc);
		}
	}
	free(buf);
	if (rc == 0 && (ferror(f) || fseek(f, 0, SEEK_SET) != 0)) {
		*cause = xasprintf("cannot read config %s: %s", path,
		    strerror(errno));
		rc = -1;
	}
	return rc;
}

struct cfg *
cfg_load(const char *path, const char *profile, char **cause)
{
	struct cfg	*cfg;
	struct cfg_seen	 seen = { NULL, 0, 0 };
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
	if (fstat(fileno(f), &st) != 0) {
		*cause = xasprintf("cannot read config %s: %s", path,
		    strerror(errno));
		fclose(f);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		*cause = xasprintf("cannot read config %s: not a regular file",
		    path);
		fclose(f);
		return NULL;
	}
	cfg_seen(&seen, &st);
	if ((cfg = cfg_new(path, cause)) == NULL ||
	    cfg_check_file(f, path, path, 0, &seen, cause) != 0) {
		free(seen.v);
		cfg_free(cfg);
		fclose(f);
		return NULL;
	}
	free(seen.v);
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
