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
	int				 gate_held; /* the gate once written,
						   until the client ends */
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
   previous runs that call cleared away first; and the call in the
   background for the nodes waiting for such a list (struct tssh_prep). */
struct tssh_ports {
	const struct plan_host	*ph;
	int64_t			 at;
	int			*ports;
	size_t			 n;
	char			**keys;
	struct ssh_host		*h;	/* while nodes wait (they hold it) */
	struct loop		*loop;
	int			 watching; /* the host's next change */
	int			 fetch_fd; /* the call's output, or -1 */
	struct strbuf		 fetch_buf;
	char			**fetch_keys;
	uint64_t		 later;	/* done is due, from the loop */
	struct tssh_ports	*next;
};

/* A node waiting for its host's port list (ports_prepare). */
struct tssh_prep {
	struct tssh_ports	*c;
	struct ssh_host		*h;	/* a reference */
	char			*key;
	void			(*done)(void *);
	void			*arg;
	struct tssh_prep	*next;
};

static struct transport		*tssh_all;
static struct tssh_ports	*tssh_cache;
static struct tssh_prep		*tssh_preps;

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
	c->fetch_fd = -1;
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
 * Take the wrapper's answer to "ports KEY...": one port a line, then
 * "end".  0 (the list is c's now, made after keys' previous runs were
 * cleared), or -1 when the answer is cut short.
 */
static int
tssh_ports_parse(struct tssh_ports *c, char *out, char **keys)
{
	char	*p, *line;
	size_t	 n = strv_len(keys), i;
	int	 port, end = 0;

	c->n = 0;
	for (p = out; (line = strsep(&p, "\n")) != NULL; ) {
		if (strcmp(line, "end") == 0)
			end = 1;
		if (parse_int(line, 1, 65535, &port) != 0)
			continue;
		c->ports = xreallocarray(c->ports, c->n + 1, sizeof *c->ports);
		c->ports[c->n++] = port;
	}
	strv_free(c->keys);
	c->keys = NULL;
	c->at = 0;
	if (!end)
		return -1;
	c->keys = xcalloc(n + 1, sizeof *c->keys);
	for (i = 0; i < n; i++)
		c->keys[i] = xstrdup(keys[i]);
	c->at = now_ms();
	return 0;
}

/*
 * Ask host h for its listening ports, killing first what the previous
 * runs of keys left there (they are about to start again).  0, or -1 and
 * *cause.  Blocks for a round trip: only when ports_prepare could not
 * make the list in the background.
 */
static int
tssh_ports_fetch(struct ssh_host *h, const struct plan_host *ph,
    char **keys, char **cause)
{
	struct tssh_ports	*c = tssh_cache_get(ph);
	char			**args, *out;
	size_t			 n = strv_len(keys), i;
	int			 rc;

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
	rc = tssh_ports_parse(c, out, keys);
	free(out);
	if (rc == -1) {
		*cause = xasprintf("%s: its list of ports was cut short",
		    ssh_host_label(h));
		return -1;
	}
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
 * Before a spawn: is port free on the node's host?  From the list
 * ports_prepare fetched in the background when it is fresh; else asked
 * over the master if the host is up (what the node's previous run left
 * is killed first); else 1: the ports are checked once the host is
 * connected, before the node is let go.
 */
static int
tssh_port_free(const struct plan *plan, const struct plan_node *pn, int port,
    char **cause)
{
	struct ssh_host		*h = ssh_host_find(pn->host);
	struct tssh_ports	*c = tssh_cache_get(pn->host);
	char			*keys[2] = { NULL, NULL };
	int			 rc = 0, fresh;

	keys[0] = ssh_node_key(plan, pn);
	fresh = tssh_cache_fresh(c, keys[0]);
	if (!fresh && (h == NULL || ssh_host_state(h) != SSH_UP)) {
		free(keys[0]);
		return 1;
	}
	if (!fresh)
		rc = tssh_ports_fetch(h, pn->host, keys, cause);
	free(keys[0]);
	if (rc == -1)
		return -1;
	return !tssh_port_listed(c, port);
}

/* "http port 8080 of node n1@10.0.0.2 is busy on h1 (root@10.0.0.2)". */
static char *
tssh_port_busy(const struct plan *plan, const struct plan_node *pn, int port,
    const char *role)
{
	struct ssh_host	*h = ssh_host_find(pn->host);

	return xasprintf("%s port %d of node %s is busy on %s", role, port,
	    pn->name, h != NULL ? ssh_host_label(h) : pn->host->name);
}

static void	tssh_prep_go(struct tssh_ports *, int);

/* Is a node waiting for c's list? */
static int
tssh_prep_any(const struct tssh_ports *c)
{
	struct tssh_prep	*p;

	for (p = tssh_preps; p != NULL; p = p->next) {
		if (p->c == c)
			return 1;
	}
	return 0;
}

/* Forget prep p (its host reference too, after done if due). */
static void
tssh_prep_end(struct tssh_prep *p, int call)
{
	struct tssh_prep	**pp;
	struct ssh_host		*h = p->h;
	void			(*done)(void *) = p->done;
	void			*arg = p->arg;

	for (pp = &tssh_preps; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	free(p->key);
	free(p);
	/* The spawn that done leads to takes its own reference first, so
	   the master is not stopped in between. */
	if (call)
		done(arg);
	ssh_host_put(h);
}

/* No node waits for c's list any more: stop what went on for them. */
static void
tssh_prep_idle(struct tssh_ports *c)
{
	if (tssh_prep_any(c))
		return;
	if (c->watching)
		ssh_host_unwatch(c->h, c);
	c->watching = 0;
	loop_cancel_timer(c->loop, c->later);
	c->later = 0;
	if (c->fetch_fd != -1) {
		loop_del_fd(c->loop, c->fetch_fd);
		close(c->fetch_fd);
		c->fetch_fd = -1;
	}
	strbuf_free(&c->fetch_buf);
	strv_free(c->fetch_keys);
	c->fetch_keys = NULL;
	c->h = NULL;
}

/*
 * Tell the nodes waiting for c's list: all of them, or (fresh) those it
 * was made for.  One at a time, from the list as it is after each call
 * (a done may start or call off others).
 */
static void
tssh_prep_finish(struct tssh_ports *c, int fresh)
{
	struct tssh_prep	*p;

again:
	for (p = tssh_preps; p != NULL; p = p->next) {
		if (p->c == c && (!fresh || tssh_cache_fresh(c, p->key))) {
			tssh_prep_end(p, 1);
			goto again;
		}
	}
}

/* The host could not be reached: done is due, from the loop. */
static void
tssh_prep_later(struct loop *loop, void *arg)
{
	struct tssh_ports	*c = arg;

	c->later = 0;
	tssh_prep_finish(c, 0);
	tssh_prep_idle(c);
}

/* The answer of "ports KEY..." in the background. */
static void
tssh_prep_read(struct loop *loop, int fd, int revents, void *arg)
{
	struct tssh_ports	*c = arg;
	char			 b[4096], **keys;
	ssize_t			 r;
	int			 rc;

	r = read(fd, b, sizeof b);
	if (r == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r > 0 && c->fetch_buf.len < 1024 * 1024) {
		strbuf_add(&c->fetch_buf, b, r);
		return;
	}
	loop_del_fd(c->loop, c->fetch_fd);
	close(c->fetch_fd);
	c->fetch_fd = -1;
	strbuf_add(&c->fetch_buf, "", 0);	/* terminated */
	keys = c->fetch_keys;
	c->fetch_keys = NULL;
	rc = tssh_ports_parse(c, c->fetch_buf.buf != NULL ?
	    c->fetch_buf.buf : (char *)"", keys);
	strv_free(keys);
	strbuf_free(&c->fetch_buf);
	/* Cut short: the spawn asks again, or the gate's check fails it. */
	tssh_prep_finish(c, rc == 0);
	if (rc == 0 && tssh_prep_any(c))
		tssh_prep_go(c, 0);	/* nodes that came meanwhile */
	tssh_prep_idle(c);
}

/* Ask c's host for its ports in the background, for every node waiting. */
static void
tssh_prep_fetch(struct tssh_ports *c)
{
	struct tssh_prep	*p;
	char			**args;
	size_t			 n = 0;

	for (p = tssh_preps; p != NULL; p = p->next)
		n++;
	args = xcalloc(n + 2, sizeof *args);
	c->fetch_keys = xcalloc(n + 1, sizeof *c->fetch_keys);
	args[0] = (char *)"ports";
	n = 0;
	for (p = tssh_preps; p != NULL; p = p->next) {
		if (p->c == c) {
			c->fetch_keys[n] = xstrdup(p->key);
			args[++n] = p->key;
		}
	}
	if (ssh_host_spawn(c->h, args, &c->fetch_fd) == -1) {
		c->fetch_fd = -1;
		strv_free(c->fetch_keys);
		c->fetch_keys = NULL;
		if (c->later == 0)
			c->later = loop_add_timer(c->loop, now_ms(),
			    tssh_prep_later, c);
	} else
		loop_add_fd(c->loop, c->fetch_fd, POLLIN, tssh_prep_read, c);
	free(args);
}

/* c's host changed state while nodes waited for its list. */
static void
tssh_prep_host(void *arg)
{
	struct tssh_ports	*c = arg;

	c->watching = 0;
	if (!tssh_prep_any(c))
		return;
	tssh_prep_go(c, 0);
	tssh_prep_idle(c);
}

/*
 * Get c's list for the nodes waiting: fetch it when the host is up (one
 * call at a time), wait while it connects, connect it (first: when
 * first is set, only then), or give up and let the spawn report the
 * failure.  Never calls done itself.
 */
static void
tssh_prep_go(struct tssh_ports *c, int first)
{
	enum ssh_state	 st = ssh_host_state(c->h);

	if (st != SSH_UP && st != SSH_CONNECTING && first) {
		ssh_host_connect(c->h);
		st = ssh_host_state(c->h);
	}
	switch (st) {
	case SSH_UP:
		if (c->fetch_fd == -1)
			tssh_prep_fetch(c);
		break;
	case SSH_CONNECTING:
		if (!c->watching) {
			ssh_host_watch(c->h, tssh_prep_host, c);
			c->watching = 1;
		}
		break;
	default:
		if (c->later == 0)
			c->later = loop_add_timer(c->loop, now_ms(),
			    tssh_prep_later, c);
		break;
	}
}

/*
 * Before the node's ports are probed: make its host's port list (the
 * previous run of the node cleared first) without blocking the loop.
 * 0 when the list is fresh, else 1 and done(arg) later.
 */
static int
tssh_ports_prepare(const struct transport_spec *ts, void (*done)(void *),
    void *arg)
{
	struct tssh_ports	*c = tssh_cache_get(ts->node->host);
	struct tssh_prep	*p;
	char			*key;

	key = ssh_node_key(ts->plan, ts->node);
	if (tssh_cache_fresh(c, key)) {
		free(key);
		return 0;
	}
	p = xcalloc(1, sizeof *p);
	p->c = c;
	p->h = ssh_host_get(ts->plan, ts->node->host, ts->loop, ts->guard);
	p->key = key;
	p->done = done;
	p->arg = arg;
	p->next = tssh_preps;
	tssh_preps = p;
	c->h = p->h;
	c->loop = ts->loop;
	tssh_prep_go(c, 1);
	return 1;
}

/* The node no longer waits for its host's list. */
static void
tssh_ports_cancel(void *arg)
{
	struct tssh_prep	*p;
	struct tssh_ports	*c;

	for (p = tssh_preps; p != NULL; p = p->next) {
		if (p->arg == arg) {
			c = p->c;
			tssh_prep_end(p, 0);
			tssh_prep_idle(c);
			return;
		}
	}
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

/*
 * Open the gate: "up" lets the client go, anything else ends it (255).
 * The word stays in the fifo only while it is open somewhere, and the
 * client may not have opened it yet (the gate can open at once): it is
 * held until the client ends.
 */
static void
tssh_gate(struct transport *t, const char *word)
{
	char	*line;

	if (t->gate == -1)
		return;
	line = xasprintf("%s\n", word);
	(void)!write(t->gate, line, strlen(line));
	free(line);
	t->gate_held = t->gate;
	t->gate = -1;
}

/* The client has ended: the gate goes. */
static void
tssh_gate_release(struct transport *t)
{
	if (t->gate_held != -1)
		close(t->gate_held);
	t->gate_held = -1;
	if (t->gate_path != NULL)
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
	t->master = t->gate = t->gate_held = t->pidfd = -1;
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
	/* Failed: ports_prepare has just tried to connect it. */
	if (ssh_host_state(t->h) == SSH_UP ||
	    ssh_host_state(t->h) == SSH_FAILED)
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
	tssh_gate_release(t);
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
	tssh_gate_release(t);
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
	.ports_prepare = tssh_ports_prepare,
	.ports_cancel = tssh_ports_cancel,
	.port_free = tssh_port_free,
	.port_busy = tssh_port_busy,
	.spawn = tssh_spawn,
	.fd = tssh_fd,
	.pid = tssh_pid,
	.resize = tssh_resize,
	.signal = tssh_signal,
	.sigchld = tssh_sigchld,
	.close_fd = tssh_close_fd,
	.free = tssh_free,
};
