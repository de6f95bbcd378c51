/*
 * The all-nodes view (a): one full-screen tail of every node's lines in
 * arrival order, each prefixed with its node's name in the node's colour;
 * it scrolls, follows, highlights the search and filters like a pane.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui-int.h"
#include "nodemux/screen.h"
#include "nodemux/search.h"
#include "nodemux/util.h"

/* The colours node names cycle through. */
static const uint32_t ui_all_colours[] = {
	COLOUR_PALETTE | 2, COLOUR_PALETTE | 3, COLOUR_PALETTE | 4,
	COLOUR_PALETTE | 5, COLOUR_PALETTE | 6, COLOUR_PALETTE | 1,
	COLOUR_PALETTE | 10, COLOUR_PALETTE | 11, COLOUR_PALETTE | 12,
	COLOUR_PALETTE | 13, COLOUR_PALETTE | 14, COLOUR_PALETTE | 9,
};

/* The lines being shown, newest first, as the merge found them. */
struct ui_all_view {
	struct scrollback	**sbs;
	struct search_hit	 *hits;
	size_t			  nhits;
	struct line		  view;		/* the line ui_all_get gave */
};

/* A new line: keep the place of a view that is not following. */
static void
ui_all_line(struct ui *ui, struct ui_pane *p, const struct line *l)
{
	ui->view_dirty = 1;
	if (ui->all_scroll > 0 && (!ui->filter || search_line(ui->search, l)))
		ui->all_scroll++;
}

/* Scroll the view by delta lines (positive: back in time). */
static void
ui_all_move(struct ui *ui, long delta)
{
	if (delta < 0 && (size_t)-delta >= ui->all_scroll)
		ui->all_scroll = 0;
	else if (delta < 0)
		ui->all_scroll -= (size_t)-delta;
	else
		ui->all_scroll += (size_t)delta;
	ui->view_dirty = 1;
}

/* End / G: follow again; Home / g (top): the oldest line held. */
static void
ui_all_follow(struct ui *ui, int top)
{
	size_t	 total = 0;
	int	 i;

	if (top) {
		for (i = 0; i < ui->n; i++)
			total += scrollback_count(ui->panes[i].node->sb);
	}
	ui->all_scroll = total;
	ui->view_dirty = 1;
}

/* The scroll keys. */
static void
ui_all_scroll(struct ui *ui, enum ui_scroll how)
{
	int	 rows = ui->height > 2 ? ui->height - 2 : 1;

	switch (how) {
	case UI_SCROLL_PAGE_UP:
	case UI_SCROLL_PAGE_DOWN:
		ui_all_move(ui, how == UI_SCROLL_PAGE_UP ? rows : -rows);
		break;
	case UI_SCROLL_HALF_UP:
	case UI_SCROLL_HALF_DOWN:
		ui_all_move(ui, how == UI_SCROLL_HALF_UP ? rows / 2 :
		    -(rows / 2));
		break;
	case UI_SCROLL_TOP:
	case UI_SCROLL_FOLLOW:
		ui_all_follow(ui, how == UI_SCROLL_TOP);
		break;
	}
}

/* Is the line with seq of node i one its pane hides (an earlier
   version of a line a program rewrote on its screen)? */
static int
ui_all_hidden(struct ui *ui, size_t i, uint64_t seq)
{
	return screen_hides(ui->panes[i].node->screen, seq);
}

/*
 * The newest want lines across the nodes (matching only, filtering),
 * without those the panes hide: fetched again for more while hidden
 * ones left fewer than want (a screen hides at most SCREEN_HIDE_MAX
 * lines a node, so this ends).
 */
static void
ui_all_fetch(struct ui *ui, struct ui_all_view *v, size_t want)
{
	size_t	 ask = want, got, k;
	int	 i;

	v->sbs = xcalloc(ui->n, sizeof *v->sbs);
	for (i = 0; i < ui->n; i++)
		v->sbs[i] = ui->panes[i].node->sb;
	v->hits = NULL;
	for (;;) {
		v->hits = xreallocarray(v->hits, ask, sizeof *v->hits);
		got = search_tail(ui->filter ? ui->search : NULL, v->sbs,
		    ui->n, UINT64_MAX, v->hits, ask);
		v->nhits = 0;
		for (k = 0; k < got; k++) {
			if (!ui_all_hidden(ui, v->hits[k].which,
			    v->hits[k].seq))
				v->hits[v->nhits++] = v->hits[k];
		}
		if (v->nhits >= want || got < ask)
			break;
		ask = ask * 2 + 64;	/* a few rounds, not one per line */
	}
}

/* Line k of the view (0 the newest), valid until the next call. */
static const struct line *
ui_all_get(struct ui_all_view *v, size_t k)
{
	return scrollback_get(v->sbs[v->hits[k].which], v->hits[k].index,
	    &v->view);
}

/* The name column: node i's short name, padded, in its colour. */
static void
ui_all_prefix(struct ui *ui, WINDOW *w, int y, int node, int width)
{
	int	 pair;
	char	*s;

	pair = ui_colour_pair(ui_all_colours[node % nitems(ui_all_colours)],
	    COLOUR_DEFAULT);
	wattr_set(w, A_BOLD, (short)pair, &pair);
	s = xasprintf("%-*s", width - 2, ui->panes[node].node->spec->sname);
	mvwaddnstr(w, y, 0, s, width - 2);
	free(s);
	wattr_set(w, A_DIM, 0, NULL);
	mvwaddstr(w, y, width - 2, "| ");
	wattr_set(w, A_NORMAL, 0, NULL);
}

/* How wide the name column is: the longest short name and "| ". */
static int
ui_all_prefix_width(struct ui *ui)
{
	int	 i, len, width = 1;

	for (i = 0; i < ui->n; i++) {
		len = (int)strlen(ui->panes[i].node->spec->sname);
		if (len > width)
			width = len;
	}
	if (width > 20)
		width = 20;
	return width + 3;
}

/* Draw the lines of the view bottom up, the newest last. */
static void
ui_all_lines(struct ui *ui, struct ui_all_view *v, struct ui_pane_cursor *c,
    int pw)
{
	size_t	 k, last;
	int	 rows = 0, y;

	for (k = ui->all_scroll; k < v->nhits && rows < c->rows; k++)
		rows += ui_pane_walk(c, ui_all_get(v, k), 0);
	last = k;
	c->skip = rows > c->rows ? rows - c->rows : 0;
	c->row = 0;
	while (last > ui->all_scroll) {
		last--;
		y = c->row - c->skip;
		if (y >= 0 && y < c->rows)
			ui_all_prefix(ui, c->win, y, (int)v->hits[last].which,
			    pw);
		c->row += ui_pane_walk(c, ui_all_get(v, last), 1);
	}
}

/*
 * Every line is in v: scroll no further than puts the oldest one at the
 * top of the view.
 */
static void
ui_all_clamp(struct ui *ui, struct ui_all_view *v, struct ui_pane_cursor *c)
{
	size_t	 k, max = 0;
	int	 rows = 0;

	for (k = v->nhits; k > 0; k--) {
		rows += ui_pane_walk(c, ui_all_get(v, k - 1), 0);
		if (rows >= c->rows) {
			max = k - 1;
			break;
		}
	}
	if (ui->all_scroll > max)
		ui->all_scroll = max;
}

/* Draw the all-nodes view and queue it for the next doupdate. */
static void
ui_all_draw(struct ui *ui, int64_t now)
{
	struct ui_all_view	 v;
	struct ui_pane_cursor	 c;
	char			 buf[64];
	int			 pw, len;
	size_t			 want;

	if (!ui->view_dirty)
		return;
	ui->view_dirty = 0;
	if (ui->viewwin == NULL)
		return;
	werase(ui->viewwin);
	memset(&c, 0, sizeof c);
	c.win = ui->viewwin;
	pw = ui_all_prefix_width(ui);
	c.x0 = pw;
	getmaxyx(ui->viewwin, c.rows, c.cols);
	c.cols -= pw;
	c.search = ui->search;
	c.filter = ui->filter && ui->search != NULL;
	c.mark_seq = ui->mark_seq;
	want = ui->all_scroll + (size_t)c.rows;
	ui_all_fetch(ui, &v, want);
	if (v.nhits < want)
		ui_all_clamp(ui, &v, &c);
	ui_all_lines(ui, &v, &c, pw);
	free(v.hits);
	free(v.sbs);
	if (ui->all_scroll > 0) {
		len = snprintf(buf, sizeof buf, " scrolled -%zu ",
		    ui->all_scroll);
		wattr_set(ui->viewwin, A_REVERSE | A_BOLD, 0, NULL);
		mvwaddstr(ui->viewwin, c.rows - 1, c.x0 + c.cols - len, buf);
		wattr_set(ui->viewwin, A_NORMAL, 0, NULL);
	}
	wnoutrefresh(ui->viewwin);
}

/* n / N in the view: scroll so the line of hit is in the middle. */
static void
ui_all_show(struct ui *ui, const struct search_hit *hit)
{
	uint64_t		 seq = hit->seq;
	const struct scrollback	*sb;
	struct line		 v;
	size_t			 newer = 0, i, count;
	int			 n, rows = ui->height > 2 ? ui->height - 2 : 1;

	for (n = 0; n < ui->n; n++) {
		sb = ui->panes[n].node->sb;
		count = scrollback_count(sb);
		for (i = scrollback_find_seq(sb, seq + 1); i < count; i++) {
			if (screen_hides(ui->panes[n].node->screen,
			    scrollback_seq(sb, i)))
				continue;
			if (!ui->filter ||
			    search_line(ui->search, scrollback_get(sb, i, &v)))
				newer++;
		}
	}
	ui->all_scroll = newer > (size_t)rows / 2 ? newer - rows / 2 : 0;
	ui->view_dirty = 1;
}

/* Nothing in the view changes with time alone. */
static int
ui_all_ticks(const struct ui *ui)
{
	return 0;
}

const struct ui_view ui_view_all = {
	.mode = "ALL",
	.full = 1,
	.draw = ui_all_draw,
	.key = NULL,
	.page = ui_all_scroll,
	.line = ui_all_line,
	.show = ui_all_show,
	.ticks = ui_all_ticks,
	.tick = NULL,
};
