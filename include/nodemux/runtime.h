/*
 * The runtime every front end shares (the console, headless up, exec):
 * one event loop, the cluster over a plan, the signals that ask to stop
 * (SIGINT, SIGTERM, SIGHUP; a second request kills at once), the control
 * socket, and teardown in order.  A front end adds its own subscriber
 * and hooks; it never sets these up by hand.
 */
#ifndef NODEMUX_RUNTIME_H
#define NODEMUX_RUNTIME_H

#include "nodemux/cluster.h"
#include "nodemux/loop.h"
#include "nodemux/plan.h"

struct runtime;

/* What a front end is asked, with arg. */
struct runtime_hooks {
	/*
	 * A stop was asked: why ("SIGINT", "ctl quit", "q"), the signal or
	 * 0, and how many stops were asked before this one (1 or more: this
	 * one kills at once).  Return 1 to let it go on, 0 to ignore the
	 * request (exec leaves a SIGINT to the command it runs).  May be
	 * NULL: every request goes on.
	 */
	int	(*quit)(void *arg, const char *why, int signo, int before);
	/*
	 * Every node has ended after a stop was asked.  Return 1 to end the
	 * loop now, 0 when the front end ends it later (runtime_stop), e.g.
	 * once its output is written.  May be NULL: the loop ends.
	 */
	int	(*ended)(void *arg);
};

/*
 * The loop and the cluster over plan, with ev (may be NULL) as the
 * cluster's first subscriber; SIGINT, SIGTERM and SIGHUP ask to stop
 * (runtime_quit), SIGPIPE is ignored.  Starts no node.
 */
struct runtime	*runtime_new(struct plan *, const struct cluster_events *ev,
		    const struct runtime_hooks *, void *arg);

/*
 * Answer on the control socket at path ("quit" is runtime_quit); every
 * line goes to its followers.  0; or -1 and *cause, with *running set to
 * 1 when another console already answers there (a usage error: exit 2).
 */
int		 runtime_ctl(struct runtime *, const char *path, int *running,
		    char **cause);

struct loop	*runtime_loop(struct runtime *);
struct cluster	*runtime_cluster(struct runtime *);

/* Start every node and run the loop until it is stopped; 0 or -1. */
int		 runtime_run(struct runtime *);

/*
 * Ask to stop (why: "q", "SIGTERM"...): stop every node, then end the
 * loop once they are gone (hooks->ended).  Asked again, or with force,
 * every node is killed at once.  The hook may refuse (see above).
 */
void		 runtime_quit(struct runtime *, const char *why, int force);
/* How many stops were asked so far (0: none). */
int		 runtime_quitting(const struct runtime *);
/* End the loop now (everything the front end waited for is done). */
void		 runtime_stop(struct runtime *);

/* Close the control socket, kill what is left, free the cluster and
   the loop. */
void		 runtime_free(struct runtime *);

#endif
