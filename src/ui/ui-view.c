/*
 * Views: switching between them, and the first of them, the grid of
 * panes (with zoom), whose drawing, keys, scrolling and search hits go
 * through the same entries as the all-nodes view and the table.
 */
#include "config.h"

#include "ui-int.h"

/* Directions for the move keys: left, right, up, down. */
static const int ui_view_dirs[4][2] = { { 0, -1 }, { 0, 1 }, { -1, 0 },
    { 1, 0 } };

/* Rows a full view has (the screen less the status bar). */
int
ui_view_rows(const struct ui *ui)
{
	return ui->height > 1 ? ui->height - 1 : 1;
}

/* Show view v from now on. */
void
ui_view_set(struct ui *ui, const struct ui_view *v)
{
	if (ui->view == v)
		return;
	ui->view = v;
	ui->all_scroll = 0;
	ui->relayout = 1;
	ui->status_dirty = 1;
	/* Its clocks and usages at once, not at the next second's tick
	   (the table would show - for a second). */
	if (v->ticks != NULL && v->ticks(ui))
		v->tick(ui, now_ms());
}

/* a, t: view v, or the grid again when v is shown. */
void
ui_view_toggle(struct ui *ui, const struct ui_view *v)
{
	ui_view_set(ui, ui->view == v ? &ui_view_grid : v);
}

/* The grid: each dirty pane drawn, or only its title when that alone
   changed. */
static void
ui_view_grid_draw(struct ui *ui, int64_t now)
{
	int	 i;

	for (i = 0; i < ui->n; i++) {
		if (ui->panes[i].dirty)
			ui_pane_draw(ui, &ui->panes[i]);
		else if (ui->panes[i].title_dirty)
			ui_pane_draw_title(ui, &ui->panes[i], now);
	}
}

/* Arrows and h j k l move the focus to the neighbouring pane. */
static int
ui_view_grid_key(struct ui *ui, int is_key, wint_t wc)
{
	static const struct {
		wint_t	 wc;
		int	 is_key;
		int	 dir;
	} moves[] = {
		{ KEY_LEFT, 1, 0 }, { KEY_RIGHT, 1, 1 }, { KEY_UP, 1, 2 },
		{ KEY_DOWN, 1, 3 }, { 'h', 0, 0 }, { 'l', 0, 1 }, { 'k', 0, 2 },
		{ 'j', 0, 3 },
	};
	size_t	 k;
	int	 i;

	for (k = 0; k < nitems(moves); k++) {
		if (moves[k].wc != wc || moves[k].is_key != is_key)
			continue;
		if (ui->zoom || ui->too_small)
			return 1;
		i = ui_layout_neighbour(ui, ui_view_dirs[moves[k].dir][0],
		    ui_view_dirs[moves[k].dir][1]);
		if (i != -1)
			ui_layout_focus(ui, i);
		return 1;
	}
	return 0;
}

/* The scroll keys scroll the focused pane. */
static void
ui_view_grid_scroll(struct ui *ui, enum ui_scroll how)
{
	struct ui_pane	*p = &ui->panes[ui->focus];
	int		 rows, cols;
	long		 page;

	if (ui_pane_inner(p, &rows, &cols) != 0)
		rows = 2;
	page = rows > 1 ? rows - 1 : 1;
	switch (how) {
	case UI_SCROLL_PAGE_UP:
		ui_pane_scroll(ui, p, page);
		break;
	case UI_SCROLL_PAGE_DOWN:
		ui_pane_scroll(ui, p, -page);
		break;
	case UI_SCROLL_HALF_UP:
		ui_pane_scroll(ui, p, rows > 1 ? rows / 2 : 1);
		break;
	case UI_SCROLL_HALF_DOWN:
		ui_pane_scroll(ui, p, -(rows > 1 ? rows / 2 : 1));
		break;
	case UI_SCROLL_TOP:
		ui_pane_scroll(ui, p, (long)scrollback_count(p->node->sb));
		break;
	case UI_SCROLL_FOLLOW:
		p->scroll = 0;
		p->dirty = 1;
		break;
	}
}

/* n / N: the hit's line in the middle of its pane. */
static void
ui_view_grid_show(struct ui *ui, const struct search_hit *hit)
{
	ui_pane_reveal(ui, &ui->panes[hit->which], hit);
}

/* Does a title on the screen show a clock (uptime, backoff) or the
   node's usage? */
static int
ui_view_grid_ticks(const struct ui *ui)
{
	int	 i;

	for (i = 0; i < ui->n; i++) {
		if (ui->panes[i].win != NULL && ui->panes[i].title_clock)
			return 1;
	}
	return 0;
}

/*
 * Once a second: the usages shown are sampled (nodes whose titles have
 * no room for theirs cost nothing), then the titles whose text changed
 * are drawn again, and only they, and only their top line.
 */
static void
ui_view_grid_tick(struct ui *ui, int64_t now)
{
	struct ui_pane	*p;
	int		 i;

	for (i = 0; i < ui->n; i++) {
		p = &ui->panes[i];
		if (p->win != NULL && (p->title_clock & UI_PANE_USAGE))
			node_usage(p->node, now);
		if (!p->dirty && !p->title_dirty &&
		    ui_pane_title_changed(p, now))
			p->title_dirty = 1;
	}
}

const struct ui_view ui_view_grid = {
	.mode = "NORMAL",
	.full = 0,
	.draw = ui_view_grid_draw,
	.key = ui_view_grid_key,
	.page = ui_view_grid_scroll,
	.line = NULL,
	.show = ui_view_grid_show,
	.ticks = ui_view_grid_ticks,
	.tick = ui_view_grid_tick,
};
