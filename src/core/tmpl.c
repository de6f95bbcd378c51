/*
 * Templates: ${VAR} and $$ in config strings.  One scanner serves both
 * the check at load time (names only) and the expansion per node.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/tmpl.h"
#include "nodemux/util.h"

/* Where a scan looks names up: a list of names, or name/value pairs. */
struct tmpl_scope {
	const char *const	*names;
	const struct tmpl_var	*vars;
	size_t			 nvars;
	int			 flags;
};

/* May c start (first) or continue a variable name? */
static int
tmpl_name_char(int c, int first)
{
	if (c == '_' || isalpha((unsigned char)c))
		return 1;
	return !first && isdigit((unsigned char)c);
}

/* Find the name of len bytes in scope: its value ("" for a names-only
   scope), or NULL when unknown. */
static const char *
tmpl_lookup(const struct tmpl_scope *scope, const char *name, size_t len)
{
	size_t	 i;

	if (scope->names != NULL) {
		for (i = 0; scope->names[i] != NULL; i++) {
			if (strlen(scope->names[i]) == len &&
			    strncmp(scope->names[i], name, len) == 0)
				return "";
		}
		return NULL;
	}
	for (i = 0; i < scope->nvars; i++) {
		if (strlen(scope->vars[i].name) == len &&
		    strncmp(scope->vars[i].name, name, len) == 0)
			return scope->vars[i].value;
	}
	return NULL;
}

/* Parse the ${NAME} at s (s points at the $); return its length, or 0
   with *cause.  *name and *len receive the name. */
static size_t
tmpl_brace(const char *s, const char **name, size_t *len, char **cause)
{
	const char	*p = s + 2, *end;

	end = strchr(p, '}');
	if (end == NULL) {
		*cause = xasprintf("unterminated ${ (missing })");
		return 0;
	}
	if (end == p) {
		*cause = xstrdup("empty variable name ${}");
		return 0;
	}
	for (; p < end; p++) {
		if (!tmpl_name_char(*p, p == s + 2)) {
			*cause = xasprintf("bad variable name ${%.*s}",
			    (int)(end - (s + 2)), s + 2);
			return 0;
		}
	}
	*name = s + 2;
	*len = end - (s + 2);
	return end + 1 - s;
}

/* Scan s, appending its expansion to out when out is not NULL. */
static int
tmpl_scan(const char *s, const struct tmpl_scope *scope, struct strbuf *out,
    char **cause)
{
	const char	*name, *value;
	size_t		 skip, len;

	while (*s != '\0') {
		if (s[0] != '$' || s[1] == '$' || (s[1] != '{' &&
		    (!tmpl_name_char(s[1], 1) || scope->flags & TMPL_SHELL))) {
			if (out != NULL)
				strbuf_addc(out, *s);
			s += (s[0] == '$' && s[1] == '$') ? 2 : 1;
			continue;
		}
		if (s[1] != '{') {
			for (len = 1; tmpl_name_char(s[len], 0); len++)
				/* nothing */;
			*cause = xasprintf("write ${%.*s} for a variable, "
			    "$$ for a literal $", (int)len - 1, s + 1);
			return -1;
		}
		if ((skip = tmpl_brace(s, &name, &len, cause)) == 0)
			return -1;
		if ((value = tmpl_lookup(scope, name, len)) == NULL) {
			*cause = xasprintf("unknown variable ${%.*s}", (int)len,
			    name);
			return -1;
		}
		if (out != NULL)
			strbuf_adds(out, value);
		s += skip;
	}
	return 0;
}

int
tmpl_check(const char *s, const char *const *names, int flags,
    char **cause)
{
	struct tmpl_scope	 scope = { .names = names, .flags = flags };

	return tmpl_scan(s, &scope, NULL, cause);
}

char *
tmpl_expand(const char *s, const struct tmpl_var *vars, size_t n,
    int flags, char **cause)
{
	struct tmpl_scope	 scope = { .vars = vars, .nvars = n,
				     .flags = flags };
	struct strbuf		 sb = STRBUF_INIT;

	if (tmpl_scan(s, &scope, &sb, cause) != 0) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}
