/*
 * The cluster's side of the guard: start it, hand it each log without
 * waiting for its answer in the loop (answers are read when its socket
 * is readable), and watch it: a guard that dies is replaced and told
 * every group and log again.
 */
#include "config.h"

#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/util.h"

#include "cluster-int.h"

static void	cluster_guard_read(struct loop *, int, int, void *);

/* Watch the guard's socket for its answers. */
static void
cluster_guard_watch(struct cluster *c)
{
	c->guard_fd = c->guard != NULL ? guard_fd(c->guard) : -1;
	if (c->guard_fd != -1)
		loop_add_fd(c->loop, c->guard_fd, POLLIN, cluster_guard_read, c);
}

/* Stop watching it (it died, or the cluster ends). */
static void
cluster_guard_unwatch(struct cluster *c)
{
	if (c->guard_fd != -1)
		loop_del_fd(c->loop, c->guard_fd);
	c->guard_fd = -1;
	c->nlog_asks = 0;
}

void
cluster_guard_start(struct cluster *c)
{
	c->guard = guard_start(&c->guard_cause);
	c->guard_fd = -1;
	cluster_guard_watch(c);
}

void
cluster_guard_free(struct cluster *c)
{
	cluster_guard_unwatch(c);
	guard_free(c->guard);
	free(c->log_asks);
}

/* logfile_share's give: send the log to the guard; its answer comes
   later (cluster_guard_read). */
static int
cluster_guard_give(void *arg, int fd, int stage_fd)
{
	struct cnode	*cn = arg;
	struct cluster	*c = cn->c;

	if (c->guard_fd == -1 || guard_give_log(c->guard, fd, stage_fd) == -1)
		return -1;
	c->log_asks = xreallocarray(c->log_asks, c->nlog_asks + 1,
	    sizeof *c->log_asks);
	c->log_asks[c->nlog_asks++] = cn->idx;
	return 0;
}

void
cluster_guard_share_log(struct cnode *cn)
{
	/* Held by the guard too, the queue may wait for a 64 KiB write;
	   if not, it is written after every read (cluster_io_after_read). */
	logfile_share(cn->log, cluster_guard_give, cn);
}

/*
 * The guard answered: 'y' for each log it holds; for 'n' (its fd table
 * full) the log is taken back, and its lines are written at once.  EOF:
 * it died; SIGCHLD tells the rest.
 */
static void
cluster_guard_read(struct loop *loop, int fd, int revents, void *arg)
{
	struct cluster	*c = arg;
	struct cnode	*cn;
	int		 r;

	while ((r = guard_read_answer(c->guard)) >= 0) {
		if (c->nlog_asks == 0)
			continue;
		cn = &c->cn[c->log_asks[0]];
		c->nlog_asks--;
		memmove(c->log_asks, c->log_asks + 1,
		    c->nlog_asks * sizeof *c->log_asks);
		if (r == 0 && cn->log != NULL)
			logfile_unshare(cn->log);
	}
	if (r == -2)
		loop_set_events(loop, fd, 0);	/* EOF: until SIGCHLD */
}

/*
 * The guard process died (killed, OOM): without it a SIGKILL of nodemux
 * would leave every node's children behind.  Start a new one, which is
 * told every group; hand it every log again.  Either way, say so.
 */
static void
cluster_guard_died(struct cluster *c)
{
	char	*cause = NULL;
	int	 i, logs = 0;

	if (guard_restart(c->guard, &cause) == -1) {
		for (i = 0; i < c->size; i++) {
			if (c->cn[i].log != NULL)
				logfile_unshare(c->cn[i].log);
		}
		cluster_msg(c, NULL, "the guard process died and no new one "
		    "could be started (%s): should nodemux be killed, its "
		    "nodes would outlive it", cause);
		free(cause);
		return;
	}
	cluster_guard_watch(c);
	for (i = 0; i < c->size; i++) {
		if (c->cn[i].log == NULL)
			continue;
		logfile_unshare(c->cn[i].log);
		logs += logfile_share(c->cn[i].log, cluster_guard_give,
		    &c->cn[i]) == 0;
	}
	cluster_msg(c, NULL, "the guard process died: a new one (pid %ld) "
	    "holds %zu process groups and %d logs", (long)guard_pid(c->guard),
	    guard_groups(c->guard), logs);
}

void
cluster_guard_check(struct cluster *c)
{
	if (!guard_dead(c->guard))
		return;
	/* guard_dead closed its socket: forget the fd before the new
	   guard's socket takes its number. */
	cluster_guard_unwatch(c);
	cluster_guard_died(c);
}
