/*
 * The line the terminal-output parser edits: a row of cells (code point,
 * attributes, width) written, erased and moved over, then turned into a
 * struct line of UTF-8 text and attribute runs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/line.h"
#include "nodemux/util.h"
#include "vt-int.h"

const struct attr vt_attr_default = { COLOUR_DEFAULT, COLOUR_DEFAULT, 0 };

/* A blank cell: what erased or skipped-over columns hold. */
static struct vt_cell
vt_blank(void)
{
	struct vt_cell	 c = { ' ', 0, { COLOUR_DEFAULT, COLOUR_DEFAULT, 0 }, 1 };

	return c;
}

/* Make room for n columns (n <= max_cols). */
static void
vt_reserve(struct vt *vt, size_t n)
{
	size_t	 cap;

	if (n <= vt->capcells)
		return;
	cap = vt->capcells != 0 ? vt->capcells : 128;
	while (cap < n)
		cap *= 2;
	if (cap > vt->max_cols)
		cap = vt->max_cols;
	vt->cells = xreallocarray(vt->cells, cap, sizeof *vt->cells);
	vt->capcells = cap;
}

/* Make the line at least n columns long, padding with blanks. */
static void
vt_extend(struct vt *vt, size_t n)
{
	vt_reserve(vt, n);
	while (vt->ncells < n)
		vt->cells[vt->ncells++] = vt_blank();
}

/* Blank cell i if it is half of a wide character whose other half an
   edit took away. */
static void
vt_fix_wide_at(struct vt *vt, size_t i)
{
	struct vt_cell	*c = &vt->cells[i];

	if (c->width == 0 && (i == 0 || c[-1].width != 2))
		*c = vt_blank();
	else if (c->width == 2 && (i + 1 >= vt->ncells || c[1].width != 0))
		*c = vt_blank();
}

/*
 * Blank the half-characters an edit may have split, in columns
 * [lo, hi] (lo may be -1 as (size_t)-1 + 1 would wrap: callers pass
 * x - 1 only when x > 0).  Only where an edit joins or cuts cells can a
 * half be left alone, so this is a few cells, never the whole line:
 * editing a long line with CSI @ must cost what moving its cells does.
 */
static void
vt_fix_wide(struct vt *vt, size_t lo, size_t hi)
{
	size_t	 i;

	for (i = lo; i <= hi && i < vt->ncells; i++)
		vt_fix_wide_at(vt, i);
}

#ifdef NODEMUX_FUZZ
/* Under the fuzzer: no split half anywhere, or the fixes above missed
   a place. */
static void
vt_check_wide(struct vt *vt)
{
	size_t	 i;

	for (i = 0; i < vt->ncells; i++) {
		const struct vt_cell	*c = &vt->cells[i];

		if ((c->width == 0 && (i == 0 || c[-1].width != 2)) ||
		    (c->width == 2 && (i + 1 >= vt->ncells || c[1].width != 0)))
			abort();
	}
}
#else
#define vt_check_wide(vt) ((void)0)
#endif

/*
 * Insert n blank columns at column x (ICH) for real: the cells of the
 * line from x move right by n, those past the cap fall off, and the
 * line ends at column v (which a series of inserts computed).
 */
static void
vt_insert_now(struct vt *vt, size_t x, size_t n, size_t v)
{
	size_t	 i, keep;

	if (n > v - x)
		n = v - x;
	keep = v - x - n;
	vt_reserve(vt, v);
	memmove(&vt->cells[x + n], &vt->cells[x], keep * sizeof *vt->cells);
	for (i = x; i < x + n; i++)
		vt->cells[i] = vt_blank();
	vt->ncells = v;
	vt_fix_wide(vt, x > 0 ? x - 1 : 0, x);
	vt_fix_wide(vt, x + n > 0 ? x + n - 1 : 0, x + n);
	vt_fix_wide(vt, v > 1 ? v - 2 : 0, v);
	vt_check_wide(vt);
}

/* Do the inserts vt_insert put off, before anything reads the cells. */
void
vt_settle(struct vt *vt)
{
	if (vt->ich_n != 0) {
		vt_insert_now(vt, vt->ich_x, vt->ich_n, vt->ich_v);
		vt->ich_n = 0;
	}
}

/*
 * ICH at the cursor.  Each insert moves every cell after the cursor, so
 * a run of them (a program inserting one column at a time, or a stream
 * of "CSI @") is put off and done at once by vt_settle: n inserts at
 * one column cost one move of the line, not n.  The line's length is
 * followed as each insert would make it (ich_v), so that the result is
 * what doing them one by one gives.
 */
static void
vt_insert(struct vt *vt, size_t n)
{
	size_t	 x = vt->x;

	if (vt->ich_n != 0 && vt->ich_x != x)
		vt_settle(vt);
	if (vt->ich_n == 0) {
		vt->ich_x = x;
		vt->ich_v = vt->ncells;
	}
	if (x >= vt->ich_v)
		return;
	if (n > vt->ich_v - x)
		n = vt->ich_v - x;
	vt->ich_n += n;
	vt->ich_v = vt->ich_v + n > vt->max_cols ? vt->max_cols : vt->ich_v + n;
	if (vt->ich_n > vt->max_cols)
		vt->ich_n = vt->max_cols;	/* all blank past x anyway */
	if (vt->ich_now)
		vt_settle(vt);
}

/* Bytes of cp in UTF-8. */
static size_t
vt_utf8_len(uint32_t cp)
{
	if (cp < 0x80)
		return 1;
	if (cp < 0x800)
		return 2;
	if (cp < 0x10000)
		return 3;
	return 4;
}

/* Write cp as UTF-8 at p; returns the bytes written. */
static size_t
vt_utf8_put(char *p, uint32_t cp)
{
	if (cp < 0x80) {
		p[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		p[0] = (char)(0xc0 | (cp >> 6));
		p[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		p[0] = (char)(0xe0 | (cp >> 12));
		p[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		p[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	p[0] = (char)(0xf0 | (cp >> 18));
	p[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	p[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	p[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Write cp at the cursor with the current attributes. */
void
vt_print(struct vt *vt, uint32_t cp)
{
	int		 w = line_cp_width(cp);
	struct vt_cell	*c;

	vt_settle(vt);
	if (w == 0) {
		/* A combining mark joins the character before the cursor. */
		if (vt->x > 0 && vt->x <= vt->ncells) {
			c = &vt->cells[vt->x - 1];
			if (c->width == 0 && vt->x >= 2)
				c--;
			if (c->comb == 0)
				c->comb = cp;
		}
		return;
	}
	if (vt->x + (size_t)w > vt->max_cols) {
		vt->cut += vt_utf8_len(cp);
		return;
	}
	/* Overwriting half of a wide character blanks its other half. */
	if (vt->x < vt->ncells && vt->cells[vt->x].width == 0)
		vt->cells[vt->x - 1] = vt_blank();
	vt_extend(vt, vt->x + (size_t)w);
	c = &vt->cells[vt->x];
	c->cp = cp;
	c->comb = 0;
	c->attr = vt->attr;
	c->width = (uint8_t)w;
	if (w == 2) {
		c[1].cp = 0;
		c[1].comb = 0;
		c[1].attr = vt->attr;
		c[1].width = 0;
	}
	vt->x += (size_t)w;
	if (vt->x < vt->ncells && vt->cells[vt->x].width == 0)
		vt->cells[vt->x] = vt_blank();
}

/*
 * Write n printable ASCII characters at the cursor: vt_print's work for
 * the common case, done once for the whole run.  The template cell is a
 * local so that the stores into cells cannot make the compiler reload
 * vt->attr for every character.
 */
void
vt_print_ascii(struct vt *vt, const unsigned char *p, size_t n)
{
	struct vt_cell	*c, t;
	size_t		 i, room = vt->max_cols - vt->x;

	vt_settle(vt);
	if (vt->x >= vt->max_cols)
		room = 0;
	if (n > room) {
		vt->cut += n - room;
		n = room;
	}
	if (n == 0)
		return;
	if (vt->x < vt->ncells && vt->cells[vt->x].width == 0)
		vt->cells[vt->x - 1] = vt_blank();
	vt_reserve(vt, vt->x + n);
	vt_extend(vt, vt->x);		/* blanks up to the cursor only */
	memset(&t, 0, sizeof t);
	t.attr = vt->attr;
	t.width = 1;
	c = &vt->cells[vt->x];
	for (i = 0; i < n; i++) {
		c[i] = t;
		c[i].cp = p[i];
	}
	vt->x += n;
	if (vt->ncells < vt->x)
		vt->ncells = vt->x;
	if (vt->x < vt->ncells && vt->cells[vt->x].width == 0)
		vt->cells[vt->x] = vt_blank();
}

/* A cell that trimming at the end of a line may remove. */
static int
vt_trimmable(const struct vt_cell *c)
{
	return c->cp == ' ' && c->comb == 0 && vt_attr_trimmable(&c->attr);
}

/* Do two attributes display the same?  (line_attr_equal, inlined.) */
static inline int
vt_attr_eq(const struct attr *a, const struct attr *b)
{
	return a->fg == b->fg && a->bg == b->bg && a->flags == b->flags;
}

/* Make room for n bytes of text (and the NUL) in tb. */
static void
vt_tb_reserve(struct vt *vt, size_t n)
{
	if (vt->tbcap < n) {
		vt->tbcap = n;
		vt->tb = xrealloc(vt->tb, vt->tbcap);
	}
}

/* Start a run of attributes at text offset off. */
static void
vt_add_run(struct vt *vt, size_t off, const struct attr *a)
{
	if (vt->nruns == vt->capruns) {
		vt->capruns = vt->capruns != 0 ? vt->capruns * 2 : 16;
		vt->runs = xreallocarray(vt->runs, vt->capruns, sizeof *vt->runs);
	}
	vt->runs[vt->nruns].off = (uint32_t)off;
	vt->runs[vt->nruns].attr = *a;
	vt->nruns++;
}

/*
 * Copy cells [*i, n) that are plain ASCII with attributes a to tb;
 * stops at the first other cell.  The common case of vt_build: locals
 * only, as stores through char pointers may alias anything.
 */
static size_t
vt_build_plain(const struct vt_cell *cells, size_t *i, size_t n,
    const struct attr *a, char *tb)
{
	uint32_t	 fg = a->fg, bg = a->bg;
	uint16_t	 flags = a->flags;
	size_t		 j = *i, len = 0;

	for (; j < n; j++) {
		if (cells[j].cp >= 0x80 || cells[j].comb != 0 ||
		    cells[j].width != 1 || cells[j].attr.fg != fg ||
		    cells[j].attr.bg != bg || cells[j].attr.flags != flags)
			break;
		tb[len++] = (char)cells[j].cp;
	}
	*i = j;
	return len;
}

/*
 * The line as it stands: cells up to the last non-blank as UTF-8 with
 * attribute runs (equal neighbours merged).  A line that hit max_cols
 * ends with " …[cut N bytes]": its first max_cols columns are kept and
 * the rest, up to the newline, is counted and dropped, so one endless
 * line cannot grow memory.
 */
struct line *
vt_build(struct vt *vt)
{
	const struct vt_cell	*c;
	const struct attr	*last = NULL;
	size_t			 n, i, len = 0;

	vt_settle(vt);
	n = vt->ncells;
	while (n > 0 && vt_trimmable(&vt->cells[n - 1]))
		n--;
	vt_tb_reserve(vt, n * 8 + 64);
	vt->nruns = 0;
	for (i = 0; i < n;) {
		c = &vt->cells[i++];
		if (c->width == 0)
			continue;
		if (last == NULL || !vt_attr_eq(last, &c->attr))
			vt_add_run(vt, len, last = &c->attr);
		if (c->cp < 0x80)
			vt->tb[len++] = (char)c->cp;
		else
			len += vt_utf8_put(vt->tb + len, c->cp);
		if (c->comb != 0)
			len += vt_utf8_put(vt->tb + len, c->comb);
		len += vt_build_plain(vt->cells, &i, n, last, vt->tb + len);
	}
	if (vt->cut != 0) {
		if (last == NULL || !vt_attr_eq(last, &vt_attr_default))
			vt_add_run(vt, len, &vt_attr_default);
		len += (size_t)snprintf(vt->tb + len, 64, " \xe2\x80\xa6[cut %llu bytes]",
		    (unsigned long long)vt->cut);
	}
	return vt_lend(vt, len, vt->nruns, vt->cut != 0 ? LINE_TRUNCATED : 0);
}

/* EL (CSI K): erase to the end, from the start, or all of the line. */
void
vt_erase_line(struct vt *vt, int how)
{
	size_t	 i;

	vt_settle(vt);
	if (how == 0) {
		if (vt->x < vt->ncells)
			vt->ncells = vt->x;
		if (vt->ncells > 0)
			vt_fix_wide(vt, vt->ncells - 1, vt->ncells - 1);
	} else if (how == 1) {
		for (i = 0; i <= vt->x && i < vt->ncells; i++)
			vt->cells[i] = vt_blank();
		vt_fix_wide(vt, vt->x + 1, vt->x + 1);
	} else if (how == 2)
		vt->ncells = 0;
	vt_check_wide(vt);
}

/* ECH, DCH, ICH: erase, delete or insert n columns at the cursor. */
void
vt_edit(struct vt *vt, int final, size_t n)
{
	size_t	 i, x = vt->x;

	if (final == '@') {
		vt_insert(vt, n);
		return;
	}
	vt_settle(vt);
	if (x >= vt->ncells)
		return;
	if (n > vt->ncells - x)
		n = vt->ncells - x;
	if (final == 'X') {
		for (i = x; i < x + n; i++)
			vt->cells[i] = vt_blank();
		vt_fix_wide(vt, x > 0 ? x - 1 : 0, x);
		vt_fix_wide(vt, x + n > 0 ? x + n - 1 : 0, x + n);
	} else if (final == 'P') {
		memmove(&vt->cells[x], &vt->cells[x + n],
		    (vt->ncells - x - n) * sizeof *vt->cells);
		vt->ncells -= n;
		vt_fix_wide(vt, x > 0 ? x - 1 : 0, x);
	}
	vt_check_wide(vt);
}

/* Move the cursor to column col (0-based), kept within the line cap. */
void
vt_move(struct vt *vt, size_t col)
{
	vt->x = col < vt->max_cols ? col : vt->max_cols - 1;
}

