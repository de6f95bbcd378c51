/*
 * The config file (libconfig syntax, nodemux.cfg(5)): found by the lookup
 * order of SPEC §1, checked key by key, with a profile laid over the top
 * level.  Templates are kept unexpanded; plan.c expands them per node.
 */
#ifndef NODEMUX_CFG_H
#define NODEMUX_CFG_H

/* The name a built-in config is shown under instead of a file. */
#define CFG_BUILTIN_PATH "(built-in demo)"

/* Every value remembers the line it came from (0: a built-in default). */
struct cfg_int {
	int		 v;
	int		 line;
};

struct cfg_str {
	char		*v;
	int		 line;
};

/* One entry of cluster.hosts (SPEC §9). */
struct cfg_host {
	char		*name;
	char		*ssh;		/* [user@]host[:port]; NULL: this
					   machine */
	char		*address;	/* NULL: the ssh target's host */
	int		 slots;		/* 0: no limit */
	int		 line;
};

/* One node.env entry: a variable name and its value template. */
struct cfg_env {
	char		*name;
	char		*value;
	int		 line;
};

struct cfg {
	char		*path;		/* as given, or CFG_BUILTIN_PATH */
	char		*dir;		/* its directory: relative paths in
					   the config start here */
	char		*name;		/* file name without extension */
	char		*profile;	/* the one applied, or NULL */
	char		**profiles;	/* the names of all, NULL-terminated */
	char		**files;	/* files it @includes that set keys */
	int		 nfiles;

	struct cfg_int	 default_size, min_size, max_size;
	struct cfg_str	 name_prefix;
	struct cfg_str	 host;
	struct cfg_int	 name_mode;	/* enum plan_name_mode */
	struct cfg_str	 cookie;
	struct cfg_int	 http_base, dist_base, stride;
	struct cfg_int	 policy;	/* enum plan_port_policy */
	struct cfg_int	 stop_signal;	/* a signal number */
	struct cfg_int	 stop_timeout_ms;
	struct cfg_str	 log_dir;	/* template */
	struct cfg_int	 scrollback_lines;
	struct cfg_host	*hosts;		/* cluster.hosts, or NULL */
	int		 nhosts;
	int		 hosts_line;
	struct cfg_int	 placement;	/* enum plan_placement */
	char		**ssh_options;	/* NULL-terminated, or NULL */
	int		 ssh_options_line;

	char		**command;	/* templates, NULL-terminated */
	int		 command_shell;	/* 1: command[0] runs via sh -c */
	int		 command_line;	/* 0: no command given */
	struct cfg_str	 cwd;		/* template */
	struct cfg_env	*env;
	int		 nenv;
	struct cfg_str	 ready_tcp;	/* template, NULL: no tcp probe */
	struct cfg_str	 ready_log;	/* template, NULL: no log probe */
	struct cfg_str	 ready_http;	/* template, NULL: no http probe */
	struct cfg_int	 ready_timeout_ms;
	struct cfg_int	 restart;	/* enum plan_restart */
	struct cfg_int	 max_restarts, backoff_ms;
};

/* The variables every template may name (NULL-terminated), and those
   cluster-wide ones that cluster.log_dir may name. */
extern const char *const cfg_vars[];
extern const char *const cfg_cluster_vars[];

/*
 * Which config to read: path (the --config option) if not NULL, else
 * $NODEMUX_CONFIG, ./nodemux.cfg, $XDG_CONFIG_HOME/nodemux/nodemux.cfg
 * (~/.config/... without XDG_CONFIG_HOME).  A fresh path, or NULL for
 * the built-in demo.
 */
char		*cfg_find(const char *path);

/*
 * Load the config at path (NULL: the built-in demo) and lay profile
 * (NULL: none) over its top level; every key of every profile is
 * checked, used or not.  NULL and *cause ("FILE:LINE: message") on any
 * error.
 */
struct cfg	*cfg_load(const char *path, const char *profile, char **cause);

/* Load config text under the name path (for the demo and for tests). */
struct cfg	*cfg_load_string(const char *text, const char *path,
		    const char *profile, char **cause);

void		 cfg_free(struct cfg *);

/* The text of the built-in demo config (data/demo.cfg). */
extern const char cfg_demo_text[];

/*
 * Where a key was set: its line, and which file of the config (0 the
 * config itself, else cfg->files[n - 1], one it @includes) in the bits
 * above CFG_LINE_BITS (from the 1024th such file on, none: the config's
 * name); 0 when nowhere (a default).  The .line of every struct cfg_int
 * and cfg_str is one; its line alone is where & CFG_LINE_MAX.  Two
 * compare by file, then line: a rough "later", enough to pick which of
 * two keys to name.
 */
#define CFG_LINE_BITS	20
#define CFG_LINE_MAX	((1 << CFG_LINE_BITS) - 1)
#define CFG_FILES_MAX	((1 << (30 - CFG_LINE_BITS)) - 1)

/* A file the config names (libconfig's name for it, relative to the
   config's directory) as the user can open it: fresh. */
char		*cfg_file_name(const struct cfg *, const char *file);
/* "FILE:LINE: " prefixed message about cfg at where (a key's line);
   LINE left out when 0. */
char		*cfg_error(const struct cfg *, int where, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

/* Between cfg.c and cfg-keys.c only (libconfig's setting type). */
struct config_setting_t;

/*
 * Check every setting of group g against the keys of the top level
 * (profile 0: cluster, node, profiles, the last left to the caller) or
 * of a profile (1: cluster, node) and store them in cfg.  prefix is g's
 * path ("" at the top).  0, or -1 and *cause naming file, line and key.
 */
int		 cfg_apply(struct cfg *, const struct config_setting_t *g,
		    int profile, const char *prefix, char **cause);
/* Where setting s is (its file and line), or its nearest parent that
   has a line; the file is recorded in cfg->files when it is new. */
int		 cfg_line(struct cfg *, const struct config_setting_t *);
/* Set *cause to "FILE:LINE: key: expected WANT, not TYPE"; -1. */
int		 cfg_type_error(struct cfg *, const struct config_setting_t *,
		    const char *key, const char *want, char **cause);
/* Free the hosts of cfg (and set none). */
void		 cfg_hosts_clear(struct cfg *);
/* Replace the value of a string key. */
void		 cfg_set_str(struct cfg_str *, const char *v, int line);
/* Set *out to the string of s (key), or a type error: 0 or -1. */
int		 cfg_get_string(struct cfg *, const struct config_setting_t *s,
		    const char *key, const char **out, char **cause);
/* "unknown key KEY (did you mean NAME?)", NAME the nearest of names. */
int		 cfg_unknown_name(struct cfg *, const struct config_setting_t *s,
		    const char *key, const char *const *names, char **cause);
/* cluster.hosts and cluster.ssh_options (cfg-hosts.c). */
int		 cfg_set_hosts(struct cfg *, const struct config_setting_t *,
		    const char *key, char **cause);
int		 cfg_set_strv(struct cfg *, const struct config_setting_t *,
		    const char *key, char **cause);

#endif
