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
#include "nodemux/headless.h"
#include "nodemux/runtime.h"
#include "nodemux/util.h"

/* The state of a headless run. */
struct headless_run {
	struct runtime		*rt;
	struct headless		*out;
	char			*bad;		/* per node: ended badly by
						   itself, no restart due */
	int			 shutting;	/* stop requested */
	int			 usage;		/* the control socket was taken */
	int			 draining;	/* all ended; output still held */
};

/* Event: a node's line. */
static void
headless_run_line(void *arg, struct node *n, const struct line *l)
{
	struct headless_run	*r = arg;

	headless_line(r->out, n, l);
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
		runtime_stop(r->rt);
	else
		r->draining = 1;
}

/* The output held for a slow reader is all written. */
static void
headless_run_drained(void *arg)
{
	struct headless_run	*r = arg;

	if (r->draining)
		runtime_stop(r->rt);
}

/* A stop was asked (a signal, ctl quit): say so; a second one kills. */
static int
headless_run_quit(void *arg, const char *why, int signo, int before)
{
	struct headless_run	*r = arg;

	if (r->draining) {
		runtime_stop(r->rt);	/* no waiting for a slow reader */
		return 0;
	}
	if (why != NULL && !before)
		headless_message(r->out, "%s: stopping all nodes", why);
	else if (why != NULL)
		headless_message(r->out, "%s again: killing all nodes", why);
	r->shutting = 1;
	return 1;
}

/* Every node is gone after a stop: end unless output is still held. */
static int
headless_run_ended(void *arg)
{
	struct headless_run	*r = arg;

	return r->draining ? 0 : headless_queued(r->out) == 0;
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

	if (runtime_ctl(r->rt, path, &running, &cause) == -1) {
		headless_message(r->out, "control socket: %s", cause);
		free(cause);
		return running ? -1 : 0;
	}
	return 0;
}

/* Timer: the reader has gone; stop, there is no one to show to. */
static void
headless_run_gone_now(struct loop *loop, void *arg)
{
	struct headless_run	*r = arg;

	if (!r->shutting)
		runtime_quit(r->rt, NULL, 0);
}

/* The reader of our output has gone: stop once out of this callback. */
static void
headless_run_gone(void *arg)
{
	struct headless_run	*r = arg;

	if (r->draining)
		runtime_stop(r->rt);
	else if (!r->shutting)
		loop_add_timer(runtime_loop(r->rt), now_ms(),
		    headless_run_gone_now, r);
}

static const struct cluster_events headless_run_events = {
	.state = headless_run_state,
	.message = headless_run_message,
	.done = headless_run_done,
};

/* Lines are subscribed to apart, and only when they are written out:
   a flood into /dev/null, or without node lines, costs nothing here. */
static const struct cluster_events headless_run_line_events = {
	.line = headless_run_line,
};

static const struct runtime_hooks headless_run_hooks = {
	.quit = headless_run_quit,
	.ended = headless_run_ended,
};

int
headless_run(struct plan *plan, const struct headless_opts *o)
{
	struct headless_run	 r;
	struct headless_opts	 ho = *o;
	int			 i, failed = 0;

	memset(&r, 0, sizeof r);
	r.bad = xcalloc(plan->size, 1);
	r.rt = runtime_new(plan, &headless_run_events, &headless_run_hooks,
	    &r);
	ho.gone = headless_run_gone;
	ho.drained = headless_run_drained;
	ho.cb_arg = &r;
	r.out = headless_new(runtime_loop(r.rt), plan, &ho);
	if (headless_wants_lines(r.out))
		cluster_subscribe(runtime_cluster(r.rt),
		    &headless_run_line_events, &r);
	if (o->socket != NULL && headless_run_ctl(&r, o->socket) == -1)
		r.usage = 1;
	else
		runtime_run(r.rt);
	r.shutting = 1;
	/* The cluster tells nothing more once the loop has ended. */
	headless_free(r.out, 2000);
	runtime_free(r.rt);
	for (i = 0; i < plan->size; i++)
		failed |= r.bad[i];
	free(r.bad);
	return r.usage ? 2 : failed ? 1 : 0;
}
