/*
 * Screens over the grid: the help listing every key (?), and what is
 * shown instead of the grid when the terminal is too small for a pane.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui-int.h"
#include "nodemux/util.h"

static const struct {
	const char	*keys;
	const char	*what;
} ui_help_lines[] = {
	{ .keys = "arrows, h j k l", .what = "move the focus in the grid" },
	{ .keys = "Tab, Shift-Tab", .what = "next / previous node" },
	{ .keys = "1..9, 0", .what = "focus node 1..10" },
	{ .keys = "mouse click", .what = "focus that pane" },
	{ .keys = "[  ]", .what = "previous / next page" },
	{ .keys = "z, Enter", .what = "zoom the focused node (toggle)" },
	{ .keys = "s  x  r", .what = "start / stop / restart the focused node" },
	{ .keys = "x again", .what = "kill it now (SIGKILL)" },
	{ .keys = "S  X  R", .what = "start / stop / restart every node" },
	{ .keys = "p  P", .what = "pause / resume the focused node, every node" },
	{ .keys = "/", .what = "search every node (PCRE2; lower case: any case)" },
	{ .keys = "n  N", .what = "next / previous match, across nodes" },
	{ .keys = "f", .what = "filter: only lines that match the search" },
	{ .keys = "a", .what = "all nodes: one merged tail (toggle)" },
	{ .keys = "t", .what = "table: a row per node, CPU, RSS (toggle)" },
	{ .keys = "<  >  Enter", .what = "table: sort column; zoom the row's node" },
	{ .keys = "PgUp PgDn", .what = "scroll the focused pane a page" },
	{ .keys = "Ctrl-U Ctrl-D", .what = "scroll half a page; also the wheel" },
	{ .keys = "Home, g", .what = "scroll to the top" },
	{ .keys = "End, G", .what = "follow the output again" },
	{ .keys = "i", .what = "interactive: keys go to the node" },
	{ .keys = "Ctrl-]", .what = "leave interactive mode" },
	{ .keys = "c", .what = "clear the pane (search and ctl logs keep all)" },
	{ .keys = "Ctrl-L", .what = "redraw the screen" },
	{ .keys = "?", .what = "this help; any key closes it" },
	{ .keys = "q, Ctrl-C", .what = "quit: stop every node and exit" },
	{ .keys = "q again, Q", .what = "quit now: kill every node" },
};

/* A fresh overlay window of h x w in the middle of the screen. */
static WINDOW *
ui_help_window(struct ui *ui, int h, int w)
{
	if (h > ui->height)
		h = ui->height;
	if (w > ui->width)
		w = ui->width;
	if (ui->overlay != NULL)
		delwin(ui->overlay);
	ui->overlay = newwin(h, w, (ui->height - h) / 2, (ui->width - w) / 2);
	return ui->overlay;
}

/* Draw the key help over the grid. */
void
ui_help_draw(struct ui *ui)
{
	WINDOW	*w;
	int	 i, h, pair;
	attr_t	 a;
	char	*s;

	h = (int)nitems(ui_help_lines) + 4;
	if ((w = ui_help_window(ui, h, 60)) == NULL)
		return;
	werase(w);
	a = ui_colour_role(UI_ROLE_FOCUS, &pair);
	wattr_set(w, a, (short)pair, &pair);
	box(w, 0, 0);
	mvwaddstr(w, 0, 2, " nodemux keys ");
	wattr_set(w, A_NORMAL, 0, NULL);
	for (i = 0; i < (int)nitems(ui_help_lines) && i + 2 < h - 1; i++) {
		s = xasprintf("%-16s %s", ui_help_lines[i].keys,
		    ui_help_lines[i].what);
		mvwaddnstr(w, i + 2, 2, s, getmaxx(w) - 4);
		free(s);
	}
	wnoutrefresh(w);
}

/* Instead of the grid: say the terminal is too small, and for what. */
void
ui_help_too_small(struct ui *ui)
{
	WINDOW	*w;
	char	*s;
	int	 y;

	y = ui->height > 1 ? ui->height - 1 : 1;
	if ((w = ui_help_window(ui, y, ui->width)) == NULL)
		return;
	werase(w);
	s = xasprintf("terminal too small (%dx%d): nodemux needs %dx%d",
	    ui->width, ui->height, UI_PANE_MIN_W, UI_PANE_MIN_H + 1);
	y = getmaxy(w) / 2;
	if ((int)strlen(s) < ui->width)
		mvwaddstr(w, y, (ui->width - (int)strlen(s)) / 2, s);
	else
		mvwaddnstr(w, 0, 0, "terminal too small", ui->width);
	free(s);
	wnoutrefresh(w);
}
