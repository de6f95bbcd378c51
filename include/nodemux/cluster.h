/*
 * The launcher: N nodes of a plan, each in its own pty, process group
 * and session, read in the event loop, supervised (stop with escalation,
 * restart with backoff, readiness probes) and logged.  Front ends (the
 * console, headless output, exec, the control socket, log consumers)
 * each subscribe to its events and drive it through the calls below.
 */
#ifndef NODEMUX_CLUSTER_H
#define NODEMUX_CLUSTER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nodemux/line.h"
#include "nodemux/loop.h"
#include "nodemux/plan.h"
#include "nodemux/scrollback.h"
#include "nodemux/stats.h"
#include "nodemux/screen.h"
#include "nodemux/vt.h"

enum node_state {
	NODE_STOPPED,
	NODE_STARTING,		/* spawned, readiness probe not passed */
	NODE_RUNNING,		/* spawned, no probe configured */
	NODE_READY,		/* probe passed */
	NODE_STOPPING,
	NODE_EXITED,		/* exit_status */
	NODE_KILLED,		/* term_sig */
	NODE_FAILED,		/* reason */
	NODE_BACKOFF,		/* waiting to restart until backoff_until */
	NODE_PAUSED,		/* SIGSTOPped; paused_from is where it was */
	NODE_LOST,		/* ended, how is unknown (reason) */
};
#define NODE_NSTATES	(NODE_LOST + 1)

/*
 * What happens to a node.  The lifecycle is one table (cluster-fsm.c):
 * each (state, event) pair is either a transition to a next state or
 * refused.  See node_next().
 */
enum node_event {
	NEV_SPAWN,		/* spawned, or its start waits for its
				   transport (ports on its host); its
				   transport has not yet said that it runs */
	NEV_STARTED,		/* its process runs (the transport said so)
				   and no probe is configured */
	NEV_READY,		/* it runs and every probe passed */
	NEV_FAIL,		/* could not start (reason) */
	NEV_STOP,		/* stop requested */
	NEV_EXIT,		/* ended with an exit status */
	NEV_KILLED,		/* ended by a signal */
	NEV_LOST,		/* ended, how is unknown (reason) */
	NEV_BACKOFF,		/* the restart policy waits, then starts */
	NEV_PAUSE,		/* SIGSTOP sent to the group */
	NEV_RESUME,		/* SIGCONT sent to the group */
	NEV_CANCEL,		/* stopped while its start waited (for its
				   ports on its host), before any process */
};
#define NODE_NEVENTS	(NEV_CANCEL + 1)

/* A state change as subscribers see it. */
struct node_change {
	enum node_state	 prev;		/* the state before */
	enum node_event	 event;		/* what caused it */
	const char	*cause;		/* in words ("exited with status 1",
					   "stop requested"), or NULL */
};

struct node {
	const struct plan_node	*spec;
	enum node_state		 state;
	pid_t			 pid;		/* 0 when not running */
	int			 exit_status;
	int			 term_sig;
	char			*reason;	/* for NODE_FAILED, NODE_LOST */
	enum node_state		 paused_from;	/* for NODE_PAUSED */
	int			 restarts;	/* restarts done by policy or
						   by request */
	int64_t			 started_ms;	/* now_ms() at spawn */
	int64_t			 backoff_until_ms;
	int			 http_port;	/* in use (next-free may move) */
	int			 dist_port;
	struct scrollback	*sb;		/* completed lines */
	struct vt		*vt;		/* vt_current(): partial line */
	struct stats		*stats;		/* node_usage() */
	struct screen		*screen;	/* since output first needed
						   one, or NULL */
	void			*priv;		/* the launcher's own */
};

struct cluster_events {
	/* A completed line was added to n->sb. */
	void	(*line)(void *arg, struct node *n, const struct line *);
	/* Output arrived (the partial line may have changed). */
	void	(*output)(void *arg, struct node *n);
	/* n->state changed (ch says from what and why), or a field shown
	   with it did (ch is NULL). */
	void	(*state)(void *arg, struct node *n,
		    const struct node_change *ch);
	/* nodemux's own event, e.g. "node2 exited with status 1";
	   n is NULL for cluster-wide events. */
	void	(*message)(void *arg, struct node *n, const char *msg);
	/* Every node has ended and none will be restarted (or, after
	   cluster_shutdown, every process is gone). */
	void	(*done)(void *arg);
};

struct cluster;
struct cluster_sub;

/*
 * A cluster over plan, driven by loop.  Starts nothing.  The plan must
 * outlive the cluster; next-free may move a node's ports in it.  A guard
 * process is started so that no node outlives nodemux even when it is
 * killed with SIGKILL.  ev, when not NULL, is its first subscriber.
 */
struct cluster	*cluster_new(struct plan *, struct loop *,
		    const struct cluster_events *ev, void *arg);

/*
 * Add a subscriber: each of ev's callbacks that is not NULL is called
 * with arg, after those of earlier subscribers.  ev is copied.  A
 * subscriber may unsubscribe (itself or another) from inside a callback;
 * it is called no more from then on; one added inside a callback is told
 * of lines from the next one on (of other events, maybe of the one in
 * progress).  Subscribers are freed with the cluster.
 */
struct cluster_sub *cluster_subscribe(struct cluster *,
		    const struct cluster_events *ev, void *arg);
void		 cluster_unsubscribe(struct cluster *, struct cluster_sub *);
/* Kill (SIGKILL) whatever is still running, reap and free. */
void		 cluster_free(struct cluster *);

int		 cluster_size(const struct cluster *);
/* Lines numbered so far, across the cluster (the last line's seq). */
uint64_t	 cluster_lines(const struct cluster *);
/* The guard process's pid, or -1 when there is none. */
pid_t		 cluster_guard_pid(const struct cluster *);
/* Node i, 0-based. */
struct node	*cluster_node(struct cluster *, int i);

/*
 * Start, stop, restart node i (0-based).  Stop sends stop_signal to the
 * process group and SIGKILL after stop_timeout_ms; stopping a node that
 * is already stopping sends SIGKILL at once.  0, or -1 and *cause (e.g.
 * "already running"); a node that fails to start is NODE_FAILED.
 */
int		 cluster_start(struct cluster *, int i, char **cause);
int		 cluster_stop(struct cluster *, int i, char **cause);
int		 cluster_restart(struct cluster *, int i, char **cause);
void		 cluster_start_all(struct cluster *);
void		 cluster_stop_all(struct cluster *);
void		 cluster_restart_all(struct cluster *);

/*
 * Pause node i: SIGSTOP to its whole process group, state paused
 * (SPEC §12); resume: SIGCONT, back to the state it was paused in.
 * Stop, restart and shutdown resume a paused node as they stop it.  0,
 * or -1 and *cause ("not running", "not paused").  cluster_pause_all
 * pauses every running node, or, when none runs unpaused, resumes every
 * paused one (the P key); it returns how many nodes it changed.
 */
int		 cluster_pause(struct cluster *, int i, char **cause);
int		 cluster_resume(struct cluster *, int i, char **cause);
int		 cluster_pause_all(struct cluster *);

/*
 * Stop every node in parallel, restart none; events->done once every
 * process is gone.  A second call sends SIGKILL to every node now.
 */
void		 cluster_shutdown(struct cluster *);

/* Is every node ready or running?  And has every node ended? */
int		 cluster_all_ready(const struct cluster *);
int		 cluster_all_ended(const struct cluster *);

/*
 * Write every node's queued log lines now.  Lines otherwise reach the
 * log file after the read that brought them, except while a node floods
 * (its log written less than 50 ms before): then within 50 ms, or when
 * 64 KiB are queued.  Without a guard to write them out should nodemux
 * die, every read's lines are written at once.
 */
void		 cluster_flush_logs(struct cluster *);

/* Set node i's pty window size (TIOCSWINSZ, SIGWINCH to the node). */
void		 cluster_resize(struct cluster *, int i, int rows, int cols);
/* Write to node i's pty (interactive mode); bytes or -1.  What the pty
   cannot take yet is queued (up to 1 MiB, then -1 and EAGAIN); -1 and
   EIO when the node has no pty. */
ssize_t		 cluster_write(struct cluster *, int i, const void *, size_t);

/*
 * What node n's process tree costs as of now (now_ms()): sampled from
 * /proc when the last sample is a second old (stats_sample), so callers
 * may ask as often as they like.  From STATS_FIRST_MS after the node
 * started, the first sample gives the averages since its start; later
 * ones, over the last second or more.
 */
const struct stats_usage *node_usage(struct node *, int64_t now);
/* Node n's process (n->pid) started now: the usage's first baseline. */
void		 node_usage_begin(struct node *, int64_t now);

/*
 * The lifecycle table: the state event ev leads to from state s, or -1
 * when ev is refused in s.  Resuming a paused node leads back to
 * paused_from.
 */
int		 node_next(enum node_state s, enum node_event ev,
		    enum node_state paused_from);
/* "stopped", "ready"...: a state's name; an event's ("stop"). */
const char	*node_state_name(enum node_state);
const char	*node_event_name(enum node_event);

/* "ready", "exited 1", "killed TERM", "failed: REASON",
   "backoff 2s (1/5)"... into buf. */
const char	*node_state_str(const struct node *, char *buf, size_t);

#endif
