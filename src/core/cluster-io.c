/*
 * The launcher's input side: reading each node's pty (bounded per turn,
 * so one chatty node cannot starve the others), turning output into
 * lines for scrollback and log file, and port checks.
 *
 * A turn reads every ready pty into one staging buffer first and parses
 * after the last read (a call the loop defers to the end of the fd
 * dispatch): back-to-back reads let the kernel's tty workers refill the
 * ptys in one batch and keep the writers going while the lines are
 * parsed, instead of waking between two parses for each pty.  Whatever
 * else feeds, flushes or closes a node parses its staged bytes first.
 */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/net.h"
#include "nodemux/util.h"

#include "cluster-int.h"

static void	cluster_io_after_read(struct cnode *);
static void	cluster_io_parse(struct cnode *);
static void	cluster_io_parse_cb(struct loop *, void *);

/* Is the node starting and waiting for a line its ready pattern
   matches? */
static inline int
cluster_io_awaits_line(const struct cnode *cn)
{
	return cn->ready_re != NULL && !cn->log_ok &&
	    (cn->n->state == NODE_STARTING || (cn->n->state == NODE_PAUSED &&
	    cn->n->paused_from == NODE_STARTING));
}

/* A completed line: number it, log it, keep it, tell the front end. */
static void
cluster_io_line(void *arg, struct line *l)
{
	struct cnode		*cn = arg;
	struct cluster		*c = cn->c;
	const struct line	*kept;
	int			 matched = 0;

	l->node = cn->idx + 1;
	l->seq = ++c->seq;
	if (l->time_ms == 0)
		l->time_ms = wall_ms();
	if (cn->log != NULL)
		logfile_add(cn->log, l);
	if (cluster_io_awaits_line(cn))
		matched = search_line(cn->ready_re, l);
	/* l is the parser's, lent for this call: front ends get the
	   scrollback's copy. */
	kept = scrollback_push(cn->n->sb, l);
	cluster_emit_line(c, cn->n, kept);
	if (matched) {
		cn->log_ok = 1;
		cluster_ready_check(cn);
	}
}

/* The scrollback's copy of a plain line, to the front ends. */
static void
cluster_io_kept(void *arg, const struct line *kept)
{
	struct cnode	*cn = arg;

	cluster_emit_line(cn->c, cn->n, kept);
}

/*
 * Plain lines, many at a time (vt_on_plain): what cluster_io_line does
 * to each, the log's and the scrollback's loops each in one call.  A
 * ready pattern is tried on them all before the scrollback takes them,
 * and the node is found ready after the last.
 */
void
cluster_io_plain(void *arg, const struct vt_plain *p)
{
	struct cnode	*cn = arg;
	struct cluster	*c = cn->c;
	struct line	 first;
	size_t		 i;
	int		 matched = 0;

	memset(&first, 0, sizeof first);
	first.node = cn->idx + 1;
	first.seq = c->seq + 1;
	first.time_ms = p->time_ms;
	c->seq += p->n;
	if (cn->log != NULL)
		logfile_add_many(cn->log, p->text, p->len, p->n);
	if (cluster_io_awaits_line(cn)) {
		for (i = 0; i < p->n && !matched; i++)
			matched = search_test(cn->ready_re, p->text[i],
			    p->len[i]);
	}
	scrollback_push_many(cn->n->sb, &first, p->text, p->len, p->n,
	    c->nline_hooks > 0 ? cluster_io_kept : NULL, cn);
	if (matched) {
		cn->log_ok = 1;
		cluster_ready_check(cn);
	}
}

/* The screen model's answers to the program's queries go back to it. */
static void
cluster_io_reply(void *arg, const void *buf, size_t len)
{
	struct cnode	*cn = arg;

	if (cn->fd != -1)
		cluster_io_write(cn, buf, len);
}

/* Where the node's output goes: its parser, its screen once it needs
   one (seeded from its scrollback), lines to cluster_io_line. */
static void
cluster_io_out(struct cnode *cn, struct screen_out *o)
{
	o->vt = cn->n->vt;
	o->screen = &cn->n->screen;
	o->sb = cn->n->sb;
	o->rows = cn->rows;
	o->cols = cn->cols;
	o->reply = cluster_io_reply;
	o->rarg = cn;
	o->cb = cluster_io_line;
	o->arg = cn;
}

/*
 * The node has written nothing to its screen for CLUSTER_SETTLE_MS: the
 * episode ends if it can, so that lines reach the log and the scrollback
 * as they are written again.
 */
static void
cluster_io_settle(struct loop *loop, void *arg)
{
	struct cnode		*cn = arg;
	struct cluster		*c = cn->c;
	struct screen_out	 o;
	int64_t			 now = now_ms();

	cn->settle_timer = 0;
	cluster_io_parse(cn);
	if (!screen_active(cn->n->screen))
		return;
	if (now - cn->fed_ms < CLUSTER_SETTLE_MS) {
		cn->settle_timer = loop_add_timer(loop, cn->fed_ms +
		    CLUSTER_SETTLE_MS, cluster_io_settle, cn);
		return;
	}
	cluster_io_out(cn, &o);
	if (!screen_out_settle(&o))
		return;
	cluster_io_after_read(cn);
	cluster_emit_output(c, cn->n);
}

/* Output of the node, to its parser or its screen; a screen's episode
   may end when the node goes quiet. */
static void
cluster_io_feed(struct cnode *cn, const char *buf, size_t len)
{
	struct screen_out	 o;

	cluster_io_out(cn, &o);
	screen_out_feed(&o, buf, len);
	if (screen_active(cn->n->screen)) {
		cn->fed_ms = now_ms();
		if (cn->settle_timer == 0)
			cn->settle_timer = loop_add_timer(cn->c->loop,
			    cn->fed_ms + CLUSTER_SETTLE_MS, cluster_io_settle,
			    cn);
	}
}

/* The pane's size changed: the screen model follows the pty. */
void
cluster_io_resize(struct cnode *cn)
{
	cluster_io_parse(cn);
	if (cn->n->screen != NULL)
		screen_resize(cn->n->screen, cn->rows, cn->cols,
		    cluster_io_line, cn);
}

/* Write the log file's queue; a failure is said once per episode. */
static void
cluster_io_flush_log(struct cnode *cn)
{
	char	*cause = NULL;

	if (cn->log != NULL && logfile_flush(cn->log, &cause) == -1) {
		cluster_msg(cn->c, cn->n, "%s: %s", cluster_node_label(cn->n),
		    cause);
		free(cause);
	}
}

/* Write every node's log queue now. */
void
cluster_flush_logs(struct cluster *c)
{
	int64_t	 now = now_ms();
	int	 i;

	cluster_io_parse_all(c);
	loop_cancel_timer(c->loop, c->log_timer);
	c->log_timer = 0;
	for (i = 0; i < c->size; i++) {
		if (c->cn[i].log == NULL || logfile_queued(c->cn[i].log) == 0)
			continue;
		cluster_io_flush_log(&c->cn[i]);
		c->cn[i].log_written_ms = now;
	}
}

/* The rescued logs' lines have waited long enough. */
static void
cluster_io_log_timer(struct loop *loop, void *arg)
{
	struct cluster	*c = arg;

	c->log_timer = 0;
	cluster_flush_logs(c);
}

/*
 * After a read: a log the guard would rescue is written at once unless
 * it was written less than CLUSTER_LOG_FLUSH_MS ago; then it waits for
 * that timer or for its 64 KiB queue to fill.  A node that logs as nodes
 * do has each line in its file at once; a flood costs one write per
 * 64 KiB or 50 ms, not one per 4 KiB read.  A log the guard does not hold
 * is always written at once, or a crash of nodemux would lose what it
 * had read.
 */
static void
cluster_io_after_read(struct cnode *cn)
{
	struct cluster	*c = cn->c;
	int64_t		 now;

	if (cn->log == NULL || logfile_queued(cn->log) == 0)
		return;
	now = now_ms();
	if (!logfile_shared(cn->log) ||
	    now - cn->log_written_ms >= CLUSTER_LOG_FLUSH_MS) {
		cluster_io_flush_log(cn);
		cn->log_written_ms = now;
	} else if (c->log_timer == 0)
		c->log_timer = loop_add_timer(c->loop, now +
		    CLUSTER_LOG_FLUSH_MS, cluster_io_log_timer, c);
}

/* Stop reading the node: flush the partial line and close its fd. */
void
cluster_io_close(struct cnode *cn)
{
	if (cn->fd == -1)
		return;
	cluster_io_parse(cn);
	loop_del_fd(cn->c->loop, cn->fd);
	if (screen_active(cn->n->screen))
		screen_flush(cn->n->screen, cluster_io_line, cn);
	vt_flush(cn->n->vt, cluster_io_line, cn);
	cluster_io_flush_log(cn);
	cn->tops->close_fd(cn->t);
	cn->fd = -1;
	strbuf_reset(&cn->input);
	cn->input_off = 0;
}

/* Write queued input while the pty takes it; watch POLLOUT meanwhile. */
static void
cluster_io_flush_input(struct cnode *cn)
{
	ssize_t	 n;

	while (cn->input_off < cn->input.len) {
		n = write(cn->fd, cn->input.buf + cn->input_off,
		    cn->input.len - cn->input_off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		cn->input_off += n;
	}
	if (cn->input_off == cn->input.len || errno != EAGAIN) {
		/* Done, or the pty is gone (its EOF comes by POLLIN). */
		strbuf_free(&cn->input);
		cn->input_off = 0;
		loop_set_events(cn->c->loop, cn->fd, POLLIN);
	} else
		loop_set_events(cn->c->loop, cn->fd, POLLIN | POLLOUT);
}

/*
 * Input for the node (interactive mode, a paste): queued behind what is
 * still waiting, written as the pty takes it.  All of len, or -1 with
 * EIO (no pty) or EAGAIN (CLUSTER_INPUT_MAX already waiting).
 */
ssize_t
cluster_io_write(struct cnode *cn, const void *buf, size_t len)
{
	if (cn->fd == -1) {
		errno = EIO;
		return -1;
	}
	if (cn->input.len - cn->input_off + len > CLUSTER_INPUT_MAX) {
		errno = EAGAIN;
		return -1;
	}
	strbuf_add(&cn->input, buf, len);
	cluster_io_flush_input(cn);
	return len;
}

/* New output was fed: readiness probes and front ends hear of it. */
static void
cluster_io_tell(struct cnode *cn)
{
	cluster_ready_output(cn);
	cluster_emit_output(cn->c, cn->n);
}

/*
 * Parse what cn read into the stage this turn: lines to scrollback and
 * log, then the front ends hear of the output.
 */
static void
cluster_io_parse(struct cnode *cn)
{
	struct cluster	*c = cn->c;
	size_t		 len = cn->stage_len;

	if (len == 0)
		return;
	cn->stage_len = 0;	/* before the callbacks: they may parse */
	cluster_io_feed(cn, c->stage + cn->stage_at, len);
	cluster_io_after_read(cn);
	cluster_io_tell(cn);
}

/* Parse every node's staged bytes, in the order they were read. */
void
cluster_io_parse_all(struct cluster *c)
{
	int	 i;

	loop_undefer(c->loop, cluster_io_parse_cb, c);
	/* A callback may parse, or close, a node further on: each node's
	   bytes are taken once, whoever parses them. */
	for (i = 0; i < c->nstaged; i++)
		cluster_io_parse(&c->cn[c->staged[i]]);
	c->nstaged = 0;
	c->stage_len = 0;
}

/* The loop's deferred call at the end of a turn's reads. */
static void
cluster_io_parse_cb(struct loop *loop, void *arg)
{
	cluster_io_parse_all(arg);
}

/* Parse what is staged and drop the stage (the cluster ends). */
void
cluster_io_free(struct cluster *c)
{
	if (c->stage == NULL)
		return;
	cluster_io_parse_all(c);
	free(c->stage);
	free(c->staged);
	c->stage = NULL;
	c->staged = NULL;
}

/*
 * One read of at most want bytes into the stage (parsed at the end of
 * the turn); the stage is parsed first when it has not room for want.
 * What read(2) returns.
 */
static ssize_t
cluster_io_stage(struct cnode *cn, size_t want)
{
	struct cluster	*c = cn->c;
	ssize_t		 r;

	if (c->stage == NULL) {
		c->stage = xmalloc(CLUSTER_STAGE_MAX);
		c->staged = xcalloc(c->size, sizeof *c->staged);
	}
	/* A node's staged bytes are one run: should it read again after
	   another node (never in a turn today), its first run goes first. */
	if (cn->stage_len != 0 && cn->stage_at + cn->stage_len != c->stage_len)
		cluster_io_parse(cn);
	/* Full, or every entry taken (a node parsed alone, by a resize say,
	   and read again keeps its first entry). */
	if (CLUSTER_STAGE_MAX - c->stage_len < want ||
	    (cn->stage_len == 0 && c->nstaged == c->size))
		cluster_io_parse_all(c);
	if (cn->stage_len == 0)
		cn->stage_at = c->stage_len;
	r = read(cn->fd, c->stage + c->stage_len, want);
	if (r <= 0)
		return r;
	if (cn->stage_len == 0) {
		c->staged[c->nstaged++] = cn->idx;
		loop_defer(c->loop, cluster_io_parse_cb, c);
	}
	c->stage_len += r;
	cn->stage_len += r;
	return r;
}

/*
 * Read up to max bytes from the pty; at EOF (EIO once every slave is
 * closed) close it and, if the wait status is in, finish the node.
 * A loop turn's read (max CLUSTER_READ_MAX) goes to the stage, parsed
 * after the turn's last read, and ends at a short read: the line
 * discipline's buffer is empty then, and reading again would make the
 * kernel wait for its worker to refill it (n_tty_read flushes the
 * pending work), stalling every other node.  Draining at the leader's
 * exit parses what is staged, then reads on to EAGAIN.  Returns 1 after
 * EOF (cn may have been restarted since), else 0.
 */
int
cluster_io_drain(struct cnode *cn, size_t max)
{
	struct cluster	*c = cn->c;
	size_t		 total = 0, want;
	ssize_t		 r;
	int		 eof = 0, stage = max <= CLUSTER_READ_MAX;

	if (!stage)
		cluster_io_parse(cn);
	while (cn->fd != -1 && total < max) {
		want = max - total < CLUSTER_READ_MAX ? max - total :
		    CLUSTER_READ_MAX;
		if (stage)
			r = cluster_io_stage(cn, want);
		else
			r = read(cn->fd, c->buf, want);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == EAGAIN)
			break;
		if (r <= 0) {
			eof = 1;
			break;
		}
		if (!stage)
			cluster_io_feed(cn, c->buf, r);
		total += r;
		if ((size_t)r < want && stage)
			break;
	}
	if (!stage) {
		cluster_io_after_read(cn);
		if (total > 0)
			cluster_io_tell(cn);
	} else if (eof) {
		cluster_io_parse(cn);	/* its last bytes, before its end */
		cluster_io_after_read(cn);
	}
	if (!eof)
		return 0;
	if (!cn->ended) {
		/* The node closed its terminal but runs on.  Closing the
		   master would hang it up (SIGHUP): stop reading, keep the
		   master, and end the node when its wait status comes. */
		loop_del_fd(c->loop, cn->fd);
		vt_flush(cn->n->vt, cluster_io_line, cn);
		cluster_io_flush_log(cn);
		return 1;
	}
	cluster_io_close(cn);
	cluster_node_finish(cn);
	return 1;
}

/* The pty is readable (or hung up): one bounded batch per turn; or it
   can take more input. */
static void
cluster_io_read_cb(struct loop *loop, int fd, int revents, void *arg)
{
	struct cnode	*cn = arg;

	if (revents & POLLOUT)
		cluster_io_flush_input(cn);
	if (revents & ~POLLOUT)
		cluster_io_drain(cn, CLUSTER_READ_MAX);
}

/* Watch the node's fresh pty. */
void
cluster_io_attach(struct cnode *cn)
{
	vt_screens(cn->n->vt, 1);
	loop_add_fd(cn->c->loop, cn->fd, POLLIN, cluster_io_read_cb, cn);
}

/* Does a node other than i hold port in the plan? */
static int
cluster_io_port_taken(const struct plan *plan, int i, int port)
{
	int	 j;

	for (j = 0; j < plan->size; j++) {
		if (j != i && (plan->nodes[j].http_port == port ||
		    plan->nodes[j].dist_port == port))
			return 1;
	}
	return 0;
}

/*
 * Ask the node's transport whether port is free on its host: 1, 0, -1
 * and *cause; or TRANSPORT_PORT_LATER, and the node waits for the
 * transport's word (cluster_transport_ports).
 */
static int
cluster_io_port_free(struct cnode *cn, int port, char **cause)
{
	struct transport_spec	 spec;
	int			 r;

	cluster_spec(cn, &spec);
	r = cn->tops->port_free(&spec, port, cause);
	if (r == TRANSPORT_PORT_LATER)
		cn->ports_wait = 1;
	return r;
}

/*
 * next-free: go on with the scan for a port after from that is free and
 * nobody's; at most *budget probes.  The port, 0 when the budget ran
 * out or the transport cannot tell yet (cn->scan_next says where to go
 * on), or -1 and *cause.
 */
static int
cluster_io_next_free(struct cnode *cn, int from, int other, int *budget,
    char **cause)
{
	const struct plan	*plan = cn->c->plan;
	int			 p, r;

	for (p = cn->scan_next; p <= 65535 && p <= from + CLUSTER_PORT_SCAN;
	    p++) {
		if (p == other || cluster_io_port_taken(plan, cn->idx, p))
			continue;
		if ((*budget)-- == 0) {
			cn->scan_next = p;
			return 0;
		}
		if ((r = cluster_io_port_free(cn, p, cause)) == -1)
			return -1;
		if (r == TRANSPORT_PORT_LATER) {
			cn->scan_next = p;
			return 0;
		}
		if (r == 1)
			return p;
	}
	*cause = xasprintf("no free port in %d-%d for node %s", from + 1,
	    p - 1, cn->n->spec->name);
	return -1;
}

/* Why the node cannot start on its busy port, in its transport's words
   (where it is busy) or the holder's here. */
static char *
cluster_io_port_busy(struct cnode *cn, int port, const char *role)
{
	struct transport_spec	 spec;

	if (cn->tops->port_busy == NULL)
		return port_busy_message(port, role, cn->n->spec->name);
	cluster_spec(cn, &spec);
	return cn->tops->port_busy(&spec, port, role);
}

/*
 * Probe one of the node's ports (*port, its plan value) and move it
 * under next-free.  0 when *port is settled, 1 when the scan goes on in
 * a later turn (or once the transport can tell: cn->ports_wait), -1 and
 * *cause.
 */
static int
cluster_io_port_check(struct cnode *cn, const char *role, int *port,
    int other, int *budget, char **cause)
{
	const struct plan	*plan = cn->c->plan;
	int			 r, np;

	if (*port <= 0)
		return 0;
	if (cn->scan_next == 0) {
		r = cluster_io_port_free(cn, *port, cause);
		if (r == TRANSPORT_PORT_LATER)
			return 1;
		if (r != 0)
			return r == 1 ? 0 : -1;
		if (plan->port_policy == PLAN_PORTS_STRICT) {
			*cause = cluster_io_port_busy(cn, *port, role);
			return -1;
		}
		cn->scan_next = *port + 1;
	}
	if ((np = cluster_io_next_free(cn, *port, other, budget, cause)) <= 0)
		return np == 0 ? 1 : -1;
	cn->scan_next = 0;
	cluster_msg(cn->c, cn->n, "%s %s port %d is busy: using %d",
	    cluster_node_label(cn->n), role, *port, np);
	*port = np;
	return 0;
}

/*
 * Before a spawn, probe the node's http and dist ports on its host (the
 * transport's port_free): strict fails on a busy one (-1 and *cause
 * naming port, role, node and holder); next-free moves the node in the
 * plan, scanning at most CLUSTER_PORT_PROBES ports a turn: 1 when the
 * scan must go on in a later turn, or once the transport can tell
 * (cn->ports_wait; call again then), 0 when done.  Whatever ends the
 * scan but a spawn (-1, cluster_scan_cancel) tells the transport
 * (port_cancel).
 */
int
cluster_io_ports(struct cnode *cn, char **cause)
{
	struct plan		*plan = cn->c->plan;
	const struct plan_node	*pn = &plan->nodes[cn->idx];
	int			 budget = CLUSTER_PORT_PROBES, r;

	if (!cn->scan_active) {
		cn->scan_active = 1;
		cn->scan_next = 0;
		cn->scan_http = pn->http_port;
		cn->scan_dist = pn->dist_port;
		cn->scan_role = 0;
	}
	if (cn->scan_role == 0) {
		r = cluster_io_port_check(cn, "http", &cn->scan_http,
		    cn->scan_dist, &budget, cause);
		if (r != 0)
			goto out;
		cn->scan_role = 1;
	}
	r = cluster_io_port_check(cn, "dist", &cn->scan_dist, cn->scan_http,
	    &budget, cause);
	if (r != 0)
		goto out;
	if ((cn->scan_http != pn->http_port || cn->scan_dist != pn->dist_port) &&
	    plan_node_set_ports(plan, cn->idx, cn->scan_http, cn->scan_dist,
	    cause) == -1)
		r = -1;
	else {
		cn->n->http_port = pn->http_port;
		cn->n->dist_port = pn->dist_port;
	}
out:
	if (r != 1)
		cn->scan_active = 0;
	if (r == -1 && cn->tops->port_cancel != NULL)
		cn->tops->port_cancel(cn);
	return r;
}
