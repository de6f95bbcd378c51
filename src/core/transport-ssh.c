/*
 * The ssh transport: a node on another machine runs under the remote
 * wrapper (ssh-wrap.sh) in a remote pty (ssh -tt) over its host's master
 * connection (ssh.c).  Locally the node is that ssh client in a pty of
 * its own, so its output takes the same path as a local node's.  Nothing
 * waits for the network: before a spawn, the node's ports are probed on
 * its host from one list of the host's ports per start wave, fetched in
 * the background once its master is up (the node waits meanwhile, as
 * port_free says TRANSPORT_PORT_LATER); a client spawned before its host
 * is connected waits behind a gate (a fifo) until it is, or fails with
 * ssh's own words.
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

#define TSSH_KILLED_MAX	64	/* exit 128+N from the wrapper: signal N */
#define TSSH_PID_AGAIN_MS 200	/* no group id yet: ask again after */

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
	int				 gate;	/* the gate's fd, -1 once open
						   (or when there is none) */
	int				 gate_held; /* once open, until the
						   client ends */
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
	int				 pid_wait; /* for rpid, in tssh_pidw */
	int				 pid_in; /* asked in the call in flight */
	struct transport		*pid_next;
};

/*
 * The nodes of a host that wait for their group id ("started") share one
 * "pids" call: the wrapper answers for each node as soon as its command
 * runs, and gives up on the rest after a second; those still running are
 * asked again.  A host costs one call, not one per node (a login each).
 */
struct tssh_pids {
	struct ssh_host		*h;	/* a reference */
	struct loop		*loop;
	int			 fd;	/* the call's answer, or -1 */
	pid_t			 pid;	/* its client */
	struct strbuf		 buf;	/* a partial line of it */
	uint64_t		 timer;	/* the next call */
	struct tssh_pids	*next;
};

/* The TCP ports listening on a host, from one "ports" call, shared by
   the nodes it was made for. */
struct tssh_list {
	int	 refs;
	int	*ports;
	size_t	 n;
};

/* Where a node's port probes stand. */
enum tssh_wstate {
	TSSH_NEW,	/* its host connects, or its list is still to ask */
	TSSH_ASKED,	/* in its host's "ports" call in flight */
	TSSH_LISTED,	/* the list is in: port_free answers from it */
	TSSH_DOWN,	/* its host could not be reached: spawn says so */
	TSSH_ERR,	/* its host could not list its ports: why */
};

/*
 * A node whose ports are probed on its host, from its first port_free
 * to its spawn or port_cancel.  Once its host's master is up, one
 * "ports" call lists the host's ports for every node of the host waiting
 * then (what their previous runs left there killed first), in the
 * background; each node is told from the loop (hooks->ports) and asks
 * again.
 */
struct tssh_wait {
	void				*arg;	/* hooks_arg: the node */
	const struct transport_hooks	*hooks;
	struct loop			*loop;
	struct ssh_host			*h;	/* a reference */
	char				*key;	/* its pid file on the host */
	enum tssh_wstate		 state;
	struct tssh_list		*list;	/* TSSH_LISTED */
	char				*why;	/* TSSH_ERR */
	int				 watching; /* the host's next change */
	uint64_t			 due;	/* hooks->ports, from the loop */
	struct tssh_wait		*next;
};

/* A "ports" call in flight to a host, its answer read in the loop. */
struct tssh_fetch {
	struct ssh_host		*h;
	struct loop		*loop;
	int			 fd;
	struct strbuf		 buf;
	struct tssh_fetch	*next;
};

static struct tssh_wait		*tssh_waits;
static struct tssh_fetch	*tssh_fetches;

/* Nodes whose host is another machine. */
static int
tssh_match(const struct plan *plan, const struct plan_node *pn)
{
	return plan_node_remote(pn);
}

static void
tssh_list_put(struct tssh_list *l)
{
	if (l == NULL || --l->refs > 0)
		return;
	free(l->ports);
	free(l);
}

/*
 * The wrapper's answer to "ports KEY...": a port a line, then "end".
 * The list (one reference), or NULL when the answer was cut short.
 */
static struct tssh_list *
tssh_list_parse(char *out)
{
	struct tssh_list	*l;
	char			*p, *line;
	int			 port, end = 0;

	l = xcalloc(1, sizeof *l);
	l->refs = 1;
	for (p = out; (line = strsep(&p, "\n")) != NULL; ) {
		if (strcmp(line, "end") == 0)
			end = 1;
		if (parse_int(line, 1, 65535, &port) != 0)
			continue;
		l->ports = xreallocarray(l->ports, l->n + 1, sizeof *l->ports);
		l->ports[l->n++] = port;
	}
	if (!end) {
		tssh_list_put(l);
		return NULL;
	}
	return l;
}

/* Is port in the host's list? */
static int
tssh_listed(const struct tssh_list *l, int port)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		if (l->ports[i] == port)
			return 1;
	}
	return 0;
}

/* The node arg's probes, or NULL. */
static struct tssh_wait *
tssh_wait_find(void *arg)
{
	struct tssh_wait	*w;

	for (w = tssh_waits; w != NULL; w = w->next) {
		if (w->arg == arg)
			return w;
	}
	return NULL;
}

/* Is a node waiting on host h (in state st, or any when st is -1)? */
static int
tssh_wait_any(const struct ssh_host *h, int st)
{
	struct tssh_wait	*w;

	for (w = tssh_waits; w != NULL; w = w->next) {
		if (w->h == h && (st == -1 || (int)w->state == st))
			return 1;
	}
	return 0;
}

/* Its answer is in: the node asks again. */
static void
tssh_wait_due(struct loop *loop, void *arg)
{
	struct tssh_wait	*w = arg;

	w->due = 0;
	w->hooks->ports(w->arg);	/* last: may free w */
}

/* The node's probes can be answered now (state st): tell it, from the
   loop. */
static void
tssh_wait_done(struct tssh_wait *w, enum tssh_wstate st)
{
	w->state = st;
	if (w->watching)
		ssh_host_unwatch(w->h, w);
	w->watching = 0;
	if (w->due == 0)
		w->due = loop_add_timer(w->loop, now_ms(), tssh_wait_due, w);
}

static struct tssh_fetch *
tssh_fetch_find(const struct ssh_host *h)
{
	struct tssh_fetch	*f;

	for (f = tssh_fetches; f != NULL; f = f->next) {
		if (f->h == h)
			return f;
	}
	return NULL;
}

static void
tssh_fetch_free(struct tssh_fetch *f)
{
	struct tssh_fetch	**fp;

	for (fp = &tssh_fetches; *fp != NULL; fp = &(*fp)->next) {
		if (*fp == f) {
			*fp = f->next;
			break;
		}
	}
	loop_del_fd(f->loop, f->fd);
	close(f->fd);
	strbuf_free(&f->buf);
	free(f);
}

static void	tssh_wait_go(struct tssh_wait *, int);

/*
 * The answer of a "ports" call: the list for every node it was asked
 * for; cut short, the host is gone (the nodes' spawns say so) or could
 * not list them (their probes fail, saying why).  Then a call for the
 * nodes that came meanwhile.
 */
static void
tssh_fetch_read(struct loop *loop, int fd, int revents, void *arg)
{
	struct tssh_fetch	*f = arg;
	struct ssh_host		*h = f->h;
	struct tssh_list	*l;
	struct tssh_wait	*w;
	char			 b[4096], *why;
	ssize_t			 r;
	int			 gone;

	r = read(fd, b, sizeof b);
	if (r == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r > 0 && f->buf.len < 1024 * 1024) {
		strbuf_add(&f->buf, b, r);
		return;
	}
	if (r > 0)
		return;		/* too much to be a list: read to EOF */
	strbuf_add(&f->buf, "", 0);
	l = tssh_list_parse(f->buf.buf != NULL ? f->buf.buf : (char *)"");
	gone = l == NULL && ssh_host_gone(h);
	why = NULL;
	if (l == NULL && !gone) {
		why = xasprintf("%s: cannot list its ports: %.200s",
		    ssh_host_label(h), f->buf.len != 0 ? f->buf.buf :
		    "no answer");
		why[strcspn(why, "\r\n")] = '\0';
	}
	tssh_fetch_free(f);
	ssh_reap();
	for (w = tssh_waits; w != NULL; w = w->next) {
		if (w->h != h || w->state != TSSH_ASKED)
			continue;
		if (l != NULL) {
			w->list = l;
			l->refs++;
			tssh_wait_done(w, TSSH_LISTED);
		} else if (gone)
			tssh_wait_done(w, TSSH_DOWN);
		else {
			w->why = xstrdup(why);
			tssh_wait_done(w, TSSH_ERR);
		}
	}
	tssh_list_put(l);
	free(why);
	for (w = tssh_waits; w != NULL; w = w->next) {
		if (w->h == h && w->state == TSSH_NEW)
			tssh_wait_go(w, 0);
	}
}

/*
 * Ask host h (up) for its ports, once for every node of it waiting
 * (their keys: what their previous runs left is killed first, they are
 * about to start again); one call at a time, the nodes that come
 * meanwhile wait for the next.
 */
static void
tssh_fetch_start(struct ssh_host *h, struct loop *loop)
{
	struct tssh_fetch	*f;
	struct tssh_wait	*w;
	char			**args, *why;
	size_t			 n = 0;
	int			 fd;

	if (tssh_fetch_find(h) != NULL)
		return;
	for (w = tssh_waits; w != NULL; w = w->next)
		n++;
	args = xcalloc(n + 2, sizeof *args);
	n = 0;
	args[n++] = (char *)"ports";
	for (w = tssh_waits; w != NULL; w = w->next) {
		if (w->h == h && w->state == TSSH_NEW)
			args[n++] = w->key;
	}
	if (ssh_host_spawn(h, args, &fd) == -1) {
		why = xasprintf("%s: cannot list its ports: %s",
		    ssh_host_label(h), strerror(errno));
		for (w = tssh_waits; w != NULL; w = w->next) {
			if (w->h == h && w->state == TSSH_NEW) {
				w->why = xstrdup(why);
				tssh_wait_done(w, TSSH_ERR);
			}
		}
		free(why);
		free(args);
		return;
	}
	free(args);
	f = xcalloc(1, sizeof *f);
	f->h = h;
	f->loop = loop;
	f->fd = fd;
	f->next = tssh_fetches;
	tssh_fetches = f;
	loop_add_fd(loop, fd, POLLIN, tssh_fetch_read, f);
	for (w = tssh_waits; w != NULL; w = w->next) {
		if (w->h == h && w->state == TSSH_NEW)
			w->state = TSSH_ASKED;
	}
}

/* The host's state changed while the node waited. */
static void
tssh_wait_host(void *arg)
{
	struct tssh_wait	*w = arg;

	w->watching = 0;
	tssh_wait_go(w, 0);
}

/*
 * Get the node its host's list: asked once the host is up, waited for
 * while it connects; a host down is connected (first: at the node's
 * first probe, only then: one attempt per start), else the node's spawn
 * says why it cannot be reached.
 */
static void
tssh_wait_go(struct tssh_wait *w, int first)
{
	if (w->state != TSSH_NEW)
		return;
	if (first && (ssh_host_state(w->h) == SSH_DOWN ||
	    ssh_host_state(w->h) == SSH_FAILED))
		ssh_host_connect(w->h);
	switch (ssh_host_state(w->h)) {
	case SSH_UP:
		tssh_fetch_start(w->h, w->loop);
		break;
	case SSH_CONNECTING:
		if (!w->watching)
			ssh_host_watch(w->h, tssh_wait_host, w);
		w->watching = 1;
		break;
	default:
		tssh_wait_done(w, TSSH_DOWN);
		break;
	}
}

/* Forget the node's probes (a call in flight goes when no node of its
   host waits any more). */
static void
tssh_wait_free(struct tssh_wait *w)
{
	struct tssh_wait	**wp;
	struct tssh_fetch	*f;

	if (w == NULL)
		return;
	for (wp = &tssh_waits; *wp != NULL; wp = &(*wp)->next) {
		if (*wp == w) {
			*wp = w->next;
			break;
		}
	}
	if (w->watching)
		ssh_host_unwatch(w->h, w);
	loop_cancel_timer(w->loop, w->due);
	if (!tssh_wait_any(w->h, -1) && (f = tssh_fetch_find(w->h)) != NULL)
		tssh_fetch_free(f);
	tssh_list_put(w->list);
	ssh_host_put(w->h);
	free(w->key);
	free(w->why);
	free(w);
}

/*
 * Before a spawn: is port free on the node's host?  From the list of
 * its host's ports, fetched in the background (TRANSPORT_PORT_LATER
 * until then); 1 when the host could not be reached: the spawn says so.
 */
static int
tssh_port_free(const struct transport_spec *ts, int port, char **cause)
{
	struct tssh_wait	*w;

	if ((w = tssh_wait_find(ts->hooks_arg)) == NULL) {
		w = xcalloc(1, sizeof *w);
		w->arg = ts->hooks_arg;
		w->hooks = ts->hooks;
		w->loop = ts->loop;
		w->h = ssh_host_get(ts->plan, ts->node->host, ts->loop,
		    ts->guard);
		w->key = ssh_node_key(ts->plan, ts->node);
		w->next = tssh_waits;
		tssh_waits = w;
		tssh_wait_go(w, 1);
	}
	switch (w->state) {
	case TSSH_LISTED:
		return !tssh_listed(w->list, port);
	case TSSH_DOWN:
		break;
	case TSSH_ERR:
		*cause = xstrdup(w->why);
		return -1;
	default:
		return TRANSPORT_PORT_LATER;
	}
	/* Known now, inside this call: nothing is due. */
	loop_cancel_timer(w->loop, w->due);
	w->due = 0;
	return 1;
}

/* The node will not be spawned: forget its probes. */
static void
tssh_port_cancel(void *arg)
{
	tssh_wait_free(tssh_wait_find(arg));
}

/* "http port 8080 of node n1@10.0.0.2 is busy on h1 (root@10.0.0.2)". */
static char *
tssh_port_busy(const struct transport_spec *ts, int port, const char *role)
{
	const struct plan_host	*ph = ts->node->host;

	return xasprintf("%s port %d of node %s is busy on %s (%s)", role,
	    port, ts->node->name, ph->name, ph->ssh);
}

/*
 * Open the gate: "up" lets the client go, anything else ends it (255).
 * The word stays in the fifo only while it is open somewhere, and the
 * client may not have opened it yet: it is held until the client ends.
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

static struct tssh_pids	*tssh_pidqs;
static struct transport	*tssh_pidw;	/* waiting for their group id */

static struct tssh_pids *
tssh_pids_find(const struct ssh_host *h)
{
	struct tssh_pids	*q;

	for (q = tssh_pidqs; q != NULL; q = q->next) {
		if (q->h == h)
			return q;
	}
	return NULL;
}

/* Does any node of h wait for its group id (one not in the last call,
   with in)? */
static int
tssh_pids_waiting(const struct ssh_host *h, int in)
{
	struct transport	*t;

	for (t = tssh_pidw; t != NULL; t = t->pid_next) {
		if (t->h == h && (in || !t->pid_in))
			return 1;
	}
	return 0;
}

static void
tssh_pids_free(struct tssh_pids *q)
{
	struct tssh_pids	**pp;

	for (pp = &tssh_pidqs; *pp != q; pp = &(*pp)->next)
		continue;
	*pp = q->next;
	if (q->fd != -1) {
		ssh_call_cancel(q->pid);
		loop_del_fd(q->loop, q->fd);
		close(q->fd);
	}
	loop_cancel_timer(q->loop, q->timer);
	strbuf_free(&q->buf);
	ssh_host_put(q->h);
	free(q);
}

/* Node t no longer waits for its group id (it has it, or has ended). */
static void
tssh_pid_close(struct transport *t)
{
	struct transport	**pp;
	struct tssh_pids	 *q;

	if (!t->pid_wait)
		return;
	for (pp = &tssh_pidw; *pp != t; pp = &(*pp)->pid_next)
		continue;
	*pp = t->pid_next;
	t->pid_wait = t->pid_in = 0;
	if ((q = tssh_pids_find(t->h)) == NULL || tssh_pids_waiting(t->h, 1))
		return;
	/* No node of the host waits: a call in flight is not wanted (it
	   goes at its EOF), a call to come is not made. */
	if (q->fd != -1)
		ssh_call_cancel(q->pid);
	else
		tssh_pids_free(q);
}

static void	tssh_pids_read(struct loop *, int, int, void *);

/* Ask h for the group ids of every node of it that waits. */
static void
tssh_pids_call(struct tssh_pids *q)
{
	struct transport	*t;
	char			**args;
	size_t			 n = 0;

	for (t = tssh_pidw; t != NULL; t = t->pid_next)
		n += t->h == q->h;
	if (n == 0) {
		tssh_pids_free(q);
		return;
	}
	args = xcalloc(n + 2, sizeof *args);
	n = 0;
	args[n++] = (char *)"pids";
	for (t = tssh_pidw; t != NULL; t = t->pid_next) {
		if (t->h == q->h) {
			args[n++] = t->key;
			t->pid_in = 1;
		}
	}
	q->pid = ssh_host_spawn(q->h, args, &q->fd);
	free(args);
	if (q->pid == -1) {
		/* The host is not up: the clients' ends will say so.
		   Nothing is asked for them meanwhile. */
		q->fd = -1;
		return;
	}
	loop_add_fd(q->loop, q->fd, POLLIN, tssh_pids_read, q);
}

static void
tssh_pids_timer(struct loop *loop, void *arg)
{
	struct tssh_pids	*q = arg;

	q->timer = 0;
	tssh_pids_call(q);
}

/* "KEY GROUP" from h: that node runs. */
static void
tssh_pids_line(struct tssh_pids *q, char *line)
{
	struct transport	*t;
	char			*sp;
	int			 pid;

	if ((sp = strchr(line, ' ')) == NULL)
		return;
	*sp++ = '\0';
	sp[strcspn(sp, "\r")] = '\0';
	if (parse_int(sp, 2, 0x7fffffff, &pid) != 0)
		return;
	for (t = tssh_pidw; t != NULL; t = t->pid_next) {
		if (t->h == q->h && strcmp(t->key, line) == 0)
			break;
	}
	if (t == NULL || t->reaped)
		return;
	t->rpid = pid;
	tssh_pid_close(t);
	if (t->hooks->changed != NULL)
		t->hooks->changed(t->hooks_arg);
	if (t->hooks->started != NULL)
		t->hooks->started(t->hooks_arg);
}

/*
 * The answers, a line a node; at EOF the nodes of h still waiting are
 * asked again: at once those that were not in this call, else after
 * TSSH_PID_AGAIN_MS.  The hooks called may free transports, never q
 * while its call is in flight.
 */
static void
tssh_pids_read(struct loop *loop, int fd, int revents, void *arg)
{
	struct tssh_pids	*q = arg;
	char			 b[512], *nl, *line;
	ssize_t			 r;

	r = read(fd, b, sizeof b);
	if (r == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r > 0) {
		if (q->buf.len + r > 4096)
			q->buf.len = 0;		/* not the wrapper's words */
		strbuf_add(&q->buf, b, r);
		while ((nl = memchr(q->buf.buf, '\n', q->buf.len)) != NULL) {
			line = xstrndup(q->buf.buf, nl - q->buf.buf);
			memmove(q->buf.buf, nl + 1,
			    q->buf.len - (nl + 1 - q->buf.buf));
			q->buf.len -= nl + 1 - q->buf.buf;
			tssh_pids_line(q, line);
			free(line);
		}
		return;
	}
	loop_del_fd(loop, fd);
	close(fd);
	q->fd = -1;
	strbuf_free(&q->buf);
	ssh_reap();
	if (!tssh_pids_waiting(q->h, 1))
		tssh_pids_free(q);
	else if (tssh_pids_waiting(q->h, 0))
		tssh_pids_call(q);
	else
		q->timer = loop_add_timer(loop, now_ms() + TSSH_PID_AGAIN_MS,
		    tssh_pids_timer, q);
}

/* The node was let go: ask its host for its group id (which says that
   it runs), with the other nodes of the host that wait for theirs. */
static void
tssh_pid_ask(struct transport *t)
{
	struct tssh_pids	*q;

	if (t->pid_wait || t->reaped)
		return;
	t->pid_wait = 1;
	t->pid_in = 0;
	t->pid_next = tssh_pidw;
	tssh_pidw = t;
	if ((q = tssh_pids_find(t->h)) == NULL) {
		q = xcalloc(1, sizeof *q);
		q->h = ssh_host_get(t->plan, t->pn->host, t->loop, t->guard);
		q->loop = t->loop;
		q->fd = -1;
		q->next = tssh_pidqs;
		tssh_pidqs = q;
	}
	if (q->fd == -1 && q->timer == 0)
		tssh_pids_call(q);
}

/* Before the loop goes: the calls in flight and to come go. */
static void
tssh_finish(void)
{
	while (tssh_pidqs != NULL)
		tssh_pids_free(tssh_pidqs);
	ssh_flush();
}

/* The host's state changed while the node waited at its gate. */
static void
tssh_host_changed(void *arg)
{
	struct transport	*t = arg;

	t->watching = 0;
	switch (ssh_host_state(t->h)) {
	case SSH_UP:
		tssh_gate(t, "up");
		tssh_pid_ask(t);
		return;
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

/* The local argv: ssh; with a gate, a shell that waits at it first. */
static char **
tssh_local_argv(struct transport *t)
{
	char	**run, **ssh, **argv;
	size_t	 n, i;

	run = ssh_run_args(t->plan, t->pn, t->key);
	ssh = ssh_host_argv(t->h, 1, run);
	strv_free(run);
	if (t->gate == -1)
		return ssh;
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

/*
 * Start the node: with its host up, its ssh client at once; else the
 * client waits at a gate until the host is connected, or fails with
 * ssh's words if its probes have just found the host unreachable (one
 * attempt per start).
 */
static int
tssh_spawn(const struct transport_spec *ts, struct transport **tp,
    char **cause)
{
	struct transport	*t;
	struct tssh_wait	*w;
	struct proc_spec	 spec;
	char			**argv;
	int			 rc, down;

	t = xcalloc(1, sizeof *t);
	t->plan = ts->plan;
	t->pn = ts->node;
	t->guard = ts->guard;
	t->hooks = ts->hooks;
	t->hooks_arg = ts->hooks_arg;
	t->master = t->gate = t->gate_held = -1;
	t->loop = ts->loop;
	t->key = ssh_node_key(ts->plan, ts->node);
	t->h = ssh_host_get(ts->plan, ts->node->host, ts->loop, ts->guard);
	/* Its probes end here (the host stays: t holds it too). */
	w = tssh_wait_find(ts->hooks_arg);
	down = w != NULL && w->state == TSSH_DOWN;
	tssh_wait_free(w);
	if (ssh_host_state(t->h) != SSH_UP &&
	    ssh_gate(&t->gate_path, &t->gate, cause) == -1) {
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
	if (ssh_host_state(t->h) == SSH_UP)
		tssh_pid_ask(t);
	else if (down && ssh_host_state(t->h) != SSH_CONNECTING)
		tssh_host_changed(t);	/* fails it */
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
	/* Its group id is no longer asked for: the node has ended. */
	tssh_pid_close(t);
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

/* Nothing of the node outlives it: on its host the group is killed (a
   round trip at most), here the client. */
static void
tssh_free(struct transport *t)
{
	char	*args[4];

	if (t == NULL)
		return;
	tssh_pid_close(t);
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
	.port_free = tssh_port_free,
	.port_cancel = tssh_port_cancel,
	.port_busy = tssh_port_busy,
	.spawn = tssh_spawn,
	.fd = tssh_fd,
	.pid = tssh_pid,
	.resize = tssh_resize,
	.signal = tssh_signal,
	.sigchld = tssh_sigchld,
	.close_fd = tssh_close_fd,
	.free = tssh_free,
	.finish = tssh_finish,
};
