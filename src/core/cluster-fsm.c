/*
 * The node lifecycle as one table, as s6-supervise keeps it:
 * fsm[state][event] is the next state or a refusal, and
 * cluster_fsm_fire is the one place a node's state changes.
 */
#include "config.h"

#include <stdlib.h>

#include "nodemux/util.h"

#include "cluster-int.h"

/* An entry: 0 refuses the event; else the next state + 1. */
#define T(s)		((s) + 1)
/* Resuming goes back to the state the node was paused in. */
#define BACK		(NODE_NSTATES + 1)

/* What a node that runs may go through, paused or not. */
#define RUNNING_ENDS \
	[NEV_FAIL] = T(NODE_FAILED),	\
	[NEV_EXIT] = T(NODE_EXITED),	\
	[NEV_KILLED] = T(NODE_KILLED),	\
	[NEV_LOST] = T(NODE_LOST),	\
	[NEV_STOP] = T(NODE_STOPPING)

/* What starts a node that has nothing running: it is "starting" until
   its transport says its process runs (then "running", or "ready" once
   its probes pass too). */
#define STARTS \
	[NEV_SPAWN] = T(NODE_STARTING),	\
	[NEV_FAIL] = T(NODE_FAILED)

static const unsigned char cluster_fsm[NODE_NSTATES][NODE_NEVENTS] = {
	[NODE_STOPPED] = { STARTS },
	[NODE_STARTING] = { RUNNING_ENDS, [NEV_STARTED] = T(NODE_RUNNING),
	    [NEV_READY] = T(NODE_READY), [NEV_PAUSE] = T(NODE_PAUSED),
	    [NEV_CANCEL] = T(NODE_STOPPED) },
	[NODE_RUNNING] = { RUNNING_ENDS, [NEV_PAUSE] = T(NODE_PAUSED) },
	[NODE_READY] = { RUNNING_ENDS, [NEV_PAUSE] = T(NODE_PAUSED) },
	/* A stop asked again escalates to SIGKILL; the state stays. */
	[NODE_STOPPING] = { [NEV_STOP] = T(NODE_STOPPING),
	    [NEV_EXIT] = T(NODE_STOPPED), [NEV_KILLED] = T(NODE_STOPPED),
	    [NEV_LOST] = T(NODE_STOPPED), [NEV_FAIL] = T(NODE_FAILED) },
	[NODE_EXITED] = { STARTS, [NEV_BACKOFF] = T(NODE_BACKOFF) },
	[NODE_KILLED] = { STARTS, [NEV_BACKOFF] = T(NODE_BACKOFF) },
	[NODE_FAILED] = { STARTS, [NEV_BACKOFF] = T(NODE_BACKOFF) },
	[NODE_LOST] = { STARTS, [NEV_BACKOFF] = T(NODE_BACKOFF) },
	[NODE_BACKOFF] = { STARTS, [NEV_STOP] = T(NODE_STOPPED) },
	/* Stop resumes first (cluster-ctl.c), then stops.  Started or
	   ready while paused is refused: the cluster keeps the fact and
	   fires it on resume (cluster_ready_check). */
	[NODE_PAUSED] = { RUNNING_ENDS, [NEV_RESUME] = BACK },
};

static const char *const cluster_fsm_states[NODE_NSTATES] = {
	[NODE_STOPPED] = "stopped",
	[NODE_STARTING] = "starting",
	[NODE_RUNNING] = "running",
	[NODE_READY] = "ready",
	[NODE_STOPPING] = "stopping",
	[NODE_EXITED] = "exited",
	[NODE_KILLED] = "killed",
	[NODE_FAILED] = "failed",
	[NODE_BACKOFF] = "backoff",
	[NODE_PAUSED] = "paused",
	[NODE_LOST] = "lost",
};

static const char *const cluster_fsm_events[NODE_NEVENTS] = {
	[NEV_SPAWN] = "spawn",
	[NEV_STARTED] = "started",
	[NEV_READY] = "ready",
	[NEV_FAIL] = "fail",
	[NEV_STOP] = "stop",
	[NEV_EXIT] = "exit",
	[NEV_KILLED] = "killed",
	[NEV_LOST] = "lost",
	[NEV_BACKOFF] = "backoff",
	[NEV_PAUSE] = "pause",
	[NEV_RESUME] = "resume",
	[NEV_CANCEL] = "cancel",
};

int
node_next(enum node_state s, enum node_event ev, enum node_state paused_from)
{
	unsigned char	 e;

	if ((unsigned)s >= NODE_NSTATES || (unsigned)ev >= NODE_NEVENTS)
		return -1;
	e = cluster_fsm[s][ev];
	if (e == 0)
		return -1;
	if (e == BACK)
		return paused_from;
	return e - 1;
}

const char *
node_state_name(enum node_state s)
{
	if ((unsigned)s >= NODE_NSTATES)
		return "?";
	return cluster_fsm_states[s];
}

const char *
node_event_name(enum node_event ev)
{
	if ((unsigned)ev >= NODE_NEVENTS)
		return "?";
	return cluster_fsm_events[ev];
}

/*
 * The one function that changes a node's state: look ev up in the
 * table, refuse it (-1, nothing changes) or move the node and tell every
 * subscriber, with the state before and the cause.  An event that
 * leaves the state as it was (a second stop) tells nobody.
 */
int
cluster_fsm_fire(struct cnode *cn, enum node_event ev, const char *cause)
{
	struct node		*n = cn->n;
	struct node_change	 ch;
	int			 next;

	next = node_next(n->state, ev, n->paused_from);
	if (next == -1)
		return -1;
	if ((enum node_state)next == n->state)
		return 0;
	ch.prev = n->state;
	ch.event = ev;
	ch.cause = cause;
	if (next == NODE_PAUSED)
		n->paused_from = n->state;
	n->state = next;
	cluster_state_changed(cn->c, n, &ch);
	return 0;
}
