/*
 * The calls front ends drive the cluster with: start, stop (with
 * escalation to SIGKILL), restart, shutdown, window size, input, and the
 * state of each node as the console and headless output print it.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/proc.h"
#include "nodemux/util.h"

#include "cluster-int.h"

/* Node i's launcher state, or NULL and *cause. */
static struct cnode *
cluster_ctl_node(struct cluster *c, int i, char **cause)
{
	if (i < 0 || i >= c->size) {
		*cause = xasprintf("no node %d in a cluster of %d", i + 1,
		    c->size);
		return NULL;
	}
	return &c->cn[i];
}

/* Leave backoff without restarting (nor going on with a port scan). */
static void
cluster_ctl_cancel_backoff(struct cnode *cn)
{
	loop_cancel_timer(cn->c->loop, cn->backoff_timer);
	cn->backoff_timer = 0;
	cluster_scan_cancel(cn);
}

int
cluster_start(struct cluster *c, int i, char **cause)
{
	struct cnode	*cn;

	if ((cn = cluster_ctl_node(c, i, cause)) == NULL)
		return -1;
	if (c->shutting_down) {
		*cause = xstrdup("the cluster is shutting down");
		return -1;
	}
	if (cluster_active(cn)) {
		*cause = xstrdup(cn->n->state == NODE_STOPPING ?
		    "still stopping" : "already running");
		return -1;
	}
	cluster_ctl_cancel_backoff(cn);
	cn->policy_restarts = 0;
	cluster_spawn(cn);
	return 0;
}

/* stop_timeout_ms passed and the group is still there: SIGKILL it. */
static void
cluster_ctl_kill_timer(struct loop *loop, void *arg)
{
	struct cnode	*cn = arg;

	cn->kill_timer = 0;
	/* A leader already reaped did stop; what holds its terminal is
	   left to the linger timer, which says so. */
	if (!cn->ended)
		cluster_msg(cn->c, cn->n, "%s did not stop within %d ms: "
		    "SIGKILL", cluster_node_label(cn->n),
		    cn->c->plan->stop_timeout_ms);
	cn->tops->signal(cn->t, SIGKILL);
}

/* Stop a running node: stop_signal now, SIGKILL later or if asked again. */
static void
cluster_ctl_stop_node(struct cnode *cn)
{
	struct cluster	*c = cn->c;

	if (cn->t == NULL) {
		/* Only a port scan was under way: nothing runs yet.  A node
		   that was starting (its ports waited for its host) is
		   stopped. */
		cluster_scan_cancel(cn);
		cluster_msg(c, cn->n, "%s not started", cluster_node_label(cn->n));
		cluster_fsm_fire(cn, NEV_CANCEL, "not started");
		cluster_state_changed(c, NULL, NULL);
		return;
	}
	if (cn->n->state == NODE_STOPPING) {
		loop_cancel_timer(c->loop, cn->kill_timer);
		cn->kill_timer = 0;
		cn->tops->signal(cn->t, SIGKILL);
		return;
	}
	cluster_ready_stop(cn);
	/* The whole group: children that forked into it hold the pty too.
	   A paused group gets the signal, then SIGCONT to act on it. */
	cn->tops->signal(cn->t, c->plan->stop_signal);
	if (cn->n->state == NODE_PAUSED)
		cn->tops->signal(cn->t, SIGCONT);
	cn->kill_timer = loop_add_timer(c->loop,
	    now_ms() + c->plan->stop_timeout_ms, cluster_ctl_kill_timer, cn);
	cluster_fsm_fire(cn, NEV_STOP, "stop requested");
}

/* A node waiting in backoff is stopped where it is. */
static void
cluster_ctl_stop_backoff(struct cnode *cn)
{
	cluster_ctl_cancel_backoff(cn);
	cluster_msg(cn->c, cn->n, "%s stopped", cluster_node_label(cn->n));
	cluster_fsm_fire(cn, NEV_STOP, "stop requested");
}

int
cluster_stop(struct cluster *c, int i, char **cause)
{
	struct cnode	*cn;

	if ((cn = cluster_ctl_node(c, i, cause)) == NULL)
		return -1;
	if (cn->n->state == NODE_BACKOFF) {
		cluster_ctl_stop_backoff(cn);
		return 0;
	}
	if (!cluster_active(cn)) {
		*cause = xstrdup("not running");
		return -1;
	}
	cn->restart_requested = 0;
	cluster_ctl_stop_node(cn);
	return 0;
}

int
cluster_restart(struct cluster *c, int i, char **cause)
{
	struct cnode	*cn;

	if ((cn = cluster_ctl_node(c, i, cause)) == NULL)
		return -1;
	if (c->shutting_down) {
		*cause = xstrdup("the cluster is shutting down");
		return -1;
	}
	if (cn->t == NULL && cluster_active(cn))
		return 0;	/* its start is under way */
	if (cluster_active(cn)) {
		/* Started again once both EOF and the status are in. */
		cn->restart_requested = 1;
		if (cn->n->state != NODE_STOPPING)
			cluster_ctl_stop_node(cn);
		return 0;
	}
	cluster_ctl_cancel_backoff(cn);
	cn->policy_restarts = 0;
	cn->n->restarts++;
	cluster_spawn(cn);
	return 0;
}

void
cluster_start_all(struct cluster *c)
{
	char	*cause;
	int	 i;

	for (i = 0; i < c->size && !c->shutting_down; i++) {
		cause = NULL;
		if (!cluster_active(&c->cn[i]))
			cluster_start(c, i, &cause);
		free(cause);
	}
}

void
cluster_stop_all(struct cluster *c)
{
	struct cnode	*cn;
	int		 i;

	for (i = 0; i < c->size; i++) {
		cn = &c->cn[i];
		if (cn->n->state == NODE_BACKOFF)
			cluster_ctl_stop_backoff(cn);
		else if (cluster_active(cn)) {
			cn->restart_requested = 0;
			cluster_ctl_stop_node(cn);
		}
	}
}

void
cluster_restart_all(struct cluster *c)
{
	char	*cause;
	int	 i;

	for (i = 0; i < c->size; i++) {
		cause = NULL;
		cluster_restart(c, i, &cause);
		free(cause);
	}
}

int
cluster_pause(struct cluster *c, int i, char **cause)
{
	struct cnode	*cn;

	if ((cn = cluster_ctl_node(c, i, cause)) == NULL)
		return -1;
	if (node_next(cn->n->state, NEV_PAUSE, cn->n->paused_from) == -1 ||
	    cn->t == NULL) {
		*cause = xstrdup(cn->n->state == NODE_PAUSED ?
		    "already paused" : "not running");
		return -1;
	}
	if (cn->tops->signal(cn->t, SIGSTOP) == -1) {
		*cause = xasprintf("SIGSTOP: %s", strerror(errno));
		return -1;
	}
	cluster_msg(c, cn->n, "%s paused", cluster_node_label(cn->n));
	cluster_fsm_fire(cn, NEV_PAUSE, "pause requested");
	return 0;
}

int
cluster_resume(struct cluster *c, int i, char **cause)
{
	struct cnode	*cn;

	if ((cn = cluster_ctl_node(c, i, cause)) == NULL)
		return -1;
	if (cn->n->state != NODE_PAUSED) {
		*cause = xstrdup("not paused");
		return -1;
	}
	cn->tops->signal(cn->t, SIGCONT);
	cluster_msg(c, cn->n, "%s resumed", cluster_node_label(cn->n));
	cluster_fsm_fire(cn, NEV_RESUME, "resume requested");
	/* A probe may have passed while it was paused. */
	cluster_ready_check(cn);
	return 0;
}

int
cluster_pause_all(struct cluster *c)
{
	char	*cause;
	int	 i, changed = 0, resume = 1;

	for (i = 0; i < c->size; i++) {
		if (node_next(c->nodes[i].state, NEV_PAUSE, NODE_STOPPED) != -1)
			resume = 0;
	}
	for (i = 0; i < c->size; i++) {
		cause = NULL;
		if ((resume ? cluster_resume(c, i, &cause) :
		    cluster_pause(c, i, &cause)) == 0)
			changed++;
		free(cause);
	}
	return changed;
}

void
cluster_shutdown(struct cluster *c)
{
	struct cnode	*cn;
	int		 i;

	c->shutting_down++;
	/* done fires again for the shutdown, even after an earlier one. */
	c->done_fired = 0;
	for (i = 0; i < c->size; i++) {
		cn = &c->cn[i];
		cn->restart_requested = 0;
		if (cn->n->state == NODE_BACKOFF)
			cluster_ctl_stop_backoff(cn);
		else if (cluster_active(cn) &&
		    (c->shutting_down > 1 || cn->n->state != NODE_STOPPING))
			cluster_ctl_stop_node(cn);
	}
	if (c->done_timer == 0 && cluster_all_ended(c))
		cluster_state_changed(c, NULL, NULL);
}

int
cluster_all_ready(const struct cluster *c)
{
	int	 i;

	for (i = 0; i < c->size; i++) {
		if (c->nodes[i].state != NODE_READY &&
		    c->nodes[i].state != NODE_RUNNING)
			return 0;
	}
	return 1;
}

int
cluster_all_ended(const struct cluster *c)
{
	int	 i;

	for (i = 0; i < c->size; i++) {
		if (!cluster_state_ended(c->nodes[i].state) ||
		    cluster_active(&c->cn[i]))
			return 0;
	}
	return 1;
}

void
cluster_resize(struct cluster *c, int i, int rows, int cols)
{
	struct cnode	*cn;

	if (i < 0 || i >= c->size || rows <= 0 || cols <= 0)
		return;
	cn = &c->cn[i];
	cn->rows = rows;
	cn->cols = cols;
	cluster_io_resize(cn);
	if (cn->t != NULL)
		cn->tops->resize(cn->t, rows, cols);
}

ssize_t
cluster_write(struct cluster *c, int i, const void *buf, size_t len)
{
	if (i < 0 || i >= c->size) {
		errno = EIO;
		return -1;
	}
	return cluster_io_write(&c->cn[i], buf, len);
}

/* Lines the node has completed since nodemux started. */
static uint64_t
node_lines(const struct node *n)
{
	return scrollback_dropped(n->sb) + scrollback_count(n->sb);
}

void
node_usage_begin(struct node *n, int64_t now)
{
	stats_begin(n->stats, n->pid, node_lines(n), now);
}

const struct stats_usage *
node_usage(struct node *n, int64_t now)
{
	uint64_t	 lines;

	lines = node_lines(n);
	/* A remote node's pid is its group on its host: /proc here knows
	   nothing of it, only its lines are counted here. */
	if (plan_node_remote(n->spec))
		return stats_sample_lines(n->stats, n->pid, lines, now);
	return stats_sample(n->stats, n->pid, lines, now);
}

const char *
node_state_str(const struct node *n, char *buf, size_t len)
{
	const struct cnode	*cn = n->priv;
	char			 b[16];
	int64_t			 left;

	switch (n->state) {
	case NODE_STOPPED:
	case NODE_STARTING:
	case NODE_RUNNING:
	case NODE_READY:
	case NODE_STOPPING:
	case NODE_PAUSED:
		return node_state_name(n->state);
	case NODE_LOST:
		snprintf(buf, len, "lost: %s", n->reason ? n->reason : "?");
		break;
	case NODE_EXITED:
		snprintf(buf, len, "exited %d", n->exit_status);
		break;
	case NODE_KILLED:
		snprintf(buf, len, "killed %s", proc_signame(n->term_sig, b,
		    sizeof b));
		break;
	case NODE_FAILED:
		snprintf(buf, len, "failed: %s", n->reason ? n->reason : "?");
		break;
	case NODE_BACKOFF:
		left = n->backoff_until_ms - now_ms();
		snprintf(buf, len, "backoff %llds (%d/%d)",
		    (long long)(left > 0 ? (left + 999) / 1000 : 0),
		    cn->policy_restarts, cn->c->plan->max_restarts);
		break;
	}
	return buf;
}
