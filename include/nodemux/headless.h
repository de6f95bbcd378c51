/*
 * Headless output (SPEC §6): node lines as "name | text" and nodemux's
 * own events as "nodemux | ...", written to a file descriptor without
 * ever stalling the loop, and the headless run of a whole cluster.
 */
#ifndef NODEMUX_HEADLESS_H
#define NODEMUX_HEADLESS_H

#include <stddef.h>
#include <stdint.h>

#include "nodemux/cluster.h"
#include "nodemux/line.h"
#include "nodemux/loop.h"
#include "nodemux/plan.h"

struct headless_opts {
	int		 fd;		/* where the lines go */
	int		 colour;	/* colour the names, keep node SGR */
	int		 node_lines;	/* 0: nodemux's events only (exec) */
	size_t		 max_queued;	/* bytes held for a slow fd; 0: 1 MiB */
	/* Called once when the reader has gone (EPIPE); may be NULL. */
	void		(*gone)(void *arg);
	/* Called whenever a flush leaves nothing held. */
	void		(*drained)(void *arg);
	void		*cb_arg;
	/* headless_run: the control socket to answer on; NULL for none. */
	const char	*socket;
};

struct headless;

/*
 * Output to o->fd, names padded to the longest of plan's (short) node
 * names.  A terminal or pipe is written through a non-blocking
 * descriptor of its own, so the loop never waits for a slow reader: up
 * to max_queued bytes are held, then the oldest lines are dropped and
 * "nodemux | dropped N lines (stdout too slow)" says so.  When o->fd is
 * /dev/null nothing is formatted or written at all.
 */
struct headless	*headless_new(struct loop *, const struct plan *,
		    const struct headless_opts *);
/* Write what is left, waiting at most timeout_ms for the fd; free. */
void		 headless_free(struct headless *, int timeout_ms);

/* Queue a node's completed line, or one of nodemux's events (n may be
   NULL); written at the latest when the loop is next about to sleep. */
void		 headless_line(struct headless *, const struct node *,
		    const struct line *);
/* Would headless_line write anything (node lines on, the fd not
   /dev/null)?  If not, a front end need not hand it lines at all. */
int		 headless_wants_lines(const struct headless *);
void		 headless_message(struct headless *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
/* Write what the fd takes now; -1 once the reader has gone (EPIPE). */
int		 headless_flush(struct headless *);
/* Lines dropped so far because the fd was too slow; bytes held now. */
uint64_t	 headless_dropped(const struct headless *);
size_t		 headless_queued(const struct headless *);

/*
 * Run every node of plan with headless output (SPEC §6) until SIGINT,
 * SIGTERM or SIGHUP (a second one kills at once), until the reader of
 * o->fd goes away, or until every node has ended and none will be
 * restarted.  Returns 0 if every node exited 0 or was stopped on
 * request, else 1.
 */
int		 headless_run(struct plan *, const struct headless_opts *);

/* The SGR sequence ("\033[0;1;31m") that sets attr, appended to sb. */
struct strbuf;
void		 headless_sgr(struct strbuf *, const struct attr *);

#endif
