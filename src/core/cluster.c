/*
 * The supervisor: one small state machine per node (start, stop with
 * escalation, restart policy with backoff), children reaped on SIGCHLD,
 * and the calls front ends drive the cluster with.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/proc.h"
#include "nodemux/util.h"

#include "cluster-int.h"

static void	cluster_sigchld(struct loop *, int, void *);

/* Send a message event (printf format). */
void
cluster_msg(struct cluster *c, struct node *n, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	cluster_emit_message(c, n, s);
	free(s);
}

/* The name messages use for a node: its short name. */
const char *
cluster_node_label(const struct node *n)
{
	if (n->spec->sname != NULL)
		return n->spec->sname;
	return n->spec->name;
}

/* Has the node a process or its output still open, or a spawn under
   way (a port scan, or its transport finding out which ports are
   free)? */
int
cluster_active(const struct cnode *cn)
{
	return cn->t != NULL || cn->scan_timer != 0 || cn->ports_wait;
}

/* Is state one of the ended ones (nothing runs, nothing is due)? */
int
cluster_state_ended(enum node_state s)
{
	return s == NODE_STOPPED || s == NODE_EXITED || s == NODE_KILLED ||
	    s == NODE_FAILED || s == NODE_LOST;
}

/* Fire done if every node has ended and none will restart. */
static void
cluster_done_timer(struct loop *loop, void *arg)
{
	struct cluster	*c = arg;

	c->done_timer = 0;
	if (c->done_fired || !cluster_all_ended(c))
		return;
	c->done_fired = 1;
	cluster_emit_done(c);
}

/* Tell the front end (n may be NULL; ch NULL when only a field shown
   changed), then see in a later turn whether all is done. */
void
cluster_state_changed(struct cluster *c, struct node *n,
    const struct node_change *ch)
{
	if (n != NULL)
		cluster_emit_state(c, n, ch);
	if (c->done_timer == 0 && !c->done_fired && cluster_all_ended(c))
		c->done_timer = loop_add_timer(c->loop, now_ms(),
		    cluster_done_timer, c);
}

struct cluster *
cluster_new(struct plan *plan, struct loop *loop,
    const struct cluster_events *ev, void *arg)
{
	struct cluster	*c = xcalloc(1, sizeof *c);
	struct cnode	*cn;
	int		 i;

	c->plan = plan;
	c->loop = loop;
	if (ev != NULL)
		cluster_subscribe(c, ev, arg);
	c->size = plan->size;
	c->nodes = xcalloc(c->size, sizeof *c->nodes);
	c->cn = xcalloc(c->size, sizeof *c->cn);
	c->buf = xmalloc(CLUSTER_READ_MAX);
	for (i = 0; i < c->size; i++) {
		cn = &c->cn[i];
		cn->c = c;
		cn->n = &c->nodes[i];
		cn->idx = i;
		cn->fd = cn->probe_fd = cn->http_fd = -1;
		cn->tops = transport_find(plan, &plan->nodes[i]);
		cn->rows = 24;
		cn->cols = 80;
		cn->n->spec = &plan->nodes[i];
		cn->n->state = NODE_STOPPED;
		cn->n->http_port = plan->nodes[i].http_port;
		cn->n->dist_port = plan->nodes[i].dist_port;
		cn->n->sb = scrollback_new(plan->scrollback_lines,
		    CLUSTER_SB_BYTES);
		cn->n->vt = vt_new(0);
		vt_on_plain(cn->n->vt, cluster_io_plain);
		cn->n->stats = stats_new();
		cn->n->priv = cn;
	}
	cluster_guard_start(c);
	loop_add_signal(loop, SIGCHLD, cluster_sigchld, c);
	return c;
}

/* Kill what a node still runs and wait for it (no loop needed). */
static void
cluster_free_node(struct cnode *cn)
{
	struct loop	*loop = cn->c->loop;

	if (cn->fd != -1)
		loop_del_fd(loop, cn->fd);
	if (cn->t != NULL)
		cn->tops->free(cn->t);	/* kills and reaps what is left */
	cluster_ready_stop(cn);
	loop_cancel_timer(loop, cn->kill_timer);
	loop_cancel_timer(loop, cn->linger_timer);
	loop_cancel_timer(loop, cn->backoff_timer);
	cluster_scan_cancel(cn);
	loop_cancel_timer(loop, cn->settle_timer);
	search_free(cn->ready_re);
	strbuf_free(&cn->input);
	logfile_close(cn->log);
	scrollback_free(cn->n->sb);
	vt_free(cn->n->vt);
	stats_free(cn->n->stats);
	screen_free(cn->n->screen);
	free(cn->n->reason);
}

void
cluster_free(struct cluster *c)
{
	int	 i;

	if (c == NULL)
		return;
	loop_del_signal(c->loop, SIGCHLD, cluster_sigchld, c);
	loop_cancel_timer(c->loop, c->done_timer);
	loop_cancel_timer(c->loop, c->log_timer);
	cluster_io_free(c);
	for (i = 0; i < c->size; i++)
		cluster_free_node(&c->cn[i]);
	transport_finish_all();
	cluster_guard_free(c);
	cluster_sub_free_all(c);
	free(c->guard_cause);
	free(c->nodes);
	free(c->cn);
	free(c->buf);
	free(c);
}

int
cluster_size(const struct cluster *c)
{
	return c->size;
}

uint64_t
cluster_lines(const struct cluster *c)
{
	return c->seq;
}

pid_t
cluster_guard_pid(const struct cluster *c)
{
	return c->guard != NULL ? guard_pid(c->guard) : -1;
}

struct node *
cluster_node(struct cluster *c, int i)
{
	if (i < 0 || i >= c->size)
		return NULL;
	return &c->nodes[i];
}

/* The node could not start: say why and mark it failed. */
static void
cluster_fail(struct cnode *cn, char *reason)
{
	free(cn->n->reason);
	cn->n->reason = reason;
	cn->n->pid = 0;
	cluster_msg(cn->c, cn->n, "%s failed: %s", cluster_node_label(cn->n),
	    reason);
	cluster_fsm_fire(cn, NEV_FAIL, reason);
}

/* Open the node's log file once; a failure is said, the node still runs. */
static void
cluster_open_log(struct cnode *cn)
{
	char	*cause = NULL;

	if (cn->log != NULL || cn->log_failed || cn->n->spec->log_path == NULL)
		return;
	if ((cn->log = logfile_open(cn->n->spec->log_path, &cause)) == NULL) {
		cn->log_failed = 1;
		cluster_msg(cn->c, cn->n, "%s: no log file: %s",
		    cluster_node_label(cn->n), cause);
		free(cause);
		return;
	}
	/* Held by the guard too, the queue may wait for a 64 KiB write;
	   if not, it is written after every read (cluster_io_after_read). */
	cluster_guard_share_log(cn);
}

static void	cluster_transport_started(void *);
static void	cluster_transport_ended(void *, const struct transport_end *);
static void	cluster_transport_changed(void *);
static void	cluster_transport_ports(void *);

static const struct transport_hooks cluster_transport_hooks = {
	.started = cluster_transport_started,
	.ended = cluster_transport_ended,
	.changed = cluster_transport_changed,
	.ports = cluster_transport_ports,
};

/* What the node's transport is given, for its ports and its spawn. */
void
cluster_spec(struct cnode *cn, struct transport_spec *spec)
{
	memset(spec, 0, sizeof *spec);
	spec->plan = cn->c->plan;
	spec->node = cn->n->spec;
	spec->rows = cn->rows;
	spec->cols = cn->cols;
	spec->loop = cn->c->loop;
	spec->guard = cn->c->guard;
	spec->hooks = &cluster_transport_hooks;
	spec->hooks_arg = cn;
}

/* The port scan goes on. */
static void
cluster_scan_timer(struct loop *loop, void *arg)
{
	struct cnode	*cn = arg;

	cn->scan_timer = 0;
	cluster_spawn(cn);
}

/* The transport can tell now whether the node's ports are free: the
   scan goes on. */
static void
cluster_transport_ports(void *arg)
{
	struct cnode	*cn = arg;

	if (!cn->ports_wait)
		return;
	cn->ports_wait = 0;
	cluster_spawn(cn);
}

/* A spawn waiting on its port scan is called off. */
void
cluster_scan_cancel(struct cnode *cn)
{
	loop_cancel_timer(cn->c->loop, cn->scan_timer);
	cn->scan_timer = 0;
	if (cn->scan_active && cn->tops->port_cancel != NULL)
		cn->tops->port_cancel(cn);
	cn->scan_active = 0;
	cn->ports_wait = 0;
}

/* The node's start begins now: nothing is left of its last end. */
static void
cluster_start_begins(struct cnode *cn)
{
	cn->run_ok = 0;
	cn->n->pid = 0;
	cn->n->exit_status = cn->n->term_sig = 0;
	free(cn->n->reason);
	cn->n->reason = NULL;
	cn->n->started_ms = now_ms();
}

/* Spawn the node's process now (ports probed first). */
void
cluster_spawn(struct cnode *cn)
{
	struct cluster		*c = cn->c;
	struct transport_spec	 spec;
	char			*cause = NULL;
	int			 waited;

	if (c->guard_cause != NULL) {
		cluster_msg(c, NULL, "no guard: %s", c->guard_cause);
		free(c->guard_cause);
		c->guard_cause = NULL;
	}
	c->done_fired = 0;
	switch (cluster_io_ports(cn, &cause)) {
	case -1:
		cluster_fail(cn, cause);
		return;
	case 1:
		/* The transport finds out in the background and says so
		   (cluster_transport_ports): the node is starting meanwhile
		   (a stop calls the start off).  Else next-free scans on in
		   the next turn: bounded work. */
		if (cn->ports_wait && cn->n->state != NODE_STARTING) {
			cluster_start_begins(cn);
			cluster_fsm_fire(cn, NEV_SPAWN, NULL);
		} else if (!cn->ports_wait)
			cn->scan_timer = loop_add_timer(c->loop, now_ms(),
			    cluster_scan_timer, cn);
		return;
	}
	/* The node as next-free may have moved it, expanded again. */
	cluster_spec(cn, &spec);
	cluster_open_log(cn);
	if (cn->tops->spawn(&spec, &cn->t, &cause) == -1) {
		cluster_fail(cn, cause);
		return;
	}
	/* Already "starting" if it waited for its transport (its start
	   began then, ready.timeout_ms counts from there). */
	waited = cn->n->state == NODE_STARTING;
	if (!waited)
		cluster_start_begins(cn);
	cn->n->pid = cn->tops->pid(cn->t);
	node_usage_begin(cn->n, now_ms());
	cn->fd = cn->tops->fd(cn->t);
	cn->ended = 0;
	cluster_io_attach(cn);
	cluster_ready_start(cn);
	/* "starting" until the transport says the process runs
	   (cluster_transport_started) and its probes pass. */
	if (!waited)
		cluster_fsm_fire(cn, NEV_SPAWN, NULL);
	else
		cluster_state_changed(c, cn->n, NULL);	/* its pid */
}

/* The backoff delay is over: start again. */
static void
cluster_backoff_timer(struct loop *loop, void *arg)
{
	struct cnode	*cn = arg;

	cn->backoff_timer = 0;
	cn->n->restarts++;
	cluster_spawn(cn);
}

/* "1s", "0.5s", "30s": a delay for messages. */
static void
cluster_fmt_delay(char *buf, size_t len, int ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, len, "%ds", ms / 1000);
	else
		snprintf(buf, len, "%.1fs", ms / 1000.0);
}

/* The restart policy after a natural end; 1 when a restart is due. */
static int
cluster_policy(struct cnode *cn)
{
	struct cluster	*c = cn->c;
	struct node	*n = cn->n;
	char		 d[32];
	int		 failed, delay, k;

	failed = n->state != NODE_EXITED || n->exit_status != 0;
	if (c->plan->restart == PLAN_RESTART_NO ||
	    (c->plan->restart == PLAN_RESTART_ON_FAILURE && !failed))
		return 0;
	if (now_ms() - n->started_ms >= CLUSTER_STABLE_MS)
		cn->policy_restarts = 0;	/* it was up long enough */
	if (cn->policy_restarts >= c->plan->max_restarts) {
		cluster_msg(c, n, "%s not restarted: %d restarts already",
		    cluster_node_label(n), cn->policy_restarts);
		return 0;
	}
	delay = c->plan->backoff_ms;
	for (k = 0; k < cn->policy_restarts && delay < CLUSTER_BACKOFF_CAP_MS;
	    k++)
		delay *= 2;
	if (delay > CLUSTER_BACKOFF_CAP_MS)
		delay = CLUSTER_BACKOFF_CAP_MS;
	cn->policy_restarts++;
	n->backoff_until_ms = now_ms() + delay;
	cn->backoff_timer = loop_add_timer(c->loop, n->backoff_until_ms,
	    cluster_backoff_timer, cn);
	cluster_fmt_delay(d, sizeof d, delay);
	cluster_msg(c, n, "%s restarting in %s (%d/%d)", cluster_node_label(n),
	    d, cn->policy_restarts, c->plan->max_restarts);
	cluster_fsm_fire(cn, NEV_BACKOFF, "restart policy");
	return 1;
}

/* Say how the node ended: stopped on request, or by itself. */
static char *
cluster_end_words(struct cnode *cn, enum node_event ev)
{
	struct node	*n = cn->n;
	const char	*name = cluster_node_label(n);
	char		 b[16];
	const char	*sig = proc_signame(n->term_sig, b, sizeof b);

	if (n->state == NODE_STOPPING) {
		if (ev == NEV_KILLED)
			return xasprintf("%s stopped (killed by SIG%s)", name,
			    sig);
		if (ev == NEV_LOST || ev == NEV_FAIL)
			return xasprintf("%s stopped (%s)", name, n->reason);
		return xasprintf("%s stopped (exit status %d)", name,
		    n->exit_status);
	}
	if (ev == NEV_KILLED)
		return xasprintf("%s killed by SIG%s", name, sig);
	if (ev == NEV_LOST)
		return xasprintf("%s ended: %s", name, n->reason);
	if (ev == NEV_FAIL)
		return xasprintf("%s failed: %s", name, n->reason);
	return xasprintf("%s exited with status %d", name, n->exit_status);
}

/* Record how the node ended, say so and move it to its end state. */
static void
cluster_end_state(struct cnode *cn)
{
	struct node	*n = cn->n;
	enum node_event	 ev;
	char		*words;

	switch (cn->end.kind) {
	case TRANSPORT_FAILED:
		ev = NEV_FAIL;
		break;
	case TRANSPORT_LOST:
		ev = NEV_LOST;
		break;
	case TRANSPORT_KILLED:
		ev = NEV_KILLED;
		n->term_sig = cn->end.sig;
		break;
	default:
		ev = NEV_EXIT;
		n->exit_status = cn->end.status;
		break;
	}
	words = cluster_end_words(cn, ev);
	cluster_msg(cn->c, n, "%s", words);
	cluster_fsm_fire(cn, ev, words);
	free(words);
}

/*
 * Both the pty's EOF and the wait status are in: the node has ended.
 * Decide what comes next: nothing, a requested restart, or the policy.
 */
void
cluster_node_finish(struct cnode *cn)
{
	struct cluster	*c = cn->c;

	cluster_ready_stop(cn);
	loop_cancel_timer(c->loop, cn->kill_timer);
	loop_cancel_timer(c->loop, cn->linger_timer);
	cn->kill_timer = cn->linger_timer = 0;
	/* Nothing of a node outlives it: the transport kills what its
	   leader left behind in the group. */
	cn->tops->free(cn->t);
	cn->t = NULL;
	cn->n->pid = 0;
	cluster_end_state(cn);
	if (cn->restart_requested && !c->shutting_down) {
		cn->restart_requested = 0;
		cn->policy_restarts = 0;
		cn->n->restarts++;
		cluster_msg(c, cn->n, "%s restarting",
		    cluster_node_label(cn->n));
		cluster_spawn(cn);
		return;
	}
	cn->restart_requested = 0;
	/* Whatever ended it by itself, the policy applies: a failure that
	   came later through the transport (an exec failure, a host out of
	   reach) too, as the host may be back by the next try. */
	if (cn->n->state != NODE_STOPPED && !c->shutting_down)
		cluster_policy(cn);
	cluster_state_changed(c, NULL, NULL);
}

/* Stop reading a node whose output some process will not let go of. */
static void
cluster_linger_give_up(struct cnode *cn, const char *who)
{
	cluster_msg(cn->c, cn->n, "%s: its terminal is held by %s: closed",
	    cluster_node_label(cn->n), who);
	cluster_io_close(cn);
	cluster_node_finish(cn);
}

/*
 * The leader is gone but its pty is still held: SIGKILL the group, then
 * look again every CLUSTER_LINGER_TICK_MS until EOF.  A process SIGKILL
 * reached takes a moment to close its fds, so the pty is judged held
 * from outside the group only once the group is empty.
 */
static void
cluster_linger_timer(struct loop *loop, void *arg)
{
	struct cnode	*cn = arg;
	int64_t		 now = now_ms();
	int		 empty;

	cn->linger_timer = 0;
	if (cn->linger_kill_at == 0)
		cn->linger_kill_at = now;
	empty = cn->tops->signal(cn->t, SIGKILL) == -1 && errno == ESRCH;
	if (cluster_io_drain(cn, CLUSTER_DRAIN_MAX) == 1)
		return;		/* EOF: the node is finished */
	if (empty)
		cluster_linger_give_up(cn, "a process outside its group "
		    "(setsid?)");
	else if (now - cn->linger_kill_at >= CLUSTER_LINGER_KILL_MS)
		cluster_linger_give_up(cn, "a process of its group that "
		    "SIGKILL has not ended");
	else
		cn->linger_timer = loop_add_timer(loop,
		    now + CLUSTER_LINGER_TICK_MS, cluster_linger_timer, cn);
}

/*
 * The leader's wait status is in.  Drain its pty so output written just
 * before the exit is kept; if children in its group still hold the pty,
 * give them a moment, then SIGKILL the group.
 */
static void
cluster_node_exited(struct cnode *cn)
{
	if (cn->fd == -1) {
		cluster_node_finish(cn);
		return;
	}
	if (cluster_io_drain(cn, CLUSTER_DRAIN_MAX) == 1)
		return;
	cn->linger_kill_at = 0;
	cn->linger_timer = loop_add_timer(cn->c->loop,
	    now_ms() + CLUSTER_LINGER_MS, cluster_linger_timer, cn);
}

/* The transport says how the node ended: keep it, then end the node once
   its output is drained too. */
static void
cluster_transport_ended(void *arg, const struct transport_end *end)
{
	struct cnode	*cn = arg;

	cn->ended = 1;
	cn->end = *end;
	cn->end.reason = NULL;
	if (end->reason != NULL) {
		free(cn->n->reason);
		cn->n->reason = xstrdup(end->reason);
	}
	cluster_node_exited(cn);
}

/* The node's process runs: "running", or "ready" once its probes pass
   too (also if it was paused meanwhile: then on resume). */
static void
cluster_transport_started(void *arg)
{
	struct cnode	*cn = arg;

	cn->run_ok = 1;
	cluster_ready_check(cn);
}

/* The pid to show has changed (a remote group id arrived). */
static void
cluster_transport_changed(void *arg)
{
	struct cnode	*cn = arg;

	if (cn->t == NULL)
		return;
	cn->n->pid = cn->tops->pid(cn->t);
	stats_rekey(cn->n->stats, cn->n->pid);	/* same run, its lines */
	cluster_state_changed(cn->c, cn->n, NULL);
}

/* SIGCHLD: each node's transport collects its own children only (a
   front end may have others); the guard is watched too. */
static void
cluster_sigchld(struct loop *loop, int signo, void *arg)
{
	struct cluster	*c = arg;
	struct cnode	*cn;
	int		 i;

	cluster_guard_check(c);
	for (i = 0; i < c->size; i++) {
		cn = &c->cn[i];
		if (cn->t != NULL && !cn->ended && cn->tops->sigchld != NULL)
			cn->tops->sigchld(cn->t);
	}
}
