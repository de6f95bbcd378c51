/*
 * A node's screen model, for output that addresses the cursor: a grid of
 * cells (libvterm) with scroll regions, erase, insert and delete, the
 * alternate screen, wide characters and SGR.  The line parser (vt.h)
 * hands a node over when such a sequence comes; rows that scroll off the
 * top of the main screen become lines as the parser's do, what is drawn
 * on the alternate screen never does.  Once a whole screen of plain lines
 * has scrolled by, the episode ends and the node is the parser's again.
 */
#ifndef NODEMUX_SCREEN_H
#define NODEMUX_SCREEN_H

#include <stddef.h>
#include <stdint.h>

#include "nodemux/line.h"
#include "nodemux/scrollback.h"
#include "nodemux/vt.h"

/* Rows and columns a screen is clamped to (a terminal is no bigger). */
#define SCREEN_MAX_ROWS		1000
#define SCREEN_MAX_COLS		1000
/* Scrollback lines hidden at most (see screen_hides). */
#define SCREEN_HIDE_MAX		4096

struct screen;

/* Bytes a terminal sends back to the program (answers to queries). */
typedef void	(*screen_reply_cb)(void *arg, const void *buf, size_t len);

/* A screen of rows x cols (clamped to 1..SCREEN_MAX_*, columns to 2 at
   least); reply, which may
   be NULL, takes the answers to the program's queries. */
struct screen	*screen_new(int rows, int cols, screen_reply_cb reply,
		    void *arg);
void		 screen_free(struct screen *);

/*
 * Start an episode on a blank main screen: the last of the n lines the
 * parser completed (seed[0] the oldest, seq set) that fit a row each
 * fill its top rows, then the partial line (NULL when none) with the
 * cursor at column x; modes are vt_modes() so far.  The pane hides those
 * lines while the screen shows them (screen_hides).  When they leave the
 * screen unchanged, they are shown where they were; changed, they become
 * new lines and the old ones stay hidden.
 */
void		 screen_start(struct screen *, const struct line **seed,
		    size_t n, const struct line *partial, size_t x,
		    unsigned modes);
/* Is an episode on (screen_start until it ends)? */
int		 screen_active(const struct screen *);

/*
 * Feed len bytes of output, calling cb with each row that scrolls off
 * the top of the main screen (a line, lent as vt_feed lends them).
 * Returns len, or fewer when the episode ended, with nothing below the
 * cursor on the main screen: a screen of plain lines went by, or the
 * alternate screen was left and the main one was never drawn on.  Then
 * the rows above the cursor have become lines, and the rest of buf is
 * the parser's, after the bytes of screen_leave_seq().  It ends only
 * after a newline or a private mode reset, so that the same output cut
 * into other reads ends at the same byte and shows the same; a UTF-8
 * sequence cut by the end of buf waits for the next call.
 */
size_t		 screen_feed(struct screen *, const void *buf, size_t len,
		    vt_line_cb cb, void *arg);
/* The program went quiet: end the episode where screen_feed would
   have ended it at the next newline, or if nothing is below the cursor
   on the main screen and the program only moved the cursor up to
   rewrite lines (no absolute addressing, screen clear or scroll region:
   those of a full-screen program on the main screen, such as top, wait
   for it to scroll or end); not inside an escape sequence.  1 when
   ended. */
int		 screen_settle(struct screen *, vt_line_cb cb, void *arg);

/* A node's output: its parser, its screen, where lines go. */
struct screen_out {
	struct vt		*vt;
	struct screen		**screen;	/* made at the first need */
	const struct scrollback	*sb;		/* its completed lines */
	int			 rows, cols;	/* its pty's size */
	screen_reply_cb		 reply;		/* for screen_new */
	void			*rarg;
	vt_line_cb		 cb;		/* every completed line */
	void			*arg;
};
/*
 * Feed len bytes of a node's output: to the parser until a sequence needs
 * a screen, then to the screen (made the first time), seeded from sb and
 * the parser's partial line, until its episode ends and the parser takes
 * the rest; back and forth as the output asks.  The parser must have
 * vt_screens() on.
 */
void		 screen_out_feed(const struct screen_out *, const void *buf,
		    size_t len);
/* The node went quiet: screen_settle, and the parser takes the cursor's
   row when the episode ended (1). */
int		 screen_out_settle(const struct screen_out *);
/* End the episode (the program ended): leave the alternate screen, and
   the main screen's rows down to the last one used become lines. */
void		 screen_flush(struct screen *, vt_line_cb cb, void *arg);
/* After an episode ended in screen_feed: bytes that give the parser the
   cursor's row as its partial line and the modes the program left set;
   valid until the next call. */
const char	*screen_leave_seq(struct screen *, size_t *len);

/* Resize (clamped); rows pushed off by a smaller screen go to cb. */
void		 screen_resize(struct screen *, int rows, int cols,
		    vt_line_cb cb, void *arg);
void		 screen_size(const struct screen *, int *rows, int *cols);

/* Is the alternate screen shown? */
int		 screen_alt(const struct screen *);
/* Rows in use: on the alternate screen all of them; on the main screen
   down to the cursor or the last row with text, whichever is lower. */
int		 screen_used(struct screen *);
/* Row r (0 the top) as a line (seq 0), valid until the next feed,
   resize or flush. */
const struct line *screen_row(struct screen *, int r);
/* The cursor; 0 when the program hid it. */
int		 screen_cursor(const struct screen *, int *row, int *col);
/* VT_MODE_* the program set (application cursor keys, bracketed paste). */
unsigned	 screen_modes(struct screen *);

/* Is the scrollback line with this seq one the screen took over (shown
   by the screen, or scrolled off again in a later state)? */
int		 screen_hides(const struct screen *, uint64_t seq);

#endif
