/*
 * The pane grid: how many columns and rows of panes fit the terminal,
 * which panes share a page, where each one goes, and moving the focus
 * around the grid.
 */
#include "config.h"

#include <stdlib.h>

#include "ui-int.h"
#include "nodemux/util.h"

/* The page node i is on. */
int
ui_layout_page_of(const struct ui *ui, int i)
{
	if (ui->lay.per_page < 1)
		return 0;
	return i / ui->lay.per_page;
}

/* Work out every pane's place on its page (used for pty sizes too). */
static void
ui_layout_rects(struct ui *ui, int w, int h)
{
	struct ui_rect	*rects;
	int		 p, first, count, i;

	rects = xcalloc(ui->lay.per_page, sizeof *rects);
	for (p = 0; p < ui->lay.pages; p++) {
		first = p * ui->lay.per_page;
		count = ui->n - first;
		if (count > ui->lay.per_page)
			count = ui->lay.per_page;
		ui_grid_place(count, ui->lay.maxc, ui->lay.maxr, w, h, rects);
		for (i = 0; i < count; i++)
			ui->panes[first + i].rect = rects[i];
	}
	free(rects);
	if (ui->zoom) {
		struct ui_rect	*z = &ui->panes[ui->focus].rect;

		z->y = z->x = 0;
		z->w = w;
		z->h = h;
	}
}

/* Give every node the inner size of its pane (kept for its next start). */
static void
ui_layout_resize_nodes(struct ui *ui)
{
	struct ui_pane	*p;
	int		 i, rows, cols;

	for (i = 0; i < ui->n; i++) {
		p = &ui->panes[i];
		if (ui_pane_inner(p, &rows, &cols) != 0)
			continue;
		if (rows == p->rows && cols == p->cols)
			continue;
		cluster_resize(ui->cl, i, rows, cols);
		p->rows = rows;
		p->cols = cols;
	}
}

/* Does pane i have a window on the screen as things stand? */
static int
ui_layout_visible(const struct ui *ui, int i)
{
	if (ui->too_small || ui->view->full)
		return 0;
	if (ui->zoom)
		return i == ui->focus;
	return ui_layout_page_of(ui, i) == ui->page;
}

/*
 * Rebuild the windows after a resize, a page change or a zoom: one per
 * visible pane plus the status bar, then resize the nodes' ptys.
 */
void
ui_layout_apply(struct ui *ui)
{
	struct ui_pane	*p;
	int		 i, h = ui->height - 1;

	ui->too_small = ui_grid_new(&ui->lay, ui->n, ui->width, h) != 0;
	if (!ui->too_small) {
		ui->page = ui_layout_page_of(ui, ui->focus);
		ui_layout_rects(ui, ui->width, h);
	}
	for (i = 0; i < ui->n; i++) {
		p = &ui->panes[i];
		if (p->win != NULL)
			delwin(p->win);
		p->win = NULL;
		if (ui_layout_visible(ui, i))
			p->win = newwin(p->rect.h, p->rect.w, p->rect.y,
			    p->rect.x);
		p->dirty = 1;
	}
	if (ui->viewwin != NULL)
		delwin(ui->viewwin);
	ui->viewwin = NULL;
	if (ui->view->full && !ui->too_small)
		ui->viewwin = newwin(ui_view_rows(ui), ui->width, 0, 0);
	ui->view_dirty = 1;
	ui->view_blank = 1;
	if (ui->status != NULL)
		delwin(ui->status);
	ui->status = newwin(1, ui->width, ui->height - 1, 0);
	ui->status_dirty = 1;
	ui->relayout = 0;
	if (!ui->too_small)
		ui_layout_resize_nodes(ui);
	clearok(curscr, TRUE);
}

/* Focus node i, turning the page to it. */
void
ui_layout_focus(struct ui *ui, int i)
{
	if (i < 0 || i >= ui->n)
		return;
	if (i == ui->focus)
		return;
	ui->panes[ui->focus].dirty = 1;
	ui->focus = i;
	ui->panes[i].dirty = 1;
	ui->status_dirty = 1;
	/* Only the grid's windows depend on the focus. */
	if (ui->view == &ui_view_grid &&
	    (ui->zoom || ui_layout_page_of(ui, i) != ui->page))
		ui->relayout = 1;
	ui->view_dirty = 1;
}

/* How far apart two ranges are on one axis, 0 when they overlap. */
static int
ui_layout_gap(int a, int alen, int b, int blen)
{
	if (b >= a + alen)
		return b - (a + alen);
	if (a >= b + blen)
		return a - (b + blen);
	return 0;
}

/*
 * The pane next to the focused one in direction (dy, dx) on this page:
 * the nearest one beyond its edge that overlaps it across, the closest
 * centre winning a tie.  -1 when there is none.
 */
int
ui_layout_neighbour(const struct ui *ui, int dy, int dx)
{
	const struct ui_rect	*f = &ui->panes[ui->focus].rect, *c;
	int			 i, first, last, dist, across, best = -1;
	int			 best_dist = 0, best_across = 0;

	first = ui->page * ui->lay.per_page;
	last = first + ui->lay.per_page;
	if (last > ui->n)
		last = ui->n;
	for (i = first; i < last; i++) {
		c = &ui->panes[i].rect;
		if (i == ui->focus)
			continue;
		if ((dx > 0 && c->x < f->x + f->w) || (dx < 0 &&
		    c->x + c->w > f->x) || (dy > 0 && c->y < f->y + f->h) ||
		    (dy < 0 && c->y + c->h > f->y))
			continue;
		if (dx != 0) {
			if (ui_layout_gap(f->y, f->h, c->y, c->h) != 0)
				continue;
			dist = ui_layout_gap(f->x, f->w, c->x, c->w);
			across = abs((c->y + c->h / 2) - (f->y + f->h / 2));
		} else {
			if (ui_layout_gap(f->x, f->w, c->x, c->w) != 0)
				continue;
			dist = ui_layout_gap(f->y, f->h, c->y, c->h);
			across = abs((c->x + c->w / 2) - (f->x + f->w / 2));
		}
		if (best == -1 || dist < best_dist ||
		    (dist == best_dist && across < best_across)) {
			best = i;
			best_dist = dist;
			best_across = across;
		}
	}
	return best;
}

/* The node whose pane is on the screen at (y, x), or -1. */
int
ui_layout_hit(const struct ui *ui, int y, int x)
{
	const struct ui_rect	*r;
	int			 i;

	for (i = 0; i < ui->n; i++) {
		if (ui->panes[i].win == NULL)
			continue;
		r = &ui->panes[i].rect;
		if (y >= r->y && y < r->y + r->h && x >= r->x && x < r->x + r->w)
			return i;
	}
	return -1;
}
