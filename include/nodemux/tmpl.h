/*
 * Templates: strings of the config that may use ${VAR} for a per-node
 * variable and $$ for a literal $.  Checked once when the config is
 * loaded, expanded once per node when the plan is built.
 */
#ifndef NODEMUX_TMPL_H
#define NODEMUX_TMPL_H

#include <stddef.h>

/* A variable a template may name, and its value for one node. */
struct tmpl_var {
	const char	*name;
	const char	*value;
};

/* Flags: the template is a /bin/sh -c command, where $NAME (without
   braces) is left for the shell to expand from the environment. */
#define TMPL_SHELL	0x1

/*
 * Check the syntax of template s: every ${ is closed and names a
 * variable of names (NULL-terminated); a $ directly followed by a
 * letter or _ is an error (write ${NAME}, or $$NAME) unless flags has
 * TMPL_SHELL.  Any other $ is a literal $.  0, or -1 and *cause (e.g.
 * "unknown variable ${PORT}"), without any file or key.
 */
int	 tmpl_check(const char *s, const char *const *names, int flags,
	    char **cause);

/*
 * Expand s with the n variables of vars.  The result is a fresh string;
 * values are inserted as they are, never split or quoted.  NULL and
 * *cause on the errors tmpl_check reports.
 */
char	*tmpl_expand(const char *s, const struct tmpl_var *vars, size_t n,
	    int flags, char **cause);

#endif
