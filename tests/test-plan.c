/*
 * The plan (SPEC §1-3): names, ports and variables of every node, argv
 * without word splitting, a string command through /bin/sh -c, the
 * precedence of the command line, the environment, the profile and the
 * config, size and port errors, and next-free around a port this test
 * really holds.
 */
#include "config.h"

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "nodemux/net.h"
#include "nodemux/plan.h"
#include "nodemux/util.h"

#define DATA(f) TEST_DATADIR "/" f

static struct plan_opts	 po;
static char		 tmpdir[64];

/* Every test starts with no options and none of nodemux's variables. */
static void
setup(void)
{
	memset(&po, 0, sizeof po);
	po.size = -1;
	unsetenv("CLUSTER_SIZE");
	unsetenv("NODEMUX_PROFILE");
	unsetenv("NODEMUX_CONFIG");
	strcpy(tmpdir, "/tmp/nodemux-plan.XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char	 cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(plan, .init = setup, .fini = teardown);

/* Write text to a config file in tmpdir; its path (static). */
static const char *
write_cfg(const char *text)
{
	static char	 path[128];
	FILE		*f;

	snprintf(path, sizeof path, "%s/t.cfg", tmpdir);
	cr_assert_not_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	return path;
}

/* The plan for po, which must load. */
static struct plan *
load(void)
{
	struct plan	*plan;
	char		*cause = NULL;

	plan = plan_load(&po, &cause);
	cr_assert_not_null(plan, "plan_load: %s", cause);
	return plan;
}

/* The plan for po must fail with exactly want (or containing it). */
static void
load_fails(const char *want, int exact)
{
	char	*cause = NULL;

	cr_assert_null(plan_load(&po, &cause), "plan loaded");
	if (exact)
		cr_expect_str_eq(cause, want);
	else
		cr_expect(strstr(cause, want) != NULL, "\"%s\" not in \"%s\"",
		    want, cause);
	free(cause);
}

/* The value of name in a node's env, or NULL. */
static const char *
env_get(const struct plan_node *n, const char *name)
{
	size_t	 len = strlen(name), i;

	for (i = 0; n->env[i] != NULL; i++) {
		if (strncmp(n->env[i], name, len) == 0 && n->env[i][len] == '=')
			return n->env[i] + len + 1;
	}
	return NULL;
}

Test(plan, names_ports_and_variables)
{
	struct plan		*plan;
	const struct plan_node	*n;

	po.config = DATA("cfg-good.cfg");
	plan = load();
	cr_assert_eq(plan->size, 4);
	cr_expect_str_eq(plan->host, "127.0.0.1");
	cr_expect_str_eq(plan->config_name, "cfg-good");
	n = &plan->nodes[1];
	cr_expect_eq(n->index, 2);
	cr_expect_str_eq(n->name, "sl2@127.0.0.1");
	cr_expect_str_eq(n->sname, "sl2");
	cr_expect_eq(n->http_port, 5010);
	cr_expect_eq(n->dist_port, 9510);
	cr_expect_str_eq(env_get(n, "NODE_INDEX"), "2");
	cr_expect_str_eq(env_get(n, "CLUSTER_SIZE"), "4");
	cr_expect_str_eq(env_get(n, "NODE_NAME"), "sl2@127.0.0.1");
	cr_expect_str_eq(env_get(n, "NODE_SNAME"), "sl2");
	cr_expect_str_eq(env_get(n, "NODE_HOST"), "127.0.0.1");
	cr_expect_str_eq(env_get(n, "HTTP_PORT"), "5010");
	cr_expect_str_eq(env_get(n, "NODE_PORT"), "5010");
	cr_expect_str_eq(env_get(n, "DIST_PORT"), "9510");
	cr_expect_str_eq(env_get(n, "COOKIE"), "sl_cookie");
	cr_expect_str_eq(env_get(n, "CLUSTER_NODES"), "sl1@127.0.0.1,"
	    "sl2@127.0.0.1,sl3@127.0.0.1,sl4@127.0.0.1");
	cr_expect_str_eq(env_get(n, "CLUSTER_PEERS"), "sl1@127.0.0.1,"
	    "sl3@127.0.0.1,sl4@127.0.0.1");
	cr_expect_eq(env_get(n, "NODEMUX")[0], '/');
	cr_expect_str_eq(env_get(n, "PORT"), "5010");
	cr_expect_str_eq(env_get(n, "PEERS"), env_get(n, "CLUSTER_PEERS"));
	cr_expect_str_eq(env_get(n, "ANSWER"), "42");
	cr_expect_str_eq(n->env[0], "NODE_INDEX=2", "variables come first");
	cr_expect_eq(n->ready_tcp_port, 5010);
	cr_expect_str_eq(n->ready_log, "Running .* with Cowboy$");
	cr_expect_eq(n->ready_timeout_ms, 1500);
	cr_expect_str_eq(n->cwd, TEST_DATADIR "/work");
	cr_expect_str_eq(plan->log_dir, TEST_DATADIR "/logs/4");
	cr_expect_str_eq(n->log_path, TEST_DATADIR "/logs/4/sl2@127.0.0.1.log");
	cr_expect_eq(plan->restart, PLAN_RESTART_ON_FAILURE);
	cr_expect_eq(plan->stop_timeout_ms, 2500);
	plan_free(plan);
}

Test(plan, argv_is_not_word_split)
{
	struct plan	*plan;
	char	       **argv;

	po.config = DATA("cfg-good.cfg");
	plan = load();
	argv = plan->nodes[0].argv;
	cr_expect_str_eq(argv[0], "printf");
	cr_expect_str_eq(argv[1], "%s|%s\n");
	cr_expect_str_eq(argv[2], "sl1@127.0.0.1 with spaces");
	cr_expect_str_eq(argv[3], "$HOME");
	cr_expect_null(argv[4]);
	plan_free(plan);
}

/* Run argv with env; its standard output (fresh) and *status. */
static char *
run(char **argv, char **env, int *status)
{
	char	 buf[512];
	ssize_t	 n;
	size_t	 len = 0;
	pid_t	 pid;
	int	 fd[2];

	cr_assert_eq(pipe(fd), 0);
	if ((pid = fork()) == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execve(argv[0], argv, env);
		_exit(127);
	}
	close(fd[1]);
	while (len < sizeof buf - 1 &&
	    (n = read(fd[0], buf + len, sizeof buf - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(fd[0]);
	cr_assert_eq(waitpid(pid, status, 0), pid);
	return strdup(buf);
}

Test(plan, string_command_runs_through_sh)
{
	struct plan	*plan;
	char		*out;
	int		 status;

	po.config = DATA("cfg-shell.cfg");
	plan = load();
	cr_assert_str_eq(plan->nodes[1].argv[0], "/bin/sh");
	cr_assert_str_eq(plan->nodes[1].argv[1], "-c");
	cr_assert_null(plan->nodes[1].argv[3]);
	cr_expect_null(plan->nodes[1].log_path, "log_dir \"\" is no log");
	out = run(plan->nodes[1].argv, plan->nodes[1].env, &status);
	cr_expect_eq(status, 0);
	cr_expect_str_eq(out, "NODE2@127.0.0.1 4010\n");
	free(out);
	plan_free(plan);
}

Test(plan, precedence_of_size)
{
	struct plan	*plan;

	po.config = DATA("cfg-good.cfg");
	plan = load();
	cr_expect_eq(plan->size, 4, "top level");
	plan_free(plan);
	po.profile = "big";
	plan = load();
	cr_expect_eq(plan->size, 5, "profile over top level");
	plan_free(plan);
	setenv("CLUSTER_SIZE", "3", 1);
	plan = load();
	cr_expect_eq(plan->size, 3, "CLUSTER_SIZE over profile");
	plan_free(plan);
	po.size = 6;
	plan = load();
	cr_expect_eq(plan->size, 6, "--size over CLUSTER_SIZE");
	plan_free(plan);
	po.config = write_cfg("node = { command = \"true\"; };");
	po.size = -1;
	po.profile = NULL;
	unsetenv("CLUSTER_SIZE");
	plan = load();
	cr_expect_eq(plan->size, 2, "built-in default");
	cr_expect_str_eq(plan->nodes[0].sname, "node1");
	plan_free(plan);
}

Test(plan, precedence_of_profile_and_config)
{
	struct plan	*plan;

	setenv("NODEMUX_CONFIG", DATA("cfg-good.cfg"), 1);
	setenv("NODEMUX_PROFILE", "test", 1);
	plan = load();
	cr_expect_str_eq(plan->config_path, DATA("cfg-good.cfg"));
	cr_expect_str_eq(plan->profile, "test");
	cr_expect_str_eq(plan->nodes[0].sname, "test_node1");
	cr_expect_eq(plan->nodes[0].http_port, 4200);
	cr_expect_str_eq(env_get(&plan->nodes[0], "MIX_ENV"), "test");
	plan_free(plan);
	po.profile = "big";
	plan = load();
	cr_expect_str_eq(plan->profile, "big", "--profile over NODEMUX_PROFILE");
	plan_free(plan);
	po.config = DATA("cfg-shell.cfg");
	po.profile = NULL;
	unsetenv("NODEMUX_PROFILE");
	plan = load();
	cr_expect_str_eq(plan->config_name, "cfg-shell", "--config first");
	plan_free(plan);
}

Test(plan, log_dir_option_beats_config)
{
	struct plan	*plan;

	po.config = DATA("cfg-good.cfg");
	po.log_dir = "/var/tmp/x";
	plan = load();
	cr_expect_str_eq(plan->nodes[0].log_path, "/var/tmp/x/sl1@127.0.0.1.log");
	plan_free(plan);
	po.log_dir = "";
	plan = load();
	cr_expect_null(plan->nodes[0].log_path);
	plan_free(plan);
}

Test(plan, size_out_of_range)
{
	po.config = DATA("cfg-good.cfg");
	po.size = 12;
	load_fails("invalid cluster size 12: use 2-6 (from --size)", 1);
	po.size = -1;
	setenv("CLUSTER_SIZE", "1", 1);
	load_fails("invalid cluster size 1: use 2-6 (from CLUSTER_SIZE)", 1);
	setenv("CLUSTER_SIZE", "three", 1);
	load_fails("invalid cluster size three: not a number (from "
	    "CLUSTER_SIZE)", 1);
	unsetenv("CLUSTER_SIZE");
	po.config = DATA("cfg-size.cfg");
	load_fails(DATA("cfg-size.cfg") ":2: invalid cluster size 12: use 1-10 "
	    "(from cluster.default_size)", 1);
}

Test(plan, port_errors_name_node_and_port)
{
	po.config = DATA("cfg-overlap.cfg");
	load_fails(DATA("cfg-overlap.cfg") ":6: cluster.ports: dist port 4015 "
	    "of node 1 (", 0);
	load_fails(") lies in the http ports 4000-4020", 0);
	po.config = DATA("cfg-port-range.cfg");
	load_fails(DATA("cfg-port-range.cfg") ":5: cluster.ports: http port "
	    "65540 of node 3 (", 0);
	load_fails("is out of range 1024-65535", 0);
	po.size = 2;
	plan_free(load());
}

/* Listen on 127.0.0.1 on a port the kernel picks; the fd, *port. */
static int
hold_port(int *port)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	int			 fd;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_geq(fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), 0);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	cr_assert_eq(listen(fd, 1), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

/* A two-node config on 127.0.0.1, http ports from http, stride 1. */
static const char *
ports_cfg(int http, const char *policy)
{
	char	 text[512];

	snprintf(text, sizeof text, "cluster = { default_size = 2; host = "
	    "\"127.0.0.1\"; ports = { http_base = %d; dist_base = %d; "
	    "stride = 1; policy = \"%s\"; }; };\nnode = { command = [ \"x\", "
	    "\"${HTTP_PORT}\" ]; ready = { tcp = \"${HTTP_PORT}\"; }; };\n",
	    http, http > 20000 ? http - 10000 : http + 10000, policy);
	return write_cfg(text);
}

Test(plan, next_free_skips_a_held_port)
{
	struct plan		*plan;
	const struct plan_node	*n1, *n2;
	char			*cause = NULL, want[16];
	int			 fd, held;

	fd = hold_port(&held);
	po.config = ports_cfg(held, "next-free");
	plan = load();
	n1 = &plan->nodes[0];
	n2 = &plan->nodes[1];
	cr_expect_eq(n1->http_nominal, held);
	cr_expect_gt(n1->http_port, held + 1, "node 1 took %d: busy (%d) or "
	    "node 2's (%d)", n1->http_port, held, held + 1);
	cr_expect_neq(n2->http_port, held);
	cr_expect_neq(n2->http_port, n1->http_port);
	cr_expect_eq(port_probe("127.0.0.1", n1->http_port, &cause), 1);
	snprintf(want, sizeof want, "%d", n1->http_port);
	cr_expect_str_eq(env_get(n1, "HTTP_PORT"), want);
	cr_expect_str_eq(n1->argv[1], want);
	cr_expect_eq(n1->ready_tcp_port, n1->http_port);
	plan_free(plan);
	close(fd);
}

Test(plan, strict_keeps_the_configured_port)
{
	struct plan	*plan;
	int		 fd, held;

	fd = hold_port(&held);
	po.config = ports_cfg(held, "strict");
	plan = load();
	cr_expect_eq(plan->nodes[0].http_port, held);
	cr_expect_eq(plan->port_policy, PLAN_PORTS_STRICT);
	plan_free(plan);
	close(fd);
}

Test(plan, set_ports_expands_again)
{
	struct plan	*plan;
	char		*cause = NULL;

	po.config = DATA("cfg-good.cfg");
	plan = load();
	cr_assert_eq(plan_node_set_ports(plan, 2, 5555, 9555, &cause), 0, "%s",
	    cause);
	cr_expect_eq(plan->nodes[2].http_port, 5555);
	cr_expect_eq(plan->nodes[2].http_nominal, 5020);
	cr_expect_str_eq(env_get(&plan->nodes[2], "HTTP_PORT"), "5555");
	cr_expect_str_eq(env_get(&plan->nodes[2], "DIST_PORT"), "9555");
	cr_expect_str_eq(env_get(&plan->nodes[2], "PORT"), "5555");
	cr_expect_eq(plan->nodes[2].ready_tcp_port, 5555);
	cr_expect_str_eq(plan->nodes[2].cwd, TEST_DATADIR "/work");
	cr_expect_str_eq(env_get(&plan->nodes[1], "HTTP_PORT"), "5010");
	cr_expect_eq(plan_node_set_ports(plan, 4, 1, 1, &cause), -1);
	free(cause);
	plan_free(plan);
}

Test(plan, bad_ready_values)
{
	po.config = write_cfg("node = { command = \"x\"; ready = { tcp = "
	    "\"${COOKIE}\"; }; };");
	load_fails("t.cfg:1: node.ready.tcp: \"nodemux_cookie\" is not a port "
	    "number (1-65535)", 0);
	po.config = write_cfg("node = { command = \"x\";\n ready = { log = "
	    "\"(unclosed\"; }; };");
	load_fails("t.cfg:2: node.ready.log: bad regex \"(unclosed\" at offset "
	    "9: missing closing parenthesis", 0);
}

Test(plan, builtin_demo_runs_this_nodemux)
{
	struct plan	*plan;
	char		 dir[] = "/tmp/nodemux-demo.XXXXXX";

	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(chdir(dir), 0);
	setenv("XDG_CONFIG_HOME", dir, 1);
	plan = load();
	cr_expect_str_eq(plan->config_path, "(built-in demo)");
	cr_expect_str_eq(plan->config_name, "demo");
	cr_expect_eq(plan->size, 3);
	cr_expect_str_eq(plan->nodes[0].argv[0], env_get(&plan->nodes[0],
	    "NODEMUX"));
	cr_expect_str_eq(plan->nodes[0].argv[1], "demo-node");
	cr_expect_eq(plan->nodes[0].ready_tcp_port, plan->nodes[0].http_port);
	cr_expect_str_eq(plan->nodes[0].cwd, dir);
	plan_free(plan);
	cr_assert_eq(chdir("/"), 0);
	cr_expect_eq(rmdir(dir), 0);
}

Test(plan, short_names_keep_an_ip_whole)
{
	struct plan	*plan;

	po.config = write_cfg("cluster = { name_mode = \"short\"; host = "
	    "\"127.0.0.1\"; name_prefix = \"s\"; };\nnode = { command = "
	    "[ \"erl\", \"-sname\", \"${NODE_NAME}\" ]; };");
	plan = load();
	cr_expect_eq(plan->name_mode, PLAN_NAME_SHORT);
	cr_expect_str_eq(plan->nodes[1].name, "s2@127.0.0.1");
	cr_expect_str_eq(plan->nodes[1].argv[2], "s2@127.0.0.1");
	plan_free(plan);
}

Test(plan, bad_host_names_the_key)
{
	po.config = write_cfg("cluster = {\n host = \"no such host!\"; };\n"
	    "node = { command = \"x\"; };");
	load_fails("t.cfg:2: cluster.host: ", 0);
	load_fails("no such host!", 0);
}

/* A value the message quotes cannot break it: newlines, an escape
   sequence and bytes that are not UTF-8 come escaped, on one line. */
Test(plan, a_message_quoting_a_value_stays_one_line_of_text)
{
	po.config = write_cfg("cluster = { host = \"a\nb\033[31m\xff\xc3\xa9\"; };\n"
	    "node = { command = \"true\"; };\n");
	load_fails("invalid host \"a\\nb\\x1b[31m\\xffé\"", 0);
}

/* msg_clean: what stays, what is escaped, where it is cut. */
Test(plan, msg_clean_escapes_and_cuts)
{
	char	*m, big[MSG_MAX * 2];

	m = strdup("tab\there\r\x7f \xe2\x82\xac \xe2\x82 end");
	msg_clean(&m);
	cr_expect_str_eq(m, "tab\\there\\r\\x7f \xe2\x82\xac \\xe2\\x82 end");
	free(m);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	m = strdup(big);
	msg_clean(&m);
	cr_expect_eq(strlen(m), MSG_MAX + 3);
	cr_expect_str_eq(m + MSG_MAX, "...");
	free(m);
	m = NULL;
	msg_clean(&m);
	cr_expect_null(m);
}
