/*
 * The headless run (SPEC §6): every node of a plan started under one
 * loop, its lines written by the headless output, until a signal asks to
 * stop or every node has ended; the exit status says whether all went well.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/cluster.h"
#include "nodemux/ctl.h"
#include "nodemux/headless.h"
#include "nodemux/util.h"

/* The state of a headless run. */
struct headless_run {
	struct loop		*loop;
	struct cluster		*cluster;
	struct headless		*out;
	struct ctl		*ctl;		/* control socket, or NULL */
	char			*bad;		/* per node: ended badly by
						   itself, no restart due */
	int			 shutting;	/* stop requested */
	int			 failed;	/* 2: usage (control socket) */
	int			 draining;	/* all ended; output still held */
};

/* Event: a node's line. */
static void
headless_run_line(void *arg, struct node *n, const struct line *l)
{
	struct headless_run	*r = arg;

	headless_line(r->out, n, l);
	ctl_line(r->ctl, n, l);
}

/* Event: nodemux's own message. */
static void
headless_run_message(void *arg, struct node *n, const char *msg)
{
	struct headless_run	*r = arg;

	headless_message(r->out, "%s", msg);
}

/*
 * Event: a node's state changed.  A node that ends by itself with
 * anything but status 0 fails the run, unless the restart policy starts
 * it again; one stopped on request ends "stopped" and does not.
 */
static void
headless_run_state(void *arg, struct node *n, const struct node_change *ch)
{
	struct headless_run	*r = arg;
	int			 i = n->spec->index - 1;

	if (ch == NULL)
		return;
	switch (n->state) {
	case NODE_EXITED:
		if (n->exit_status != 0 && !r->shutting)
			r->bad[i] = 1;
		break;
	case NODE_KILLED:
	case NODE_FAILED:
	case NODE_LOST:
		if (!r->shutting)
			r->bad[i] = 1;
		break;
	case NODE_BACKOFF:
		r->bad[i] = 0;
		break;
	default:
		break;
	}
}

/* Event: everything has ended; stop once a slow reader has it all. */
static void
headless_run_done(void *arg)
{
	struct headless_run	*r = arg;

	if (headless_queued(r->out) == 0)
		loop_stop(r->loop);
	else
		r->draining = 1;
}

/* The output held for a slow reader is all written. */
static void
headless_run_drained(void *arg)
{
	struct headless_run	*r = arg;

	if (r->draining)
		loop_stop(r->loop);
}

/* Stop every node; a second request kills them at once. */
static void
headless_run_shutdown(struct headless_run *r, const char *why)
{
	if (r->draining) {
		loop_stop(r->loop);	/* no waiting for a slow reader */
		return;
	}
	if (!r->shutting)
		headless_message(r->out, "%s: stopping all nodes", why);
	else
		headless_message(r->out, "%s again: killing all nodes", why);
	r->shutting = 1;
	cluster_shutdown(r->cluster);
}

/* `nodemux ctl quit`: as if a signal asked. */
static void
headless_run_quit(void *arg)
{
	headless_run_shutdown(arg, "ctl quit");
}

/*
 * Answer on the control socket; a console already answering there is a
 * usage error (2), any other failure only a message.
 */
static int
headless_run_ctl(struct headless_run *r, const char *path)
{
	char	*cause = NULL;
	int	 running;

	r->ctl = ctl_open(path, r->loop, r->cluster, headless_run_quit, r,
	    &running, &cause);
	if (r->ctl == NULL) {
		headless_message(r->out, "control socket: %s", cause);
		free(cause);
		return running ? -1 : 0;
	}
	return 0;
}

/* SIGINT, SIGTERM, SIGHUP: stop everything. */
static void
headless_run_signal(struct loop *loop, int signo, void *arg)
{
	headless_run_shutdown(arg, signo == SIGINT ? "SIGINT" :
	    signo == SIGHUP ? "SIGHUP" : "SIGTERM");
}

/* Timer: the reader has gone; stop, there is no one to show to. */
static void
headless_run_gone_now(struct loop *loop, void *arg)
{
	struct headless_run	*r = arg;

	if (!r->shutting) {
		r->shutting = 1;
		cluster_shutdown(r->cluster);
	}
}

/* The reader of our output has gone: stop once out of this callback. */
static void
headless_run_gone(void *arg)
{
	struct headless_run	*r = arg;

	if (r->draining)
		loop_stop(r->loop);
	else if (!r->shutting)
		loop_add_timer(r->loop, now_ms(), headless_run_gone_now, r);
}

static const struct cluster_events headless_run_events = {
	.line = headless_run_line,
	.state = headless_run_state,
	.message = headless_run_message,
	.done = headless_run_done,
};

int
headless_run(struct plan *plan, const struct headless_opts *o)
{
	struct headless_run	 r;
	struct headless_opts	 ho = *o;
	static const int	 sigs[] = { SIGINT, SIGTERM, SIGHUP };
	size_t			 i;

	memset(&r, 0, sizeof r);
	r.loop = loop_new();
	r.bad = xcalloc(plan->size, 1);
	ho.gone = headless_run_gone;
	ho.drained = headless_run_drained;
	ho.cb_arg = &r;
	r.out = headless_new(r.loop, plan, &ho);
	for (i = 0; i < nitems(sigs); i++)
		loop_add_signal(r.loop, sigs[i], headless_run_signal, &r);
	r.cluster = cluster_new(plan, r.loop, &headless_run_events, &r);
	if (o->socket != NULL && headless_run_ctl(&r, o->socket) == -1) {
		r.failed = 2;
		goto out;
	}
	cluster_start_all(r.cluster);
	if (!cluster_all_ended(r.cluster))
		loop_run(r.loop);
out:
	r.shutting = 1;
	ctl_close(r.ctl);
	cluster_free(r.cluster);
	headless_free(r.out, 2000);
	loop_free(r.loop);
	for (i = 0; r.failed == 0 && i < (size_t)plan->size; i++)
		r.failed = r.bad[i];
	free(r.bad);
	return r.failed == 2 ? 2 : r.failed ? 1 : 0;
}
