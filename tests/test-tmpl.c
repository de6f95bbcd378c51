/*
 * Templates (SPEC §3): ${VAR} is replaced, $$ is a literal $, an unknown
 * or unterminated variable is an error that names it, and values are
 * inserted as they are.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/tmpl.h"

static const struct tmpl_var vars[] = {
	{ "NODE_NAME", "a1@host" },
	{ "HTTP_PORT", "4010" },
	{ "ODD", "it's $HOME \"and\" \\ ${X}\nline" },
};

static const char *const names[] = { "NODE_NAME", "HTTP_PORT", NULL };

/* Expand s, which must succeed. */
static char *
expand(const char *s, int flags)
{
	char	*cause = NULL, *out;

	out = tmpl_expand(s, vars, 3, flags, &cause);
	cr_assert_not_null(out, "expanding \"%s\" failed: %s", s,
	    cause ? cause : "?");
	return out;
}

/* Expand s, which must fail; return the message. */
static char *
fail(const char *s, int flags)
{
	char	*cause = NULL, *out;

	out = tmpl_expand(s, vars, 3, flags, &cause);
	cr_assert_null(out, "\"%s\" expanded to \"%s\"", s, out);
	cr_assert_not_null(cause);
	return cause;
}

Test(tmpl, replaces_variables)
{
	char	*s = expand("-name ${NODE_NAME} port=${HTTP_PORT}${HTTP_PORT}", 0);

	cr_assert_str_eq(s, "-name a1@host port=40104010");
	free(s);
}

Test(tmpl, dollar_dollar_is_a_dollar)
{
	char	*s = expand("$$HOME costs $$5 and $${HTTP_PORT}", 0);

	cr_assert_str_eq(s, "$HOME costs $5 and ${HTTP_PORT}");
	free(s);
}

Test(tmpl, lone_dollar_is_literal)
{
	char	*s = expand("Running .* with Cowboy$ and $1 $", 0);

	cr_assert_str_eq(s, "Running .* with Cowboy$ and $1 $");
	free(s);
}

Test(tmpl, values_are_not_expanded_again)
{
	char	*s = expand("[${ODD}]", 0);

	cr_assert_str_eq(s, "[it's $HOME \"and\" \\ ${X}\nline]");
	free(s);
}

Test(tmpl, unknown_variable_is_named)
{
	char	*cause = fail("x ${NODE_NAME} ${COOKY} y", 0);

	cr_assert_str_eq(cause, "unknown variable ${COOKY}");
	free(cause);
}

Test(tmpl, unterminated_brace)
{
	char	*cause = fail("port ${HTTP_PORT", 0);

	cr_assert(strstr(cause, "unterminated ${") != NULL, "%s", cause);
	free(cause);
}

Test(tmpl, empty_and_bad_names)
{
	char	*cause = fail("${}", 0);

	cr_assert(strstr(cause, "empty variable name") != NULL, "%s", cause);
	free(cause);
	cause = fail("${1X}", 0);
	cr_assert(strstr(cause, "bad variable name ${1X}") != NULL, "%s",
	    cause);
	free(cause);
}

Test(tmpl, bare_name_needs_braces_except_for_the_shell)
{
	char	*cause = fail("echo $NODE_NAME", 0), *s;

	cr_assert(strstr(cause, "${NODE_NAME}") != NULL, "%s", cause);
	free(cause);
	s = expand("echo \"$NODE_NAME\" ${HTTP_PORT}", TMPL_SHELL);
	cr_assert_str_eq(s, "echo \"$NODE_NAME\" 4010");
	free(s);
}

Test(tmpl, check_knows_names_only)
{
	char	*cause = NULL;

	cr_assert_eq(tmpl_check("${NODE_NAME}:${HTTP_PORT}$$", names, 0,
	    &cause), 0);
	cr_assert_eq(tmpl_check("${ODD}", names, 0, &cause), -1);
	cr_assert_str_eq(cause, "unknown variable ${ODD}");
	free(cause);
}

/* Random templates over a hostile alphabet: each expands or explains
   itself, and one without a $ comes back unchanged. */
Test(tmpl, random_templates_expand_or_explain)
{
	static const char	 abc[] = "${}$$_AZ 1ODD\n";
	char			 s[40], *out, *cause;
	int			 i, j, len;

	srand(4242);
	for (i = 0; i < 20000; i++) {
		len = rand() % (int)(sizeof s - 1);
		for (j = 0; j < len; j++)
			s[j] = abc[rand() % (int)(sizeof abc - 1)];
		s[len] = '\0';
		cause = NULL;
		out = tmpl_expand(s, vars, 3, i % 2 ? TMPL_SHELL : 0, &cause);
		cr_assert((out == NULL) != (cause == NULL), "\"%s\"", s);
		if (out != NULL && strchr(s, '$') == NULL)
			cr_assert_str_eq(out, s);
		free(out);
		free(cause);
		cause = NULL;
		cr_assert(tmpl_check(s, names, 0, &cause) == 0 || cause != NULL);
		free(cause);
	}
}
