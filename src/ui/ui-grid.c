/*
 * The shape of the pane grid, worked out from sizes alone: how many
 * panes fit the terminal, how many pages they need, where each goes.
 */
#include "config.h"

#include "ui-int.h"

/*
 * Panes read best a few times wider than tall (in cells): log lines are
 * long.  How far a pane of w x h cells is from that, 1 being ideal.
 */
static double
ui_grid_badness(int w, int h)
{
	double	 ratio = (double)w / ((double)h * 3.5);

	return ratio >= 1 ? ratio : 1 / ratio;
}

/*
 * Work out the grid for n panes in w x h cells.  0, or -1 when not even
 * one pane of the minimum size fits (the "too small" screen).
 */
int
ui_grid_new(struct ui_grid *lay, int n, int w, int h)
{
	lay->maxc = w / UI_PANE_MIN_W;
	lay->maxr = h / UI_PANE_MIN_H;
	if (n < 1 || lay->maxc < 1 || lay->maxr < 1) {
		lay->per_page = 0;
		lay->pages = 1;
		return -1;
	}
	lay->per_page = lay->maxc * lay->maxr;
	if (lay->per_page > n)
		lay->per_page = n;
	lay->pages = (n + lay->per_page - 1) / lay->per_page;
	return 0;
}

/* The number of columns that gives count panes the best shape. */
static int
ui_grid_columns(int count, int maxc, int maxr, int w, int h)
{
	int	 c, r, best = 1;
	double	 score, best_score = 0;

	for (c = 1; c <= maxc && c <= count; c++) {
		r = (count + c - 1) / c;
		if (r > maxr)
			continue;
		score = ui_grid_badness(w / c, h / r);
		if (best_score == 0 || score < best_score) {
			best = c;
			best_score = score;
		}
	}
	return best;
}

/*
 * Place count panes (at most maxc x maxr) in w x h cells from (0, 0):
 * rows share the height, the panes of a row share its width, and a
 * short last row stretches its panes.
 */
void
ui_grid_place(int count, int maxc, int maxr, int w, int h,
    struct ui_rect *rects)
{
	int	 c, r, i, j, k, y, x, rh, inrow;

	if (count < 1)
		return;
	c = ui_grid_columns(count, maxc, maxr, w, h);
	r = (count + c - 1) / c;
	y = 0;
	k = 0;
	for (i = 0; i < r; i++) {
		rh = h / r + (i < h % r ? 1 : 0);
		inrow = i == r - 1 ? count - c * (r - 1) : c;
		x = 0;
		for (j = 0; j < inrow; j++, k++) {
			rects[k].y = y;
			rects[k].x = x;
			rects[k].h = rh;
			rects[k].w = w / inrow + (j < w % inrow ? 1 : 0);
			x += rects[k].w;
		}
		y += rh;
	}
}
