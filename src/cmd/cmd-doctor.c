/*
 * nodemux doctor: check what a cluster needs before it is started (the
 * config, programs, ports, host, ptys, fds, epmd) and print one row per
 * check, ok / warn / FAIL with a hint how to fix, or the same as JSON.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/net.h"
#include "nodemux/opts.h"
#include "nodemux/plan.h"
#include "nodemux/ssh.h"
#include "nodemux/util.h"

#define DOCTOR_FDS_PER_NODE	4	/* pty master, log file, probes */
#define DOCTOR_FDS_BASE		32	/* stdio, loop, signals, socket, curses */
#define DOCTOR_EPMD_PORT	4369
#define DOCTOR_CONNECT_MS	1000
#define DOCTOR_DETAIL_WIDTH	64	/* widest detail column before the hint */
#define DOCTOR_SSH_MS		15000	/* for a host to answer */

enum doctor_status {
	DOCTOR_OK,
	DOCTOR_WARN,
	DOCTOR_FAIL,
};

static const char *doctor_words[] = {
	[DOCTOR_OK] = "ok", [DOCTOR_WARN] = "warn", [DOCTOR_FAIL] = "FAIL",
};
static const char *doctor_json_words[] = {
	[DOCTOR_OK] = "ok", [DOCTOR_WARN] = "warn", [DOCTOR_FAIL] = "fail",
};
static const char *doctor_colours[] = {
	[DOCTOR_OK] = "\033[32m", [DOCTOR_WARN] = "\033[33m",
	[DOCTOR_FAIL] = "\033[1;31m",
};

/* Programs whose nodes are Erlang nodes (epmd, node names). */
static const char *doctor_erlang_progs[] = {
	"erl", "elixir", "iex", "mix", "rebar3",
};

struct doctor_row {
	enum doctor_status	 status;
	char			*check;
	char			*detail;
	char			*hint;
};

struct doctor {
	const struct plan	*plan;
	struct doctor_row	*rows;
	size_t			 nrows;
	int			 erlang;	/* some node is an Erlang node */
};

/* Add a row; detail is a printf format, hint may be "". */
static void __attribute__((format(printf, 5, 6)))
doctor_add(struct doctor *d, enum doctor_status status, const char *check,
    const char *hint, const char *fmt, ...)
{
	struct doctor_row	*row;
	va_list			 ap;

	d->rows = xreallocarray(d->rows, d->nrows + 1, sizeof *d->rows);
	row = &d->rows[d->nrows++];
	row->status = status;
	row->check = xstrdup(check);
	row->hint = xstrdup(hint);
	va_start(ap, fmt);
	row->detail = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Free every row. */
static void
doctor_clear(struct doctor *d)
{
	size_t	 i;

	for (i = 0; i < d->nrows; i++) {
		free(d->rows[i].check);
		free(d->rows[i].detail);
		free(d->rows[i].hint);
	}
	free(d->rows);
	d->rows = NULL;
	d->nrows = 0;
}

/* The config row: where the plan came from and what it holds. */
static void
doctor_check_config(struct doctor *d)
{
	const struct plan	*p = d->plan;

	doctor_add(d, DOCTOR_OK, "config", "", "%s%s%s: %d node%s on %s",
	    p->config_path, p->profile != NULL ? ", profile " : "",
	    p->profile != NULL ? p->profile : "", p->size,
	    p->size == 1 ? "" : "s", p->host);
}

/*
 * The program a shell command line runs first, when it is plain enough
 * to tell ("exec" and VAR=value words skipped); NULL otherwise.
 */
static char *
doctor_shell_program(const char *script)
{
	const char	*p = script, *word;
	size_t		 len;

	for (;;) {
		p += strspn(p, " \t\n");
		word = p;
		len = strcspn(p, " \t\n");
		if (len == 0)
			return NULL;
		p += len;
		if (strcspn(word, "\"'`$\\;|&<>(){}*?[]#~") < len)
			return NULL;
		if (len == 4 && strncmp(word, "exec", 4) == 0)
			continue;
		if (memchr(word, '=', len) != NULL)
			continue;
		return xstrndup(word, len);
	}
}

/* The program node n runs: argv[0], or what its /bin/sh -c line runs. */
static char *
doctor_program(const struct plan_node *n, int *shell)
{
	char *const	*av = n->argv;
	char		*prog;

	*shell = 0;
	if (av == NULL || av[0] == NULL)
		return NULL;
	if (strcmp(av[0], "/bin/sh") == 0 && av[1] != NULL &&
	    strcmp(av[1], "-c") == 0 && av[2] != NULL) {
		if ((prog = doctor_shell_program(av[2])) != NULL) {
			*shell = 1;
			return prog;
		}
	}
	return xstrdup(av[0]);
}

/* The PATH node n runs with: its own PATH= entry, else ours. */
static const char *
doctor_path(const struct plan_node *n)
{
	char *const	*e;
	const char	*path;

	for (e = n->env; e != NULL && *e != NULL; e++) {
		if (strncmp(*e, "PATH=", 5) == 0)
			return *e + 5;
	}
	path = getenv("PATH");
	return path != NULL ? path : "/usr/bin:/bin";
}

/* Is path an executable regular file?  0, or errno-like reason. */
static int
doctor_executable(const char *path)
{
	struct stat	 st;

	if (stat(path, &st) != 0)
		return errno;
	if (!S_ISREG(st.st_mode))
		return EISDIR;
	if (access(path, X_OK) != 0)
		return errno;
	return 0;
}

/*
 * Find prog as execvp would for node n: a name with a slash is taken as
 * it is (relative to the node's cwd), one without is looked up in PATH.
 * The full path, or NULL with *why set.
 */
static char *
doctor_which(const char *prog, const struct plan_node *n, int *why)
{
	const char	*path, *dir, *end;
	char		*full;
	size_t		 len;

	if (strchr(prog, '/') != NULL) {
		if (*prog == '/' || n->cwd == NULL)
			full = xstrdup(prog);
		else
			full = xasprintf("%s/%s", n->cwd, prog);
		if ((*why = doctor_executable(full)) == 0)
			return full;
		free(full);
		return NULL;
	}
	*why = ENOENT;
	for (path = doctor_path(n); path != NULL; path = end) {
		end = strchr(path, ':');
		len = end != NULL ? (size_t)(end - path) : strlen(path);
		dir = len == 0 ? "." : path;
		if (len == 0)
			len = 1;
		full = xasprintf("%.*s/%s", (int)len, dir, prog);
		if (doctor_executable(full) == 0)
			return full;
		free(full);
		if (end != NULL)
			end++;
	}
	return NULL;
}

/* Is prog (any path) one of the Erlang programs? */
static int
doctor_is_erlang(const char *prog)
{
	const char	*base = strrchr(prog, '/');
	size_t		 i;

	base = base != NULL ? base + 1 : prog;
	for (i = 0; i < nitems(doctor_erlang_progs); i++) {
		if (strcmp(base, doctor_erlang_progs[i]) == 0)
			return 1;
	}
	return 0;
}

/* One row for program prog of node n. */
static void
doctor_check_program(struct doctor *d, const char *prog,
    const struct plan_node *n)
{
	char	*full, *hint;
	int	 why;

	if ((full = doctor_which(prog, n, &why)) != NULL) {
		if (strcmp(full, prog) == 0)
			doctor_add(d, DOCTOR_OK, "program", "", "%s: "
			    "executable", prog);
		else
			doctor_add(d, DOCTOR_OK, "program", "", "%s: %s", prog,
			    full);
		free(full);
		return;
	}
	if (strchr(prog, '/') == NULL && why == ENOENT) {
		hint = xasprintf("install %s or put it on PATH, or fix "
		    "node.command in %s", prog, d->plan->config_path);
		doctor_add(d, DOCTOR_FAIL, "program", hint,
		    "%s: not found on PATH", prog);
	} else {
		hint = xasprintf("check the path, chmod +x, or fix node.command "
		    "in %s", d->plan->config_path);
		doctor_add(d, DOCTOR_FAIL, "program", hint, "%s: %s", prog,
		    why == EISDIR ? "not a regular file" : strerror(why));
	}
	free(hint);
}

/* Add prog to the set seen (taking it) if new: 1, else free it: 0. */
static int
doctor_seen(char ***seen, size_t *nseen, char *prog)
{
	size_t	 j;

	for (j = 0; j < *nseen; j++) {
		if (strcmp((*seen)[j], prog) == 0) {
			free(prog);
			return 0;
		}
	}
	*seen = xreallocarray(*seen, *nseen + 2, sizeof **seen);
	(*seen)[(*nseen)++] = prog;
	(*seen)[*nseen] = NULL;
	return 1;
}

/* One row per distinct program the nodes run; notes Erlang nodes. */
static void
doctor_check_programs(struct doctor *d)
{
	const struct plan	*p = d->plan;
	char			**seen = NULL, *prog;
	size_t			  nseen = 0;
	int			  i, shell;

	for (i = 0; i < p->size; i++) {
		if (plan_node_remote(&p->nodes[i]))
			continue;	/* checked on its host */
		if ((prog = doctor_program(&p->nodes[i], &shell)) == NULL)
			continue;
		if (shell && doctor_seen(&seen, &nseen, xstrdup("/bin/sh")))
			doctor_check_program(d, "/bin/sh", &p->nodes[i]);
		if (!doctor_seen(&seen, &nseen, prog))
			continue;
		doctor_check_program(d, prog, &p->nodes[i]);
		if (doctor_is_erlang(prog))
			d->erlang = 1;
	}
	if (seen != NULL)
		strv_free(seen);
}

/*
 * Probe one port of node n: 1 free, 0 busy (*msg says by whom), -1 the
 * probe itself failed (*msg says why).
 */
static int
doctor_probe(struct doctor *d, const struct plan_node *n, const char *role,
    int port, char **msg)
{
	char	*cause = NULL;
	int	 rc;

	*msg = NULL;
	rc = port_probe(d->plan->bind_addr, port, &cause);
	if (rc == 0)
		*msg = port_busy_message(port, role, n->name);
	else if (rc == -1)
		*msg = xasprintf("%s port %d of node %s: %s", role, port,
		    n->name, cause);
	free(cause);
	return rc;
}

/* The hint for a busy port: who to stop, or what to change. */
static char *
doctor_port_hint(const struct plan *p, int port)
{
	pid_t	 pid;
	char	*prog, *hint, *who;

	if (port_holder(port, &pid, &prog) == 0) {
		who = xasprintf("stop pid %ld (%s)", (long)pid, prog);
		free(prog);
	} else
		who = xasprintf("find it with 'ss -ltnp sport = :%d'", port);
	if (p->port_policy == PLAN_PORTS_NEXT_FREE)
		hint = xasprintf("%s; next-free will use another port", who);
	else
		hint = xasprintf("%s, or change ports.http_base/dist_base "
		    "or set ports.policy = \"next-free\"", who);
	free(who);
	return hint;
}

/* One row per node: both its ports free, or each busy one. */
static void
doctor_check_node_ports(struct doctor *d, const struct plan_node *n)
{
	const char	*roles[] = { "http", "dist" };
	int		 ports[] = { n->http_port, n->dist_port };
	char		*msg, *hint;
	int		 i, rc, bad = 0;

	for (i = 0; i < 2; i++) {
		if (ports[i] <= 0)
			continue;
		if ((rc = doctor_probe(d, n, roles[i], ports[i], &msg)) == 1)
			continue;
		bad = 1;
		if (rc == 0)
			hint = doctor_port_hint(d->plan, ports[i]);
		else
			hint = xstrdup("check cluster.host: nodes bind its "
			    "address");
		doctor_add(d, rc == 0 && d->plan->port_policy ==
		    PLAN_PORTS_NEXT_FREE ? DOCTOR_WARN : DOCTOR_FAIL, "ports",
		    hint, "%s", msg);
		free(hint);
		free(msg);
	}
	if (!bad)
		doctor_add(d, DOCTOR_OK, "ports", "", "%s: http %d, dist %d "
		    "free on %s", n->name, n->http_port, n->dist_port,
		    d->plan->bind_addr);
}

/* Every node's ports, where this machine can bind the host's address. */
static void
doctor_check_ports(struct doctor *d)
{
	int	 i;

	for (i = 0; i < d->plan->size; i++) {
		if (plan_node_remote(&d->plan->nodes[i]))
			continue;	/* probed on its host */
		if (!host_is_local(d->plan->host)) {
			doctor_add(d, DOCTOR_FAIL, "ports", "fix cluster.host "
			    "first", "not probed: nodes cannot bind %s on this "
			    "machine", d->plan->bind_addr);
			return;
		}
		doctor_check_node_ports(d, &d->plan->nodes[i]);
	}
}

/* The last non-empty line of text (ssh's own words), in place. */
static const char *
doctor_last_line(char *text)
{
	char	*nl;

	while ((nl = strrchr(text, '\n')) != NULL && nl[1] == '\0')
		*nl = '\0';
	for (nl = text; *nl != '\0'; nl++) {
		if (*nl == '\r')
			*nl = ' ';
	}
	return (nl = strrchr(text, '\n')) != NULL ? nl + 1 : text;
}

/* The value of line "key value" in text, or NULL. */
static char *
doctor_field(const char *text, const char *key)
{
	const char	*p = text, *end;
	size_t		 len = strlen(key);

	for (; p != NULL && *p != '\0'; p = end != NULL ? end + 1 : NULL) {
		end = strchr(p, '\n');
		if (strncmp(p, key, len) == 0 && p[len] == ' ')
			return xstrndup(p + len + 1, end != NULL ?
			    (size_t)(end - p - len - 1) : strlen(p + len + 1));
	}
	return NULL;
}

/* Node n's ports on host h, from the host's answer. */
static void
doctor_host_ports(struct doctor *d, const struct plan_host *h,
    const struct plan_node *n, const char *out)
{
	const char	*roles[] = { "http", "dist" };
	int		 ports[] = { n->http_port, n->dist_port }, i, bad = 0;
	char		 key[32];

	for (i = 0; i < 2; i++) {
		snprintf(key, sizeof key, "busy %d", ports[i]);
		if (strstr(out, key) == NULL)
			continue;
		bad = 1;
		doctor_add(d, d->plan->port_policy == PLAN_PORTS_NEXT_FREE ?
		    DOCTOR_WARN : DOCTOR_FAIL, "ports", "stop what holds it "
		    "there, or change ports.http_base/dist_base",
		    "%s port %d of node %s is busy on %s", roles[i], ports[i],
		    n->name, h->name);
	}
	if (!bad)
		doctor_add(d, DOCTOR_OK, "ports", "", "%s: http %d, dist %d "
		    "free on %s", n->name, n->http_port, n->dist_port, h->name);
}

/* The answer of host h: its shell, the program of its nodes, ports. */
static void
doctor_host_answer(struct doctor *d, const struct plan_host *h,
    const char *prog, const char *out)
{
	char	*shell = doctor_field(out, "shell");
	char	*path = doctor_field(out, "path");
	char	*hint;
	int	 i;

	doctor_add(d, DOCTOR_OK, "host", "", "%s (%s): reachable without a "
	    "prompt, %s", h->name, h->ssh, shell != NULL ? shell : "sh");
	if (path == NULL || strcmp(path, "-") == 0) {
		hint = xasprintf("install %s on %s or put it on the PATH of "
		    "its non-interactive shell", prog, h->name);
		doctor_add(d, DOCTOR_FAIL, "program", hint, "%s: not found on "
		    "%s's PATH", prog, h->name);
		free(hint);
	} else
		doctor_add(d, DOCTOR_OK, "program", "", "%s on %s: %s", prog,
		    h->name, path);
	for (i = 0; i < d->plan->size; i++) {
		if (d->plan->nodes[i].host == h)
			doctor_host_ports(d, h, &d->plan->nodes[i], out);
	}
	free(shell);
	free(path);
}

/* One host: reachable with no prompt, its shell, the program of its
   first node on its PATH, its nodes' ports free there. */
static void
doctor_check_host_ssh(struct doctor *d, const struct plan_host *h)
{
	const struct plan_node	*n = NULL;
	char			**args, *prog, *out = NULL, *cause = NULL;
	int			 i, k = 0, rc, shell;

	for (i = 0; i < d->plan->size && n == NULL; i++) {
		if (d->plan->nodes[i].host == h)
			n = &d->plan->nodes[i];
	}
	if (n == NULL)
		return;		/* no node there */
	if ((prog = doctor_program(n, &shell)) == NULL)
		prog = xstrdup("sh");
	args = xcalloc(3 + 2 * d->plan->size + 1, sizeof *args);
	args[k++] = xstrdup("check");
	args[k++] = xstrdup(prog);
	for (i = 0; i < d->plan->size; i++) {
		if (d->plan->nodes[i].host != h)
			continue;
		args[k++] = xasprintf("%d", d->plan->nodes[i].http_port);
		args[k++] = xasprintf("%d", d->plan->nodes[i].dist_port);
	}
	rc = ssh_run(d->plan, h, args, DOCTOR_SSH_MS, &out, &cause);
	strv_free(args);
	if (rc == 0)
		doctor_host_answer(d, h, prog, out);
	else
		doctor_add(d, DOCTOR_FAIL, "host", "check that sshd runs there "
		    "and your key is accepted (ssh-copy-id; BatchMode: no "
		    "password prompt), or fix cluster.hosts", "%s (%s): %s",
		    h->name, h->ssh, rc == -1 ? cause : *out != '\0' ?
		    doctor_last_line(out) : "ssh failed");
	free(prog);
	free(out);
	free(cause);
}

/* One row per host of the plan reached by ssh. */
static void
doctor_check_hosts(struct doctor *d)
{
	int	 i;

	for (i = 0; i < d->plan->nhosts; i++) {
		if (d->plan->hosts[i].ssh != NULL)
			doctor_check_host_ssh(d, &d->plan->hosts[i]);
	}
}

/* The host resolves to this machine. */
static void
doctor_check_host(struct doctor *d)
{
	const struct plan	*p = d->plan;
	const char		*hint = "set cluster.host = \"auto\" or a "
				    "name of this machine (see /etc/hosts)";

	if (host_is_local(p->host))
		doctor_add(d, DOCTOR_OK, "host", "", "%s resolves to %s, this "
		    "machine", p->host, p->bind_addr);
	else if (host_is_ip(p->host))
		doctor_add(d, DOCTOR_FAIL, "host", hint, "%s is not an address "
		    "of this machine", p->host);
	else
		doctor_add(d, DOCTOR_FAIL, "host", hint, "%s (%s) is not an "
		    "address of this machine", p->host, p->bind_addr);
}

/* A pseudo-terminal can be opened (every node runs in one). */
static void
doctor_check_pty(struct doctor *d)
{
	const char	*name;
	int		 fd;

	fd = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd == -1 || grantpt(fd) != 0 || unlockpt(fd) != 0 ||
	    (name = ptsname(fd)) == NULL) {
		doctor_add(d, DOCTOR_FAIL, "pty", "mount devpts on /dev/pts "
		    "and check /dev/ptmx permissions (in a container: "
		    "give it a devpts)", "cannot open a pty: %s",
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return;
	}
	doctor_add(d, DOCTOR_OK, "pty", "", "/dev/ptmx gives %s", name);
	close(fd);
}

/* The open-file limit allows N nodes. */
static void
doctor_check_fds(struct doctor *d)
{
	struct rlimit	 rl;
	rlim_t		 need;
	char		*hint;

	need = (rlim_t)d->plan->size * DOCTOR_FDS_PER_NODE + DOCTOR_FDS_BASE;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
		doctor_add(d, DOCTOR_WARN, "fd limit", "", "getrlimit: %s",
		    strerror(errno));
		return;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need) {
		doctor_add(d, DOCTOR_OK, "fd limit", "", "%llu open files "
		    "allowed, %d nodes need about %llu", (unsigned long long)
		    rl.rlim_cur, d->plan->size, (unsigned long long)need);
		return;
	}
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		hint = xasprintf("raise the hard limit (%llu; limits.conf or "
		    "as root), then ulimit -n %llu", (unsigned long long)
		    rl.rlim_max, (unsigned long long)need);
	else
		hint = xasprintf("raise it: ulimit -n %llu",
		    (unsigned long long)need);
	doctor_add(d, DOCTOR_FAIL, "fd limit", hint, "%llu open files allowed, "
	    "%d nodes need about %llu", (unsigned long long)rl.rlim_cur,
	    d->plan->size, (unsigned long long)need);
	free(hint);
}

/* The port epmd listens on: $ERL_EPMD_PORT or 4369. */
static int
doctor_epmd_port(void)
{
	const char	*s = getenv("ERL_EPMD_PORT");
	int		 port;

	if (s != NULL && parse_int(s, 1, 65535, &port) == 0)
		return port;
	return DOCTOR_EPMD_PORT;
}

/* Does something accept TCP connections on 127.0.0.1:port?  0 or errno. */
static int
doctor_connect(int port)
{
	struct sockaddr_in	 sin;
	struct pollfd		 pfd;
	socklen_t		 len = sizeof pfd.revents;
	int			 fd, error = 0;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return errno;
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		error = errno;
		if (error == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, DOCTOR_CONNECT_MS) != 1)
				error = ETIMEDOUT;
			else if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error,
			    &len) != 0)
				error = errno;
		}
	}
	close(fd);
	return error;
}

/* epmd is installed and running (Erlang nodes register with it). */
static void
doctor_check_epmd(struct doctor *d)
{
	char	*full;
	int	 why, port = doctor_epmd_port();

	if ((full = doctor_which("epmd", &d->plan->nodes[0], &why)) == NULL)
		doctor_add(d, DOCTOR_FAIL, "epmd", "install Erlang "
		    "(apt-get install erlang-nox) or put its bin on PATH",
		    "epmd: not found on PATH");
	else
		doctor_add(d, DOCTOR_OK, "epmd", "", "epmd: %s", full);
	free(full);
	if ((why = doctor_connect(port)) == 0)
		doctor_add(d, DOCTOR_OK, "epmd running", "", "epmd answers on "
		    "127.0.0.1:%d", port);
	else
		doctor_add(d, DOCTOR_WARN, "epmd running", "start it: epmd "
		    "-daemon (erl also starts it unless -start_epmd false)",
		    "nothing listens on 127.0.0.1:%d: %s", port,
		    strerror(why));
}

/*
 * Long node names need a dotted host (erl: "Can't set long node name"):
 * a warning for any cluster, as its names reach every node through
 * ${NODE_NAME}; a row that says all is well only for Erlang's.
 */
static void
doctor_check_names(struct doctor *d)
{
	const struct plan	*p = d->plan;
	int			 bad = p->name_mode != PLAN_NAME_SHORT &&
				    strchr(p->host, '.') == NULL &&
				    !host_is_ip(p->host);

	if (!d->erlang && !bad)
		return;
	if (p->name_mode == PLAN_NAME_SHORT)
		doctor_add(d, DOCTOR_OK, "node names", "", "short names "
		    "(-sname) on %s", p->host);
	else if (bad)
		doctor_add(d, DOCTOR_WARN, "node names", "set cluster.host = "
		    "\"long\" or a dotted name or IP, or name_mode = \"short\"",
		    "long names (-name) need a host with a dot; %s has none",
		    p->host);
	else
		doctor_add(d, DOCTOR_OK, "node names", "", "long names "
		    "(-name) on %s", p->host);
}

/* Did any check fail? */
static int
doctor_failed(const struct doctor *d)
{
	size_t	 i;

	for (i = 0; i < d->nrows; i++) {
		if (d->rows[i].status == DOCTOR_FAIL)
			return 1;
	}
	return 0;
}

/* The rows as one JSON object: {"checks":[...],"ok":BOOL}. */
static void
doctor_print_json(const struct doctor *d)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i;

	strbuf_adds(&sb, "{\"checks\":[");
	for (i = 0; i < d->nrows; i++) {
		strbuf_adds(&sb, i == 0 ? "{\"status\":" : ",{\"status\":");
		json_quote(&sb, doctor_json_words[d->rows[i].status]);
		strbuf_adds(&sb, ",\"check\":");
		json_quote(&sb, d->rows[i].check);
		strbuf_adds(&sb, ",\"detail\":");
		json_quote(&sb, d->rows[i].detail);
		strbuf_adds(&sb, ",\"hint\":");
		json_quote(&sb, d->rows[i].hint);
		strbuf_addc(&sb, '}');
	}
	strbuf_addf(&sb, "],\"ok\":%s}\n", doctor_failed(d) ? "false" : "true");
	fputs(sb.buf, stdout);
	strbuf_free(&sb);
}

/* The rows as an aligned table: status, check, detail, hint. */
static void
doctor_print_text(const struct doctor *d, int colour)
{
	const struct doctor_row	*r;
	size_t			 i, wcheck = 0, wdetail = 0, n;

	for (i = 0; i < d->nrows; i++) {
		if ((n = strlen(d->rows[i].check)) > wcheck)
			wcheck = n;
		n = strlen(d->rows[i].detail);
		if (*d->rows[i].hint != '\0' && n > wdetail &&
		    n <= DOCTOR_DETAIL_WIDTH)
			wdetail = n;
	}
	for (i = 0; i < d->nrows; i++) {
		r = &d->rows[i];
		printf("%s%-4s%s  %-*s  ", colour ? doctor_colours[r->status] :
		    "", doctor_words[r->status], colour ? "\033[0m" : "",
		    (int)wcheck, r->check);
		if (*r->hint == '\0')
			printf("%s\n", r->detail);
		else
			printf("%-*s  %s\n", (int)wdetail, r->detail, r->hint);
	}
}

int
cmd_doctor(struct opts *o)
{
	struct doctor	 d;
	char		*cause = NULL;
	int		 rc;

	if (o->argc > 0) {
		nm_warn("doctor takes no operands: %s", o->argv[0]);
		return 2;
	}
	memset(&d, 0, sizeof d);
	if ((d.plan = plan_load(&o->plan, &cause)) == NULL) {
		nm_warn("%s", cause);
		if (o->json) {
			doctor_add(&d, DOCTOR_FAIL, "config", "fix the config "
			    "(see nodemux.cfg(5))", "%s", cause);
			doctor_print_json(&d);
			doctor_clear(&d);
		}
		free(cause);
		return 2;
	}
	doctor_check_config(&d);
	doctor_check_programs(&d);
	doctor_check_host(&d);
	doctor_check_hosts(&d);
	doctor_check_ports(&d);
	doctor_check_pty(&d);
	doctor_check_fds(&d);
	if (d.erlang)
		doctor_check_epmd(&d);
	doctor_check_names(&d);
	if (o->json)
		doctor_print_json(&d);
	else
		doctor_print_text(&d, !o->no_color && isatty(STDOUT_FILENO));
	rc = doctor_failed(&d) ? 1 : 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		nm_warn("doctor: cannot write the report: %s", strerror(errno));
		rc = 1;
	}
	doctor_clear(&d);
	plan_free((struct plan *)d.plan);
	return rc;
}
