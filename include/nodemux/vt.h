/*
 * The terminal-output parser: a state machine (ground, ESC, CSI, OSC,
 * DCS, UTF-8) that turns a node's byte stream into lines with colour
 * attributes.  SGR is kept; \r, backspace, tab and erase-in-line edit the
 * current line; a sequence that addresses the screen stops the parser so
 * that a screen model takes the node over (vt_screens, screen.h); every
 * other sequence is consumed and never shown.
 * Memory is bounded: a line longer than the cap is cut (LINE_TRUNCATED),
 * an endless escape sequence is dropped.
 */
#ifndef NODEMUX_VT_H
#define NODEMUX_VT_H

#include <stddef.h>

#include "nodemux/line.h"

struct vt;

/*
 * Called for each completed line.  l is the parser's, lent for the call:
 * the callee may set its seq, node and time_ms, and copies it to keep it
 * (scrollback_push, line_dup); no malloc per line this way.
 */
typedef void	(*vt_line_cb)(void *arg, struct line *l);

/*
 * Plain lines, many to a call: printable ASCII with default attributes
 * written from the start of an empty line and ended by \n (or \r\n),
 * what a flood is made of.  text[i] is len[i] bytes of the buffer given
 * to vt_feed (trimmed as a line is, not NUL-terminated), valid for the
 * call; time_ms is every line's.
 */
#define VT_PLAIN_MAX	32
struct vt_plain {
	size_t		 n;
	int64_t		 time_ms;
	const char	*text[VT_PLAIN_MAX];
	uint32_t	 len[VT_PLAIN_MAX];
};
typedef void	(*vt_plain_cb)(void *arg, const struct vt_plain *p);

/* A parser whose lines hold at most max_cols columns (0: a default). */
struct vt	*vt_new(size_t max_cols);
void		 vt_free(struct vt *);

/*
 * Parse len bytes, calling cb for each line completed by them.  Returns
 * len; or, once vt_screens() is on, fewer when a sequence that only a
 * screen model can show came (cursor addressing, a scroll region, the
 * alternate screen): the parser stops after it, and the caller gives
 * vt_handover()'s bytes and the rest of buf to a screen (screen.h).
 * With it off, such sequences are consumed and show nothing.
 */
size_t		 vt_feed(struct vt *, const void *buf, size_t len,
		    vt_line_cb cb, void *arg);
/*
 * Give plain lines (struct vt_plain) to cb, with vt_feed's arg, rather
 * than one by one to vt_feed's cb; either way every line arrives in the
 * order it was written.  NULL: every line to vt_feed's cb.
 */
void		 vt_on_plain(struct vt *, vt_plain_cb cb);
/*
 * After vt_feed stopped short: the sequence that stopped it, rebuilt as
 * bytes into buf (len >= VT_HANDOVER_MAX), their number; 0 (and nothing
 * else done) when none came.  The partial line goes to *partial (a copy
 * for the caller to free, NULL when empty), *x is where the cursor was
 * on it, and the parser drops it; colours stay.
 */
void		 vt_screens(struct vt *, int on);
#define VT_HANDOVER_MAX	(8 + 12 * 32)
size_t		 vt_handover(struct vt *, char *buf, size_t len, size_t *x,
		    struct line **partial);

/* Terminal modes the node's program set, for what interactive mode
   sends: application cursor keys (DECCKM), bracketed paste. */
#define VT_MODE_APPCURSOR	0x1
#define VT_MODE_PASTE		0x2
unsigned	 vt_modes(const struct vt *);
/* Complete the pending line, if it has anything (at EOF).  Colours and
   any unfinished escape sequence are reset: what follows is new output. */
void		 vt_flush(struct vt *, vt_line_cb cb, void *arg);
/* The line being written (not yet ended by \n), or NULL when empty.
   Valid until the next vt_feed/vt_flush/vt_free. */
const struct line *vt_current(struct vt *);

#endif
