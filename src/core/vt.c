/*
 * The terminal-output parser: Paul Williams' DEC/VT500 state machine plus
 * a UTF-8 decoder, editing one line of cells (vt-cells.c) until \n ends
 * it; SGR is in vt-sgr.c.
 */
#include "config.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/line.h"
#include "nodemux/util.h"
#include "nodemux/vt.h"
#include "vt-int.h"

static void	vt_byte(struct vt *, unsigned char, vt_line_cb, void *);

struct vt *
vt_new(size_t max_cols)
{
	struct vt	*vt;

	vt = xcalloc(1, sizeof *vt);
	vt->max_cols = max_cols != 0 ? max_cols : VT_DEFAULT_COLS;
	vt->attr = vt_attr_default;
	vt->capruns = 16;
	vt->runs = xreallocarray(NULL, vt->capruns, sizeof *vt->runs);
	vt->tbcap = vt->max_cols + 64;	/* see vt_ascii_take */
	vt->tb = xmalloc(vt->tbcap);
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

/* End the current line: lend it to cb and start an empty one (so that
   a vt_current() from cb says NULL and leaves the lent line alone). */
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

/*
 * Does CSI sequence f need a screen model?  Cursor addressing, scroll
 * regions, line insertion and the alternate screen: a line cannot show
 * them, so vt_feed stops and hands the node over (vt_handover).  The
 * modes interactive mode follows are noted on the way.
 */
static int
vt_csi_screen(struct vt *vt, unsigned char f)
{
	size_t	 i;
	int	 p, set = f == 'h';

	if (f == 'm' || vt->ninter != 0)
		return 0;	/* SGR, the common case, first */
	if (vt->priv == '?' && (f == 'h' || f == 'l')) {
		for (i = 0; i < vt->nparams; i++) {
			p = vt_param(vt, i, 0);
			if (p == 1 || p == 2004) {
				unsigned m = p == 1 ? VT_MODE_APPCURSOR :
				    VT_MODE_PASTE;
				vt->modes = set ? vt->modes | m : vt->modes & ~m;
			} else if (set && vt->screens &&
			    (p == 47 || p == 1047 || p == 1049))
				vt->handover = f;
		}
		return vt->handover != 0;
	}
	if (vt->priv != 0 || !vt->screens)
		return 0;
	if (strchr("AFdHfrLMST", f) != NULL ||
	    (f == 'J' && vt_param(vt, 0, 0) != 0))
		vt->handover = f;
	return vt->handover != 0;
}

/* A complete CSI sequence with final byte f. */
static void
vt_csi_dispatch(struct vt *vt, unsigned char f)
{
	size_t	 n = (size_t)vt_param(vt, 0, 1);

	if (vt_csi_screen(vt, f))
		return;
	if (vt->priv != 0 || vt->ninter != 0)
		return;		/* modes, queries: nothing for a line */
	if (n == 0)
		n = 1;
	switch (f) {
	case 'm':
		vt_sgr(vt);
		break;
	case 'K':
	case 'J':
		/* Erasing the display erases the row the line is on too. */
		vt_erase_line(vt, vt_param(vt, 0, 0) == 3 ? 2 :
		    vt_param(vt, 0, 0));
		break;
	case 'H':
	case 'f':
		/* Only the row we are on exists: keep the column. */
		vt_move(vt, (size_t)(vt_param(vt, 1, 1) > 0 ?
		    vt_param(vt, 1, 1) - 1 : 0));
		break;
	case 's':
		if (vt->nparams == 0)
			vt->saved_x = vt->x;
		break;
	case 'u':
		vt_move(vt, vt->saved_x);
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
		/* Cursor up/down, scrolling, tab stops...: no effect. */
		break;
	}
}

/* A complete ESC sequence with final byte f (no intermediates). */
static void
vt_esc_dispatch(struct vt *vt, unsigned char f, vt_line_cb cb, void *arg)
{
	if (vt->ninter != 0)
		return;		/* charset designations and the like */
	if (f == 'M' && vt->screens)	/* RI: up a line, a screen's */
		vt->handover = 0x100 | f;
	else if (f == 'E' || f == 'D')	/* NEL, IND: next line */
		vt_complete(vt, cb, arg);
	else if (f == 'c')	/* RIS: full reset */
		vt->attr = vt_attr_default;
	else if (f == '7')	/* DECSC, DECRC: save, restore the cursor */
		vt->saved_x = vt->x;
	else if (f == '8')
		vt_move(vt, vt->saved_x);
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

/* Is ch printable ASCII (a space to a tilde)? */
static inline int
vt_is_ascii(unsigned char ch)
{
	return (unsigned char)(ch - 0x20) < 0x5f;
}

/*
 * Per byte of the 8 bytes in x, the high bit set when the byte is not
 * printable ASCII: b - 0x20 has it for b below a space and from 0xa0,
 * b + 1 from a DEL to 0xfe (0xff is the first case).  Borrows and carries
 * only run from such a byte up to more significant ones, so on a
 * little-endian machine the first flagged byte in memory is exact; on a
 * big-endian one a run may stop a little early, and the slow path then
 * takes the same bytes with the same result.
 */
static inline uint64_t
vt_bad8(uint64_t x)
{
	const uint64_t	 ones = 0x0101010101010101ULL;

	return ((x - 0x20 * ones) | (x + ones)) & 0x8080808080808080ULL;
}

/* The index of the first byte flagged in m (not 0) by vt_bad8, as the
   bytes were in memory. */
static inline size_t
vt_first_bad(uint64_t m)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (size_t)__builtin_clzll(m) / 8;
#else
	return (size_t)__builtin_ctzll(m) / 8;
#endif
}

/* The rest of an ASCII run from p[i] (p[at] goes to tb[0]), under 16
   bytes of it left before len: 8 bytes at a time, then byte by byte. */
static inline size_t
vt_ascii_tail(char *tb, const unsigned char *p, size_t at, size_t i,
    size_t len)
{
	uint64_t	 x, m;

	for (; i + 8 <= len; i += 8) {
		memcpy(&x, p + i, sizeof x);
		memcpy(tb + (i - at), &x, sizeof x);
		if ((m = vt_bad8(x)) != 0)
			return i + vt_first_bad(m);
	}
	for (; i < len && vt_is_ascii(p[i]); i++)
		tb[i - at] = (char)p[i];
	return i;
}

/*
 * The end of the run of printable ASCII that starts at p[i], copied to
 * tb as it is read (should it be a whole line, its text is in place).
 * Sixteen bytes at a time while all are printable, then the first one
 * that is not, with no byte loop: with SSE2 (every x86-64) a byte mask
 * of the block; elsewhere vt_bad8 on each half, from GCC's (and clang's)
 * vector extensions.  A run stops after max_cols + 1 bytes (tb's size):
 * that is too long for a fast line, and the slow path takes it in pieces
 * just the same.
 */
#ifdef __SSE2__
static size_t
vt_ascii_take(struct vt *vt, const unsigned char *p, size_t i, size_t len)
{
	char		*tb = vt->tb;
	const size_t	 at = i;	/* p[at] goes to tb[0] */
	const __m128i	 space = _mm_set1_epi8(0x20), del = _mm_set1_epi8(0x7f);
	__m128i		 v;
	unsigned int	 m;

	if (len - i > vt->max_cols + 1)
		len = i + vt->max_cols + 1;
	for (; i + 16 <= len; i += 16) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		_mm_storeu_si128((__m128i *)(void *)(tb + (i - at)), v);
		/* Signed: from 0x80 is below a space too. */
		m = (unsigned int)_mm_movemask_epi8(_mm_or_si128(
		    _mm_cmplt_epi8(v, space), _mm_cmpeq_epi8(v, del)));
		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
	return vt_ascii_tail(tb, p, at, i, len);
}
#else
typedef unsigned char vt_v16 __attribute__((vector_size(16)));

static size_t
vt_ascii_take(struct vt *vt, const unsigned char *p, size_t i, size_t len)
{
	char		*tb = vt->tb;
	const size_t	 at = i;	/* p[at] goes to tb[0] */
	vt_v16		 v, bad;
	uint64_t	 h[2];

	if (len - i > vt->max_cols + 1)
		len = i + vt->max_cols + 1;
	for (; i + 16 <= len; i += 16) {
		memcpy(&v, p + i, sizeof v);
		memcpy(tb + (i - at), &v, sizeof v);
		/* Unsigned: below a space wraps round to 0xe0 and up. */
		bad = (vt_v16)((vt_v16)(v - 0x20) > 0x5e);
		memcpy(h, &bad, sizeof h);
		if ((h[0] | h[1]) != 0) {
			if (h[0] != 0)
				return i + vt_first_bad(h[0]);
			return i + 8 + vt_first_bad(h[1]);
		}
	}
	return vt_ascii_tail(tb, p, at, i, len);
}
#endif

/*
 * What vt_build makes of an empty line on which the n printable ASCII
 * bytes now in tb were written with the current attributes: the same
 * text, trimmed the same way, and one run.
 */
static struct line *
vt_ascii_line(struct vt *vt, size_t n)
{
	if (vt_attr_trimmable(&vt->attr)) {
		while (n > 0 && vt->tb[n - 1] == ' ')
			n--;
	}
	vt->runs[0].off = 0;		/* vt_new made room for one */
	vt->runs[0].attr = vt->attr;
	vt->nruns = n > 0 ? 1 : 0;
	return vt_lend(vt, n, vt->nruns, 0);
}

/* Hand the plain lines gathered so far to their taker. */
static inline void
vt_plain_flush(struct vt *vt, void *arg)
{
	if (vt->plain.n == 0)
		return;
	vt->plain.time_ms = vt_now(vt);
	vt->plain_cb(arg, &vt->plain);
	vt->plain.n = 0;
}

void
vt_on_plain(struct vt *vt, vt_plain_cb cb)
{
	vt->plain_cb = cb;
	vt->plain.n = 0;
}

/* The n printable ASCII bytes at text, trimmed as a line is, join the
   plain lines (handed over when there are VT_PLAIN_MAX). */
static inline void
vt_plain_add(struct vt *vt, const unsigned char *text, size_t n, void *arg)
{
	while (n > 0 && text[n - 1] == ' ')
		n--;
	vt->plain.text[vt->plain.n] = (const char *)text;
	vt->plain.len[vt->plain.n] = (uint32_t)n;
	if (++vt->plain.n == VT_PLAIN_MAX)
		vt_plain_flush(vt, arg);
}

/* Does a line end at p[k] (\n, \v or \f, or \r and one of them, within
   len)?  The offset after it; 0 when it does not. */
static inline size_t
vt_line_end(const unsigned char *p, size_t k, size_t len)
{
	if (k >= len)
		return 0;
	if (p[k] == '\r' && k + 1 < len)
		k++;
	if (p[k] != '\n' && p[k] != '\v' && p[k] != '\f')
		return 0;
	return k + 1;
}

/*
 * Bit k set: p[k] (k < 64) is not printable ASCII.  With SSE2 a byte is
 * printable when it is, plus one, above a space as a signed byte: 0x7f
 * and 0x80 up wrap round to negative.
 */
#ifdef __SSE2__
static inline uint64_t
vt_good16(const unsigned char *p)
{
	const __m128i	 v = _mm_loadu_si128((const __m128i *)(const void *)p);

	return (uint16_t)_mm_movemask_epi8(_mm_cmpgt_epi8(
	    _mm_add_epi8(v, _mm_set1_epi8(1)), _mm_set1_epi8(0x20)));
}

static inline uint64_t
vt_bad64(const unsigned char *p)
{
	return ~(vt_good16(p) | vt_good16(p + 16) << 16 |
	    vt_good16(p + 32) << 32 | vt_good16(p + 48) << 48);
}
#else
static inline uint64_t
vt_bad64(const unsigned char *p)
{
	uint64_t	 bad = 0;
	int		 k;

	for (k = 0; k < 64; k++)
		bad |= (uint64_t)!vt_is_ascii(p[k]) << k;
	return bad;
}
#endif

/* In the ground state, nothing being decoded: can plain lines go to the
   plain taker straight away, at the start of an empty line in default
   attributes? */
static inline int
vt_plain_ready(const struct vt *vt)
{
	return vt->plain_cb != NULL && vt->ncells == 0 && vt->x == 0 &&
	    vt->cut == 0 && vt->attr.fg == COLOUR_DEFAULT &&
	    vt->attr.bg == COLOUR_DEFAULT && vt->attr.flags == 0;
}

/*
 * A flood's lines from p[i] while vt_plain_ready: what vt_fast_line does
 * with each plain line, without copying it to tb, 64 bytes looked at
 * once (the mask of a block serves every line in it).  Stops before the
 * first line it cannot take whole within len (so at len when the bytes
 * end with a line), and returns where.
 */
static size_t
vt_plain_lines(struct vt *vt, const unsigned char *p, size_t i, size_t len,
    void *arg)
{
	size_t		 base = i, from, k, next;
	uint64_t	 bad = 0, m;
	int		 have = 0;	/* bad is p[base..base+64)'s */

	for (;;) {
		/* k: the first byte from i that is not printable. */
		for (;;) {
			from = i > base ? i : base;
			if (!have && base + 64 > len) {
				for (k = from; k < len && vt_is_ascii(p[k]);
				    k++)
					;
				break;
			}
			if (!have) {
				bad = vt_bad64(p + base);
				have = 1;
			}
			if ((m = bad >> (from - base)) != 0) {
				k = from + (size_t)__builtin_ctzll(m);
				break;
			}
			base += 64;
			have = 0;
			if (base - i > vt->max_cols)
				return i;
		}
		if (k - i > vt->max_cols || (next = vt_line_end(p, k, len)) == 0)
			return i;
		vt_plain_add(vt, p + i, k - i, arg);
		i = next;
		if (i >= base + 64) {
			base = i;
			have = 0;
		}
	}
}

/*
 * The common case of whole lines: at the start of an empty line, printable
 * ASCII p[i..j) (in tb already) ended by \n (or \r\n) becomes a line at
 * once, with none of the cell editing that would give the same result;
 * with default attributes and a plain taker, it joins vt->plain instead,
 * its text where it is in p.  Returns the offset after the line end, or
 * 0 when the slow path must take the bytes.
 */
static size_t
vt_fast_line(struct vt *vt, const unsigned char *p, size_t i, size_t j,
    size_t len, vt_line_cb cb, void *arg)
{
	size_t	 next;

	if (vt->ncells != 0 || vt->x != 0 || vt->cut != 0 ||
	    j - i > vt->max_cols || (next = vt_line_end(p, j, len)) == 0)
		return 0;
	vt->cur_dirty = 1;
	if (vt->plain_cb != NULL && vt->attr.fg == COLOUR_DEFAULT &&
	    vt->attr.bg == COLOUR_DEFAULT && vt->attr.flags == 0) {
		vt_plain_add(vt, p + i, j - i, arg);
		return next;
	}
	vt_plain_flush(vt, arg);
	cb(arg, vt_ascii_line(vt, j - i));
	return next;
}

size_t
vt_feed(struct vt *vt, const void *buf, size_t len, vt_line_cb cb, void *arg)
{
	const unsigned char	*p = buf;
	size_t			 i, j, next;

	vt->cur_dirty = 1;
	vt->now_ms = 0;
	for (i = 0; i < len; i++) {
		/* Plain printable ASCII is the common case: skip the machine. */
		if (vt->state == VT_GROUND && vt->u_need == 0 &&
		    vt_plain_ready(vt) &&
		    (next = vt_plain_lines(vt, p, i, len, arg)) != i) {
			i = next - 1;
			continue;
		}
		if (vt->state == VT_GROUND && vt->u_need == 0 &&
		    vt_is_ascii(p[i])) {
			j = vt_ascii_take(vt, p, i, len);
			if ((next = vt_fast_line(vt, p, i, j, len, cb, arg)) != 0)
				i = next - 1;
			else {
				vt_plain_flush(vt, arg);
				vt_print_ascii(vt, p + i, j - i);
				i = j - 1;
			}
		} else {
			vt_plain_flush(vt, arg);
			vt_byte(vt, p[i], cb, arg);
			if (vt->handover != 0)
				return i + 1;
		}
	}
	vt_plain_flush(vt, arg);
	return len;
}

size_t
vt_handover(struct vt *vt, char *buf, size_t len, size_t *x,
    struct line **partial)
{
	size_t	 n = 0, i;
	int	 f = vt->handover & 0xff;

	if (vt->handover == 0 || len < VT_HANDOVER_MAX)
		return 0;
	*partial = vt->ncells != 0 || vt->cut != 0 ? line_dup(vt_build(vt)) :
	    NULL;
	buf[n++] = '\033';
	if (vt->handover & 0x100)
		buf[n++] = (char)f;
	else {
		buf[n++] = '[';
		if (vt->priv != 0)
			buf[n++] = (char)vt->priv;
		for (i = 0; i < vt->nparams; i++) {
			if (i > 0)
				buf[n++] = vt->colon[i] ? ':' : ';';
			if (vt->params[i] >= 0)
				n += (size_t)snprintf(buf + n, len - n, "%d",
				    vt->params[i]);
		}
		buf[n++] = (char)f;
	}
	*x = vt->x;
	vt->handover = 0;
	vt->ncells = 0;
	vt->x = 0;
	vt->cut = 0;
	vt->cur_dirty = 1;
	return n;
}

void
vt_screens(struct vt *vt, int on)
{
	vt->screens = on;
}

unsigned
vt_modes(const struct vt *vt)
{
	return vt->modes;
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
	vt->now_ms = 0;
	if (vt->ncells != 0 || vt->cut != 0)
		vt_complete(vt, cb, arg);
	/* What comes next is a new process's output: start it uncoloured. */
	vt->attr = vt_attr_default;
	vt->x = vt->saved_x = 0;
	vt->handover = 0;
	vt->modes = 0;
}

const struct line *
vt_current(struct vt *vt)
{
	if (vt->ncells == 0 && vt->cut == 0)
		return NULL;
	if (vt->cur_dirty || vt->cur == NULL) {
		line_free(vt->cur);
		vt->cur = line_dup(vt_build(vt));
		vt->cur_dirty = 0;
	}
	return vt->cur;
}
