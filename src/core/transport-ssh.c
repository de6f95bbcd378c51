/*
 * The ssh transport: a node on another machine runs under the remote
 * wrapper (ssh-wrap.sh) in a remote pty (ssh -tt) over its host's master
 * connection (ssh.c).  Locally the node is that ssh client in a pty of
 * its own, so its output takes the same path as a local node's.  Until
 * the host is connected the client waits behind a gate (a fifo), so a
 * spawn never waits for the network; then the node's ports are checked
 * on its host and the gate lets it go, or the node fails with ssh's own
 * words.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <poll.h>

#include "nodemux/guard.h"
#include "nodemux/loop.h"
#include "nodemux/plan.h"
#include "nodemux/proc.h"
#include "nodemux/ssh.h"
#include "nodemux/transport.h"
#include "nodemux/util.h"

#define TSSH_RUN_MS	5000	/* for a call over the master */
#define TSSH_PORTS_MS	1000	/* a port list is good this long */
#define TSSH_KILLED_MAX	64	/* exit 128+N from the wrapper: signal N */
#define TSSH_PID_AGAIN_MS 500	/* no group id yet: ask again after */

struct transport {
	struct ssh_host			*h;
	const struct plan		*plan;
	const struct plan_node		*pn;
	struct guard			*guard;
	const struct transport_hooks	*hooks;
	void				*hooks_arg;
	char				*key;	/* the pid file on the host */
	pid_t				 pid;	/* the local client (its group) */
	int				 master; /* its pty, or -1 */
	int				 gate;	/* the gate's fd, -1 once open */
	char				*gate_path;
	int				 watching;
	int				 reaped;
	char				*fail;	/* why it never ran */
	int				 lost;	/* ...because a host that was up
						   could not be reached again */
	int				 cancel; /* signal that stopped it before
						   it ran */
	int				 killed; /* SIGKILLed here */
	struct loop			*loop;
	pid_t				 rpid;	/* the group on its host, 0 while
						   not known */
	int				 pidfd;	/* that answer on its way, or -1 */
	uint64_t			 pid_timer; /* to ask again */
	struct strbuf			 pidbuf;
	struct transport		*next;
};

/* The ports listening on a host, from one call, with the nodes whose
   previous runs that call cleared away first. */
struct tssh_ports {
	const struct plan_host	*ph;
	int64_t			 at;
	int			*ports;
	size_t			 n;
	char			**keys;
	struct tssh_ports	*next;
};

static struct transport		*tssh_all;
static struct tssh_ports	*tssh_cache;

/* Nodes whose host is another machine. */
static int
tssh_match(const struct plan *plan, const struct plan_node *pn)
{
	return plan_node_remote(pn);
}

/* The cache entry of host ph (made empty when missing). */
static struct tssh_ports *
tssh_cache_get(const struct plan_host *ph)
{
	struct tssh_ports	*c;

	for (c = tssh_cache; c != NULL; c = c->next) {
		if (c->ph == ph)
			return c;
	}
	c = xcalloc(1, sizeof *c);
	c->ph = ph;
	c->next = tssh_cache;
	tssh_cache = c;
	return c;
}

/* Is the list fresh and made after key's previous run was cleared? */
static int
tssh_cache_fresh(const struct tssh_ports *c, const char *key)
{
	size_t	 i;

	if (c->at == 0 || now_ms() - c->at > TSSH_PORTS_MS)
		return 0;
	for (i = 0; c->keys != NULL && c->keys[i] != NULL; i++) {
		if (strcmp(c->keys[i], key) == 0)
			return 1;
	}
	return 0;
}

/*
 * Ask host h for its listening ports, killing first what the previous
 * runs of keys left there (they are about to start again).  0, or -1 and
 * *cause.
 */
static int
tssh_ports_fetch(struct ssh_host *h, const struct plan_host *ph,
    char **keys, char **cause)
{
	struct tssh_ports	*c = tssh_cache_get(ph);
	char			**args, *out, *p, *line;
	size_t			 n = strv_len(keys), i;
	int			 rc, port;

	args = xcalloc(n + 2, sizeof *args);
	args[0] = (char *)"ports";
	for (i = 0; i < n; i++)
		args[i + 1] = keys[i];
	rc = ssh_host_run(h, args, TSSH_RUN_MS, &out, cause);
	free(args);
	if (rc == -1)
		return -1;
	if (rc != 0) {
		*cause = xasprintf("%s: cannot list its ports (exit %d): %s",
		    ssh_host_label(h), rc, out);
		free(out);
		return -1;
	}
	c->n = 0;
	for (p = out; (line = strsep(&p, "\n")) != NULL; ) {
		if (parse_int(line, 1, 65535, &port) != 0)
			continue;
		c->ports = xreallocarray(c->ports, c->n + 1, sizeof *c->ports);
		c->ports[c->n++] = port;
	}
	free(out);
	strv_free(c->keys);
	c->keys = xcalloc(n + 1, sizeof *c->keys);
	for (i = 0; i < n; i++)
		c->keys[i] = xstrdup(keys[i]);
	c->at = now_ms();
	return 0;
}

/* Is port in the host's list? */
static int
tssh_port_listed(const struct tssh_ports *c, int port)
{
	size_t	 i;

	for (i = 0; i < c->n; i++) {
		if (c->ports[i] == port)
			return 1;
	}
	return 0;
}

/*
 * Before a spawn: is port free on the node's host?  Asked over the
 * master when the host is up (what the node's previous run left is
 * killed first); before that, 1: the ports are checked once the host is
 * connected, before the node is let go.
 */
static int
tssh_port_free(const struct plan *plan, const struct plan_node *pn, int port,
    char **cause)
{
	struct ssh_host		*h = ssh_host_find(pn->host);
	struct tssh_ports	*c;
	char			*keys[2] = { NULL, NULL };
	int			 rc = 0;

	if (h == NULL || ssh_host_state(h) != SSH_UP)
		return 1;
	keys[0] = ssh_node_key(plan, pn);
	c = tssh_cache_get(pn->host);
	if (!tssh_cache_fresh(c, keys[0]))
		rc = tssh_ports_fetch(h, pn->host, keys, cause);
	free(keys[0]);
	if (rc == -1)
		return -1;
	return !tssh_port_listed(c, port);
}

/* The keys of every node waiting for host h, NULL-terminated. */
static char **
tssh_waiting_keys(const struct ssh_host *h)
{
	struct transport	*t;
	char			**keys;
	size_t			 n = 0;

	for (t = tssh_all; t != NULL; t = t->next)
		n++;
	keys = xcalloc(n + 1, sizeof *keys);
	n = 0;
	for (t = tssh_all; t != NULL; t = t->next) {
		if (t->h == h && t->gate != -1)
			keys[n++] = t->key;
	}
	return keys;
}

/* Check the node's ports on its host now; NULL, or why it cannot run. */
static char *
tssh_check_ports(struct transport *t)
{
	struct tssh_ports	*c = tssh_cache_get(t->pn->host);
	char			**keys, *cause = NULL;
	int			 rc = 0;

	if (!tssh_cache_fresh(c, t->key)) {
		keys = tssh_waiting_keys(t->h);
		rc = tssh_ports_fetch(t->h, t->pn->host, keys, &cause);
		free(keys);
	}
	if (rc == -1)
		return cause;
	if (tssh_port_listed(c, t->pn->http_port))
		return xasprintf("http port %d of node %s is busy on %s",
		    t->pn->http_port, t->pn->name, ssh_host_label(t->h));
	if (tssh_port_listed(c, t->pn->dist_port))
		return xasprintf("dist port %d of node %s is busy on %s",
		    t->pn->dist_port, t->pn->name, ssh_host_label(t->h));
	return NULL;
}

/* Open the gate: "up" lets the client go, anything else ends it (255). */
static void
tssh_gate(struct transport *t, const char *word)
{
	char	*line;

	if (t->gate == -1)
		return;
	line = xasprintf("%s\n", word);
	(void)!write(t->gate, line, strlen(line));
	free(line);
	close(t->gate);
	t->gate = -1;
	unlink(t->gate_path);
}

/* Stop waiting for the node's group id. */
static void
tssh_pid_close(struct transport *t)
{
	if (t->pidfd == -1)
		return;
	loop_del_fd(t->loop, t->pidfd);
	close(t->pidfd);
	t->pidfd = -1;
	strbuf_free(&t->pidbuf);
}

static void	tssh_pid_ask(struct transport *);

/* Ask the host again for the node's group id. */
static void
tssh_pid_again(struct loop *loop, void *arg)
{
	struct transport	*t = arg;

	t->pid_timer = 0;
	tssh_pid_ask(t);
}

/*
 * The host's answer: the node's group id there, once its command runs
 * (the wrapper answers after the exec): show it and say the node runs.
 * No answer (the run has not got that far in the wrapper's time): ask
 * again, while the client runs.
 */
static void
tssh_pid_read(struct loop *loop, int fd, int revents, void *arg)
{
	struct transport	*t = arg;
	char			 b[64];
	ssize_t			 r;
	int			 pid;

	r = read(fd, b, sizeof b);
	if (r == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r > 0 && t->pidbuf.len < 256) {
		strbuf_add(&t->pidbuf, b, r);
		return;
	}
	if (t->pidbuf.len != 0) {
		t->pidbuf.buf[strcspn(t->pidbuf.buf, "\r\n")] = '\0';
		if (parse_int(t->pidbuf.buf, 2, 0x7fffffff, &pid) == 0 &&
		    !t->reaped)
			t->rpid = pid;
	}
	tssh_pid_close(t);
	if (t->reaped)
		return;
	if (t->rpid == 0) {
		t->pid_timer = loop_add_timer(t->loop, now_ms() +
		    TSSH_PID_AGAIN_MS, tssh_pid_again, t);
		return;
	}
	if (t->hooks->changed != NULL)
		t->hooks->changed(t->hooks_arg);
	if (t->hooks->started != NULL)
		t->hooks->started(t->hooks_arg);
}

/* The node was let go: ask its host for its group id (which says that
   it runs). */
static void
tssh_pid_ask(struct transport *t)
{
	char	*args[3] = { (char *)"pid", t->key, NULL };

	if (ssh_host_spawn(t->h, args, &t->pidfd) == -1) {
		t->pidfd = -1;
		return;
	}
	loop_add_fd(t->loop, t->pidfd, POLLIN, tssh_pid_read, t);
}

/* The host's state changed while the node waited at its gate. */
static void
tssh_host_changed(void *arg)
{
	struct transport	*t = arg;

	t->watching = 0;
	switch (ssh_host_state(t->h)) {
	case SSH_UP:
		if ((t->fail = tssh_check_ports(t)) == NULL) {
			tssh_gate(t, "up");
			tssh_pid_ask(t);
			return;
		}
		break;
	case SSH_CONNECTING:
		ssh_host_watch(t->h, tssh_host_changed, t);
		t->watching = 1;
		return;
	default:
		/* A host reached before and not now: the connection is
		   lost (the restart policy applies); never reached: the
		   node failed. */
		t->lost = ssh_host_was_up(t->h);
		if (t->lost)
			t->fail = xasprintf("connection to %s lost: %s",
			    ssh_host_label(t->h), ssh_host_why(t->h));
		else
			t->fail = xasprintf("%s: %s", ssh_host_label(t->h),
			    ssh_host_why(t->h));
		break;
	}
	tssh_gate(t, "fail");
}

/* The local argv: a shell that waits at the gate, then runs ssh. */
static char **
tssh_local_argv(struct transport *t)
{
	char	**run, **ssh, **argv;
	size_t	 n, i;

	run = ssh_run_args(t->plan, t->pn, t->key);
	ssh = ssh_host_argv(t->h, 1, run);
	strv_free(run);
	n = strv_len(ssh);
	argv = xcalloc(n + 5, sizeof *argv);
	argv[0] = xstrdup("/bin/sh");
	argv[1] = xstrdup("-c");
	argv[2] = xstrdup("read -r go <\"$0\" && [ \"$go\" = up ] && "
	    "exec \"$@\"; exit 255");
	argv[3] = xstrdup(t->gate_path);
	for (i = 0; i < n; i++)
		argv[4 + i] = ssh[i];
	free(ssh);
	return argv;
}

static void	tssh_free(struct transport *);

static int
tssh_spawn(const struct transport_spec *ts, struct transport **tp,
    char **cause)
{
	struct transport	*t;
	struct proc_spec	 spec;
	char			**argv;
	int			 rc;

	t = xcalloc(1, sizeof *t);
	t->plan = ts->plan;
	t->pn = ts->node;
	t->guard = ts->guard;
	t->hooks = ts->hooks;
	t->hooks_arg = ts->hooks_arg;
	t->master = t->gate = t->pidfd = -1;
	t->loop = ts->loop;
	t->key = ssh_node_key(ts->plan, ts->node);
	t->h = ssh_host_get(ts->plan, ts->node->host, ts->loop, ts->guard);
	if (ssh_gate(&t->gate_path, &t->gate, cause) == -1) {
		tssh_free(t);
		return -1;
	}
	argv = tssh_local_argv(t);
	memset(&spec, 0, sizeof spec);
	spec.argv = argv;
	spec.rows = ts->rows;
	spec.cols = ts->cols;
	spec.guard = ts->guard;
	rc = proc_spawn(&spec, &t->pid, &t->master, cause);
	strv_free(argv);
	if (rc == -1) {
		tssh_free(t);
		return -1;
	}
	guard_add(t->guard, t->pid);
	t->next = tssh_all;
	tssh_all = t;
	if (ssh_host_state(t->h) == SSH_UP)
		tssh_host_changed(t);
	else {
		ssh_host_watch(t->h, tssh_host_changed, t);
		t->watching = 1;
		ssh_host_connect(t->h);
	}
	*tp = t;
	return 0;
}

static int
tssh_fd(struct transport *t)
{
	return t->master;
}

/* The node's group on its host, once it has said; the local client's
   until then, as front ends take a pid of 0 for a node not running. */
static pid_t
tssh_pid(struct transport *t)
{
	if (t->reaped)
		return 0;
	return t->rpid != 0 ? t->rpid : t->pid;
}

static int
tssh_resize(struct transport *t, int rows, int cols)
{
	if (t->master == -1) {
		errno = EIO;
		return -1;
	}
	/* The client passes the change on to the remote pty. */
	return proc_set_winsize(t->master, rows, cols);
}

/*
 * Signal the node's group on its host, over the master.  Before the node
 * ran, the gate ends it instead.  SIGKILL also ends the local client, so
 * that the node ends here even if the host cannot be told; the call to
 * the host is waited for before its master goes (ssh_host_put).
 */
static int
tssh_signal(struct transport *t, int sig)
{
	char	 b[16], *args[4];

	if (t->reaped) {
		errno = ESRCH;
		return -1;
	}
	if (t->gate != -1) {
		t->cancel = sig;
		tssh_gate(t, "stop");
		return 0;
	}
	args[0] = (char *)"signal";
	args[1] = t->key;
	args[2] = (char *)proc_signame(sig, b, sizeof b);
	args[3] = NULL;
	if (ssh_host_state(t->h) == SSH_UP)
		ssh_host_spawn(t->h, args, NULL);
	if (sig == SIGKILL || ssh_host_state(t->h) != SSH_UP) {
		t->killed = 1;
		proc_kill_group(t->pid, SIGKILL);
	}
	return 0;
}

/* How a client that exited with status st ended the node. */
static void
tssh_end(struct transport *t, int st, struct transport_end *end,
    char **reason)
{
	int	 code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	char	 b[16];

	*reason = NULL;
	memset(end, 0, sizeof *end);
	if (t->fail != NULL) {
		end->kind = t->lost ? TRANSPORT_LOST : TRANSPORT_FAILED;
		*reason = xstrdup(t->fail);
	} else if (t->cancel != 0 || (t->killed && code == -1)) {
		end->kind = TRANSPORT_KILLED;
		end->sig = t->cancel != 0 ? t->cancel : SIGKILL;
	} else if (code == -1) {
		end->kind = TRANSPORT_LOST;
		*reason = xasprintf("its ssh client was killed by SIG%s",
		    proc_signame(WTERMSIG(st), b, sizeof b));
	} else if (code == 255) {
		end->kind = TRANSPORT_LOST;
		if (ssh_host_gone(t->h))
			*reason = xasprintf("connection to %s lost: %s",
			    ssh_host_label(t->h), ssh_host_why(t->h));
		else
			*reason = xasprintf("its ssh session to %s failed "
			    "(exit 255)", ssh_host_label(t->h));
	} else if (code == 125) {
		end->kind = TRANSPORT_FAILED;
		*reason = xasprintf("the wrapper on %s could not start it "
		    "(see its output)", ssh_host_label(t->h));
	} else if (code > 128 && code <= 128 + TSSH_KILLED_MAX) {
		end->kind = TRANSPORT_KILLED;
		end->sig = code - 128;
	} else {
		end->kind = TRANSPORT_EXITED;
		end->status = code;
	}
	end->reason = *reason;
}

/* Is the client's status in?  Then say how the node ended (last: the
   hook may free t). */
static void
tssh_sigchld(struct transport *t)
{
	struct transport_end	 end;
	char			*reason;
	pid_t			 r;
	int			 st;

	ssh_reap();
	if (t->reaped)
		return;
	r = waitpid(t->pid, &st, WNOHANG);
	if (r == 0 || (r == -1 && errno == EINTR))
		return;
	if (r == -1)
		st = 255 << 8;	/* collected elsewhere: say lost */
	t->reaped = 1;
	guard_del(t->guard, t->pid);
	tssh_end(t, st, &end, &reason);
	t->hooks->ended(t->hooks_arg, &end);
	free(reason);
}

static void
tssh_close_fd(struct transport *t)
{
	if (t->master != -1)
		close(t->master);
	t->master = -1;
}

/* Forget t in the list of transports. */
static void
tssh_unlink(struct transport *t)
{
	struct transport	**pp;

	for (pp = &tssh_all; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == t) {
			*pp = t->next;
			return;
		}
	}
}

/* Nothing of the node outlives it: on its host the group is killed (a
   round trip at most), here the client. */
static void
tssh_free(struct transport *t)
{
	char	*args[4];

	if (t == NULL)
		return;
	tssh_unlink(t);
	tssh_pid_close(t);
	loop_cancel_timer(t->loop, t->pid_timer);
	if (t->watching)
		ssh_host_unwatch(t->h, t);
	if (t->pid != 0 && !t->reaped) {
		if (t->gate == -1) {
			args[0] = (char *)"signal";
			args[1] = t->key;
			args[2] = (char *)"KILL";
			args[3] = NULL;
			ssh_host_spawn(t->h, args, NULL);
		}
		proc_kill_group(t->pid, SIGKILL);
		while (waitpid(t->pid, NULL, 0) == -1 && errno == EINTR)
			continue;
		guard_del(t->guard, t->pid);
	}
	tssh_gate(t, "stop");
	tssh_close_fd(t);
	ssh_host_put(t->h);
	free(t->gate_path);
	free(t->key);
	free(t->fail);
	free(t);
}

const struct transport_ops transport_ssh = {
	.name = "ssh",
	.match = tssh_match,
	.port_free = tssh_port_free,
	.spawn = tssh_spawn,
	.fd = tssh_fd,
	.pid = tssh_pid,
	.resize = tssh_resize,
	.signal = tssh_signal,
	.sigchld = tssh_sigchld,
	.close_fd = tssh_close_fd,
	.free = tssh_free,
};
