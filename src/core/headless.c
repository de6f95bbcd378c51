/*
 * Headless output: every node line as "name | text" and nodemux's own
 * events as "nodemux | ...", queued in bounded chunks and written to a
 * non-blocking descriptor so that a slow reader costs lines, never time.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/headless.h"
#include "nodemux/util.h"

#define HEADLESS_CHUNK		(64 * 1024)
#define HEADLESS_MAX_QUEUED	(1024 * 1024)
#define HEADLESS_NAME		"nodemux"

static void	 headless_broken(struct headless *);

/* Node name colours, in node order, as docker compose and mprocs do. */
static const char *headless_colours[] = {
	"36", "33", "32", "35", "34", "96", "93", "92", "95", "94",
};

/* Whole lines waiting for the fd; off bytes of them are written. */
struct headless_chunk {
	struct headless_chunk	*next;
	char			*buf;
	size_t			 len;
	size_t			 off;
	size_t			 cap;
	size_t			 nlines;
	uint64_t		 note;		/* a "dropped" note: its count */
	int			 events;	/* nodemux's own lines only */
};

struct headless {
	struct loop		*loop;
	const struct plan	*plan;
	int			 fd;		/* ours: non-blocking */
	int			 own_fd;	/* reopened: close it */
	int			 restore_fl;	/* -1, or flags to put back */
	int			 watching;	/* POLLOUT asked for */
	int			 events;	/* asked of the loop now */
	int			 idle_events;	/* when nothing waits: POLLERR
						   for pipes, so a reader that
						   goes is seen while idle */
	int			 broken;	/* the reader has gone */
	int			 null;		/* fd is /dev/null: queue nothing */
	int			 colour;
	int			 node_lines;
	void			(*gone)(void *);
	void			(*drained)(void *);
	void			*cb_arg;
	int			 width;		/* of the name column */
	char			**prefix;	/* per node: "name   | " */
	size_t			*prefix_len;
	char			*event_prefix;	/* "nodemux | " */
	size_t			 max_queued;
	size_t			 queued;	/* bytes not yet written */
	uint64_t		 dropped;	/* lines, not yet reported */
	uint64_t		 dropped_total;
	struct headless_chunk	*head;
	struct headless_chunk	*tail;
	char			*spare;		/* a HEADLESS_CHUNK buffer */
	struct strbuf		 line;		/* scratch */
};

/* Append to sb the SGR parameters of colour c as foreground or not. */
static void
headless_sgr_colour(struct strbuf *sb, uint32_t c, int fg)
{
	uint32_t	 v = COLOUR_VALUE(c);

	if (COLOUR_KIND(c) == COLOUR_PALETTE && v < 8)
		strbuf_addf(sb, ";%u", (fg ? 30 : 40) + v);
	else if (COLOUR_KIND(c) == COLOUR_PALETTE && v < 16)
		strbuf_addf(sb, ";%u", (fg ? 90 : 100) + v - 8);
	else if (COLOUR_KIND(c) == COLOUR_PALETTE)
		strbuf_addf(sb, ";%d;5;%u", fg ? 38 : 48, v & 0xff);
	else if (COLOUR_KIND(c) == COLOUR_RGB)
		strbuf_addf(sb, ";%d;2;%u;%u;%u", fg ? 38 : 48, v >> 16,
		    (v >> 8) & 0xff, v & 0xff);
}

void
headless_sgr(struct strbuf *sb, const struct attr *a)
{
	static const struct {
		uint16_t	 flag;
		const char	*code;
	} flags[] = {
		{ ATTR_BOLD, ";1" }, { ATTR_DIM, ";2" }, { ATTR_ITALIC, ";3" },
		{ ATTR_UNDERLINE, ";4" }, { ATTR_BLINK, ";5" },
		{ ATTR_REVERSE, ";7" }, { ATTR_INVISIBLE, ";8" },
		{ ATTR_STRIKE, ";9" },
	};
	size_t	 i;

	strbuf_adds(sb, "\033[0");
	for (i = 0; i < nitems(flags); i++) {
		if (a->flags & flags[i].flag)
			strbuf_adds(sb, flags[i].code);
	}
	headless_sgr_colour(sb, a->fg, 1);
	headless_sgr_colour(sb, a->bg, 0);
	strbuf_addc(sb, 'm');
}

/*
 * Our own descriptor for fd: a terminal or pipe is opened again through
 * /proc so that O_NONBLOCK is ours alone (the shell shares the original);
 * a file is used as it is (appends stay in order); anything else is made
 * non-blocking and put back at the end.
 */
static void
headless_open_fd(struct headless *h, int fd)
{
	struct stat	 st;
	char		 path[64];
	int		 nfd, fl;
	mode_t		 mode = 0;

	h->fd = fd;
	h->own_fd = 0;
	h->restore_fl = -1;
	if (fstat(fd, &st) == 0)
		mode = st.st_mode;
	if (S_ISREG(mode) || S_ISBLK(mode))
		return;
	/* /dev/null (1,3 on Linux) takes everything: formatting every line
	   only to throw it away would be the costliest part of a quiet CI
	   run, so nothing is queued (GNU tar skips reads the same way). */
	if (S_ISCHR(mode) && st.st_rdev == makedev(1, 3)) {
		h->null = 1;
		return;
	}
	if (S_ISCHR(mode) || S_ISFIFO(mode)) {
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		nfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
		if (nfd != -1) {
			h->fd = nfd;
			h->own_fd = 1;
			return;
		}
	}
	fl = fcntl(fd, F_GETFL);
	if (fl != -1 && (fl & O_NONBLOCK) == 0 &&
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == 0)
		h->restore_fl = fl;
}

/* The fd is writable again (write what is queued) or its reader gone. */
static void
headless_writable(struct loop *loop, int fd, int revents, void *arg)
{
	struct headless	*h = arg;

	if ((revents & POLLOUT) || h->head != NULL)
		headless_flush(h);
	if (!h->broken && (revents & (POLLERR | POLLHUP)))
		headless_broken(h);
}

/* Before the loop sleeps: write what this turn queued. */
static void
headless_before_sleep(struct loop *loop, void *arg)
{
	headless_flush(arg);
}

/* The padded, maybe coloured, name that starts each line. */
static char *
headless_prefix(struct headless *h, const char *name, const char *sgr)
{
	if (h->colour)
		return xasprintf("\033[%sm%-*s\033[0m | ", sgr, h->width, name);
	return xasprintf("%-*s | ", h->width, name);
}

struct headless *
headless_new(struct loop *loop, const struct plan *plan,
    const struct headless_opts *o)
{
	struct headless	*h = xcalloc(1, sizeof *h);
	struct stat	 st;
	int		 i, len;

	h->loop = loop;
	h->plan = plan;
	h->colour = o->colour;
	h->node_lines = o->node_lines;
	h->gone = o->gone;
	h->drained = o->drained;
	h->cb_arg = o->cb_arg;
	h->max_queued = o->max_queued ? o->max_queued : HEADLESS_MAX_QUEUED;
	if (h->max_queued < 2 * HEADLESS_CHUNK)
		h->max_queued = 2 * HEADLESS_CHUNK;
	h->width = (int)strlen(HEADLESS_NAME);
	for (i = 0; i < plan->size; i++) {
		len = (int)strlen(plan->nodes[i].sname);
		if (len > h->width)
			h->width = len;
	}
	h->prefix = xcalloc(plan->size ? plan->size : 1, sizeof *h->prefix);
	h->prefix_len = xcalloc(plan->size ? plan->size : 1,
	    sizeof *h->prefix_len);
	for (i = 0; i < plan->size; i++) {
		h->prefix[i] = headless_prefix(h, plan->nodes[i].sname,
		    headless_colours[i % nitems(headless_colours)]);
		h->prefix_len[i] = strlen(h->prefix[i]);
	}
	h->event_prefix = headless_prefix(h, HEADLESS_NAME, "1");
	headless_open_fd(h, o->fd);
	if (fstat(h->fd, &st) == 0 && (S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode)))
		h->idle_events = POLLERR;
	h->events = h->idle_events;
	if (loop != NULL) {
		loop_add_fd(loop, h->fd, h->events, headless_writable, h);
		loop_set_before_sleep(loop, headless_before_sleep, h);
	}
	return h;
}

/* Free a chunk. */
static void
headless_chunk_free(struct headless_chunk *c)
{
	free(c->buf);
	free(c);
}

/*
 * A chunk written out: a full-sized buffer is kept as the spare, so that
 * a steady stream of lines fills one buffer after another instead of
 * growing each from 1 KB again (a copy of every byte on the way).
 */
static void
headless_chunk_done(struct headless *h, struct headless_chunk *c)
{
	if (c->cap == HEADLESS_CHUNK && h->spare == NULL) {
		h->spare = c->buf;
		c->buf = NULL;
	}
	headless_chunk_free(c);
}

/* A chunk of cap bytes (or the spare) first in the queue (notes) or
   last (lines). */
static struct headless_chunk *
headless_chunk_new(struct headless *h, size_t cap, int first)
{
	struct headless_chunk	*c = xcalloc(1, sizeof *c);

	if (!first && cap <= HEADLESS_CHUNK && h->spare != NULL) {
		c->cap = HEADLESS_CHUNK;
		c->buf = h->spare;
		h->spare = NULL;
	} else {
		c->cap = cap;
		c->buf = xmalloc(c->cap);
	}
	if (first) {
		c->next = h->head;
		h->head = c;
		if (h->tail == NULL)
			h->tail = c;
	} else {
		if (h->tail != NULL)
			h->tail->next = c;
		else
			h->head = c;
		h->tail = c;
	}
	return c;
}

/*
 * Over the bound: drop whole chunks of the oldest node lines, but never
 * the one being written (its line is half out), the one being filled,
 * nodemux's own events (unless twice over the bound) or the note.
 */
static void
headless_trim(struct headless *h)
{
	struct headless_chunk	**cp, *c;

	cp = &h->head;
	if (*cp != NULL && ((*cp)->off != 0 || (*cp)->note != 0))
		cp = &(*cp)->next;
	while (h->queued > h->max_queued && (c = *cp) != NULL &&
	    c != h->tail) {
		if (c->events && h->queued <= 2 * h->max_queued) {
			cp = &c->next;
			continue;
		}
		*cp = c->next;
		if (h->tail == c)
			h->tail = NULL;
		h->queued -= c->len - c->off;
		h->dropped += c->nlines;
		h->dropped_total += c->nlines;
		headless_chunk_free(c);
	}
}

/*
 * Room for a whole line of len bytes (with its \n) at the end of the
 * queue; headless_commit() queues what was written there.  Events are
 * nodemux's own lines.
 */
static char *
headless_room(struct headless *h, size_t len, int events)
{
	struct headless_chunk	*c = h->tail;

	/* Chunks start small and grow to HEADLESS_CHUNK, so that memory
	   stays near the bytes held however lines and events mix. */
	if (c != NULL && c->events == events && c->len + len > c->cap &&
	    c->len + len <= HEADLESS_CHUNK) {
		c->cap = c->len + len > 2 * c->cap ? c->len + len : 2 * c->cap;
		if (c->cap > HEADLESS_CHUNK)
			c->cap = HEADLESS_CHUNK;
		c->buf = xrealloc(c->buf, c->cap);
	}
	if (c == NULL || c->len + len > c->cap || c->events != events) {
		c = headless_chunk_new(h, len > 1024 ? len : 1024, 0);
		c->events = events;
	}
	return c->buf + c->len;
}

/* Queue the line of len bytes just written at headless_room(). */
static void
headless_commit(struct headless *h, size_t len)
{
	struct headless_chunk	*c = h->tail;

	c->len += len;
	c->nlines++;
	h->queued += len;
	if (h->queued > h->max_queued)
		headless_trim(h);
	if (h->queued >= HEADLESS_CHUNK)
		headless_flush(h);
}

/* Queue one whole line (with its \n); events are nodemux's own. */
static void
headless_queue(struct headless *h, const char *s, size_t len, int events)
{
	if (h->broken || h->null)
		return;
	memcpy(headless_room(h, len, events), s, len);
	headless_commit(h, len);
}

/*
 * Put the "dropped N lines" note in front of what is left; a note not
 * yet begun absorbs the new count (the lines dropped since were after it).
 */
static void
headless_note_dropped(struct headless *h)
{
	struct headless_chunk	*c = h->head;
	struct strbuf		*sb = &h->line;

	if (c != NULL && c->note != 0 && c->off == 0) {
		h->dropped += c->note;
		h->head = c->next;
		if (h->tail == c)
			h->tail = NULL;
		h->queued -= c->len;
		headless_chunk_free(c);
	}
	strbuf_reset(sb);
	strbuf_adds(sb, h->event_prefix);
	strbuf_addf(sb, "dropped %llu lines (stdout too slow)\n",
	    (unsigned long long)h->dropped);
	c = headless_chunk_new(h, sb->len, 1);
	memcpy(c->buf, sb->buf, sb->len);
	c->len = sb->len;
	c->nlines = 1;
	c->note = h->dropped;
	h->dropped = 0;
	h->queued += sb->len;
}

/* Stop or start waiting for the fd to take more. */
static void
headless_watch(struct headless *h, int on)
{
	int	 events = h->broken ? 0 : on ? POLLOUT : h->idle_events;

	if (h->loop != NULL && h->events != events)
		loop_set_events(h->loop, h->fd, events);
	h->events = events;
	h->watching = on;
}

/* The reader has gone: nothing more will be written. */
static void
headless_broken(struct headless *h)
{
	struct headless_chunk	*c;

	h->broken = 1;
	while ((c = h->head) != NULL) {
		h->head = c->next;
		headless_chunk_free(c);
	}
	h->tail = NULL;
	h->queued = 0;
	headless_watch(h, 0);
	if (h->gone != NULL)
		h->gone(h->cb_arg);
}

int
headless_flush(struct headless *h)
{
	struct headless_chunk	*c;
	ssize_t			 n;

	while (!h->broken && (c = h->head) != NULL) {
		if (c->off == 0 && h->dropped != 0) {
			headless_note_dropped(h);
			continue;
		}
		n = write(h->fd, c->buf + c->off, c->len - c->off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			headless_watch(h, 1);
			return 0;
		}
		if (n <= 0) {
			headless_broken(h);
			break;
		}
		c->off += n;
		h->queued -= n;
		if (c->off < c->len)
			continue;
		h->head = c->next;
		if (h->tail == c)
			h->tail = NULL;
		headless_chunk_done(h, c);
	}
	headless_watch(h, 0);
	if (!h->broken && h->drained != NULL)
		h->drained(h->cb_arg);
	return h->broken ? -1 : 0;
}

uint64_t
headless_dropped(const struct headless *h)
{
	return h->dropped_total;
}

size_t
headless_queued(const struct headless *h)
{
	return h->queued;
}

/* Append l's text with its attributes; plain text stays plain. */
static void
headless_runs(struct strbuf *sb, const struct line *l)
{
	const struct attr		*a;
	uint32_t			 i, from, to;
	int				 set = 0;

	for (i = 0; i < l->nruns; i++) {
		from = l->runs[i].off;
		to = i + 1 < l->nruns ? l->runs[i + 1].off : l->len;
		if (from >= to || to > l->len)
			continue;
		a = &l->runs[i].attr;
		if (set || a->fg != COLOUR_DEFAULT || a->bg != COLOUR_DEFAULT ||
		    a->flags != 0) {
			headless_sgr(sb, a);
			set = 1;
		}
		strbuf_add(sb, l->text + from, to - from);
	}
	if (set)
		strbuf_adds(sb, "\033[0m");
}

/* Queue a node's line (headless_line has said it is wanted).  Not
   inlined: the registers it needs would be saved before that test. */
static __attribute__((noinline)) void
headless_line_queue(struct headless *h, const struct node *n,
    const struct line *l)
{
	struct strbuf	*sb = &h->line;
	int		 idx = n->spec->index - 1;
	size_t		 plen;
	char		*p;

	if (idx < 0 || idx >= h->plan->size)
		return;
	if (!h->colour || l->nruns == 0) {
		/* Plain text, the common case: straight into the queue. */
		plen = h->prefix_len[idx];
		p = headless_room(h, plen + l->len + 1, 0);
		memcpy(p, h->prefix[idx], plen);
		memcpy(p + plen, l->text, l->len);
		p[plen + l->len] = '\n';
		headless_commit(h, plen + l->len + 1);
		return;
	}
	strbuf_reset(sb);
	strbuf_add(sb, h->prefix[idx], h->prefix_len[idx]);
	headless_runs(sb, l);
	strbuf_addc(sb, '\n');
	headless_queue(h, sb->buf, sb->len, 0);
}

int
headless_wants_lines(const struct headless *h)
{
	return h->node_lines && !h->null;
}

/* The test apart, so that a line nobody reads (stdout is /dev/null)
   costs a few loads and no saving of registers. */
void
headless_line(struct headless *h, const struct node *n,
    const struct line *l)
{
	if (headless_wants_lines(h) && !h->broken)
		headless_line_queue(h, n, l);
}

void
headless_message(struct headless *h, const char *fmt, ...)
{
	struct strbuf	*sb = &h->line;
	va_list		 ap;
	char		*msg;

	if (h->broken || h->null)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_reset(sb);
	strbuf_adds(sb, h->event_prefix);
	strbuf_adds(sb, msg);
	strbuf_addc(sb, '\n');
	free(msg);
	headless_queue(h, sb->buf, sb->len, 1);
}

/* At the end: write what is left, waiting for the fd until deadline. */
static void
headless_drain(struct headless *h, int timeout_ms)
{
	struct pollfd	 pfd;
	int64_t		 deadline = now_ms() + timeout_ms, left;

	for (;;) {
		if (headless_flush(h) != 0 || h->head == NULL)
			return;
		left = deadline - now_ms();
		if (left <= 0)
			return;
		pfd.fd = h->fd;
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR)
			return;
	}
}

void
headless_free(struct headless *h, int timeout_ms)
{
	struct headless_chunk	*c;
	int			 i;

	if (h == NULL)
		return;
	headless_drain(h, timeout_ms);
	if (h->loop != NULL) {
		loop_del_fd(h->loop, h->fd);
		loop_set_before_sleep(h->loop, NULL, NULL);
	}
	while ((c = h->head) != NULL) {
		h->head = c->next;
		headless_chunk_free(c);
	}
	if (h->own_fd)
		close(h->fd);
	if (h->restore_fl != -1)
		fcntl(h->fd, F_SETFL, h->restore_fl);
	for (i = 0; i < h->plan->size; i++)
		free(h->prefix[i]);
	free(h->prefix);
	free(h->prefix_len);
	free(h->spare);
	free(h->event_prefix);
	strbuf_free(&h->line);
	free(h);
}
