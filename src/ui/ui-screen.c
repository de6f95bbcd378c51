/*
 * A pane whose node has a screen model (full-screen programs, cursor-
 * addressed progress): the alternate screen drawn as it stands, the main
 * screen's rows below the scrollback, the cursor while typing to it, and
 * the modes interactive mode follows.
 */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "ui-int.h"
#include "nodemux/screen.h"

/* Bracketed paste is on in our own terminal. */
static int	ui_screen_pasting;

/*
 * Draw the alternate screen of p's node, if it shows one, over the whole
 * inside of the pane: 1, or 0 when the pane shows lines as usual.
 */
int
ui_screen_draw(struct ui_pane *p, struct ui_pane_cursor *c)
{
	struct screen	*s = p->node->screen;
	int		 r, rows, cols;

	if (!screen_active(s) || !screen_alt(s) || p->scroll != 0)
		return 0;
	screen_size(s, &rows, &cols);
	c->skip = 0;
	/* Top to bottom: a row wider than the pane (while the resize is
	   on its way to the program) is cut by the row drawn after it. */
	for (r = 0; r < rows && r < c->rows; r++) {
		c->row = r;
		ui_pane_walk(c, screen_row(s, r), 1);
	}
	return 1;
}

/*
 * The rows of the main screen (the last ones shown, above them the
 * scrollback), bottom first, to be drawn as lines: how many are put
 * in rows[] (at most max).
 */
size_t
ui_screen_tail(struct ui_pane *p, const struct line **rows, size_t max)
{
	struct screen	*s = p->node->screen;
	size_t		 n = 0;
	int		 r;

	if (!screen_active(s) || p->scroll != 0)
		return 0;
	for (r = screen_used(s); r > 0 && n < max; r--)
		rows[n++] = screen_row(s, r - 1);
	return n;
}

/*
 * While keys go to p's node, show where its cursor is (reversed), when
 * the program shows one and the screen fits the pane.
 */
void
ui_screen_cursor(struct ui *ui, struct ui_pane *p, struct ui_pane_cursor *c)
{
	struct screen	*s = p->node->screen;
	int		 row, col, rows, cols, y;

	if (ui->mode != UI_INTERACTIVE || p->index != ui->focus ||
	    !screen_active(s) || p->scroll != 0 ||
	    !screen_cursor(s, &row, &col))
		return;
	screen_size(s, &rows, &cols);
	if (rows != c->rows || cols != c->cols || col >= c->cols)
		return;
	/* The main screen's rows were drawn last, ending at c->row. */
	y = screen_alt(s) ? row : c->row - c->skip - screen_used(s) + row;
	if (y < 0 || y >= c->rows)
		return;
	mvwchgat(c->win, c->y0 + y, c->x0 + col, 1, A_REVERSE, 0, NULL);
}

/* The VT_MODE_* of node n's terminal: what its program asked for. */
unsigned
ui_screen_modes(struct node *n)
{
	if (screen_active(n->screen))
		return screen_modes(n->screen);
	return vt_modes(n->vt);
}

/*
 * Bracketed paste in our terminal follows the node keys go to: on while
 * its program asked for it, so that a paste reaches it between the
 * markers a terminal would send (they pass through as typed keys).
 */
void
ui_screen_paste(int on)
{
	const char	*seq = on ? "\033[?2004h" : "\033[?2004l";

	if (on == ui_screen_pasting)
		return;
	/*
	 * Straight to the terminal: a mode change between curses' frames,
	 * which changes nothing curses knows about the screen.
	 */
	if (write(STDOUT_FILENO, seq, strlen(seq)) == (ssize_t)strlen(seq))
		ui_screen_pasting = on;
}

/* The pane p (focused) was drawn: our terminal's modes follow its node. */
void
ui_screen_focused(struct ui *ui, struct ui_pane *p)
{
	ui_screen_paste(ui->mode == UI_INTERACTIVE &&
	    (ui_screen_modes(p->node) & VT_MODE_PASTE) != 0);
}
