/*
 * A node's output between its two models: the line parser (vt.c), fast,
 * until a sequence needs a screen; then the screen model (screen.c) for
 * an episode; then the parser again.
 */
#include "config.h"

#include <stdlib.h>

#include "nodemux/line.h"
#include "nodemux/screen.h"
#include "nodemux/scrollback.h"
#include "nodemux/util.h"
#include "nodemux/vt.h"

static void	screen_out_leave(const struct screen_out *);

/*
 * Start the node's screen (made the first time) with the parser's
 * partial line and the lines before it on its rows, as a terminal would
 * have them, and feed it the sequence that needed it.
 */
static void
screen_out_start(const struct screen_out *o, const char *seq, size_t len,
    size_t x, struct line *partial)
{
	const struct line	*seed[SCREEN_MAX_ROWS];
	struct line		*views;
	size_t			 count, k, i;
	int			 rows, cols;

	if (*o->screen == NULL)
		*o->screen = screen_new(o->rows, o->cols, o->reply, o->rarg);
	screen_size(*o->screen, &rows, &cols);
	count = scrollback_count(o->sb);
	k = count < (size_t)rows - 1 ? count : (size_t)rows - 1;
	/* Views into the scrollback, one per row, valid while it is not
	   pushed to: screen_start copies what it keeps. */
	views = xcalloc(k > 0 ? k : 1, sizeof *views);
	for (i = 0; i < k; i++)
		seed[i] = scrollback_get(o->sb, count - k + i, &views[i]);
	screen_start(*o->screen, seed, k, partial, x, vt_modes(o->vt));
	free(views);
	screen_feed(*o->screen, seq, len, o->cb, o->arg);
	if (!screen_active(*o->screen))
		screen_out_leave(o);
}

/* After the parser: did a sequence only a screen can show stop it?
   (Its own function, so that the common case pays for no big frame.) */
static void
screen_out_handover(const struct screen_out *o)
{
	struct line	*partial;
	char		 seq[VT_HANDOVER_MAX];
	size_t		 len, x;

	if ((len = vt_handover(o->vt, seq, sizeof seq, &x, &partial)) == 0)
		return;
	screen_out_start(o, seq, len, x, partial);
	line_free(partial);
}

/* The screen's episode ended: the parser takes the cursor's row. */
static void
screen_out_leave(const struct screen_out *o)
{
	const char	*seq;
	size_t		 k;

	seq = screen_leave_seq(*o->screen, &k);
	vt_feed(o->vt, seq, k, o->cb, o->arg);
}

void
screen_out_feed(const struct screen_out *o, const void *buf, size_t len)
{
	const char	*p = buf;
	size_t		 off = 0;

	while (off < len) {
		if (!screen_active(*o->screen)) {
			off += vt_feed(o->vt, p + off, len - off, o->cb,
			    o->arg);
			screen_out_handover(o);
			continue;
		}
		off += screen_feed(*o->screen, p + off, len - off, o->cb,
		    o->arg);
		if (!screen_active(*o->screen))
			screen_out_leave(o);
	}
}

int
screen_out_settle(const struct screen_out *o)
{
	if (!screen_active(*o->screen) ||
	    !screen_settle(*o->screen, o->cb, o->arg))
		return 0;
	screen_out_leave(o);
	return 1;
}
