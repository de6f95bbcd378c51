/*
 * One node's pane: a border whose top line is the node's title (index,
 * name, state, pid, ports, restarts, uptime), and inside it the latest
 * output with its colours, long lines wrapped, the partial line last.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui-int.h"
#include "nodemux/screen.h"
#include "nodemux/util.h"

/* Matches highlighted in one line at most. */
#define UI_PANE_RANGES	64

/* The lines being shown, bottom first; one buffer for every pane. */
static struct line	*ui_pane_shown;
static size_t		 ui_pane_nshown;

/* The size inside the border: 0, or -1 when there is no room at all. */
int
ui_pane_inner(const struct ui_pane *p, int *rows, int *cols)
{
	*rows = p->rect.h - 2;
	*cols = p->rect.w - 2;
	return *rows < 1 || *cols < 1 ? -1 : 0;
}

/*
 * Uptime ms as "42s", "3m", "2h05m" or "3d04h" into buf: seconds only in
 * the first minute (a restart just happened), then whole minutes, as
 * top and ps show a process's time, so that a title or a table row of a
 * node that runs on changes once a minute, not every second.
 */
char *
ui_pane_uptime(int64_t ms, char *buf, size_t len)
{
	int64_t	 s = ms < 0 ? 0 : ms / 1000;

	if (s < 60)
		snprintf(buf, len, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, len, "%lldm", (long long)(s / 60));
	else if (s < 86400)
		snprintf(buf, len, "%lldh%02lldm", (long long)(s / 3600),
		    (long long)(s / 60 % 60));
	else
		snprintf(buf, len, "%lldd%02lldh", (long long)(s / 86400),
		    (long long)(s / 3600 % 24));
	return buf;
}

/* Parts of a title, least wanted first: dropped in this order when the
   title is wider than its pane. */
#define UI_TITLE_UPTIME		0x01
#define UI_TITLE_RESTARTS	0x02
#define UI_TITLE_PID		0x04
#define UI_TITLE_PORT_WORDS	0x08	/* "http 4000  dist 9100", else
					   "4000/9100" */
#define UI_TITLE_HOST		0x10	/* name@host, else the short name */
#define UI_TITLE_USAGE		0x20	/* "cpu 37% 84M 120 l/s" */
#define UI_TITLE_ALL		0x3f

/* The usage part of a title, or (not sampled yet) one as wide as a
   busy node's, so that the title's shape does not jump once it is. */
static void
ui_pane_title_usage(struct strbuf *sb, const struct node *n)
{
	const struct stats_usage	*u = stats_last(n->stats);
	char				 rss[32];

	if (!u->valid) {
		strbuf_addf(sb, "  %*s", 20, "");
		return;
	}
	if (!u->procs) {
		/* On another machine: CPU and memory unknown here. */
		strbuf_addf(sb, "  cpu - - %.0f l/s", u->lines_per_s);
		return;
	}
	strbuf_addf(sb, "  cpu %.0f%% %s %.0f l/s", u->cpu_pct,
	    stats_size_str(u->rss_kib, rss, sizeof rss), u->lines_per_s);
}

/* The title of node n with the parts in show; *live has UI_PANE_CLOCK
   when it shows a clock (uptime, a backoff's countdown), UI_PANE_USAGE
   when it has room for the node's usage. */
static char *
ui_pane_title_parts(const struct node *n, int64_t now, int show, int *live)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		 buf[256], up[32];
	int		*clock = live;

	strbuf_addf(&sb, "%d %s  %s", n->spec->index, (show & UI_TITLE_HOST) ?
	    n->spec->name : n->spec->sname, node_state_str(n, buf, sizeof buf));
	*clock = n->state == NODE_BACKOFF ? UI_PANE_CLOCK : 0;
	if (n->pid != 0 && (show & UI_TITLE_PID))
		strbuf_addf(&sb, "  pid %ld", (long)n->pid);
	if (show & UI_TITLE_PORT_WORDS)
		strbuf_addf(&sb, "  http %d  dist %d", n->http_port,
		    n->dist_port);
	else
		strbuf_addf(&sb, "  %d/%d", n->http_port, n->dist_port);
	if (show & UI_TITLE_RESTARTS)
		strbuf_addf(&sb, "  \xe2\x86\xbb%d", n->restarts);
	if (n->pid != 0 && n->state != NODE_STOPPING &&
	    (show & UI_TITLE_UPTIME)) {
		strbuf_addf(&sb, "  %s", ui_pane_uptime(now - n->started_ms, up,
		    sizeof up));
		*clock |= UI_PANE_CLOCK;
	}
	if (n->pid != 0 && (show & UI_TITLE_USAGE)) {
		ui_pane_title_usage(&sb, n);
		*live |= UI_PANE_USAGE;
	}
	return strbuf_detach(&sb);
}

/*
 * The title of node n: "1 name  ready  pid 42  http 4000  dist 9100  ↻0
 * 3s  cpu 37% 84M 120 l/s", giving up the usage, uptime, restarts, pid,
 * the port words and the host, in that order, until it fits in width
 * columns (index, name, state and ports always stay).  *clock (if not
 * NULL) gets UI_PANE_CLOCK when what is left shows a clock, which
 * changes with time alone, and UI_PANE_USAGE when it has the usage.
 */
char *
ui_pane_title(const struct node *n, int64_t now, int width, int *clock)
{
	static const int	 steps[] = { UI_TITLE_ALL,
				    UI_TITLE_ALL & ~UI_TITLE_USAGE,
				    UI_TITLE_ALL & ~(UI_TITLE_USAGE |
				    UI_TITLE_UPTIME),
				    UI_TITLE_HOST | UI_TITLE_PID |
				    UI_TITLE_PORT_WORDS,
				    UI_TITLE_HOST | UI_TITLE_PORT_WORDS,
				    UI_TITLE_HOST, 0 };
	char			*title = NULL;
	size_t			 i, len;
	int			 c;

	for (i = 0; i < nitems(steps); i++) {
		free(title);
		title = ui_pane_title_parts(n, now, steps[i], &c);
		if ((int)mbstowcs(NULL, title, 0) <= width)
			break;
	}
	if (clock != NULL)
		*clock = c;
	/* The room kept for a usage not sampled yet is not shown. */
	len = strlen(title);
	while (len > 0 && title[len - 1] == ' ')
		title[--len] = '\0';
	return title;
}

/* Write s at (y, x) in win, at most width columns. */
static void
ui_pane_puts(WINDOW *win, int y, int x, const char *s, int width)
{
	wchar_t	*ws;
	size_t	 n;

	n = strlen(s) + 1;
	ws = xcalloc(n, sizeof *ws);
	if (mbstowcs(ws, s, n) == (size_t)-1) {
		free(ws);
		mvwaddnstr(win, y, x, s, width);
		return;
	}
	mvwaddnwstr(win, y, x, ws, width);
	free(ws);
}

/* The attributes of p's border: the focused pane's are bold and
   reversed, and coloured when keys go to its node. */
static attr_t
ui_pane_border_attr(struct ui *ui, struct ui_pane *p, int *pair)
{
	if (p->index == ui->focus && ui->mode == UI_INTERACTIVE)
		return ui_colour_role(UI_ROLE_WAIT, pair) | A_BOLD;
	if (p->index == ui->focus)
		return ui_colour_role(UI_ROLE_FOCUS, pair);
	*pair = 0;
	return A_DIM;
}

/* Has p's title text changed since it was drawn (the clock moved on, a
   sample came in)?  A pane that is not on the screen never changes. */
int
ui_pane_title_changed(struct ui_pane *p, int64_t now)
{
	char	*title;
	int	 changed;

	if (p->win == NULL || p->title == NULL)
		return 0;
	title = ui_pane_title(p->node, now, p->rect.w - 4, NULL);
	changed = strcmp(title, p->title) != 0;
	free(title);
	return changed;
}

/*
 * Is p's title as last made still right at now?  It depends on the
 * node's fields (a state event also sets title_stale), the seconds its
 * clocks show, the usage sample and the width: a pane redrawn 60 times a
 * second for its output formats its title once a second.
 */
static int
ui_pane_title_fresh(struct ui_pane *p, int64_t now)
{
	const struct node	*n = p->node;
	int64_t			 key[UI_PANE_TITLE_KEY];

	key[0] = (now - n->started_ms) / 1000;
	key[1] = (now - n->backoff_until_ms) / 1000;
	key[2] = stats_last(n->stats)->at_ms;
	key[3] = p->rect.w;
	key[4] = n->pid;
	key[5] = n->state;
	key[6] = n->restarts;
	key[7] = (int64_t)n->http_port << 32 | (uint32_t)n->dist_port;
	if (p->title != NULL && !p->title_stale &&
	    memcmp(key, p->title_key, sizeof key) == 0)
		return 1;
	memcpy(p->title_key, key, sizeof key);
	p->title_stale = 0;
	return 0;
}

/* Write p's title over the top border, in its state's colour. */
static void
ui_pane_title_put(struct ui *ui, struct ui_pane *p, int64_t now)
{
	attr_t	 a;
	int	 pair;
	char	*text;

	a = ui_colour_role(ui_colour_state_role(p->node->state), &pair);
	if (p->index == ui->focus)
		a |= A_REVERSE | A_BOLD;
	wattr_set(p->win, a, (short)pair, &pair);
	if (!ui_pane_title_fresh(p, now)) {
		free(p->title);
		p->title = ui_pane_title(p->node, now, p->rect.w - 4,
		    &p->title_clock);
	}
	text = xasprintf(" %s ", p->title);
	ui_pane_puts(p->win, 0, 1, text, p->rect.w - 2);
	free(text);
	wattr_set(p->win, A_NORMAL, 0, NULL);
}

/*
 * Draw only p's top border and title (its text changed, nothing else
 * did) and queue the window: the rest of the pane is left as it is.
 */
void
ui_pane_draw_title(struct ui *ui, struct ui_pane *p, int64_t now)
{
	attr_t	 a;
	int	 pair;

	p->title_dirty = 0;
	if (p->win == NULL)
		return;
	a = ui_pane_border_attr(ui, p, &pair);
	wattr_set(p->win, a, (short)pair, &pair);
	mvwaddch(p->win, 0, 0, ACS_ULCORNER);
	mvwhline(p->win, 0, 1, ACS_HLINE, p->rect.w - 2);
	mvwaddch(p->win, 0, p->rect.w - 1, ACS_URCORNER);
	ui_pane_title_put(ui, p, now);
	wnoutrefresh(p->win);
}

/* The border and the title, and the note when keys go to its node. */
static void
ui_pane_frame(struct ui *ui, struct ui_pane *p, int focused)
{
	attr_t	 a;
	int	 pair;

	a = ui_pane_border_attr(ui, p, &pair);
	wattr_set(p->win, a, (short)pair, &pair);
	box(p->win, 0, 0);
	ui_pane_title_put(ui, p, now_ms());
	if (focused && ui->mode == UI_INTERACTIVE && p->rect.w >= 34) {
		wattr_set(p->win, A_REVERSE | A_BOLD, 0, NULL);
		mvwaddstr(p->win, p->rect.h - 1, 2, " typing to this node: Ctrl-] ");
	}
	wattr_set(p->win, A_NORMAL, 0, NULL);
}

/* Draw one character cell (with combining marks) in attribute a, with
   extra (the search highlight) toggled on. */
static void
ui_pane_cell(struct ui_pane_cursor *c, int row, int col, const wchar_t *wc,
    const struct attr *a, attr_t extra)
{
	cchar_t	 cc;
	int	 y, pair;

	y = c->row + row - c->skip;
	if (y < 0 || y >= c->rows)
		return;
	pair = ui_colour_pair(a->fg, a->bg);
	setcchar(&cc, wc, ui_colour_attrs(a->flags) ^ extra, 0, &pair);
	mvwadd_wch(c->win, c->y0 + y, c->x0 + col, &cc);
}

/* Columns a character takes: printable ASCII without a call. */
#define UI_PANE_WIDTH(wc)	((wc) >= 0x20 && (wc) < 0x7f ? 1 : wcwidth(wc))

/* Read the character at l->text + off into wc: its byte length. */
static size_t
ui_pane_char(const struct line *l, size_t off, wchar_t *wc)
{
	mbstate_t	 ps;
	size_t		 n;
	unsigned char	 c = (unsigned char)l->text[off];

	/* Printable ASCII, most of any log: no conversion call. */
	if (c >= 0x20 && c < 0x7f) {
		*wc = c;
		return 1;
	}
	memset(&ps, 0, sizeof ps);
	n = mbrtowc(wc, l->text + off, l->len - off, &ps);
	if (n == 0 || n > l->len - off) {
		*wc = L'?';
		return 1;
	}
	return n;
}

/* Is s[0, len) printable ASCII all through?  No early exit, so that
   the compiler may take the bytes many at a time. */
static int
ui_pane_ascii(const char *s, size_t len)
{
	unsigned char	 bad = 0;
	size_t		 i;

	for (i = 0; i < len; i++)
		bad |= (unsigned char)((unsigned char)s[i] - 0x20) >= 0x5f;
	return !bad;
}

/*
 * ui_pane_walk for a line of printable ASCII in one attribute with
 * nothing highlighted (most lines of most logs): its rows by arithmetic,
 * and each row drawn in one call, as curses characters (which hold
 * colour pairs up to 255; a higher pair returns -1 for the long way).
 */
static int
ui_pane_walk_ascii(struct ui_pane_cursor *c, const struct line *l, int draw)
{
	static const struct attr plain;
	const struct attr	*a = l->nruns > 0 ? &l->runs[0].attr : &plain;
	chtype			 buf[512], attrs;
	size_t			 cols = (size_t)c->cols, off, n, i;
	int			 rows, row, y, pair;

	rows = l->len == 0 ? 1 : (int)((l->len + cols - 1) / cols);
	if (!draw)
		return rows;
	pair = ui_colour_pair(a->fg, a->bg);
	if (pair > 255 || cols > nitems(buf))
		return -1;
	attrs = ui_colour_attrs(a->flags) | COLOR_PAIR(pair);
	for (row = 0, off = 0; row < rows; row++, off += cols) {
		y = c->row + row - c->skip;
		if (y < 0 || y >= c->rows)
			continue;
		n = l->len - off < cols ? l->len - off : cols;
		for (i = 0; i < n; i++)
			buf[i] = (unsigned char)l->text[off + i] | attrs;
		mvwaddchnstr(c->win, c->y0 + y, c->x0, buf, (int)n);
	}
	return rows;
}

/*
 * Walk line l wrapped to the cursor's width, drawing it when draw is
 * set; the number of rows it takes.
 */
int
ui_pane_walk(struct ui_pane_cursor *c, const struct line *l, int draw)
{
	static const struct attr plain;
	struct search_range hl[UI_PANE_RANGES];
	wchar_t		 wc[CCHARW_MAX + 1], next;
	size_t		 off = 0, n, r = 0, nhl = 0, h = 0, start;
	int		 row = 0, col = 0, w, nw;
	attr_t		 extra, mark;

	if (draw && c->search != NULL) {
		nhl = search_ranges(c->search, l->text, l->len, hl, nitems(hl));
		if (nhl > nitems(hl))
			nhl = nitems(hl);
	}
	if (nhl == 0 && l->nruns <= 1 && c->cols > 0 &&
	    ui_pane_ascii(l->text, l->len) &&
	    (row = ui_pane_walk_ascii(c, l, draw)) != -1)
		return row;
	mark = l->seq == c->mark_seq ? A_REVERSE | A_UNDERLINE : A_REVERSE;
	while (off < l->len) {
		while (r + 1 < l->nruns && l->runs[r + 1].off <= off)
			r++;
		while (h < nhl && hl[h].end <= off)
			h++;
		start = off;
		extra = h < nhl && hl[h].start <= start ? mark : 0;
		off += ui_pane_char(l, off, &wc[0]);
		if ((w = UI_PANE_WIDTH(wc[0])) == 0)
			continue;
		if (w < 0) {
			wc[0] = L'?';
			w = 1;
		}
		for (nw = 1; off < l->len && nw < CCHARW_MAX; nw++) {
			n = ui_pane_char(l, off, &next);
			if (UI_PANE_WIDTH(next) != 0)
				break;
			wc[nw] = next;
			off += n;
		}
		wc[nw] = L'\0';
		if (col + w > c->cols) {
			row++;
			col = 0;
		}
		if (draw)
			ui_pane_cell(c, row, col, wc, l->nruns > 0 ?
			    &l->runs[r].attr : &plain, extra);
		col += w;
	}
	return row + 1;
}

/* Remember l as shown (bottom first). */
static void
ui_pane_show(size_t i, const struct line *l)
{
	if (i >= ui_pane_nshown) {
		ui_pane_nshown = i + 64;
		ui_pane_shown = xreallocarray(ui_pane_shown, ui_pane_nshown,
		    sizeof *ui_pane_shown);
	}
	ui_pane_shown[i] = *l;
}

/* Is l shown (filter mode shows only lines that match)? */
static int
ui_pane_shows(struct ui_pane_cursor *c, const struct line *l)
{
	return !screen_hides(c->screen, l->seq) &&
	    (!c->filter || search_line(c->search, l));
}

/* The first line of p's scrollback that the pane may show: the first
   after the mark c left, if any. */
size_t
ui_pane_first(const struct ui_pane *p)
{
	if (p->cleared == 0)
		return 0;
	return scrollback_find_seq(p->node->sb, p->cleared + 1);
}

/*
 * How many of the lines shown, from the oldest (the first after c's
 * mark) on, fill the pane: scrolled all the way up, the last of them is
 * at its bottom.
 */
static size_t
ui_pane_top_page(struct ui_pane *p, struct ui_pane_cursor *c)
{
	size_t			 count = scrollback_count(p->node->sb), i;
	size_t			 n = 0;
	const struct line	*l;
	struct line		 v;
	int			 rows = 0;

	for (i = ui_pane_first(p); i < count && rows < c->rows; i++) {
		l = scrollback_get(p->node->sb, i, &v);
		if (!ui_pane_shows(c, l))
			continue;
		rows += ui_pane_walk(c, l, 0);
		n++;
	}
	return n;
}

/*
 * Collect the lines to draw, bottom up, p->scroll shown lines above the
 * bottom, until the pane is full: how many rows they take.  *skipped
 * gets how many shown lines the scroll passed over, *older how many
 * scrollback lines were collected; 0 in *more when the oldest line
 * shown was reached before the pane was full.
 */
static int
ui_pane_collect(struct ui_pane *p, struct ui_pane_cursor *c, size_t *shown,
    size_t *skipped, size_t *older, int *more)
{
	const struct line	*l, *tail[SCREEN_MAX_ROWS];
	struct line		 v;
	size_t			 i, first, ntail;
	int			 rows = 0;

	first = ui_pane_first(p);
	*shown = *skipped = *older = 0;
	ntail = ui_screen_tail(p, tail, nitems(tail));
	for (i = 0; i < ntail; i++) {
		ui_pane_show((*shown)++, tail[i]);
		rows += ui_pane_walk(c, tail[i], 0);
	}
	if (ntail == 0 && p->scroll == 0 &&
	    (l = vt_current(p->node->vt)) != NULL && ui_pane_shows(c, l)) {
		ui_pane_show((*shown)++, l);
		rows += ui_pane_walk(c, l, 0);
	}
	for (i = scrollback_count(p->node->sb); i > first && rows < c->rows;
	    i--) {
		l = scrollback_get(p->node->sb, i - 1, &v);
		if (!ui_pane_shows(c, l))
			continue;
		if (*skipped < p->scroll) {
			(*skipped)++;
			continue;
		}
		ui_pane_show((*shown)++, l);
		(*older)++;
		rows += ui_pane_walk(c, l, 0);
	}
	*more = rows >= c->rows;
	return rows;
}

/*
 * Draw the output: lines from the bottom up until the pane is full.
 * Scrolled further up than there are lines shown (the filter, c's mark
 * and a screen's hidden lines all leave out lines), the oldest line
 * shown goes to the top, not above it: counting the lines shown would
 * take a walk over the whole scrollback, which only this case makes.
 */
static void
ui_pane_content(struct ui_pane *p, struct ui_pane_cursor *c)
{
	size_t	 shown, skipped, older, total, top;
	int	 rows, more;

	if (ui_screen_draw(p, c))
		return;
	rows = ui_pane_collect(p, c, &shown, &skipped, &older, &more);
	if (!more && p->scroll > 0) {
		total = skipped + older;
		top = ui_pane_top_page(p, c);
		p->scroll = total > top ? total - top : 0;
		rows = ui_pane_collect(p, c, &shown, &skipped, &older, &more);
	}
	c->skip = rows > c->rows ? rows - c->rows : 0;
	c->row = 0;
	while (shown > 0) {
		c->row += ui_pane_walk(c, &ui_pane_shown[--shown], 1);
		if (c->row - c->skip >= c->rows)
			break;
	}
}

/* In filter mode, how many lines the filter hides, bottom left (of the
   lines after c's mark: those before it are not the filter's doing). */
static void
ui_pane_hidden(struct ui *ui, struct ui_pane *p)
{
	char	 buf[64];
	size_t	 lines, matching;
	int	 len;

	if (!ui->filter)
		return;
	lines = scrollback_count(p->node->sb) - ui_pane_first(p);
	matching = p->matching - p->matching_before;
	len = snprintf(buf, sizeof buf, " filter: %zu hidden ",
	    lines > matching ? lines - matching : 0);
	if (len + 2 > p->rect.w / 2)
		return;
	wattr_set(p->win, A_BOLD, 0, NULL);
	mvwaddstr(p->win, p->rect.h - 1, 1, buf);
	wattr_set(p->win, A_NORMAL, 0, NULL);
}

/* The "scrolled -N" marker on the bottom border while not following. */
static void
ui_pane_marker(struct ui_pane *p)
{
	char	 buf[64];
	int	 len;

	if (p->scroll == 0)
		return;
	len = snprintf(buf, sizeof buf, " scrolled -%zu ", p->scroll);
	if (len + 2 > p->rect.w)
		return;
	wattr_set(p->win, A_REVERSE | A_BOLD, 0, NULL);
	mvwaddstr(p->win, p->rect.h - 1, p->rect.w - len - 1, buf);
	wattr_set(p->win, A_NORMAL, 0, NULL);
}

/* Draw pane p into its window and queue it for the next doupdate. */
void
ui_pane_draw(struct ui *ui, struct ui_pane *p)
{
	struct ui_pane_cursor	 c;

	p->dirty = 0;
	p->title_dirty = 0;
	if (p->win == NULL)
		return;
	werase(p->win);
	ui_pane_frame(ui, p, p->index == ui->focus);
	memset(&c, 0, sizeof c);
	c.win = p->win;
	c.y0 = 1;
	c.x0 = 1;
	c.search = ui->search;
	c.filter = ui->filter && ui->search != NULL;
	c.mark_seq = ui->mark_seq;
	c.screen = p->node->screen;
	if (ui_pane_inner(p, &c.rows, &c.cols) == 0) {
		ui_pane_content(p, &c);
		ui_screen_cursor(ui, p, &c);
	}
	if (p->index == ui->focus)
		ui_screen_focused(ui, p);
	ui_pane_marker(p);
	ui_pane_hidden(ui, p);
	wnoutrefresh(p->win);
}

/* Scroll p by delta lines (positive: back in time), within its output. */
void
ui_pane_scroll(struct ui *ui, struct ui_pane *p, long delta)
{
	size_t	 count = scrollback_count(p->node->sb) - ui_pane_first(p);

	if (delta < 0 && (size_t)-delta >= p->scroll)
		p->scroll = 0;
	else if (delta < 0)
		p->scroll -= (size_t)-delta;
	else
		p->scroll += (size_t)delta;
	if (p->scroll > count)
		p->scroll = count;
	p->dirty = 1;
}

/* Scroll p so that the line of hit (in p's node) is in its middle,
   bringing back lines c had cleared away if it is one of them. */
void
ui_pane_reveal(struct ui *ui, struct ui_pane *p, const struct search_hit *hit)
{
	int	 rows, cols;

	if (hit->seq <= p->cleared) {
		p->cleared = 0;
		p->matching_before = 0;
	}
	if (ui_pane_inner(p, &rows, &cols) != 0)
		rows = 1;
	p->scroll = scrollback_count(p->node->sb) - 1 - hit->index;
	p->scroll = p->scroll > (size_t)rows / 2 ? p->scroll - rows / 2 : 0;
	p->dirty = 1;
}
