/*
 * Config loading (SPEC §1-2): every key of a good config, profiles laid
 * over the top level, the lookup order, the built-in demo, and one bad
 * config per error path, each message naming file, line and key.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nodemux/cfg.h"
#include "nodemux/plan.h"

#define DATA(f) TEST_DATADIR "/" f

/* Load fixture f with profile p, which must succeed. */
static struct cfg *
load(const char *f, const char *p)
{
	struct cfg	*cfg;
	char		*cause = NULL;

	cfg = cfg_load(f, p, &cause);
	cr_assert_not_null(cfg, "loading %s failed: %s", f, cause);
	return cfg;
}

/* Load fixture f, which must fail with a message holding each of the
   NULL-terminated strings that follow. */
static void
load_fails(const char *f, const char *p, ...)
{
	struct cfg	*cfg;
	const char	*want;
	char		*cause = NULL;
	va_list		 ap;

	cfg = cfg_load(f, p, &cause);
	cr_assert_null(cfg, "%s loaded but should not", f);
	cr_assert_not_null(cause);
	va_start(ap, p);
	while ((want = va_arg(ap, const char *)) != NULL)
		cr_expect(strstr(cause, want) != NULL, "\"%s\" not in \"%s\"",
		    want, cause);
	va_end(ap);
	free(cause);
}

/* Load text under the name inline.cfg, which must fail saying want. */
static void
text_fails(const char *text, const char *want)
{
	char	*cause = NULL;

	cr_assert_null(cfg_load_string(text, "inline.cfg", NULL, &cause),
	    "loaded: %s", text);
	cr_expect_str_eq(cause, want);
	free(cause);
}

Test(cfg, good_config_every_key)
{
	struct cfg	*cfg = load(DATA("cfg-good.cfg"), NULL);

	cr_expect_eq(cfg->default_size.v, 4);
	cr_expect_eq(cfg->default_size.line, 3);
	cr_expect_eq(cfg->min_size.v, 2);
	cr_expect_eq(cfg->max_size.v, 6);
	cr_expect_str_eq(cfg->name_prefix.v, "sl");
	cr_expect_str_eq(cfg->host.v, "127.0.0.1");
	cr_expect_eq(cfg->name_mode.v, PLAN_NAME_LONG);
	cr_expect_str_eq(cfg->cookie.v, "sl_cookie");
	cr_expect_eq(cfg->http_base.v, 5000);
	cr_expect_eq(cfg->dist_base.v, 9500);
	cr_expect_eq(cfg->stride.v, 10);
	cr_expect_eq(cfg->policy.v, PLAN_PORTS_STRICT);
	cr_expect_eq(cfg->stop_signal.v, SIGINT);
	cr_expect_eq(cfg->stop_timeout_ms.v, 2500);
	cr_expect_str_eq(cfg->log_dir.v, "logs/${CLUSTER_SIZE}");
	cr_expect_eq(cfg->scrollback_lines.v, 500);
	cr_expect_eq(cfg->command_shell, 0);
	cr_expect_str_eq(cfg->command[2], "${NODE_NAME} with spaces");
	cr_expect_null(cfg->command[4]);
	cr_expect_str_eq(cfg->cwd.v, "work");
	cr_expect_eq(cfg->nenv, 4);
	cr_expect_str_eq(cfg->env[1].name, "MIX_ENV");
	cr_expect_str_eq(cfg->env[1].value, "dev");
	cr_expect_str_eq(cfg->env[3].value, "42");
	cr_expect_str_eq(cfg->ready_tcp.v, "${HTTP_PORT}");
	cr_expect_str_eq(cfg->ready_log.v, "Running .* with Cowboy$");
	cr_expect_eq(cfg->ready_timeout_ms.v, 1500);
	cr_expect_eq(cfg->restart.v, PLAN_RESTART_ON_FAILURE);
	cr_expect_eq(cfg->max_restarts.v, 3);
	cr_expect_eq(cfg->backoff_ms.v, 250);
	cr_expect_str_eq(cfg->name, "cfg-good");
	cr_expect_null(cfg->profile);
	cfg_free(cfg);
}

Test(cfg, profile_overrides_only_what_it_names)
{
	struct cfg	*cfg = load(DATA("cfg-good.cfg"), "test");

	cr_expect_str_eq(cfg->profile, "test");
	cr_expect_str_eq(cfg->name_prefix.v, "test_node");
	cr_expect_eq(cfg->http_base.v, 4200);
	cr_expect_eq(cfg->dist_base.v, 9200);
	cr_expect_eq(cfg->stride.v, 10, "stride comes from the top level");
	cr_expect_eq(cfg->default_size.v, 4);
	cr_expect_eq(cfg->restart.v, PLAN_RESTART_ALWAYS);
	cr_expect_eq(cfg->nenv, 4, "profile env merges into node.env");
	cr_expect_str_eq(cfg->env[1].name, "MIX_ENV");
	cr_expect_str_eq(cfg->env[1].value, "test");
	cr_expect_str_eq(cfg->env[0].value, "${HTTP_PORT}");
	cfg_free(cfg);
}

Test(cfg, defaults_when_config_is_silent)
{
	struct cfg	*cfg;
	char		*cause = NULL;

	cfg = cfg_load_string("node = { command = \"true\"; };", "x.cfg", NULL,
	    &cause);
	cr_assert_not_null(cfg, "%s", cause);
	cr_expect_eq(cfg->default_size.v, 2);
	cr_expect_eq(cfg->default_size.line, 0);
	cr_expect_eq(cfg->min_size.v, 1);
	cr_expect_eq(cfg->max_size.v, 10);
	cr_expect_str_eq(cfg->name_prefix.v, "node");
	cr_expect_str_eq(cfg->host.v, "auto");
	cr_expect_eq(cfg->name_mode.v, PLAN_NAME_LONG);
	cr_expect_eq(cfg->http_base.v, 4000);
	cr_expect_eq(cfg->dist_base.v, 9100);
	cr_expect_eq(cfg->stride.v, 10);
	cr_expect_eq(cfg->policy.v, PLAN_PORTS_STRICT);
	cr_expect_eq(cfg->stop_signal.v, SIGTERM);
	cr_expect_eq(cfg->stop_timeout_ms.v, 5000);
	cr_expect_str_eq(cfg->log_dir.v, "log");
	cr_expect_eq(cfg->scrollback_lines.v, 10000);
	cr_expect_eq(cfg->restart.v, PLAN_RESTART_NO);
	cr_expect_eq(cfg->max_restarts.v, 5);
	cr_expect_eq(cfg->backoff_ms.v, 500);
	cr_expect_eq(cfg->ready_timeout_ms.v, 30000);
	cr_expect_null(cfg->ready_tcp.v);
	cr_expect_eq(cfg->command_shell, 1);
	cfg_free(cfg);
}

Test(cfg, syntax_error)
{
	load_fails(DATA("cfg-syntax.cfg"), NULL, "cfg-syntax.cfg:2: ",
	    "syntax error", NULL);
}

Test(cfg, unknown_key)
{
	load_fails(DATA("cfg-unknown-key.cfg"), NULL, "cfg-unknown-key.cfg:5: ",
	    "unknown key cluster.ports.strid (did you mean stride?)", NULL);
}

Test(cfg, unknown_key_in_an_unused_profile)
{
	load_fails(DATA("cfg-profile-key.cfg"), NULL, "cfg-profile-key.cfg:7: ",
	    "unknown key profiles.test.node.ready.timeout", NULL);
}

Test(cfg, wrong_type)
{
	load_fails(DATA("cfg-type.cfg"), NULL, "cfg-type.cfg:3: ",
	    "cluster.ports.http_base: expected an integer, not a string", NULL);
}

Test(cfg, out_of_range)
{
	load_fails(DATA("cfg-range.cfg"), NULL, "cfg-range.cfg:3: ",
	    "cluster.ports.dist_base: 80 is out of range 1024-65535", NULL);
}

Test(cfg, bad_enum)
{
	load_fails(DATA("cfg-enum.cfg"), NULL, "cfg-enum.cfg:2: ",
	    "cluster.name_mode: \"medium\" is not one of long, short", NULL);
}

Test(cfg, unknown_variable)
{
	load_fails(DATA("cfg-template.cfg"), NULL, "cfg-template.cfg:4: ",
	    "node.command: unknown variable ${COOKY}", NULL);
}

Test(cfg, unterminated_template)
{
	load_fails(DATA("cfg-unterminated.cfg"), NULL,
	    "cfg-unterminated.cfg:4: ", "node.env.PORT: unterminated ${", NULL);
}

Test(cfg, missing_profile_names_the_others)
{
	load_fails(DATA("cfg-good.cfg"), "prod", "cfg-good.cfg:",
	    "no profile \"prod\": the profiles are test, big", NULL);
	load_fails(DATA("cfg-shell.cfg"), "prod", "cfg-shell.cfg: no profile "
	    "\"prod\": this config has no profiles", NULL);
}

Test(cfg, missing_file)
{
	load_fails("/nonexistent/x.cfg", NULL,
	    "cannot read config /nonexistent/x.cfg: No such file", NULL);
	load_fails(TEST_DATADIR, NULL, "not a regular file", NULL);
}

Test(cfg, more_bad_values)
{
	text_fails("cluster = 5;", "inline.cfg:1: cluster: expected a group "
	    "{ ... }, not an integer");
	text_fails("node = { command = []; };", "inline.cfg:1: node.command: "
	    "is empty");
	text_fails("node = { command = ( \"a\", 1 ); };", "inline.cfg:1: "
	    "node.command: expected a string, not an integer");
	text_fails("cluster = { stop_signal = \"TERMINATE\"; };\n",
	    "inline.cfg:1: cluster.stop_signal: unknown signal \"TERMINATE\" "
	    "(use TERM, INT, HUP, QUIT, USR1, USR2, ALRM or KILL)");
	text_fails("cluster = { name_prefix = \"a b\"; };", "inline.cfg:1: "
	    "cluster.name_prefix: \"a b\": a node name may hold only letters, "
	    "digits, _ and -");
	text_fails("node = { command = \"x\"; ready = { tcp = 70000; }; };",
	    "inline.cfg:1: node.ready.tcp: 70000 is out of range 1-65535");
	text_fails("cluster = { min_size = 5;\n max_size = 3; };\n"
	    "node = { command = \"x\"; };", "inline.cfg:2: cluster.min_size 5 "
	    "is larger than cluster.max_size 3");
	text_fails("cluster = { log_dir = \"log/${NODE_INDEX}\"; };",
	    "inline.cfg:1: cluster.log_dir: ${NODE_INDEX} is a node's own "
	    "variable; this key serves every node and takes only "
	    "${CLUSTER_SIZE}, ${NODE_HOST}, ${COOKIE}, ${CLUSTER_NODES}, "
	    "${NODEMUX} and ${START_DIR}");
	text_fails("cluster = { log_dir = \"log/${NODE_INDX}\"; };",
	    "inline.cfg:1: cluster.log_dir: unknown variable ${NODE_INDX}");
	text_fails("x = 1;", "inline.cfg:1: unknown key x");
	text_fails("nodes = { command = \"x\"; };", "inline.cfg:1: unknown key "
	    "nodes (did you mean node?)");
	text_fails("cluster = { ports = { http_base = 4000;\n  dist-base = 4000; "
	    "}; };", "inline.cfg:2: unknown key cluster.ports.dist-base (did "
	    "you mean dist_base?)");
	text_fails("cluster = { default_size = 2; };",
	    "inline.cfg: node.command is missing: say what each node runs");
	text_fails("cluster = { default_size = 2; };\nnode = {\n cwd = \"/\"; };",
	    "inline.cfg:2: node.command is missing: say what each node runs");
	text_fails("node = { command = \"x\"; env = { A = 1.5; }; };",
	    "inline.cfg:1: node.env.A: expected a string, not a float");
	text_fails("profiles = { dev = 3; };", "inline.cfg:1: profiles.dev: "
	    "expected a group { ... }, not an integer");
}

Test(cfg, builtin_demo_is_data_demo_cfg)
{
	FILE	*f = fopen(TEST_DATADIR "/../../data/demo.cfg", "r");
	char	*buf;
	long	 len;

	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, len + 1);
	cr_assert_eq(fread(buf, 1, len, f), (size_t)len);
	fclose(f);
	cr_expect_str_eq(cfg_demo_text, buf);
	free(buf);
}

Test(cfg, builtin_demo_loads)
{
	struct cfg	*cfg = load(NULL, NULL);

	cr_expect_str_eq(cfg->path, CFG_BUILTIN_PATH);
	cr_expect_str_eq(cfg->name, "demo");
	cr_expect_eq(cfg->default_size.v, 3);
	cr_expect_str_eq(cfg->command[0], "${NODEMUX}");
	cr_expect_str_eq(cfg->command[1], "demo-node");
	cfg_free(cfg);
	cfg = load(NULL, "test");
	cr_expect_str_neq(cfg->name_prefix.v, "demo");
	cr_expect_neq(cfg->http_base.v, 4000);
	cfg_free(cfg);
}

/* Make an empty file at path. */
static void
touch(const char *path)
{
	FILE	*f = fopen(path, "w");

	cr_assert_not_null(f, "%s", path);
	fclose(f);
}

Test(cfg, lookup_order)
{
	char	 dir[] = "/tmp/nodemux-cfg.XXXXXX", *p, buf[256];

	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chdir(dir), 0);
	unsetenv("NODEMUX_CONFIG");
	snprintf(buf, sizeof buf, "%s/xdg", dir);
	setenv("XDG_CONFIG_HOME", buf, 1);
	cr_expect_null(p = cfg_find(NULL), "found %s", p);
	mkdir("xdg", 0700);
	mkdir("xdg/nodemux", 0700);
	touch("xdg/nodemux/nodemux.cfg");
	snprintf(buf, sizeof buf, "%s/xdg/nodemux/nodemux.cfg", dir);
	cr_expect_str_eq(p = cfg_find(NULL), buf);
	free(p);
	touch("nodemux.cfg");
	cr_expect_str_eq(p = cfg_find(NULL), "nodemux.cfg");
	free(p);
	setenv("NODEMUX_CONFIG", "/env.cfg", 1);
	cr_expect_str_eq(p = cfg_find(NULL), "/env.cfg");
	free(p);
	cr_expect_str_eq(p = cfg_find("opt.cfg"), "opt.cfg");
	free(p);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("NODEMUX_CONFIG");
	unlink("nodemux.cfg");
	setenv("HOME", dir, 1);
	mkdir(".config", 0700);
	mkdir(".config/nodemux", 0700);
	touch(".config/nodemux/nodemux.cfg");
	snprintf(buf, sizeof buf, "%s/.config/nodemux/nodemux.cfg", dir);
	cr_expect_str_eq(p = cfg_find(NULL), buf);
	free(p);
	cr_assert_eq(chdir("/"), 0);
	snprintf(buf, sizeof buf, "rm -rf '%s'", dir);
	cr_assert_eq(system(buf), 0);
}

/* Mutated copies of a good config: each loads or says why, with a file
   name in the message. */
Test(cfg, mutated_configs_load_or_explain)
{
	static const char	 junk[] = "{}[]();=\"$#\\@ \n0x_a-9L.,";
	FILE			*f = fopen(DATA("cfg-good.cfg"), "r");
	struct cfg		*cfg;
	char			 good[4096], text[4096], *cause;
	size_t			 len;
	int			 i, k, pos;

	cr_assert_not_null(f);
	len = fread(good, 1, sizeof good - 1, f);
	fclose(f);
	good[len] = '\0';
	srand(77);
	for (i = 0; i < 3000; i++) {
		memcpy(text, good, len + 1);
		for (k = 0; k < 1 + i % 4; k++) {
			pos = rand() % (int)len;
			text[pos] = junk[rand() % (int)(sizeof junk - 1)];
		}
		cause = NULL;
		cfg = cfg_load_string(text, "m.cfg", i % 3 ? NULL : "test", &cause);
		cr_assert((cfg == NULL) != (cause == NULL));
		if (cfg == NULL)
			cr_assert(strncmp(cause, "m.cfg", 5) == 0, "%s", cause);
		cfg_free(cfg);
		free(cause);
	}
}
