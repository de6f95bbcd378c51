/*
 * The cluster's subscribers: any number of consumers (the console, the
 * control socket, headless output, exec, tests) each attach a set of
 * callbacks, as tmux's notify.c and redis' event loop let them, so a new
 * consumer is an addition rather than an edit of every front end.
 */
#include "config.h"

#include <stdlib.h>

#include "nodemux/util.h"

#include "cluster-int.h"

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
	return s;
}

/* Free the subscribers unsubscribed while events were being sent. */
static void
cluster_sub_sweep(struct cluster *c)
{
	struct cluster_sub	**sp = &c->subs, *s;

	while ((s = *sp) != NULL) {
		if (s->dead) {
			*sp = s->next;
			free(s);
		} else
			sp = &s->next;
	}
	c->subs_dead = 0;
}

void
cluster_unsubscribe(struct cluster *c, struct cluster_sub *s)
{
	if (s == NULL)
		return;
	/* The list may be walked right now: mark, free after the walk. */
	s->dead = 1;
	c->subs_dead = 1;
	if (c->emitting == 0)
		cluster_sub_sweep(c);
}

/* Begin and end a walk of the subscribers. */
void
cluster_emit_begin(struct cluster *c)
{
	c->emitting++;
}

void
cluster_emit_end(struct cluster *c)
{
	if (--c->emitting == 0 && c->subs_dead)
		cluster_sub_sweep(c);
}

/* Free every subscriber (cluster_free). */
void
cluster_sub_free_all(struct cluster *c)
{
	struct cluster_sub	*s;

	while ((s = c->subs) != NULL) {
		c->subs = s->next;
		free(s);
	}
}

void
cluster_emit_line(struct cluster *c, struct node *n, const struct line *l)
{
	struct cluster_sub	*s;

	cluster_emit_begin(c);
	for (s = c->subs; s != NULL; s = s->next) {
		if (!s->dead && s->ev.line != NULL)
			s->ev.line(s->arg, n, l);
	}
	cluster_emit_end(c);
}

void
cluster_emit_output(struct cluster *c, struct node *n)
{
	struct cluster_sub	*s;

	cluster_emit_begin(c);
	for (s = c->subs; s != NULL; s = s->next) {
		if (!s->dead && s->ev.output != NULL)
			s->ev.output(s->arg, n);
	}
	cluster_emit_end(c);
}

void
cluster_emit_state(struct cluster *c, struct node *n,
    const struct node_change *ch)
{
	struct cluster_sub	*s;

	cluster_emit_begin(c);
	for (s = c->subs; s != NULL; s = s->next) {
		if (!s->dead && s->ev.state != NULL)
			s->ev.state(s->arg, n, ch);
	}
	cluster_emit_end(c);
}

void
cluster_emit_message(struct cluster *c, struct node *n, const char *msg)
{
	struct cluster_sub	*s;

	cluster_emit_begin(c);
	for (s = c->subs; s != NULL; s = s->next) {
		if (!s->dead && s->ev.message != NULL)
			s->ev.message(s->arg, n, msg);
	}
	cluster_emit_end(c);
}

void
cluster_emit_done(struct cluster *c)
{
	struct cluster_sub	*s;

	cluster_emit_begin(c);
	for (s = c->subs; s != NULL; s = s->next) {
		if (!s->dead && s->ev.done != NULL)
			s->ev.done(s->arg);
	}
	cluster_emit_end(c);
}
