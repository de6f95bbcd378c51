/*
 * The command line: the table of subcommands, the options they share,
 * and the help text.  Usage errors exit 2 (SPEC §7).
 */
#include "config.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/opts.h"
#include "nodemux/util.h"

static const struct cmd opts_cmds[] = {
	{ .name = "up", .run = cmd_up,
	  .allowed = OPT_PLAN | OPT_HEADLESS | OPT_SOCKET,
	  .usage = "[up] [-n N] [-c FILE] [-p PROFILE] [--hosts LIST] [--log-dir DIR]"
		   " [--headless] [--socket PATH]" },
	{ .name = "exec", .run = cmd_exec, .allowed = OPT_PLAN | OPT_SIZES,
	  .usage = "exec [-n N[,N...]] [-c FILE] [-p PROFILE] [--hosts LIST]"
		   " [--log-dir DIR] -- CMD [ARG...]" },
	{ .name = "plan", .run = cmd_plan, .allowed = OPT_PLAN | OPT_JSON,
	  .usage = "plan [-n N] [-c FILE] [-p PROFILE] [--hosts LIST] [--log-dir DIR]"
		   " [--json]" },
	{ .name = "env", .run = cmd_env, .allowed = OPT_PLAN,
	  .usage = "env N [-n N] [-c FILE] [-p PROFILE] [--hosts LIST]"
		   " [--log-dir DIR]" },
	{ .name = "run-node", .run = cmd_run_node, .allowed = OPT_PLAN,
	  .usage = "run-node N [-n N] [-c FILE] [-p PROFILE] [--hosts LIST]"
		   " [--log-dir DIR]" },
	{ .name = "doctor", .run = cmd_doctor, .allowed = OPT_PLAN | OPT_JSON,
	  .usage = "doctor [-n N] [-c FILE] [-p PROFILE] [--hosts LIST]"
		   " [--log-dir DIR] [--json]" },
	{ .name = "ctl", .run = cmd_ctl,
	  .allowed = OPT_PLAN | OPT_SOCKET | OPT_JSON | OPT_FOLLOW,
	  .usage = "ctl [--socket PATH] status [--json]"
		   " | start|stop|restart|pause|resume N|all"
		   " | logs N [-f] [--grep RE] | quit" },
	{ .name = "demo-node", .run = cmd_demo_node, .allowed = 0,
	  .usage = "demo-node" },
	{ .name = "__complete", .run = cmd_complete,
	  .allowed = OPT_PLAN | OPT_SOCKET | OPT_SIZES, .hidden = 1,
	  .usage = "__complete commands | options CMD | requests | profiles"
		   " | plan-nodes | nodes" },
};

enum {
	OPTS_HEADLESS = 256,
	OPTS_LOG_DIR,
	OPTS_JSON,
	OPTS_NO_COLOR,
	OPTS_SOCKET,
	OPTS_GREP,
	OPTS_HOSTS,
};

static const struct option opts_long[] = {
	{ "size",	required_argument, NULL, 'n' },
	{ "config",	required_argument, NULL, 'c' },
	{ "profile",	required_argument, NULL, 'p' },
	{ "headless",	no_argument,	   NULL, OPTS_HEADLESS },
	{ "log-dir",	required_argument, NULL, OPTS_LOG_DIR },
	{ "json",	no_argument,	   NULL, OPTS_JSON },
	{ "no-color",	no_argument,	   NULL, OPTS_NO_COLOR },
	{ "socket",	required_argument, NULL, OPTS_SOCKET },
	{ "follow",	no_argument,	   NULL, 'f' },
	{ "grep",	required_argument, NULL, OPTS_GREP },
	{ "hosts",	required_argument, NULL, OPTS_HOSTS },
	{ "help",	no_argument,	   NULL, 'h' },
	{ "version",	no_argument,	   NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

/* One line on stderr, whatever the values it quotes (msg_clean): a
   config's, the command line's, a server's. */
static void
opts_vwarn(const char *fmt, va_list ap)
{
	char	*msg = xvasprintf(fmt, ap);

	msg_clean(&msg);
	fprintf(stderr, "nodemux: %s\n", msg);
	free(msg);
}

void
nm_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	opts_vwarn(fmt, ap);
	va_end(ap);
}

/* The --help text. */
static void
opts_help(FILE *f)
{
	size_t	 i;

	fputs("usage: nodemux [COMMAND] [OPTIONS]\n\n", f);
	for (i = 0; i < nitems(opts_cmds); i++) {
		if (!opts_cmds[i].hidden)
			fprintf(f, "  nodemux %s\n", opts_cmds[i].usage);
	}
	fputs("\n"
"Commands:\n"
"  up         the console: a TUI on a terminal, prefixed lines otherwise\n"
"  exec       start the cluster, wait until ready, run CMD, stop, exit with its status\n"
"  plan       print each node's name, host, ports, argv, cwd and log file\n"
"  env        print export lines of node N's variables: eval \"$(nodemux env 2)\"\n"
"  run-node   exec node N in the foreground with its environment\n"
"  doctor     check prerequisites (ok / warn / FAIL, with hints)\n"
"  ctl        talk to a running console through its control socket\n"
"  demo-node  the built-in demo node used by the built-in config\n"
"\n"
"Options:\n"
"  -n, --size N        cluster size; exec -n 3,5,8: once per size, then a summary\n"
"  -c, --config FILE   config file (else $NODEMUX_CONFIG, ./nodemux.cfg,\n"
"                      $XDG_CONFIG_HOME/nodemux/nodemux.cfg (else\n"
"                      ~/.config/...), the built-in demo)\n"
"  -p, --profile NAME  profile inside the config\n"
"      --headless      no TUI even on a terminal\n"
"      --log-dir DIR   where node log files go (\"\" = none)\n"
"      --hosts LIST    machines the nodes run on, comma-separated: each\n"
"                      [user@]host[:port] (over ssh) or local\n"
"      --json          machine-readable output (plan, doctor, ctl status)\n"
"      --no-color      no colours, any command (also NO_COLOR)\n"
"      --socket PATH   control socket (up, ctl)\n"
"  -f, --follow        ctl logs: keep following\n"
"      --grep RE       ctl logs: only lines matching RE\n"
"  -h, --help          this help\n"
"  -V, --version       the version\n"
"\n"
"Environment: CLUSTER_SIZE, NODEMUX_PROFILE, NODEMUX_CONFIG, NODEMUX_HOSTS,\n"
"NO_COLOR.\n"
"Exit status: 0 ok, 1 runtime failure, 2 usage or config error,\n"
"exec: CMD's status or 125 when the cluster could not be made ready.\n"
"See nodemux(1) and nodemux.cfg(5).\n", f);
}

/* The command named s, or NULL. */
static const struct cmd *
opts_find(const char *s)
{
	size_t	 i;

	for (i = 0; i < nitems(opts_cmds); i++) {
		if (strcmp(opts_cmds[i].name, s) == 0)
			return &opts_cmds[i];
	}
	return NULL;
}

const struct cmd *
opts_command(const char *name)
{
	return opts_find(name);
}

void
opts_list_commands(FILE *f)
{
	size_t	 i;

	for (i = 0; i < nitems(opts_cmds); i++) {
		if (!opts_cmds[i].hidden)
			fprintf(f, "%s\n", opts_cmds[i].name);
	}
}

static int	opts_allowed(const struct cmd *, int);

void
opts_list_options(const struct cmd *cmd, FILE *f)
{
	size_t	 i;

	for (i = 0; opts_long[i].name != NULL; i++) {
		if (!opts_allowed(cmd, opts_long[i].val))
			continue;
		if (opts_long[i].val < 256)
			fprintf(f, "-%c\n", opts_long[i].val);
		fprintf(f, "--%s\n", opts_long[i].name);
	}
}

/* Is option ch (getopt's value) one that cmd accepts? */
static int
opts_allowed(const struct cmd *cmd, int ch)
{
	switch (ch) {
	case 'n': case 'c': case 'p': case OPTS_LOG_DIR: case OPTS_HOSTS:
		return cmd->allowed & OPT_PLAN;
	case OPTS_HEADLESS:
		return cmd->allowed & OPT_HEADLESS;
	case OPTS_JSON:
		return cmd->allowed & OPT_JSON;
	case OPTS_SOCKET:
		return cmd->allowed & OPT_SOCKET;
	case 'f': case OPTS_GREP:
		return cmd->allowed & OPT_FOLLOW;
	}
	return 1;
}

/* A usage error: say what and how to call cmd. */
static const struct cmd * __attribute__((format(printf, 2, 3)))
opts_usage(const struct cmd *cmd, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	opts_vwarn(fmt, ap);
	va_end(ap);
	if (cmd != NULL)
		fprintf(stderr, "usage: nodemux %s\n", cmd->usage);
	else
		fputs("try 'nodemux --help'\n", stderr);
	return NULL;
}

/* The name of option ch as a user types it: "-n", "--log-dir". */
static const char *
opts_name(int ch, char *buf, size_t len)
{
	size_t	 i;

	for (i = 0; opts_long[i].name != NULL; i++) {
		if (opts_long[i].val == ch)
			break;
	}
	if (ch < 256 || opts_long[i].name == NULL)
		snprintf(buf, len, "-%c", ch < 256 ? ch : '?');
	else
		snprintf(buf, len, "--%s", opts_long[i].name);
	return buf;
}

/*
 * Parse the cluster size, or say why it is none (the config's own range
 * is checked once the config is read): 0, or -1 and *why.
 */
static int
opts_size(const char *arg, int *size, const char **why)
{
	const char	*p = arg;

	/* 0 is left to the plan, which names the config's range. */
	if (parse_int(arg, 0, 1000000, size) == 0)
		return 0;
	if (*p == '-' || *p == '+')
		p++;
	if (*p == '\0' || p[strspn(p, "0123456789")] != '\0')
		*why = "not a number";
	else if (*arg == '-')
		*why = "use 1 or more";
	else
		*why = "too large";
	return -1;
}

/*
 * A size list "3,5,8" (exec's size matrix, SPEC §10) into o->sizes; the
 * first also as the plan's size.  0, or -1 and *why.
 */
static int
opts_sizes(struct opts *o, const char *arg, const char **why)
{
	char	*copy = xstrdup(arg), *p = copy, *comma;
	int	 rc = 0;

	o->nsizes = 0;
	while (rc == 0) {
		if ((comma = strchr(p, ',')) != NULL)
			*comma = '\0';
		if (o->nsizes == OPTS_SIZES_MAX) {
			*why = "too many sizes (at most 64)";
			rc = -1;
		} else
			rc = opts_size(p, &o->sizes[o->nsizes++], why);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	free(copy);
	o->plan.size = o->sizes[0];
	return rc;
}

/* Apply one parsed option to o: 0, or -1 and *why (a bad -n). */
static int
opts_apply(struct opts *o, int ch, const char *arg, const char **why)
{
	switch (ch) {
	case 'n':
		if (strchr(arg, ',') != NULL)
			return opts_sizes(o, arg, why);
		o->nsizes = 0;
		if (opts_size(arg, &o->plan.size, why) != 0)
			return -1;
		break;
	case 'c':
		o->plan.config = arg;
		break;
	case 'p':
		o->plan.profile = arg;
		break;
	case OPTS_LOG_DIR:
		o->plan.log_dir = arg;
		break;
	case OPTS_HOSTS:
		o->plan.hosts = arg;
		break;
	case OPTS_HEADLESS:
		o->headless = 1;
		break;
	case OPTS_JSON:
		o->json = 1;
		break;
	case OPTS_NO_COLOR:
		o->no_color = 1;
		break;
	case OPTS_SOCKET:
		o->socket = arg;
		break;
	case 'f':
		o->follow = 1;
		break;
	case OPTS_GREP:
		o->grep = arg;
		break;
	}
	return 0;
}

/* Keep an operand for the command. */
static void
opts_operand(struct opts *o, int argc, char *arg)
{
	if (o->argv == NULL)
		o->argv = xcalloc(argc + 1, sizeof *o->argv);
	o->argv[o->argc++] = arg;
}

/* An option getopt did not take: unknown, or missing its value. */
static const struct cmd *
opts_bad(const struct cmd *cmd, int ch, char **argv)
{
	const char	*what = argv[optind - 1];
	char		 shortopt[3] = { '-', (char)optopt, '\0' };

	if (optopt != 0 && optopt < 256 && strncmp(what, "--", 2) != 0)
		what = shortopt;
	if (ch == ':')
		return opts_usage(cmd, "option %s needs a value", what);
	return opts_usage(cmd, "unknown option %s", what);
}

/* The value of the last -n among the nseen options seen. */
static const char *
opts_size_arg(int nseen, const int *seen, char *const *args)
{
	while (nseen-- > 0) {
		if (seen[nseen] == 'n')
			return args[nseen];
	}
	return "";
}

/*
 * The command is the first operand that names one; options may come
 * before or after it ("env 2 -n 4": operands are kept by hand, getopt
 * stops at each).  Options are checked against the command once known;
 * for exec, everything after "--" is CMD.
 */
const struct cmd *
opts_parse(int argc, char **argv, struct opts *o, int *exit_now)
{
	const struct cmd	*cmd = NULL;
	int			 ch, i, seen[32], nseen = 0;
	char			*args[32], name[32];
	const char		*nc, *why = NULL;

	memset(o, 0, sizeof *o);
	o->plan.size = -1;
	*exit_now = -1;
	nc = getenv("NO_COLOR");
	o->no_color = nc != NULL && *nc != '\0';

	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+:n:c:p:fhV", opts_long,
	    NULL)) != -1 || optind < argc) {
		if (ch == -1 && cmd != NULL && optind > 1 &&
		    strcmp(argv[optind - 1], "--") == 0)
			break;
		if (ch == -1 && cmd == NULL) {
			if ((cmd = opts_find(argv[optind])) == NULL)
				return opts_usage(NULL, "unknown command: %s",
				    argv[optind]);
			optind++;
		} else if (ch == -1)
			opts_operand(o, argc, argv[optind++]);
		else if (ch == 'h' || ch == 'V') {
			if (ch == 'h')
				opts_help(stdout);
			else
				printf("nodemux %s\n", PACKAGE_VERSION);
			*exit_now = 0;
			return NULL;
		} else if (ch == '?' || ch == ':')
			return opts_bad(cmd, ch, argv);
		else if (nseen == (int)nitems(seen))
			return opts_usage(cmd, "%s", "too many options");
		else {
			seen[nseen] = ch;
			args[nseen++] = optarg;
		}
	}
	while (optind < argc)
		opts_operand(o, argc, argv[optind++]);
	if (cmd == NULL)
		cmd = opts_find("up");
	for (i = 0; i < nseen; i++) {
		if (!opts_allowed(cmd, seen[i]))
			return opts_usage(cmd, "option %s is not valid for %s",
			    opts_name(seen[i], name, sizeof name), cmd->name);
		if (opts_apply(o, seen[i], args[i], &why) != 0)
			return opts_usage(cmd, "invalid cluster size '%s': %s",
			    args[i], why);
	}
	if (o->nsizes != 0 && !(cmd->allowed & OPT_SIZES))
		return opts_usage(cmd, "%s takes one cluster size, not a list "
		    "(-n %s): only exec runs a size matrix", cmd->name,
		    opts_size_arg(nseen, seen, args));
	return cmd;
}

struct plan *
opts_plan(const struct opts *o)
{
	struct plan	*plan;
	char		*cause = NULL;

	plan = plan_load(&o->plan, &cause);
	if (plan == NULL) {
		nm_warn("%s", cause);
		free(cause);
	}
	return plan;
}

int
opts_node_number(const char *s, const struct plan *plan)
{
	int	 n;

	if (s == NULL) {
		nm_warn("missing node number: use 1-%d", plan->size);
		return -1;
	}
	if (parse_int(s, 1, plan->size, &n) != 0) {
		nm_warn("invalid node number %s: use 1-%d", s, plan->size);
		return -1;
	}
	return n;
}
