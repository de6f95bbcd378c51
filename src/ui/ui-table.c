/*
 * The table view (t): one row per node (index, name, state, host, pid,
 * ports, CPU, RSS, lines/s, restarts, uptime), sorted by a column that
 * < and > pick, the focused node's row selected; Enter zooms it.  With
 * a search, rows of nodes with matches stand out and count them.  The
 * view that still reads at 64 or 1000 nodes, where panes are tiny.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui-int.h"
#include "nodemux/util.h"

enum ui_table_col {
	UI_TABLE_INDEX,
	UI_TABLE_NAME,
	UI_TABLE_STATE,
	UI_TABLE_HOST,
	UI_TABLE_PID,
	UI_TABLE_PORTS,
	UI_TABLE_CPU,
	UI_TABLE_RSS,
	UI_TABLE_LPS,
	UI_TABLE_RESTARTS,
	UI_TABLE_UPTIME,
	UI_TABLE_NCOLS
};

/* The columns: heading, width, and whether bigger sorts first. */
static const struct {
	const char	*head;
	int		 width;
	int		 desc;
} ui_table_cols[UI_TABLE_NCOLS] = {
	[UI_TABLE_INDEX] = { "#", 5, 0 },
	[UI_TABLE_NAME] = { "NAME", 24, 0 },
	[UI_TABLE_STATE] = { "STATE", 18, 0 },
	[UI_TABLE_HOST] = { "HOST", 16, 0 },
	[UI_TABLE_PID] = { "PID", 8, 0 },
	[UI_TABLE_PORTS] = { "PORTS", 12, 0 },
	[UI_TABLE_CPU] = { "CPU", 6, 1 },
	[UI_TABLE_RSS] = { "RSS", 7, 1 },
	[UI_TABLE_LPS] = { "L/S", 7, 1 },
	[UI_TABLE_RESTARTS] = { "\xe2\x86\xbb", 4, 1 },
	[UI_TABLE_UPTIME] = { "UPTIME", 8, 1 },
};

/* The columns a narrow screen gives up, first to last, until the rest
   fit: the index, name, state and CPU always stay. */
static const int ui_table_drop[] = {
	UI_TABLE_HOST, UI_TABLE_PORTS, UI_TABLE_PID, UI_TABLE_RESTARTS,
	UI_TABLE_LPS, UI_TABLE_UPTIME, UI_TABLE_RSS,
};

/* The columns shown in width columns, a bit each. */
static unsigned
ui_table_shows(int width)
{
	unsigned	 mask = (1U << UI_TABLE_NCOLS) - 1;
	int		 col, total = 0;
	size_t		 k;

	for (col = 0; col < UI_TABLE_NCOLS; col++)
		total += ui_table_cols[col].width;
	for (k = 0; k < nitems(ui_table_drop) && total > width; k++) {
		mask &= ~(1U << ui_table_drop[k]);
		total -= ui_table_cols[ui_table_drop[k]].width;
	}
	return mask;
}

/* The columns shown in the table's window now. */
static unsigned
ui_table_shown_cols(struct ui *ui)
{
	return ui_table_shows(ui->viewwin != NULL ? getmaxx(ui->viewwin) :
	    ui->width);
}

/* A number to sort node i by in column col (text columns: 0). */
static double
ui_table_num(struct ui *ui, int i, int col)
{
	struct node			*n = ui->panes[i].node;
	const struct stats_usage	*u = stats_last(n->stats);

	switch (col) {
	case UI_TABLE_PID:
		return (double)n->pid;
	case UI_TABLE_PORTS:
		return n->http_port;
	case UI_TABLE_CPU:
		return u->valid && u->procs ? u->cpu_pct : -1;
	case UI_TABLE_RSS:
		return u->valid && u->procs ? (double)u->rss_kib : -1;
	case UI_TABLE_LPS:
		return u->valid ? u->lines_per_s : -1;
	case UI_TABLE_RESTARTS:
		return n->restarts;
	case UI_TABLE_UPTIME:
		return n->pid != 0 ? (double)(now_ms() - n->started_ms) : -1;
	}
	return 0;
}

/* qsort_r: node a before node b in the sort column? */
static int
ui_table_cmp(const void *va, const void *vb, void *arg)
{
	struct ui	*ui = arg;
	int		 a = *(const int *)va, b = *(const int *)vb;
	int		 col = ui->table_sort, r = 0;
	double		 x, y;
	char		 bx[128], by[128];

	switch (col) {
	case UI_TABLE_NAME:
		r = strcmp(ui->panes[a].node->spec->name,
		    ui->panes[b].node->spec->name);
		break;
	case UI_TABLE_STATE:
		r = strcmp(node_state_str(ui->panes[a].node, bx, sizeof bx),
		    node_state_str(ui->panes[b].node, by, sizeof by));
		break;
	case UI_TABLE_INDEX:
	case UI_TABLE_HOST:
		break;
	default:
		x = ui_table_num(ui, a, col);
		y = ui_table_num(ui, b, col);
		r = x < y ? -1 : x > y;
		if (ui_table_cols[col].desc)
			r = -r;
	}
	return r != 0 ? r : a - b;
}

/* The nodes in the order shown; free it. */
static int *
ui_table_order(struct ui *ui)
{
	int	*order = xcalloc(ui->n, sizeof *order);
	int	 i;

	for (i = 0; i < ui->n; i++)
		order[i] = i;
	qsort_r(order, ui->n, sizeof *order, ui_table_cmp, ui);
	return order;
}

/* The row (0 first) node i is on. */
static int
ui_table_row_of(const int *order, int n, int i)
{
	int	 r;

	for (r = 0; r < n; r++) {
		if (order[r] == i)
			return r;
	}
	return 0;
}

/* The text of node i's cell in column col into buf. */
static const char *
ui_table_cell(struct ui *ui, int i, int col, char *buf, size_t len)
{
	struct node			*n = ui->panes[i].node;
	const struct stats_usage	*u = stats_last(n->stats);
	char				 tmp[256];

	switch (col) {
	case UI_TABLE_INDEX:
		snprintf(buf, len, "%d", n->spec->index);
		break;
	case UI_TABLE_NAME:
		snprintf(buf, len, "%s", n->spec->name);
		break;
	case UI_TABLE_STATE:
		snprintf(buf, len, "%s", node_state_str(n, tmp, sizeof tmp));
		break;
	case UI_TABLE_HOST:
		snprintf(buf, len, "%s", ui->plan->host);
		break;
	case UI_TABLE_PID:
		snprintf(buf, len, n->pid != 0 ? "%ld" : "-", (long)n->pid);
		break;
	case UI_TABLE_PORTS:
		snprintf(buf, len, "%d/%d", n->http_port, n->dist_port);
		break;
	case UI_TABLE_CPU:
		snprintf(buf, len, u->valid && u->procs ? "%.0f%%" : "-",
		    u->cpu_pct);
		break;
	case UI_TABLE_RSS:
		snprintf(buf, len, "%s", u->valid && u->procs ?
		    stats_size_str(u->rss_kib, tmp, sizeof tmp) : "-");
		break;
	case UI_TABLE_LPS:
		snprintf(buf, len, u->valid ? "%.0f" : "-", u->lines_per_s);
		break;
	case UI_TABLE_RESTARTS:
		snprintf(buf, len, "%d", n->restarts);
		break;
	case UI_TABLE_UPTIME:
		if (n->pid != 0 && n->state != NODE_STOPPING)
			ui_pane_uptime(now_ms() - n->started_ms, buf, len);
		else
			snprintf(buf, len, "-");
		break;
	}
	return buf;
}

/* Write s at (y, x), at most width columns, padded with blanks. */
static void
ui_table_put(WINDOW *w, int y, int x, const char *s, int width)
{
	wchar_t	 ws[512];
	size_t	 n;
	int	 k;

	if (width <= 0)
		return;
	n = mbstowcs(ws, s, nitems(ws) - 1);
	if (n == (size_t)-1)
		n = 0;
	ws[n] = L'\0';
	for (k = (int)n; k < width && k < (int)nitems(ws) - 1; k++)
		ws[k] = L' ';
	ws[k < width ? k : width] = L'\0';
	mvwaddnwstr(w, y, x, ws, width);
}

/* The heading, the sort column marked; drawn again only when it
   changes (sort column, search) or the window was cleared. */
static void
ui_table_head(struct ui *ui, int width, int blank)
{
	static int	 drawn_sort = -1, drawn_search = -1, drawn_width = -1;
	char		 buf[64];
	int		 col, x = 0, pair;
	unsigned	 mask = ui_table_shows(width);
	attr_t		 a = ui_colour_role(UI_ROLE_BAR, &pair);

	if (!blank && drawn_sort == ui->table_sort &&
	    drawn_search == (ui->search != NULL) && drawn_width == width)
		return;
	drawn_sort = ui->table_sort;
	drawn_search = ui->search != NULL;
	drawn_width = width;
	wattr_set(ui->viewwin, a | A_BOLD, (short)pair, &pair);
	mvwhline(ui->viewwin, 0, 0, ' ', width);
	for (col = 0; col < UI_TABLE_NCOLS && x < width; col++) {
		if (!(mask & (1U << col)))
			continue;
		snprintf(buf, sizeof buf, "%s%s", ui_table_cols[col].head,
		    col == ui->table_sort ?
		    (ui_table_cols[col].desc ? "\xe2\x96\xbc" : "\xe2\x96\xb2") :
		    "");
		ui_table_put(ui->viewwin, 0, x, buf, ui_table_cols[col].width -
		    1 < width - x ? ui_table_cols[col].width - 1 : width - x);
		x += ui_table_cols[col].width;
	}
	if (ui->search != NULL && x < width)
		ui_table_put(ui->viewwin, 0, x, "MATCHES", width - x);
	wattr_set(ui->viewwin, A_NORMAL, 0, NULL);
}

/* Columns [from, to) of node i's row, each padded to its width (cut at
   the screen's width), into sb. */
static void
ui_table_cells(struct ui *ui, int i, int from, int to, unsigned mask,
    struct strbuf *sb)
{
	char	 buf[256];
	int	 col, w, n;

	strbuf_reset(sb);
	for (col = from; col < to; col++) {
		if (!(mask & (1U << col)))
			continue;
		w = ui_table_cols[col].width;
		ui_table_cell(ui, i, col, buf, sizeof buf);
		/* Cells are ASCII (names, states, numbers): bytes are
		   columns; a cell too wide keeps one blank after it.  No
		   printf here: every row is made again each second. */
		n = (int)strlen(buf);
		if (n > w - 1)
			n = w - 1;
		strbuf_add(sb, buf, (size_t)n);
		for (; n < w; n++)
			strbuf_addc(sb, ' ');
	}
}

/* What a row of the screen shows, to draw only what changed. */
struct ui_table_shown {
	int		 node;		/* -1: unknown */
	attr_t		 base, sattr;	/* the row's, the state's */
	short		 pair, spair;
	size_t		 a, b;		/* where the state starts, ends */
	struct strbuf	 text;
};
static struct ui_table_shown	*ui_table_shown;
static int			 ui_table_nshown;

/* Forget what the rows show (the window was cleared or is new). */
static void
ui_table_forget(int rows)
{
	int	 r;

	if (rows > ui_table_nshown) {
		ui_table_shown = xreallocarray(ui_table_shown, rows,
		    sizeof *ui_table_shown);
		for (r = ui_table_nshown; r < rows; r++)
			memset(&ui_table_shown[r], 0, sizeof *ui_table_shown);
		ui_table_nshown = rows;
	}
	for (r = 0; r < ui_table_nshown; r++)
		ui_table_shown[r].node = -1;
}

/* Node i's row as it should be: text and attributes into *want. */
static void
ui_table_want(struct ui *ui, int i, struct ui_table_shown *want)
{
	struct ui_pane	*p = &ui->panes[i];
	struct strbuf	 sb = STRBUF_INIT;
	int		 pair = 0;
	unsigned	 mask = ui_table_shown_cols(ui);

	want->node = i;
	want->base = A_NORMAL;
	if (ui->search != NULL && p->matches > 0)
		want->base = ui_colour_role(UI_ROLE_WAIT, &pair) | A_BOLD;
	if (i == ui->focus)
		want->base |= A_REVERSE;
	want->pair = (short)pair;
	want->sattr = want->base;
	if (pair == 0)
		want->sattr |= ui_colour_role(ui_colour_state_role(
		    p->node->state), &pair);
	want->spair = (short)pair;
	strbuf_reset(&want->text);
	ui_table_cells(ui, i, 0, UI_TABLE_STATE, mask, &sb);
	strbuf_add(&want->text, sb.buf, sb.len);
	want->a = want->text.len;
	ui_table_cells(ui, i, UI_TABLE_STATE, UI_TABLE_STATE + 1, mask,
	    &sb);
	strbuf_add(&want->text, sb.buf, sb.len);
	want->b = want->text.len;
	ui_table_cells(ui, i, UI_TABLE_STATE + 1, UI_TABLE_NCOLS, mask,
	    &sb);
	strbuf_add(&want->text, sb.buf, sb.len);
	if (ui->search != NULL)
		strbuf_addf(&want->text, "%llu",
		    (unsigned long long)p->matches);
	strbuf_free(&sb);
}

/* Write bytes [from, to) of row y's text in attribute a; the last
   stroke of a row (pad) blanks the rest of the line. */
static void
ui_table_stroke(struct ui *ui, int y, const struct ui_table_shown *w,
    size_t from, size_t to, attr_t a, short pair, int pad, int width)
{
	int	 n, x = (int)from, p = pair;

	if (x >= width)
		return;
	n = pad ? width - x : (int)(to - from) < width - x ? (int)(to - from) :
	    width - x;
	wattr_set(ui->viewwin, a, pair, &p);
	ui_table_put(ui->viewwin, y, x, w->text.buf + from, n);
}

/*
 * Row y (0 the first under the heading): node i; selected (the focus)
 * reversed, matches bold, the state in its colour.  Drawn only where it
 * differs from what the row shows: each second most rows change only in
 * their uptime, and a table of 64 rows is drawn every second.
 */
static void
ui_table_row(struct ui *ui, int y, int i, int width)
{
	struct ui_table_shown	*old = &ui_table_shown[y];
	struct ui_table_shown	 want;
	size_t			 from, to, len;

	memset(&want, 0, sizeof want);
	ui_table_want(ui, i, &want);
	len = want.text.len;
	if (old->node == i && old->base == want.base &&
	    old->pair == want.pair && old->sattr == want.sattr &&
	    old->spair == want.spair && old->a == want.a && old->b == want.b &&
	    old->text.len == len) {
		for (from = 0; from < len &&
		    old->text.buf[from] == want.text.buf[from]; from++)
			;
		for (to = len; to > from &&
		    old->text.buf[to - 1] == want.text.buf[to - 1]; to--)
			;
		if (from == len)
			goto same;
		if (to <= want.a || from >= want.b) {
			ui_table_stroke(ui, y + 1, &want, from, to, want.base,
			    want.pair, 0, width);
			goto same;
		}
		if (from >= want.a && to <= want.b) {
			ui_table_stroke(ui, y + 1, &want, from, to, want.sattr,
			    want.spair, 0, width);
			goto same;
		}
	}
	ui_table_stroke(ui, y + 1, &want, 0, want.a, want.base, want.pair, 0,
	    width);
	ui_table_stroke(ui, y + 1, &want, want.a, want.b, want.sattr,
	    want.spair, 0, width);
	ui_table_stroke(ui, y + 1, &want, want.b, len, want.base, want.pair, 1,
	    width);
same:
	wattr_set(ui->viewwin, A_NORMAL, 0, NULL);
	strbuf_free(&old->text);
	*old = want;
}

/* Draw the table, the focused node's row in sight: only what changed,
   unless the window is new or was cleared. */
static void
ui_table_draw(struct ui *ui, int64_t now)
{
	int	*order, rows, width, r, sel, blank;

	if (!ui->view_dirty || ui->viewwin == NULL)
		return;
	ui->view_dirty = 0;
	getmaxyx(ui->viewwin, rows, width);
	rows--;			/* the heading */
	blank = ui->view_blank || rows > ui_table_nshown;
	if (blank) {
		werase(ui->viewwin);
		ui_table_forget(rows > 0 ? rows : 1);
		ui->view_blank = 0;
	}
	order = ui_table_order(ui);
	sel = ui_table_row_of(order, ui->n, ui->focus);
	if (sel < ui->table_top)
		ui->table_top = sel;
	if (rows > 0 && sel >= ui->table_top + rows)
		ui->table_top = sel - rows + 1;
	if (ui->table_top > 0 && ui->table_top > ui->n - rows)
		ui->table_top = ui->n - rows > 0 ? ui->n - rows : 0;
	ui_table_head(ui, width, blank);
	for (r = 0; r < rows && ui->table_top + r < ui->n; r++)
		ui_table_row(ui, r, order[ui->table_top + r], width);
	free(order);
	wnoutrefresh(ui->viewwin);
}

/* Focus the node delta rows away from the focused one. */
static void
ui_table_move(struct ui *ui, int delta)
{
	int	*order = ui_table_order(ui);
	int	 r = ui_table_row_of(order, ui->n, ui->focus) + delta;

	if (r < 0)
		r = 0;
	if (r >= ui->n)
		r = ui->n - 1;
	ui_layout_focus(ui, order[r]);
	free(order);
	ui->view_dirty = 1;
}

/* Up, Down, k, j move the selection; < and > the sort column. */
static int
ui_table_key(struct ui *ui, int is_key, wint_t wc)
{
	if ((is_key && wc == KEY_UP) || (!is_key && wc == 'k'))
		ui_table_move(ui, -1);
	else if ((is_key && wc == KEY_DOWN) || (!is_key && wc == 'j'))
		ui_table_move(ui, 1);
	else if (!is_key && (wc == '<' || wc == '>')) {
		/* The columns shown only: a narrow table gives some up. */
		do {
			ui->table_sort = (ui->table_sort + (wc == '<' ? -1 :
			    1) + UI_TABLE_NCOLS) % UI_TABLE_NCOLS;
		} while (!(ui_table_shown_cols(ui) & (1U << ui->table_sort)));
		ui->view_dirty = 1;
	} else
		return 0;
	return 1;
}

/* PgUp, PgDn, C-u, C-d move the selection by pages; Home, End to the
   first and last row. */
static void
ui_table_scroll(struct ui *ui, enum ui_scroll how)
{
	int	 page = ui_view_rows(ui) > 2 ? ui_view_rows(ui) - 2 : 1;

	switch (how) {
	case UI_SCROLL_PAGE_UP:
		ui_table_move(ui, -page);
		break;
	case UI_SCROLL_PAGE_DOWN:
		ui_table_move(ui, page);
		break;
	case UI_SCROLL_HALF_UP:
		ui_table_move(ui, -(page / 2 > 0 ? page / 2 : 1));
		break;
	case UI_SCROLL_HALF_DOWN:
		ui_table_move(ui, page / 2 > 0 ? page / 2 : 1);
		break;
	case UI_SCROLL_TOP:
		ui_table_move(ui, -ui->n);
		break;
	case UI_SCROLL_FOLLOW:
		ui_table_move(ui, ui->n);
		break;
	}
}

/* n / N: the hit's node is focused, so its row is selected. */
static void
ui_table_show(struct ui *ui, const struct search_hit *hit)
{
	ui->view_dirty = 1;
}

/* The table shows uptimes and usages while a node runs. */
static int
ui_table_ticks(const struct ui *ui)
{
	int	 i;

	for (i = 0; i < ui->n; i++) {
		if (ui->panes[i].node->pid != 0)
			return 1;
	}
	return 0;
}

/* Once a second: every node's usage (the sort may need any of them). */
static void
ui_table_tick(struct ui *ui, int64_t now)
{
	int	 i;

	for (i = 0; i < ui->n; i++)
		node_usage(ui->panes[i].node, now);
	ui->view_dirty = 1;
}

const struct ui_view ui_view_table = {
	.mode = "TABLE",
	.full = 1,
	.draw = ui_table_draw,
	.key = ui_table_key,
	.page = ui_table_scroll,
	.line = NULL,		/* with a search, ui_event_line marks it */
	.show = ui_table_show,
	.ticks = ui_table_ticks,
	.tick = ui_table_tick,
};
