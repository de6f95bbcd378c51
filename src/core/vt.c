/*
 * The terminal-output parser: Paul Williams' DEC/VT500 state machine plus
 * a UTF-8 decoder, editing one line of cells (SGR kept; \r, BS, tab, EL,
 * ECH, ICH, DCH and horizontal cursor moves honoured) until \n ends it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/line.h"
#include "nodemux/util.h"
#include "nodemux/vt.h"

#define VT_DEFAULT_COLS	4096
/*
 * No real escape sequence is longer than this.  One that is (a program
 * that never terminates its OSC, say) is abandoned and the parser goes
 * back to ground, so it can neither grow memory nor hide later output.
 */
#define VT_SEQ_MAX	4096
#define VT_NPARAMS	32
#define VT_PARAM_MAX	65535

enum vt_state {
	VT_GROUND,
	VT_ESCAPE,
	VT_ESC_INTER,
	VT_CSI_ENTRY,
	VT_CSI_PARAM,
	VT_CSI_INTER,
	VT_CSI_IGNORE,
	VT_OSC,
	/*
	 * DCS entry, param, intermediate, passthrough and ignore differ only
	 * in what they would hand a terminal; nodemux shows none of it, so
	 * they are one state that eats bytes up to ST (or CAN, SUB).
	 */
	VT_DCS,
	VT_SOS,			/* SOS, PM and APC strings */
};

/* One column of the line; a wide character's second column has width 0. */
struct vt_cell {
	uint32_t	 cp;
	uint32_t	 comb;		/* one combining mark, or 0 */
	struct attr	 attr;
	uint8_t		 width;
};

struct vt {
	enum vt_state	 state;
	size_t		 seqlen;	/* bytes of the sequence so far */
	int		 params[VT_NPARAMS];
	uint8_t		 colon[VT_NPARAMS];	/* param came after ':' */
	size_t		 nparams;
	int		 pfull;		/* more parameters than VT_NPARAMS */
	int		 priv;		/* CSI private marker (?, >, <, =) */
	int		 ninter;	/* intermediate bytes seen */

	uint32_t	 u_cp;		/* UTF-8 being decoded */
	uint32_t	 u_min;
	int		 u_need;

	struct attr	 attr;		/* current SGR */
	struct vt_cell	*cells;
	size_t		 ncells;	/* columns written */
	size_t		 capcells;
	size_t		 max_cols;
	size_t		 x;		/* cursor column */
	uint64_t	 cut;		/* bytes dropped past max_cols */

	struct line	*cur;		/* vt_current()'s answer */
	int		 cur_dirty;
	char		*tb;		/* building a line's text */
	size_t		 tbcap;
	struct attr_run	*runs;
	size_t		 nruns;
	size_t		 capruns;
};

static const struct attr vt_attr_default = { COLOUR_DEFAULT, COLOUR_DEFAULT, 0 };

static void	vt_byte(struct vt *, unsigned char, vt_line_cb, void *);

struct vt *
vt_new(size_t max_cols)
{
	struct vt	*vt;

	vt = xcalloc(1, sizeof *vt);
	vt->max_cols = max_cols != 0 ? max_cols : VT_DEFAULT_COLS;
	vt->attr = vt_attr_default;
	return vt;
}

void
vt_free(struct vt *vt)
{
	if (vt == NULL)
		return;
	line_free(vt->cur);
	free(vt->cells);
	free(vt->runs);
	free(vt->tb);
	free(vt);
}

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

/* Blank half-characters left over after an edit split a wide one. */
static void
vt_fix_wide(struct vt *vt)
{
	size_t	 i;

	for (i = 0; i < vt->ncells; i++) {
		struct vt_cell	*c = &vt->cells[i];

		if (c->width == 0 && (i == 0 || c[-1].width != 2))
			*c = vt_blank();
		else if (c->width == 2 &&
		    (i + 1 >= vt->ncells || c[1].width != 0))
			*c = vt_blank();
	}
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
static void
vt_print(struct vt *vt, uint32_t cp)
{
	int		 w = line_cp_width(cp);
	struct vt_cell	*c;

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
 * the common case, done once for the whole run.
 */
static void
vt_print_ascii(struct vt *vt, const unsigned char *p, size_t n)
{
	struct vt_cell	*c;
	size_t		 i, room = vt->max_cols - vt->x;

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
	c = &vt->cells[vt->x];
	for (i = 0; i < n; i++) {
		c[i].cp = p[i];
		c[i].comb = 0;
		c[i].attr = vt->attr;
		c[i].width = 1;
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
	return c->cp == ' ' && c->comb == 0 && c->attr.bg == COLOUR_DEFAULT &&
	    (c->attr.flags & (ATTR_REVERSE | ATTR_UNDERLINE | ATTR_STRIKE)) == 0;
}

/* Do two attributes display the same?  (line_attr_equal, inlined.) */
static inline int
vt_attr_eq(const struct attr *a, const struct attr *b)
{
	return a->fg == b->fg && a->bg == b->bg && a->flags == b->flags;
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
 * The line as it stands: cells up to the last non-blank as UTF-8 with
 * attribute runs (equal neighbours merged).  A line that hit max_cols
 * ends with " …[cut N bytes]": its first max_cols columns are kept and
 * the rest, up to the newline, is counted and dropped, so one endless
 * line cannot grow memory.
 */
static struct line *
vt_build(struct vt *vt)
{
	struct line		*l;
	const struct vt_cell	*c;
	const struct attr	*last = NULL;
	size_t			 n = vt->ncells, i, len = 0;

	while (n > 0 && vt_trimmable(&vt->cells[n - 1]))
		n--;
	if (vt->tbcap < n * 8 + 64) {
		vt->tbcap = n * 8 + 64;
		vt->tb = xrealloc(vt->tb, vt->tbcap);
	}
	vt->nruns = 0;
	for (i = 0; i < n; i++) {
		c = &vt->cells[i];
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
	}
	if (vt->cut != 0) {
		if (last == NULL || !vt_attr_eq(last, &vt_attr_default))
			vt_add_run(vt, len, &vt_attr_default);
		len += (size_t)snprintf(vt->tb + len, 64, " \xe2\x80\xa6[cut %llu bytes]",
		    (unsigned long long)vt->cut);
	}
	l = line_new(vt->tb, len, vt->runs, vt->nruns);
	if (vt->cut != 0)
		l->flags |= LINE_TRUNCATED;
	l->time_ms = wall_ms();
	return l;
}

/* End the current line: hand it to cb and start an empty one. */
static void
vt_complete(struct vt *vt, vt_line_cb cb, void *arg)
{
	struct line	*l = vt_build(vt);

	vt->ncells = 0;
	vt->x = 0;
	vt->cut = 0;
	vt->cur_dirty = 1;
	cb(arg, l);
}

/* Run a C0 control character. */
static void
vt_execute(struct vt *vt, unsigned char ch, vt_line_cb cb, void *arg)
{
	switch (ch) {
	case '\b':
		if (vt->x > 0)
			vt->x--;
		break;
	case '\t':
		vt->x = (vt->x / 8 + 1) * 8;
		if (vt->x > vt->max_cols)
			vt->x = vt->max_cols;
		break;
	case '\n':
	case '\v':
	case '\f':
		vt_complete(vt, cb, arg);
		break;
	case '\r':
		vt->x = 0;
		break;
	case 0x00:	/* NUL */
	case 0x05:	/* ENQ */
	case 0x07:	/* BEL */
	case 0x0e:	/* SO, SI: character set shifts */
	case 0x0f:
	case 0x11:	/* XON, XOFF */
	case 0x13:
		break;
	default:
		/* Other controls would garble a pane: show them as U+FFFD. */
		vt_print(vt, 0xfffd);
		break;
	}
}

/* Parameter i, or def when it is missing or zero-defaulted. */
static int
vt_param(const struct vt *vt, size_t i, int def)
{
	if (i >= vt->nparams || vt->params[i] < 0)
		return def;
	return vt->params[i];
}

/* Clamp a colour component to a byte. */
static uint32_t
vt_byte_val(int v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (uint32_t)v;
}

/*
 * An extended colour after SGR 38/48/58 at params[i]: 5;n or 2;r;g;b,
 * or the colon forms 5:n, 2:r:g:b and 2:cs:r:g:b.  Returns how many
 * parameters after i it used; *c is left alone when malformed.
 */
static size_t
vt_sgr_colour(const struct vt *vt, size_t i, uint32_t *c)
{
	size_t	 nsub = 0, base;
	int	 kind;

	while (i + nsub + 1 < vt->nparams && vt->colon[i + nsub + 1])
		nsub++;
	if (nsub == 0) {
		/* The semicolon form takes its arguments as parameters. */
		kind = vt_param(vt, i + 1, -1);
		if (kind == 5 && i + 2 < vt->nparams) {
			*c = COLOUR_PALETTE | vt_byte_val(vt_param(vt, i + 2, 0));
			return 2;
		}
		if (kind == 2 && i + 4 < vt->nparams) {
			*c = COLOUR_RGB | vt_byte_val(vt_param(vt, i + 2, 0)) << 16 |
			    vt_byte_val(vt_param(vt, i + 3, 0)) << 8 |
			    vt_byte_val(vt_param(vt, i + 4, 0));
			return 4;
		}
		return i + 1 < vt->nparams ? 1 : 0;
	}
	kind = vt_param(vt, i + 1, -1);
	if (kind == 5 && nsub >= 2)
		*c = COLOUR_PALETTE | vt_byte_val(vt_param(vt, i + 2, 0));
	else if (kind == 2 && nsub >= 4) {
		base = nsub >= 5 ? i + 3 : i + 2;	/* skip the colour space */
		*c = COLOUR_RGB | vt_byte_val(vt_param(vt, base, 0)) << 16 |
		    vt_byte_val(vt_param(vt, base + 1, 0)) << 8 |
		    vt_byte_val(vt_param(vt, base + 2, 0));
	}
	return nsub;
}

/* Apply one plain SGR code p to a. */
static void
vt_sgr_one(struct attr *a, int p, int sub)
{
	static const uint16_t	 set[10] = { 0, ATTR_BOLD, ATTR_DIM, ATTR_ITALIC,
	    ATTR_UNDERLINE, ATTR_BLINK, ATTR_BLINK, ATTR_REVERSE,
	    ATTR_INVISIBLE, ATTR_STRIKE };

	if (p == 0)
		*a = vt_attr_default;
	else if (p == 4 && sub == 0)
		a->flags &= ~ATTR_UNDERLINE;	/* 4:0, no underline */
	else if (p >= 1 && p <= 9)
		a->flags |= set[p];
	else if (p == 21)
		a->flags |= ATTR_UNDERLINE;	/* double underline */
	else if (p == 22)
		a->flags &= ~(ATTR_BOLD | ATTR_DIM);
	else if (p >= 23 && p <= 29 && p != 26)
		a->flags &= ~set[p - 20];
	else if (p >= 30 && p <= 37)
		a->fg = COLOUR_PALETTE | (uint32_t)(p - 30);
	else if (p == 39)
		a->fg = COLOUR_DEFAULT;
	else if (p >= 40 && p <= 47)
		a->bg = COLOUR_PALETTE | (uint32_t)(p - 40);
	else if (p == 49)
		a->bg = COLOUR_DEFAULT;
	else if (p >= 90 && p <= 97)
		a->fg = COLOUR_PALETTE | (uint32_t)(p - 90 + 8);
	else if (p >= 100 && p <= 107)
		a->bg = COLOUR_PALETTE | (uint32_t)(p - 100 + 8);
}

/* SGR: CSI ... m. */
static void
vt_sgr(struct vt *vt)
{
	size_t		 i;
	uint32_t	 ul;

	if (vt->nparams == 0) {
		vt->attr = vt_attr_default;
		return;
	}
	for (i = 0; i < vt->nparams; i++) {
		int	 p = vt_param(vt, i, 0);

		if (vt->colon[i])
			continue;	/* a sub-parameter nobody claimed */
		if (p == 38)
			i += vt_sgr_colour(vt, i, &vt->attr.fg);
		else if (p == 48)
			i += vt_sgr_colour(vt, i, &vt->attr.bg);
		else if (p == 58)
			i += vt_sgr_colour(vt, i, &ul);	/* underline colour */
		else if (i + 1 < vt->nparams && vt->colon[i + 1])
			vt_sgr_one(&vt->attr, p, vt_param(vt, i + 1, 0));
		else
			vt_sgr_one(&vt->attr, p, -1);
	}
}

/* EL (CSI K): erase to the end, from the start, or all of the line. */
static void
vt_erase_line(struct vt *vt, int how)
{
	size_t	 i;

	if (how == 0) {
		if (vt->x < vt->ncells)
			vt->ncells = vt->x;
	} else if (how == 1) {
		for (i = 0; i <= vt->x && i < vt->ncells; i++)
			vt->cells[i] = vt_blank();
	} else if (how == 2)
		vt->ncells = 0;
	vt_fix_wide(vt);
}

/* ECH, DCH, ICH: erase, delete or insert n columns at the cursor. */
static void
vt_edit(struct vt *vt, int final, size_t n)
{
	size_t	 i, x = vt->x;

	if (x >= vt->ncells)
		return;
	if (n > vt->ncells - x)
		n = vt->ncells - x;
	if (final == 'X') {
		for (i = x; i < x + n; i++)
			vt->cells[i] = vt_blank();
	} else if (final == 'P') {
		memmove(&vt->cells[x], &vt->cells[x + n],
		    (vt->ncells - x - n) * sizeof *vt->cells);
		vt->ncells -= n;
	} else {
		if (vt->ncells + n > vt->max_cols)
			vt->ncells = vt->max_cols - n;
		vt_extend(vt, vt->ncells + n);
		memmove(&vt->cells[x + n], &vt->cells[x],
		    (vt->ncells - x - n) * sizeof *vt->cells);
		for (i = x; i < x + n; i++)
			vt->cells[i] = vt_blank();
	}
	vt_fix_wide(vt);
}

/* Move the cursor to column col (0-based), kept within the line cap. */
static void
vt_move(struct vt *vt, size_t col)
{
	vt->x = col < vt->max_cols ? col : vt->max_cols - 1;
}

/* A complete CSI sequence with final byte f. */
static void
vt_csi_dispatch(struct vt *vt, unsigned char f)
{
	size_t	 n = (size_t)vt_param(vt, 0, 1);

	if (vt->priv != 0 || vt->ninter != 0)
		return;		/* modes, queries: nothing for a line */
	if (n == 0)
		n = 1;
	switch (f) {
	case 'm':
		vt_sgr(vt);
		break;
	case 'K':
		vt_erase_line(vt, vt_param(vt, 0, 0));
		break;
	case 'G':
	case '`':
		vt_move(vt, n - 1);
		break;
	case 'C':
	case 'a':
		vt_move(vt, vt->x + n);
		break;
	case 'D':
		vt_move(vt, vt->x > n ? vt->x - n : 0);
		break;
	case 'X':
	case 'P':
	case '@':
		vt_edit(vt, f, n);
		break;
	default:
		/* Cursor up/down, erase display, scrolling...: no effect. */
		break;
	}
}

/* A complete ESC sequence with final byte f (no intermediates). */
static void
vt_esc_dispatch(struct vt *vt, unsigned char f, vt_line_cb cb, void *arg)
{
	if (vt->ninter != 0)
		return;		/* charset designations and the like */
	if (f == 'E' || f == 'D')	/* NEL, IND: next line */
		vt_complete(vt, cb, arg);
	else if (f == 'c')	/* RIS: full reset */
		vt->attr = vt_attr_default;
}

/* Start a new escape sequence in state s. */
static void
vt_enter(struct vt *vt, enum vt_state s)
{
	if (s == VT_ESCAPE || s == VT_CSI_ENTRY || s == VT_OSC || s == VT_DCS ||
	    s == VT_SOS) {
		vt->nparams = 0;
		vt->pfull = 0;
		vt->priv = 0;
		vt->ninter = 0;
	}
	if (s == VT_ESCAPE)
		vt->seqlen = 0;
	vt->state = s;
}

/* A parameter byte (digit, ';' or ':') of a CSI sequence. */
static void
vt_param_byte(struct vt *vt, unsigned char ch)
{
	int	*p;

	if (vt->nparams == 0) {
		vt->nparams = 1;
		vt->params[0] = -1;
		vt->colon[0] = 0;
	}
	if (ch == ';' || ch == ':') {
		if (vt->nparams == VT_NPARAMS) {
			vt->pfull = 1;	/* extra parameters are ignored */
			return;
		}
		vt->params[vt->nparams] = -1;
		vt->colon[vt->nparams] = ch == ':';
		vt->nparams++;
		return;
	}
	if (vt->pfull)
		return;
	p = &vt->params[vt->nparams - 1];
	if (*p < 0)
		*p = 0;
	if (*p <= (VT_PARAM_MAX - 9) / 10)
		*p = *p * 10 + (ch - '0');
	else
		*p = VT_PARAM_MAX;
}

/* A byte in the ground state: text, through the UTF-8 decoder. */
static void
vt_ground(struct vt *vt, unsigned char ch)
{
	if (vt->u_need > 0) {
		vt->u_cp = (vt->u_cp << 6) | (ch & 0x3f);
		if (--vt->u_need > 0)
			return;
		if (vt->u_cp < vt->u_min || vt->u_cp > 0x10ffff ||
		    (vt->u_cp >= 0xd800 && vt->u_cp <= 0xdfff) ||
		    (vt->u_cp >= 0x80 && vt->u_cp <= 0x9f))
			vt_print(vt, 0xfffd);	/* overlong, surrogate, C1 */
		else
			vt_print(vt, vt->u_cp);
		return;
	}
	if (ch < 0x80)
		vt_print(vt, ch);
	else if (ch >= 0xc2 && ch <= 0xdf) {
		vt->u_cp = ch & 0x1f;
		vt->u_need = 1;
		vt->u_min = 0x80;
	} else if (ch >= 0xe0 && ch <= 0xef) {
		vt->u_cp = ch & 0x0f;
		vt->u_need = 2;
		vt->u_min = 0x800;
	} else if (ch >= 0xf0 && ch <= 0xf4) {
		vt->u_cp = ch & 0x07;
		vt->u_need = 3;
		vt->u_min = 0x10000;
	} else
		vt_print(vt, 0xfffd);	/* stray continuation, C0, C1, F5+ */
}

/* A byte after ESC, possibly after intermediates. */
static void
vt_escape(struct vt *vt, unsigned char ch, vt_line_cb cb, void *arg)
{
	if (ch >= 0x20 && ch <= 0x2f) {
		vt->ninter++;
		vt->state = VT_ESC_INTER;
		return;
	}
	if (vt->state == VT_ESCAPE) {
		switch (ch) {
		case '[':
			vt_enter(vt, VT_CSI_ENTRY);
			return;
		case ']':
			vt_enter(vt, VT_OSC);
			return;
		case 'P':
			vt_enter(vt, VT_DCS);
			return;
		case 'X':
		case '^':
		case '_':
			vt_enter(vt, VT_SOS);
			return;
		}
	}
	if (ch >= 0x30 && ch <= 0x7e)
		vt_esc_dispatch(vt, ch, cb, arg);	/* '\\' is ST: no-op */
	vt->state = VT_GROUND;
}

/* A byte of a CSI sequence (entry, parameters, intermediates, ignore). */
static void
vt_csi(struct vt *vt, unsigned char ch)
{
	if (ch >= 0x40 && ch <= 0x7e) {
		if (vt->state != VT_CSI_IGNORE)
			vt_csi_dispatch(vt, ch);
		vt->state = VT_GROUND;
		return;
	}
	if (vt->state == VT_CSI_IGNORE || ch < 0x20)
		return;
	if (ch <= 0x2f) {
		vt->ninter++;
		vt->state = VT_CSI_INTER;
	} else if (vt->state == VT_CSI_INTER)
		vt->state = VT_CSI_IGNORE;	/* parameter after intermediate */
	else if (ch >= 0x3c && ch <= 0x3f) {
		if (vt->state == VT_CSI_ENTRY) {
			vt->priv = ch;
			vt->state = VT_CSI_PARAM;
		} else
			vt->state = VT_CSI_IGNORE;
	} else {
		vt_param_byte(vt, ch);
		vt->state = VT_CSI_PARAM;
	}
}

/* Bytes that act the same in every state: CAN, SUB, ESC. */
static int
vt_anywhere(struct vt *vt, unsigned char ch)
{
	if (ch == 0x18 || ch == 0x1a) {
		vt->state = VT_GROUND;
		return 1;
	}
	if (ch == 0x1b) {
		vt_enter(vt, VT_ESCAPE);
		return 1;
	}
	return 0;
}

/* Feed one byte to the state machine. */
static void
vt_byte(struct vt *vt, unsigned char ch, vt_line_cb cb, void *arg)
{
	if (vt->u_need > 0 && (ch & 0xc0) != 0x80) {
		vt->u_need = 0;		/* truncated UTF-8 sequence */
		vt_print(vt, 0xfffd);
	}
	if (vt->state != VT_GROUND && ++vt->seqlen > VT_SEQ_MAX)
		vt->state = VT_GROUND;	/* see VT_SEQ_MAX */
	if (vt_anywhere(vt, ch))
		return;
	if (ch == 0x7f)
		return;			/* DEL is ignored everywhere */
	switch (vt->state) {
	case VT_GROUND:
		if (ch < 0x20)
			vt_execute(vt, ch, cb, arg);
		else
			vt_ground(vt, ch);
		break;
	case VT_ESCAPE:
	case VT_ESC_INTER:
		if (ch < 0x20)
			vt_execute(vt, ch, cb, arg);
		else if (ch >= 0x80) {
			vt->state = VT_GROUND;	/* not an escape after all */
			vt_ground(vt, ch);
		} else
			vt_escape(vt, ch, cb, arg);
		break;
	case VT_CSI_ENTRY:
	case VT_CSI_PARAM:
	case VT_CSI_INTER:
	case VT_CSI_IGNORE:
		if (ch < 0x20)
			vt_execute(vt, ch, cb, arg);
		else if (ch >= 0x80) {
			vt->state = VT_GROUND;
			vt_ground(vt, ch);
		} else
			vt_csi(vt, ch);
		break;
	case VT_OSC:
		if (ch == 0x07)
			vt->state = VT_GROUND;	/* xterm's BEL terminator */
		break;
	case VT_DCS:
	case VT_SOS:
		break;			/* ends with ST, CAN or SUB */
	}
}

void
vt_feed(struct vt *vt, const void *buf, size_t len, vt_line_cb cb, void *arg)
{
	const unsigned char	*p = buf;
	size_t			 i;

	vt->cur_dirty = 1;
	for (i = 0; i < len; i++) {
		/* Plain printable ASCII is the common case: skip the machine. */
		if (vt->state == VT_GROUND && vt->u_need == 0 &&
		    p[i] >= 0x20 && p[i] < 0x7f) {
			size_t	 j = i + 1;

			while (j < len && p[j] >= 0x20 && p[j] < 0x7f)
				j++;
			vt_print_ascii(vt, p + i, j - i);
			i = j - 1;
		} else
			vt_byte(vt, p[i], cb, arg);
	}
}

void
vt_flush(struct vt *vt, vt_line_cb cb, void *arg)
{
	if (vt->u_need > 0) {
		vt->u_need = 0;
		vt_print(vt, 0xfffd);
	}
	vt->state = VT_GROUND;
	vt->cur_dirty = 1;
	if (vt->ncells != 0 || vt->cut != 0)
		vt_complete(vt, cb, arg);
	/* What comes next is a new process's output: start it uncoloured. */
	vt->attr = vt_attr_default;
	vt->x = 0;
}

const struct line *
vt_current(struct vt *vt)
{
	if (vt->ncells == 0 && vt->cut == 0)
		return NULL;
	if (vt->cur_dirty || vt->cur == NULL) {
		line_free(vt->cur);
		vt->cur = vt_build(vt);
		vt->cur_dirty = 0;
	}
	return vt->cur;
}
