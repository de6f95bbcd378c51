/*
 * The runtime the console, headless up and exec share: the loop, the
 * cluster, the signals that ask to stop ("a second signal forces"), the
 * control socket, and teardown, set up once here instead of by hand in
 * each front end.
 */
#include "config.h"

#include <signal.h>
#include <stdlib.h>

#include "nodemux/ctl.h"
#include "nodemux/runtime.h"
#include "nodemux/util.h"

struct runtime {
	struct loop		*loop;
	struct cluster		*cluster;
	struct ctl		*ctl;		/* or NULL */
	struct runtime_hooks	 hooks;
	void			*arg;
	int			 quits;		/* stops asked so far */
};

static const int runtime_sigs[] = { SIGINT, SIGTERM, SIGHUP };

/* Ask to stop for a signal (signo) or a request (0). */
static void
runtime_quit_signo(struct runtime *rt, const char *why, int signo,
    int force)
{
	if (rt->hooks.quit != NULL &&
	    !rt->hooks.quit(rt->arg, why, signo, rt->quits))
		return;
	rt->quits++;
	/* The first shutdown stops every node, a second kills them. */
	cluster_shutdown(rt->cluster);
	if (force && rt->quits == 1) {
		rt->quits++;
		cluster_shutdown(rt->cluster);
	}
}

/* SIGINT, SIGTERM, SIGHUP: stop; again: kill. */
static void
runtime_signal(struct loop *loop, int signo, void *arg)
{
	runtime_quit_signo(arg, signo == SIGINT ? "SIGINT" :
	    signo == SIGHUP ? "SIGHUP" : "SIGTERM", signo, 0);
}

/* Every node has ended: after a stop, the loop ends (if the front end
   agrees). */
static void
runtime_done(void *arg)
{
	struct runtime	*rt = arg;

	if (rt->quits == 0)
		return;
	if (rt->hooks.ended == NULL || rt->hooks.ended(rt->arg))
		loop_stop(rt->loop);
}

static const struct cluster_events runtime_events = {
	.done = runtime_done,
};

struct runtime *
runtime_new(struct plan *plan, const struct cluster_events *ev,
    const struct runtime_hooks *hooks, void *arg)
{
	struct runtime	*rt = xcalloc(1, sizeof *rt);
	size_t		 i;

	/* A reader that goes away is an error on its write, not a death. */
	signal(SIGPIPE, SIG_IGN);
	rt->loop = loop_new();
	if (hooks != NULL)
		rt->hooks = *hooks;
	rt->arg = arg;
	for (i = 0; i < nitems(runtime_sigs); i++)
		loop_add_signal(rt->loop, runtime_sigs[i], runtime_signal, rt);
	rt->cluster = cluster_new(plan, rt->loop, ev, arg);
	cluster_subscribe(rt->cluster, &runtime_events, rt);
	return rt;
}

/* The control socket's quit request. */
static void
runtime_ctl_quit(void *arg)
{
	runtime_quit_signo(arg, "ctl quit", 0, 0);
}

int
runtime_ctl(struct runtime *rt, const char *path, int *running, char **cause)
{
	*running = 0;
	rt->ctl = ctl_open(path, rt->loop, rt->cluster, runtime_ctl_quit, rt,
	    running, cause);
	if (rt->ctl == NULL)
		return -1;
	return 0;
}

struct loop *
runtime_loop(struct runtime *rt)
{
	return rt->loop;
}

struct cluster *
runtime_cluster(struct runtime *rt)
{
	return rt->cluster;
}

int
runtime_run(struct runtime *rt)
{
	cluster_start_all(rt->cluster);
	return loop_run(rt->loop);
}

void
runtime_quit(struct runtime *rt, const char *why, int force)
{
	runtime_quit_signo(rt, why, 0, force);
}

int
runtime_quitting(const struct runtime *rt)
{
	return rt->quits;
}

void
runtime_stop(struct runtime *rt)
{
	loop_stop(rt->loop);
}

void
runtime_free(struct runtime *rt)
{
	size_t	 i;

	if (rt == NULL)
		return;
	ctl_close(rt->ctl);
	cluster_free(rt->cluster);
	for (i = 0; i < nitems(runtime_sigs); i++)
		loop_del_signal(rt->loop, runtime_sigs[i], runtime_signal, rt);
	loop_free(rt->loop);
	free(rt);
}
