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

/* The width of the keys column, and of the help's widest line. */
#define UI_HELP_KEYS	16
static int
ui_help_width(void)
{
	size_t	 i;
	int	 len, width = 0;

	for (i = 0; i < nitems(ui_help_lines); i++) {
		len = UI_HELP_KEYS + 1 + (int)strlen(ui_help_lines[i].what);
		if (len > width)
			width = len;
	}
	return width;
}

/* How many lines of the help fit on the screen (inside the box). */
static int
ui_help_rows(const struct ui *ui)
{
	int	 rows = ui->height - 2;

	return rows < 1 ? 1 : rows;
}

/*
 * A key while the help is shown: when it is taller than the screen,
 * Down, j, Space and PgDn scroll it on, Up, k and PgUp back (1: taken);
 * any other key closes it.
 */
int
ui_help_key(struct ui *ui, int is_key, wint_t wc)
{
	int	 n = (int)nitems(ui_help_lines), rows = ui_help_rows(ui);
	int	 step;

	if (n <= rows)
		return 0;
	if ((is_key && wc == KEY_DOWN) || (!is_key && wc == 'j'))
		step = 1;
	else if ((is_key && wc == KEY_NPAGE) || (!is_key && wc == ' '))
		step = rows;
	else if ((is_key && wc == KEY_UP) || (!is_key && wc == 'k'))
		step = -1;
	else if (is_key && wc == KEY_PPAGE)
		step = -rows;
	else
		return 0;
	ui->help_top += step;
	if (ui->help_top > n - rows)
		ui->help_top = n - rows;
	if (ui->help_top < 0)
		ui->help_top = 0;
	ui_redraw(ui);
	return 1;
}

/* Draw the key help over the grid: as wide as its lines, and when it
   is taller than the screen, from help_top on, with arrows saying
   there is more. */
void
ui_help_draw(struct ui *ui)
{
	WINDOW	*w;
	int	 i, n = (int)nitems(ui_help_lines), rows, width, pair;
	attr_t	 a;
	char	*s;

	if ((w = ui_help_window(ui, n + 2, ui_help_width() + 4)) == NULL)
		return;
	rows = getmaxy(w) - 2;
	width = getmaxx(w);
	if (ui->help_top > n - rows)
		ui->help_top = n - rows > 0 ? n - rows : 0;
	werase(w);
	a = ui_colour_role(UI_ROLE_FOCUS, &pair);
	wattr_set(w, a, (short)pair, &pair);
	box(w, 0, 0);
	mvwaddnstr(w, 0, 2, " nodemux keys ", width - 4);
	if (ui->help_top > 0 && width > 24)
		mvwaddstr(w, 0, width - 10, " \xe2\x86\x91 k ");
	if (ui->help_top + rows < n && width > 24)
		mvwaddstr(w, getmaxy(w) - 1, width - 17, " \xe2\x86\x93 j: more ");
	wattr_set(w, A_NORMAL, 0, NULL);
	for (i = 0; i < rows && ui->help_top + i < n; i++) {
		s = xasprintf("%-*s %s", UI_HELP_KEYS,
		    ui_help_lines[ui->help_top + i].keys,
		    ui_help_lines[ui->help_top + i].what);
		mvwaddnstr(w, i + 1, 2, s, width - 4);
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
