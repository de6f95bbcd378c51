/*
 * A node's screen model over libvterm: the parser hands a node over at
 * a cursor-addressing sequence, rows scrolled off the main screen become
 * lines, and the episode ends (the alternate screen left, a screen of
 * plain lines, a progress display gone quiet) handing it back.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vterm.h>

#include "nodemux/line.h"
#include "nodemux/screen.h"
#include "nodemux/util.h"

/* libvterm's parser states, as screen_track follows them. */
enum {
	SW_NORMAL,
	SW_ESC,
	SW_ESC_STRING,		/* ESC in a string: ST, or a new sequence */
	SW_STRING,		/* DCS, OSC: to BEL or ST */
	SW_CSI_LEAD,		/* CSI, where a leader (?, >) may come */
	SW_CSI,			/* its parameters */
	SW_CSI_INTER		/* its intermediates */
};

/* U+FFFD, for what is not UTF-8. */
#define SCREEN_FFFD	"\357\277\275"

/* A scrollback line the screen took over onto its row. */
struct screen_seed {
	uint64_t	 seq;
	struct line	*l;
};

struct screen {
	VTerm		*vt;
	VTermScreen	*vs;
	int		 rows, cols;
	int		 active;
	int		 alt;
	int		 alt_left;	/* the alternate screen was left */
	int		 main_drawn;	/* the main screen was drawn on */
	int		 addressed;	/* absolute addressing, a clear or a
					   scroll region came: a full-screen
					   program, which never settles */
	int		 scan;		/* screen_scan's state */
	int		 scan_p;	/*   its first parameter */
	int		 vst;		/* libvterm's parser state, as
					   screen_write follows it (SW_*) */
	int		 seps;		/*   separators in this CSI */
	int		 csi_lead;	/*   it has a leader or intermediates */
	int		 csi_p;		/*   its first parameter, -1 none */
	char		 u8[4];		/* a UTF-8 sequence not finished yet */
	int		 u8n, u8need;
	char		 last[4];	/* the last character drawn (REP) */
	int		 lastn;
	VTermPos	 cursor;
	VTermPos	 main_cursor;	/* as the alternate screen came */
	int		 cursor_visible;
	int		 calm;		/* rows pushed since the cursor last
					   went up */
	vt_line_cb	 cb;		/* for rows pushed off, while fed */
	void		*cbarg;
	screen_reply_cb	 reply;
	void		*rarg;
	struct strbuf	*capture;	/* output goes here, not to reply */

	struct line	**rowl;		/* screen_row's cache, rows long */
	int		 rowl_rows;
	VTermScreenCell	*cells;		/* one row, SCREEN_MAX_COLS */

	struct strbuf	 tb;		/* a line being built */
	struct attr_run	*runs;
	size_t		 nruns, capruns;
	struct line	 lent;

	struct screen_seed *seed;	/* rows 0.. at the start, in order */
	size_t		 nseed, seed_next; /* seed_next: the next to scroll off */
	uint64_t	*hidden;	/* seqs the pane hides, ascending */
	size_t		 nhidden;
	struct strbuf	 leave;		/* screen_leave_seq's bytes */
};

static int
screen_clamp(int v, int max)
{
	return v < 1 ? 1 : v > max ? max : v;
}

/* Columns: at least 2, as libvterm 0.3.1 crashes writing a wide
   character on a screen of one column (fuzz-screen found it). */
static int
screen_clamp_cols(int v)
{
	return v < 2 ? 2 : screen_clamp(v, SCREEN_MAX_COLS);
}

/* Forget the cached rows (the screen changed). */
static void
screen_dirty(struct screen *s)
{
	int	 r;

	for (r = 0; r < s->rowl_rows; r++) {
		line_free(s->rowl[r]);
		s->rowl[r] = NULL;
	}
}

/* A colour of libvterm's as one of line.h's. */
static uint32_t
screen_colour(const VTermColor *c)
{
	if (VTERM_COLOR_IS_DEFAULT_FG(c) || VTERM_COLOR_IS_DEFAULT_BG(c))
		return COLOUR_DEFAULT;
	if (VTERM_COLOR_IS_INDEXED(c))
		return COLOUR_PALETTE | c->indexed.idx;
	return COLOUR_RGB | (uint32_t)c->rgb.red << 16 |
	    (uint32_t)c->rgb.green << 8 | c->rgb.blue;
}

/* A cell's attributes as line.h's. */
static struct attr
screen_attr(const VTermScreenCell *c)
{
	struct attr	 a;

	a.fg = screen_colour(&c->fg);
	a.bg = screen_colour(&c->bg);
	a.flags = (c->attrs.bold ? ATTR_BOLD : 0) |
	    (c->attrs.italic ? ATTR_ITALIC : 0) |
	    (c->attrs.underline ? ATTR_UNDERLINE : 0) |
	    (c->attrs.blink ? ATTR_BLINK : 0) |
	    (c->attrs.reverse ? ATTR_REVERSE : 0) |
	    (c->attrs.strike ? ATTR_STRIKE : 0);
	return a;
}

/* Is c a blank that may be trimmed from a line's end? */
static int
screen_blank(const VTermScreenCell *c)
{
	struct attr	 a;

	if (c->chars[0] != 0 && c->chars[0] != ' ')
		return 0;
	a = screen_attr(c);
	return a.bg == COLOUR_DEFAULT &&
	    (a.flags & (ATTR_REVERSE | ATTR_UNDERLINE | ATTR_STRIKE)) == 0;
}

/* Append cp as UTF-8 (U+FFFD for what is not a character). */
static void
screen_put_cp(struct strbuf *sb, uint32_t cp)
{
	char	 b[4];

	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp < 0x20)
		cp = cp == 0 ? ' ' : 0xfffd;
	if (cp < 0x80) {
		b[0] = (char)cp;
		strbuf_add(sb, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(sb, b, 4);
	}
}

/* Start a run of attributes a at the text's end, unless it has them. */
static void
screen_run(struct screen *s, const struct attr *a)
{
	struct attr_run	*r;

	if (s->nruns > 0 && line_attr_equal(&s->runs[s->nruns - 1].attr, a))
		return;
	if (s->nruns == s->capruns) {
		s->capruns = s->capruns != 0 ? s->capruns * 2 : 16;
		s->runs = xreallocarray(s->runs, s->capruns, sizeof *s->runs);
	}
	r = &s->runs[s->nruns++];
	r->off = (uint32_t)s->tb.len;
	r->attr = *a;
}

/* n cells as a line (trailing blanks trimmed), lent until the next. */
static struct line *
screen_build(struct screen *s, const VTermScreenCell *cells, int n)
{
	struct attr	 a;
	int		 i, k;

	while (n > 0 && screen_blank(&cells[n - 1]))
		n--;
	strbuf_reset(&s->tb);
	s->nruns = 0;
	for (i = 0; i < n; i++) {
		if (cells[i].chars[0] == (uint32_t)-1)
			continue;	/* a wide character's right half */
		a = screen_attr(&cells[i]);
		screen_run(s, &a);
		screen_put_cp(&s->tb, cells[i].chars[0]);
		for (k = 1; k < VTERM_MAX_CHARS_PER_CELL &&
		    cells[i].chars[0] != 0 && cells[i].chars[k] != 0; k++)
			screen_put_cp(&s->tb, cells[i].chars[k]);
	}
	strbuf_add(&s->tb, "", 0);	/* a NUL after the text */
	memset(&s->lent, 0, sizeof s->lent);
	s->lent.time_ms = wall_ms();
	s->lent.len = (uint32_t)s->tb.len;
	s->lent.text = s->tb.buf != NULL ? s->tb.buf : (char *)"";
	s->lent.nruns = (uint32_t)s->nruns;
	s->lent.runs = s->nruns > 0 ? s->runs : NULL;
	return &s->lent;
}

/* Row r of what libvterm shows as a line. */
static struct line *
screen_build_row(struct screen *s, int r)
{
	VTermPos	 pos;

	pos.row = r;
	for (pos.col = 0; pos.col < s->cols; pos.col++)
		vterm_screen_get_cell(s->vs, pos, &s->cells[pos.col]);
	return screen_build(s, s->cells, s->cols);
}

/* Is seq hidden: where is it, or would it go, in s->hidden? */
static size_t
screen_hidden_at(const struct screen *s, uint64_t seq)
{
	size_t	 lo = 0, hi = s->nhidden, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (s->hidden[mid] < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The scrollback line seq is on the screen now: the pane hides it. */
static void
screen_hide(struct screen *s, uint64_t seq)
{
	if (s->hidden == NULL)
		s->hidden = xreallocarray(NULL, SCREEN_HIDE_MAX,
		    sizeof *s->hidden);
	if (s->nhidden == SCREEN_HIDE_MAX) {
		/* The oldest are the likeliest gone from the scrollback. */
		memmove(s->hidden, s->hidden + SCREEN_HIDE_MAX / 4,
		    (SCREEN_HIDE_MAX - SCREEN_HIDE_MAX / 4) * sizeof *s->hidden);
		s->nhidden -= SCREEN_HIDE_MAX / 4;
	}
	s->hidden[s->nhidden++] = seq;	/* seqs only grow */
}

/* Line seq left the screen as it came: the scrollback's copy stands. */
static void
screen_unhide(struct screen *s, uint64_t seq)
{
	size_t	 i = screen_hidden_at(s, seq);

	if (i < s->nhidden && s->hidden[i] == seq) {
		memmove(&s->hidden[i], &s->hidden[i + 1],
		    (s->nhidden - i - 1) * sizeof *s->hidden);
		s->nhidden--;
	}
}

/*
 * A row leaves the main screen as line l: to cb, unless it is a line the
 * screen took from the scrollback and left unchanged (same text), which
 * is shown again where it was instead.
 */
static void
screen_emit(struct screen *s, const struct line *l, vt_line_cb cb, void *arg)
{
	struct screen_seed	*sd;

	if (s->seed_next < s->nseed) {
		sd = &s->seed[s->seed_next++];
		if (sd->l->len == l->len &&
		    memcmp(sd->l->text, l->text, l->len) == 0) {
			screen_unhide(s, sd->seq);
			return;
		}
	}
	cb(arg, (struct line *)l);
}

/* libvterm: a row scrolled off the top of the main screen. */
static int
screen_cb_pushline(int cols, const VTermScreenCell *cells, void *arg)
{
	struct screen	*s = arg;

	s->calm++;
	if (s->cb != NULL)
		screen_emit(s, screen_build(s, cells, cols), s->cb, s->cbarg);
	return 1;
}

/* libvterm: nothing comes back from the scrollback on a resize. */
static int
screen_cb_popline(int cols, VTermScreenCell *cells, void *arg)
{
	return 0;
}

/* libvterm: the cursor moved; going up means the program draws. */
static int
screen_cb_movecursor(VTermPos pos, VTermPos old, int visible, void *arg)
{
	struct screen	*s = arg;

	if (pos.row < old.row) {
		s->calm = 0;
		/* Back from the alternate screen to where the cursor was is
		   not drawing on the main one. */
		if (!s->alt && !(s->alt_left && pos.row == s->main_cursor.row &&
		    pos.col == s->main_cursor.col))
			s->main_drawn = 1;
	}
	s->cursor = pos;
	s->cursor_visible = visible;
	return 1;
}

/* libvterm: a block moved; down means a reverse scroll. */
static int
screen_cb_moverect(VTermRect dest, VTermRect src, void *arg)
{
	struct screen	*s = arg;

	if (dest.start_row > src.start_row) {
		s->calm = 0;
		if (!s->alt)
			s->main_drawn = 1;
	}
	return 0;	/* libvterm still marks it damaged */
}

/* libvterm: a terminal property changed. */
static int
screen_cb_settermprop(VTermProp prop, VTermValue *val, void *arg)
{
	struct screen	*s = arg;

	if (prop == VTERM_PROP_ALTSCREEN) {
		if (s->alt && !val->boolean)
			s->alt_left = 1;
		if (!s->alt && val->boolean)
			s->main_cursor = s->cursor;
		s->alt = val->boolean;
		s->calm = 0;
	} else if (prop == VTERM_PROP_CURSORVISIBLE)
		s->cursor_visible = val->boolean;
	return 1;
}

static const VTermScreenCallbacks screen_callbacks = {
	.moverect = screen_cb_moverect,
	.movecursor = screen_cb_movecursor,
	.settermprop = screen_cb_settermprop,
	.sb_pushline = screen_cb_pushline,
	.sb_popline = screen_cb_popline,
};

/* libvterm's output: answers to queries, or keys being probed. */
static void
screen_output(const char *buf, size_t len, void *arg)
{
	struct screen	*s = arg;

	if (s->capture != NULL)
		strbuf_add(s->capture, buf, len);
	else if (s->reply != NULL)
		s->reply(s->rarg, buf, len);
}

/* libvterm's memory, zeroed as it wants, dying cleanly on OOM. */
static void *
screen_malloc(size_t size, void *arg)
{
	return xcalloc(1, size);
}

static void
screen_mfree(void *p, void *arg)
{
	free(p);
}

static VTermAllocatorFunctions screen_alloc = {
	.malloc = screen_malloc,
	.free = screen_mfree,
};

/* Forget the lines taken over at the start of an episode. */
static void
screen_seed_free(struct screen *s)
{
	size_t	 i;

	for (i = 0; i < s->nseed; i++)
		line_free(s->seed[i].l);
	free(s->seed);
	s->seed = NULL;
	s->nseed = s->seed_next = 0;
}

/* Make the row cache fit the size. */
static void
screen_fit_cache(struct screen *s)
{
	screen_dirty(s);
	free(s->rowl);
	s->rowl = xcalloc((size_t)s->rows, sizeof *s->rowl);
	s->rowl_rows = s->rows;
}

struct screen *
screen_new(int rows, int cols, screen_reply_cb reply, void *arg)
{
	struct screen	*s;

	s = xcalloc(1, sizeof *s);
	s->rows = screen_clamp(rows, SCREEN_MAX_ROWS);
	s->cols = screen_clamp_cols(cols);
	s->reply = reply;
	s->rarg = arg;
	s->vt = vterm_new_with_allocator(s->rows, s->cols, &screen_alloc,
	    NULL);
	vterm_set_utf8(s->vt, 1);
	vterm_output_set_callback(s->vt, screen_output, s);
	s->vs = vterm_obtain_screen(s->vt);
	vterm_screen_set_callbacks(s->vs, &screen_callbacks, s);
	vterm_screen_enable_altscreen(s->vs, 1);
	/* Not VTERM_DAMAGE_SCROLL: it tells of scrolls when damage is flushed,
	   merged, so whether a reverse scroll was seen would depend on where
	   reads ended. */
	vterm_screen_set_damage_merge(s->vs, VTERM_DAMAGE_CELL);
	vterm_screen_reset(s->vs, 1);
	s->cells = xcalloc(SCREEN_MAX_COLS, sizeof *s->cells);
	screen_fit_cache(s);
	s->cursor_visible = 1;
	return s;
}

void
screen_free(struct screen *s)
{
	if (s == NULL)
		return;
	screen_dirty(s);
	free(s->rowl);
	free(s->cells);
	free(s->runs);
	strbuf_free(&s->tb);
	strbuf_free(&s->leave);
	screen_seed_free(s);
	free(s->hidden);
	vterm_free(s->vt);
	free(s);
}

/* Append SGR bytes that set attributes a (from a reset). */
static void
screen_sgr(struct strbuf *sb, const struct attr *a)
{
	static const struct {
		uint16_t	 flag;
		int		 code;
	} flags[] = { { ATTR_BOLD, 1 }, { ATTR_DIM, 2 }, { ATTR_ITALIC, 3 },
	    { ATTR_UNDERLINE, 4 }, { ATTR_BLINK, 5 }, { ATTR_REVERSE, 7 },
	    { ATTR_INVISIBLE, 8 }, { ATTR_STRIKE, 9 } };
	const uint32_t	 c[2] = { a->fg, a->bg };
	size_t		 i;
	uint32_t	 v;

	strbuf_adds(sb, "\033[0");
	for (i = 0; i < nitems(flags); i++) {
		if (a->flags & flags[i].flag)
			strbuf_addf(sb, ";%d", flags[i].code);
	}
	for (i = 0; i < 2; i++) {
		v = COLOUR_VALUE(c[i]);
		if (COLOUR_KIND(c[i]) == COLOUR_PALETTE)
			strbuf_addf(sb, ";%d;5;%u", i == 0 ? 38 : 48, v & 0xff);
		else if (COLOUR_KIND(c[i]) == COLOUR_RGB)
			strbuf_addf(sb, ";%d;2;%u;%u;%u", i == 0 ? 38 : 48,
			    v >> 16, v >> 8 & 0xff, v & 0xff);
	}
	strbuf_addc(sb, 'm');
}

/* Append line l's text with its attributes. */
static void
screen_seed_line(struct strbuf *sb, const struct line *l)
{
	size_t	 r, off, end;

	if (l->nruns == 0) {
		strbuf_add(sb, l->text, l->len);
		return;
	}
	for (r = 0; r < l->nruns; r++) {
		off = l->runs[r].off;
		end = r + 1 < l->nruns ? l->runs[r + 1].off : l->len;
		screen_sgr(sb, &l->runs[r].attr);
		if (off < end && end <= l->len)
			strbuf_add(sb, l->text + off, end - off);
	}
	strbuf_adds(sb, "\033[0m");
}

void
screen_start(struct screen *s, const struct line **lines, size_t n,
    const struct line *partial, size_t x, unsigned modes)
{
	struct strbuf	 sb = STRBUF_INIT;
	size_t		 i, k;

	vterm_screen_reset(s->vs, 1);
	s->vst = SW_NORMAL;
	s->u8n = s->u8need = s->lastn = 0;
	s->alt = s->alt_left = s->main_drawn = 0;
	s->addressed = s->scan = 0;
	s->cursor.row = s->cursor.col = 0;
	s->cursor_visible = 1;
	/* The last lines that fit a row each, the cursor's row kept free. */
	for (k = 0; k < n && k < (size_t)s->rows - 1; k++) {
		if (line_width(lines[n - 1 - k]) > (size_t)s->cols)
			break;
	}
	screen_seed_free(s);
	s->seed = xreallocarray(NULL, k + 1, sizeof *s->seed);
	/* CAN: libvterm's parser may be in a sequence the last episode's
	   program left unfinished, which its reset leaves it in. */
	strbuf_addc(&sb, 0x18);
	for (i = n - k; i < n; i++) {
		screen_seed_line(&sb, lines[i]);
		strbuf_adds(&sb, "\r\n");
		s->seed[s->nseed].seq = lines[i]->seq;
		s->seed[s->nseed++].l = line_dup(lines[i]);
		screen_hide(s, lines[i]->seq);
	}
	if (partial != NULL)
		screen_seed_line(&sb, partial);
	strbuf_addf(&sb, "\r\033[%zuG", x + 1);
	if (modes & VT_MODE_APPCURSOR)
		strbuf_adds(&sb, "\033[?1h");
	if (modes & VT_MODE_PASTE)
		strbuf_adds(&sb, "\033[?2004h");
	s->cb = NULL;		/* seeding pushes nothing: k < rows */
	vterm_input_write(s->vt, sb.buf, sb.len);
	vterm_screen_flush_damage(s->vs);
	strbuf_free(&sb);
	s->calm = 0;
	s->main_drawn = 0;
	s->active = 1;
	screen_dirty(s);
}

int
screen_active(const struct screen *s)
{
	return s != NULL && s->active;
}

/* Is row r blank? */
static int
screen_row_blank(struct screen *s, int r)
{
	return screen_row(s, r)->len == 0;
}

/* Are the rows below the cursor blank? */
static int
screen_blank_below(struct screen *s)
{
	int	 r;

	for (r = s->cursor.row + 1; r < s->rows; r++) {
		if (!screen_row_blank(s, r))
			return 0;
	}
	return 1;
}

/*
 * Has the episode run its course, on the main screen with nothing below
 * the cursor and libvterm between sequences: a whole screen of lines
 * scrolled off since the cursor last went up, or the alternate screen
 * was left and the main one was only written as lines are?
 */
static int
screen_done(struct screen *s)
{
	if (s->alt || s->vst != SW_NORMAL)
		return 0;
	if (s->alt_left && !s->main_drawn)
		return screen_blank_below(s);
	return s->calm >= s->rows && s->cursor.row == s->rows - 1 &&
	    screen_blank_below(s);
}

/* Rows 0..n-1 leave the screen, as if they had scrolled off. */
static void
screen_push_rows(struct screen *s, int n, vt_line_cb cb, void *arg)
{
	int	 r;

	for (r = 0; r < n; r++)
		screen_emit(s, screen_build_row(s, r), cb, arg);
}

/*
 * Is the cursor on libvterm's phantom column, past the last one, where
 * the next character wraps?  It shows the last column and does not say:
 * draw a character and see whether it lands under the cursor.  For the
 * end of an episode only, as it draws (the next start resets the screen).
 */
static int
screen_phantom(struct screen *s)
{
	VTermState	*vs = vterm_obtain_state(s->vt);
	VTermPos	 was, pos;
	VTermScreenCell	 c;

	vterm_state_get_cursorpos(vs, &was);
	s->cb = NULL;
	vterm_input_write(s->vt, "X", 1);
	vterm_screen_flush_damage(s->vs);
	vterm_state_get_cursorpos(vs, &pos);
	vterm_screen_get_cell(s->vs, was, &c);
	screen_dirty(s);
	return c.chars[0] != 'X' || pos.row != was.row || pos.col < was.col;
}

/* The pen (the attributes the next character gets) as line.h's. */
static struct attr
screen_pen(struct screen *s)
{
	static const struct {
		VTermAttr	 va;
		uint16_t	 flag;
	} flags[] = { { VTERM_ATTR_BOLD, ATTR_BOLD },
	    { VTERM_ATTR_ITALIC, ATTR_ITALIC },
	    { VTERM_ATTR_UNDERLINE, ATTR_UNDERLINE },
	    { VTERM_ATTR_BLINK, ATTR_BLINK },
	    { VTERM_ATTR_REVERSE, ATTR_REVERSE },
	    { VTERM_ATTR_STRIKE, ATTR_STRIKE } };
	VTermState	*vs = vterm_obtain_state(s->vt);
	VTermValue	 val;
	struct attr	 a;
	size_t		 i;

	memset(&a, 0, sizeof a);
	for (i = 0; i < nitems(flags); i++) {
		if (vterm_state_get_penattr(vs, flags[i].va, &val) &&
		    (flags[i].va == VTERM_ATTR_UNDERLINE ? val.number != 0 :
		    val.boolean))
			a.flags |= flags[i].flag;
	}
	a.fg = vterm_state_get_penattr(vs, VTERM_ATTR_FOREGROUND, &val) ?
	    screen_colour(&val.color) : COLOUR_DEFAULT;
	a.bg = vterm_state_get_penattr(vs, VTERM_ATTR_BACKGROUND, &val) ?
	    screen_colour(&val.color) : COLOUR_DEFAULT;
	return a;
}

/* End the episode: the rows above the cursor become lines, the cursor's
   row the parser's partial line again (s->leave), with the program's pen
   and an unfinished UTF-8 sequence after it. */
static void
screen_end(struct screen *s, vt_line_cb cb, void *arg)
{
	const struct line	*l;
	struct attr		 pen;
	unsigned		 modes = screen_modes(s);
	int			 col = s->cursor.col;

	screen_push_rows(s, s->cursor.row, cb, arg);
	strbuf_reset(&s->leave);
	l = screen_row(s, s->cursor.row);
	screen_seed_line(&s->leave, l);
	strbuf_addc(&s->leave, '\r');
	if (screen_phantom(s))
		col++;		/* the parser's lines do not wrap */
	if (col > 0)
		strbuf_addf(&s->leave, "\033[%dC", col);
	strbuf_addf(&s->leave, "%s%s",
	    (modes & VT_MODE_APPCURSOR) ? "\033[?1h" : "",
	    (modes & VT_MODE_PASTE) ? "\033[?2004h" : "");
	pen = screen_pen(s);
	screen_sgr(&s->leave, &pen);
	strbuf_add(&s->leave, s->u8, (size_t)s->u8n);
	s->u8n = s->u8need = 0;
	s->active = 0;
}

/*
 * Note in s->addressed the sequences of a program that draws the whole
 * screen (CUP, HVP, VPA, DECSTBM, ED 2 and 3), unlike a progress display
 * that moves up and rewrites lines: it takes a look at CSI sequences
 * only, across reads (ESC, '[', parameters, final byte).
 */
static void
screen_scan(struct screen *s, const unsigned char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (p[i] == 0x1b) {
			s->scan = 1;
			continue;
		}
		if (s->scan == 1) {
			s->scan = p[i] == '[' ? 2 : 0;
			s->scan_p = 0;
		} else if (s->scan >= 2 && p[i] >= '0' && p[i] <= '9') {
			if (s->scan == 2 && s->scan_p < 1000)
				s->scan_p = s->scan_p * 10 + (p[i] - '0');
		} else if (s->scan >= 2 && p[i] >= 0x20 && p[i] <= 0x3f)
			s->scan = 3;	/* past the first parameter */
		else if (s->scan >= 2) {
			if (strchr("Hfdr", p[i]) != NULL || (p[i] == 'J' &&
			    (s->scan_p == 2 || s->scan_p == 3)))
				s->addressed = 1;
			s->scan = 0;
		}
	}
}

/* A character of its own to libvterm: each write that draws one that is
   not ASCII ends with it (see screen_write). */
static void
screen_put_char(struct screen *s, const char *u, size_t n)
{
	vterm_input_write(s->vt, u, n);
	if (s->vst == SW_NORMAL) {
		memcpy(s->last, u, n);
		s->lastn = (int)n;
	} else if (s->vst == SW_CSI_LEAD || s->vst == SW_CSI ||
	    s->vst == SW_CSI_INTER)
		s->vst = SW_NORMAL;	/* its first byte cancels the CSI */
	else if (s->vst == SW_ESC_STRING)
		s->vst = SW_ESC;	/* not ST: a new escape, unfinished */
}

/* The UTF-8 sequence in s->u8 is complete: the character, or U+FFFD
   where vt.c shows one (overlong, surrogate, C1, past U+10FFFF). */
static void
screen_utf8_done(struct screen *s)
{
	static const uint32_t	 min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	const unsigned char	*u = (const unsigned char *)s->u8;
	uint32_t		 cp;
	int			 i;

	cp = u[0] & (0x7f >> s->u8need);
	for (i = 1; i < s->u8need; i++)
		cp = cp << 6 | (u[i] & 0x3f);
	if (cp < min[s->u8need] || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		screen_put_char(s, SCREEN_FFFD, 3);
	else
		screen_put_char(s, s->u8, (size_t)s->u8need);
	s->u8n = s->u8need = 0;
}

/* REP: the last character drawn n times (libvterm's own repeats one of
   width 0 for ever, and nothing at all before the first). */
static void
screen_repeat(struct screen *s)
{
	char	 buf[64];
	int	 n = s->csi_p > 0 ? s->csi_p : 1, k;

	if (s->lastn == 0)
		return;
	if (n > s->cols)
		n = s->cols;	/* a row's worth: the most it can show */
	while (n > 0) {
		for (k = 0; k < n && (k + 1) * s->lastn <= (int)sizeof buf;
		    k++)
			memcpy(buf + k * s->lastn, s->last, (size_t)s->lastn);
		vterm_input_write(s->vt, buf, (size_t)(k * s->lastn));
		n -= k;
	}
}

/* After ESC (intermediates may have come): libvterm's ESC state. */
static int
screen_track_esc(struct screen *s, unsigned char c)
{
	if (c == 'P' || c == ']')		/* DCS, OSC */
		s->vst = SW_STRING;
	else if (c == '[') {
		s->vst = SW_CSI_LEAD;
		s->seps = 0;
		s->csi_lead = 0;
		s->csi_p = -1;
	} else if (c < 0x20 || c > 0x2f)	/* not an intermediate */
		s->vst = SW_NORMAL;
	return 1;
}

/* In a CSI sequence: libvterm's CSI_LEADER, CSI_ARGS, CSI_INTERMED. */
static int
screen_track_csi(struct screen *s, unsigned char c)
{
	if (s->vst == SW_CSI_LEAD && c >= 0x3c && c <= 0x3f) {
		s->csi_lead = c;
		return 1;
	}
	if (s->vst != SW_CSI_INTER) {
		s->vst = SW_CSI;
		if (c >= '0' && c <= '9') {
			if (s->seps == 0 && s->csi_p < 100000)
				s->csi_p = (s->csi_p < 0 ? 0 : s->csi_p * 10) +
				    (c - '0');
			return 1;
		}
		if (c == ';' || c == ':')
			return ++s->seps >= 16 ? 0 : 1;
		s->vst = SW_CSI_INTER;
	}
	if (c >= 0x20 && c <= 0x2f) {
		s->csi_lead |= 0x100;
		return 1;
	}
	s->vst = SW_NORMAL;
	if (c == 'b' && s->csi_lead == 0)
		return 3;
	if (c == 'l' && s->csi_lead == '?')
		return 2;
	return 1;
}

/*
 * Follow libvterm's parser through printable ASCII and C0 byte c, as
 * its vterm_input_write does (parser.c), to keep from it what would
 * crash or hang it (the fuzzer found both):
 * - it keeps at most 16 CSI parameters and does not check: separators
 *   past the 15th are dropped (a real sequence never has that many);
 * - its REP repeats a character of width 0 for ever: screen_repeat
 *   does REP instead.
 * Returns 0 to drop c, 1 to pass it, 2 to pass it and end the write
 * after it: the episode may end there (a newline, a private mode reset);
 * 3 for a REP's final byte.
 */
static int
screen_track(struct screen *s, unsigned char c)
{
	if (c == 0x00 || c == 0x7f)
		return 1;
	if (c == 0x18 || c == 0x1a) {		/* CAN, SUB */
		s->vst = SW_NORMAL;
		return 1;
	}
	if (c == 0x1b) {
		s->vst = s->vst == SW_STRING ? SW_ESC_STRING : SW_ESC;
		return 1;
	}
	if (c == 0x07 && s->vst == SW_STRING) {
		s->vst = SW_NORMAL;
		return 1;
	}
	if (c < 0x20)			/* run in any state, which stays */
		return c == '\n' ? 2 : 1;
	switch (s->vst) {
	case SW_NORMAL:
		s->last[0] = (char)c;
		s->lastn = 1;
		return 1;
	case SW_STRING:
		return 1;
	case SW_ESC_STRING:
		if (c == '\\') {
			s->vst = SW_NORMAL;
			return 1;
		}
		s->vst = SW_ESC;
		/* FALLTHROUGH */
	case SW_ESC:
		return screen_track_esc(s, c);
	default:
		return screen_track_csi(s, c);
	}
}

/* Pass p[from..to) on to libvterm. */
static void
screen_write_range(struct screen *s, const char *p, size_t from, size_t to)
{
	if (to > from)
		vterm_input_write(s->vt, p + from, to - from);
}

/* A byte from 0x80 up, not a UTF-8 sequence's next one. */
static void
screen_utf8_start(struct screen *s, unsigned char c)
{
	s->u8n = s->u8need = 0;
	if (c >= 0xc2 && c <= 0xf4) {
		s->u8[s->u8n++] = (char)c;
		s->u8need = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	} else
		screen_put_char(s, SCREEN_FFFD, 3);
}

/*
 * Pass up to len bytes on to libvterm, so that what it shows does not
 * depend on where reads cut the output (the fuzzer compares): it drops
 * an unfinished UTF-8 sequence a write ends with when ASCII starts the
 * next, and decodes text that follows a character from 0x80 up with that
 * character's decoder.  So libvterm gets only whole characters, each one
 * from 0x80 up at the end of a write of its own; what is not UTF-8 becomes
 * U+FFFD (as vt.c shows it), and a sequence cut at the end of buf waits
 * in s->u8 for the next.  Stops after a newline or a private mode reset
 * (*stop set), where the episode may end; returns the bytes taken.
 */
static size_t
screen_write(struct screen *s, const char *p, size_t len, int *stop)
{
	size_t		 i, from = 0;
	unsigned char	 c;
	int		 r;

	*stop = 0;
	for (i = 0; i < len; i++) {
		c = (unsigned char)p[i];
		if (s->u8need != 0) {
			if ((c & 0xc0) == 0x80) {
				s->u8[s->u8n++] = (char)c;
				if (s->u8n == s->u8need)
					screen_utf8_done(s);
				from = i + 1;
				continue;
			}
			s->u8n = s->u8need = 0;		/* cut short */
			screen_put_char(s, SCREEN_FFFD, 3);
		}
		if (c >= 0x80) {
			screen_write_range(s, p, from, i);
			from = i + 1;
			screen_utf8_start(s, c);
			continue;
		}
		if ((r = screen_track(s, c)) == 1)
			continue;
		if (r == 2) {
			screen_write_range(s, p, from, i + 1);
			*stop = 1;
			return i + 1;
		}
		screen_write_range(s, p, from, i);
		from = i + 1;
		if (r == 3) {		/* REP: an ignored final instead */
			vterm_input_write(s->vt, "~", 1);
			screen_repeat(s);
		}
	}
	screen_write_range(s, p, from, len);
	return len;
}

size_t
screen_feed(struct screen *s, const void *buf, size_t len, vt_line_cb cb,
    void *arg)
{
	const char	*p = buf;
	size_t		 off = 0, n;
	int		 stop;

	s->cb = cb;
	s->cbarg = arg;
	while (off < len) {
		n = screen_write(s, p + off, len - off, &stop);
		if (!s->addressed)
			screen_scan(s, (const unsigned char *)p + off, n);
		off += n;
		vterm_screen_flush_damage(s->vs);
		screen_dirty(s);
		/* Not where a read happens to end: only at the same bytes
		   however the output was cut. */
		if (stop && screen_done(s)) {
			screen_end(s, cb, arg);
			break;
		}
	}
	s->cb = NULL;
	return off;
}

int
screen_settle(struct screen *s, vt_line_cb cb, void *arg)
{
	if (!s->active || s->alt || s->vst != SW_NORMAL ||
	    !screen_blank_below(s) || (s->addressed && !screen_done(s)))
		return 0;
	screen_end(s, cb, arg);
	return 1;
}

const char *
screen_leave_seq(struct screen *s, size_t *len)
{
	*len = s->leave.len;
	return s->leave.buf != NULL ? s->leave.buf : "";
}

void
screen_flush(struct screen *s, vt_line_cb cb, void *arg)
{
	int	 used;

	if (!s->active)
		return;
	if (s->u8need != 0) {		/* the output ended in a character */
		s->u8n = s->u8need = 0;
		s->cb = cb;
		s->cbarg = arg;
		screen_put_char(s, SCREEN_FFFD, 3);
		vterm_screen_flush_damage(s->vs);
		s->cb = NULL;
		screen_dirty(s);
	}
	if (s->alt) {
		s->cb = NULL;
		/* CAN first: the program may have ended in a sequence. */
		vterm_input_write(s->vt, "\030\033[?1049l", 9);
		vterm_screen_flush_damage(s->vs);
		screen_dirty(s);
	}
	used = screen_used(s);
	if (used == s->cursor.row + 1 && screen_row_blank(s, s->cursor.row))
		used--;		/* the line after the last one ended */
	screen_push_rows(s, used, cb, arg);
	s->active = 0;
	screen_dirty(s);
}

void
screen_resize(struct screen *s, int rows, int cols, vt_line_cb cb,
    void *arg)
{
	rows = screen_clamp(rows, SCREEN_MAX_ROWS);
	cols = screen_clamp_cols(cols);
	if (rows == s->rows && cols == s->cols)
		return;
	s->cb = s->active ? cb : NULL;
	s->cbarg = arg;
	vterm_set_size(s->vt, rows, cols);
	vterm_screen_flush_damage(s->vs);
	s->cb = NULL;
	s->rows = rows;
	s->cols = cols;
	vterm_state_get_cursorpos(vterm_obtain_state(s->vt), &s->cursor);
	screen_fit_cache(s);
}

void
screen_size(const struct screen *s, int *rows, int *cols)
{
	*rows = s->rows;
	*cols = s->cols;
}

int
screen_alt(const struct screen *s)
{
	return s->alt;
}

int
screen_used(struct screen *s)
{
	int	 r;

	if (s->alt)
		return s->rows;
	for (r = s->rows - 1; r > s->cursor.row; r--) {
		if (!screen_row_blank(s, r))
			break;
	}
	return r + 1;
}

const struct line *
screen_row(struct screen *s, int r)
{
	if (r < 0 || r >= s->rows)
		r = 0;
	if (s->rowl[r] == NULL)
		s->rowl[r] = line_dup(screen_build_row(s, r));
	return s->rowl[r];
}

int
screen_cursor(const struct screen *s, int *row, int *col)
{
	*row = s->cursor.row;
	*col = s->cursor.col;
	return s->cursor_visible;
}

unsigned
screen_modes(struct screen *s)
{
	struct strbuf	 out = STRBUF_INIT;
	unsigned	 m = 0;

	/* libvterm keeps its modes to itself: ask it what a key sends. */
	s->capture = &out;
	vterm_keyboard_key(s->vt, VTERM_KEY_UP, VTERM_MOD_NONE);
	if (out.len == 3 && memcmp(out.buf, "\033OA", 3) == 0)
		m |= VT_MODE_APPCURSOR;
	strbuf_reset(&out);
	vterm_keyboard_start_paste(s->vt);
	if (out.len != 0)
		m |= VT_MODE_PASTE;
	s->capture = NULL;
	strbuf_free(&out);
	return m;
}

int
screen_hides(const struct screen *s, uint64_t seq)
{
	size_t	 i;

	if (s == NULL || s->nhidden == 0 || seq < s->hidden[0])
		return 0;
	i = screen_hidden_at(s, seq);
	return i < s->nhidden && s->hidden[i] == seq;
}
