/*
 * The cluster's subscribers: any number of consumers (the console, the
 * control socket, headless output, exec, tests) each attach a set of
 * callbacks, as tmux's notify.c and redis' event loop let them, so a new
 * consumer is an addition rather than an edit of every front end.
 * Line callbacks, called once per line, are also kept as a flat array.
 * A subscriber that leaves is silenced at once and freed by a timer, and
 * a full array is replaced rather than moved, so nothing is freed or
 * moved under a walk in progress.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nodemux/util.h"

#include "cluster-int.h"

/* What a line callback becomes when its subscriber leaves. */
static void
cluster_sub_noop(void *arg, struct node *n, const struct line *l)
{
}

static void	cluster_sub_sweep(struct loop *, void *);

/* Start the sweep timer if it is not due yet. */
static void
cluster_sub_sweep_soon(struct cluster *c)
{
	if (c->sweep_timer == 0)
		c->sweep_timer = loop_add_timer(c->loop, now_ms(),
		    cluster_sub_sweep, c);
}

/*
 * Add a line callback.  With room, after the entries a walk in progress
 * will visit; without, in a new array, the old one kept (a walk may be
 * on it) until the sweep.
 */
static void
cluster_sub_add_line(struct cluster *c, const struct cluster_sub *s)
{
	struct cluster_line_hook	*v;
	struct cluster_retired		*r;

	if (c->nline_hooks == c->line_cap) {
		c->line_cap = c->line_cap ? c->line_cap * 2 : 4;
		v = xreallocarray(NULL, c->line_cap, sizeof *v);
		if (c->nline_hooks > 0)
			memcpy(v, c->line_hooks, c->nline_hooks * sizeof *v);
		if (c->line_hooks != NULL) {
			r = xmalloc(sizeof *r);
			r->v = c->line_hooks;
			r->n = c->nline_hooks;
			r->next = c->retired;
			c->retired = r;
			cluster_sub_sweep_soon(c);
		}
		c->line_hooks = v;
	}
	c->line_hooks[c->nline_hooks].fn = s->ev.line;
	c->line_hooks[c->nline_hooks++].arg = s->arg;
}

/* Silence s's line callback in v[0..n). */
static void
cluster_sub_silence(struct cluster_line_hook *v, int n,
    const struct cluster_sub *s)
{
	int	 i;

	for (i = 0; i < n; i++) {
		if (v[i].fn == s->ev.line && v[i].arg == s->arg) {
			v[i].fn = cluster_sub_noop;
			break;
		}
	}
}

/* Free the retired line arrays. */
static void
cluster_sub_free_retired(struct cluster *c)
{
	struct cluster_retired	*r;

	while ((r = c->retired) != NULL) {
		c->retired = r->next;
		free(r->v);
		free(r);
	}
}

/* Timer: free the subscribers that left, their line callbacks and the
   retired arrays. */
static void
cluster_sub_sweep(struct loop *loop, void *arg)
{
	struct cluster		*c = arg;
	struct cluster_sub	**sp = &c->subs, *s;
	int			 i, j;

	c->sweep_timer = 0;
	cluster_sub_free_retired(c);
	for (i = j = 0; i < c->nline_hooks; i++) {
		if (c->line_hooks[i].fn != cluster_sub_noop)
			c->line_hooks[j++] = c->line_hooks[i];
	}
	c->nline_hooks = j;
	while ((s = *sp) != NULL) {
		if (s->dead) {
			*sp = s->next;
			free(s);
		} else
			sp = &s->next;
	}
}

struct cluster_sub *
cluster_subscribe(struct cluster *c, const struct cluster_events *ev,
    void *arg)
{
	struct cluster_sub	*s = xcalloc(1, sizeof *s), **tail;

	s->ev = *ev;
	s->arg = arg;
	for (tail = &c->subs; *tail != NULL; tail = &(*tail)->next)
		continue;
	*tail = s;
	if (s->ev.line != NULL)
		cluster_sub_add_line(c, s);
	return s;
}

void
cluster_unsubscribe(struct cluster *c, struct cluster_sub *s)
{
	struct cluster_retired	*r;

	if (s == NULL || s->dead)
		return;
	s->dead = 1;
	if (s->ev.line != NULL) {
		/* In the array walks see now, and in any they may still be
		   on. */
		cluster_sub_silence(c->line_hooks, c->nline_hooks, s);
		for (r = c->retired; r != NULL; r = r->next)
			cluster_sub_silence(r->v, r->n, s);
	}
	cluster_sub_sweep_soon(c);
}

/* Free every subscriber (cluster_free). */
void
cluster_sub_free_all(struct cluster *c)
{
	struct cluster_sub	*s;

	loop_cancel_timer(c->loop, c->sweep_timer);
	c->sweep_timer = 0;
	while ((s = c->subs) != NULL) {
		c->subs = s->next;
		free(s);
	}
	cluster_sub_free_retired(c);
	free(c->line_hooks);
	c->line_hooks = NULL;
	c->nline_hooks = c->line_cap = 0;
}

void
cluster_emit_output(struct cluster *c, struct node *n)
{
	struct cluster_sub	*s;

	for (s = c->subs; s != NULL; s = s->next) {
		if (!s->dead && s->ev.output != NULL)
			s->ev.output(s->arg, n);
	}
}

void
cluster_emit_state(struct cluster *c, struct node *n,
    const struct node_change *ch)
{
	struct cluster_sub	*s;

	for (s = c->subs; s != NULL; s = s->next) {
		if (!s->dead && s->ev.state != NULL)
			s->ev.state(s->arg, n, ch);
	}
}

void
cluster_emit_message(struct cluster *c, struct node *n, const char *msg)
{
	struct cluster_sub	*s;

	for (s = c->subs; s != NULL; s = s->next) {
		if (!s->dead && s->ev.message != NULL)
			s->ev.message(s->arg, n, msg);
	}
}

void
cluster_emit_done(struct cluster *c)
{
	struct cluster_sub	*s;

	for (s = c->subs; s != NULL; s = s->next) {
		if (!s->dead && s->ev.done != NULL)
			s->ev.done(s->arg);
	}
}
