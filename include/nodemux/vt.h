/*
 * The terminal-output parser: a state machine (ground, ESC, CSI, OSC,
 * DCS, UTF-8) that turns a node's byte stream into lines with colour
 * attributes.  SGR is kept; \r, backspace, tab and erase-in-line edit the
 * current line; every other sequence is consumed and never shown.
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

/* A parser whose lines hold at most max_cols columns (0: a default). */
struct vt	*vt_new(size_t max_cols);
void		 vt_free(struct vt *);

/* Parse len bytes, calling cb for each line completed by them. */
void		 vt_feed(struct vt *, const void *buf, size_t len,
		    vt_line_cb cb, void *arg);
/* Complete the pending line, if it has anything (at EOF).  Colours and
   any unfinished escape sequence are reset: what follows is new output. */
void		 vt_flush(struct vt *, vt_line_cb cb, void *arg);
/* The line being written (not yet ended by \n), or NULL when empty.
   Valid until the next vt_feed/vt_flush/vt_free. */
const struct line *vt_current(struct vt *);

#endif
