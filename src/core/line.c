/*
 * Lines of node output: UTF-8 text without escape sequences and the runs
 * of display attributes that colour it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nodemux/line.h"
#include "nodemux/util.h"

/* One allocation holds the line, its runs and its text: a scrollback of
   many short lines costs a third of the mallocs and their overhead. */
struct line *
line_new(const char *text, size_t len, const struct attr_run *runs,
    size_t nruns)
{
	struct line	*l;
	size_t		 rsize = nruns * sizeof *runs;

	l = xmalloc(sizeof *l + rsize + len + 1);
	memset(l, 0, sizeof *l);
	l->len = (uint32_t)len;
	l->nruns = (uint32_t)nruns;
	l->runs = nruns > 0 ? (struct attr_run *)(l + 1) : NULL;
	if (nruns > 0)
		memcpy(l->runs, runs, rsize);
	l->text = (char *)(l + 1) + rsize;
	if (len > 0)
		memcpy(l->text, text, len);
	l->text[len] = '\0';
	return l;
}

struct line *
line_dup(const struct line *l)
{
	struct line	*d = line_new(l->text, l->len, l->runs, l->nruns);

	d->seq = l->seq;
	d->time_ms = l->time_ms;
	d->node = l->node;
	d->flags = l->flags;
	return d;
}

void
line_free(struct line *l)
{
	free(l);
}

/* Binary search for the last run starting at or before off. */
struct attr
line_attr_at(const struct line *l, size_t off)
{
	static const struct attr	 none = { COLOUR_DEFAULT, COLOUR_DEFAULT, 0 };
	size_t				 lo = 0, hi = l->nruns;

	if (l->nruns == 0 || off < l->runs[0].off)
		return none;
	while (hi - lo > 1) {
		size_t	 mid = lo + (hi - lo) / 2;

		if (l->runs[mid].off <= off)
			lo = mid;
		else
			hi = mid;
	}
	return l->runs[lo].attr;
}

/* Two attributes display the same. */
int
line_attr_equal(const struct attr *a, const struct attr *b)
{
	return a->fg == b->fg && a->bg == b->bg && a->flags == b->flags;
}

struct line_range {
	uint32_t	 first;
	uint32_t	 last;
};

/* Combining marks and other zero-width code points (the common blocks). */
static const struct line_range line_zero[] = {
	{ 0x0300, 0x036f }, { 0x0483, 0x0489 }, { 0x0591, 0x05bd },
	{ 0x05bf, 0x05bf }, { 0x05c1, 0x05c2 }, { 0x05c4, 0x05c5 },
	{ 0x05c7, 0x05c7 }, { 0x0610, 0x061a }, { 0x064b, 0x065f },
	{ 0x0670, 0x0670 }, { 0x06d6, 0x06dc }, { 0x06df, 0x06e4 },
	{ 0x06e7, 0x06e8 }, { 0x06ea, 0x06ed }, { 0x0711, 0x0711 },
	{ 0x0730, 0x074a }, { 0x07a6, 0x07b0 }, { 0x0900, 0x0902 },
	{ 0x093a, 0x093a }, { 0x093c, 0x093c }, { 0x0941, 0x0948 },
	{ 0x094d, 0x094d }, { 0x0951, 0x0957 }, { 0x0962, 0x0963 },
	{ 0x0e31, 0x0e31 }, { 0x0e34, 0x0e3a }, { 0x0e47, 0x0e4e },
	{ 0x1160, 0x11ff }, { 0x1ab0, 0x1aff }, { 0x1dc0, 0x1dff },
	{ 0x200b, 0x200f }, { 0x202a, 0x202e }, { 0x2060, 0x2064 },
	{ 0x20d0, 0x20ff }, { 0xfe00, 0xfe0f }, { 0xfe20, 0xfe2f },
	{ 0xfeff, 0xfeff }, { 0x1f3fb, 0x1f3ff }, { 0xe0000, 0xe007f },
	{ 0xe0100, 0xe01ef },
};

/* East Asian wide and fullwidth code points, and wide emoji. */
static const struct line_range line_wide[] = {
	{ 0x1100, 0x115f }, { 0x231a, 0x231b }, { 0x2329, 0x232a },
	{ 0x23e9, 0x23ec }, { 0x23f0, 0x23f0 }, { 0x23f3, 0x23f3 },
	{ 0x25fd, 0x25fe }, { 0x2614, 0x2615 }, { 0x2648, 0x2653 },
	{ 0x267f, 0x267f }, { 0x2693, 0x2693 }, { 0x26a1, 0x26a1 },
	{ 0x26aa, 0x26ab }, { 0x26bd, 0x26be }, { 0x26c4, 0x26c5 },
	{ 0x26ce, 0x26ce }, { 0x26d4, 0x26d4 }, { 0x26ea, 0x26ea },
	{ 0x26f2, 0x26f3 }, { 0x26f5, 0x26f5 }, { 0x26fa, 0x26fa },
	{ 0x26fd, 0x26fd }, { 0x2705, 0x2705 }, { 0x270a, 0x270b },
	{ 0x2728, 0x2728 }, { 0x274c, 0x274c }, { 0x274e, 0x274e },
	{ 0x2753, 0x2755 }, { 0x2757, 0x2757 }, { 0x2795, 0x2797 },
	{ 0x27b0, 0x27b0 }, { 0x27bf, 0x27bf }, { 0x2b1b, 0x2b1c },
	{ 0x2b50, 0x2b50 }, { 0x2b55, 0x2b55 }, { 0x2e80, 0x303e },
	{ 0x3041, 0x33ff }, { 0x3400, 0x4dbf }, { 0x4e00, 0x9fff },
	{ 0xa000, 0xa4cf }, { 0xa960, 0xa97f }, { 0xac00, 0xd7a3 },
	{ 0xf900, 0xfaff }, { 0xfe10, 0xfe19 }, { 0xfe30, 0xfe6f },
	{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x16fe0, 0x16fe4 },
	{ 0x17000, 0x18cff }, { 0x1b000, 0x1b2ff }, { 0x1f004, 0x1f004 },
	{ 0x1f0cf, 0x1f0cf }, { 0x1f18e, 0x1f18e }, { 0x1f191, 0x1f19a },
	{ 0x1f200, 0x1f202 }, { 0x1f210, 0x1f23b }, { 0x1f240, 0x1f248 },
	{ 0x1f250, 0x1f251 }, { 0x1f260, 0x1f265 }, { 0x1f300, 0x1f320 },
	{ 0x1f32d, 0x1f335 }, { 0x1f337, 0x1f37c }, { 0x1f37e, 0x1f393 },
	{ 0x1f3a0, 0x1f3ca }, { 0x1f3cf, 0x1f3d3 }, { 0x1f3e0, 0x1f3f0 },
	{ 0x1f3f4, 0x1f3f4 }, { 0x1f3f8, 0x1f43e }, { 0x1f440, 0x1f440 },
	{ 0x1f442, 0x1f4fc }, { 0x1f4ff, 0x1f53d }, { 0x1f54b, 0x1f54e },
	{ 0x1f550, 0x1f567 }, { 0x1f57a, 0x1f57a }, { 0x1f595, 0x1f596 },
	{ 0x1f5a4, 0x1f5a4 }, { 0x1f5fb, 0x1f64f }, { 0x1f680, 0x1f6c5 },
	{ 0x1f6cc, 0x1f6cc }, { 0x1f6d0, 0x1f6d2 }, { 0x1f6d5, 0x1f6d7 },
	{ 0x1f6eb, 0x1f6ec }, { 0x1f6f4, 0x1f6fc }, { 0x1f7e0, 0x1f7eb },
	{ 0x1f90c, 0x1f93a }, { 0x1f93c, 0x1f945 }, { 0x1f947, 0x1f9ff },
	{ 0x1fa70, 0x1faff }, { 0x20000, 0x2fffd }, { 0x30000, 0x3fffd },
};

/* Is cp in the sorted table t of n ranges? */
static int
line_in_table(uint32_t cp, const struct line_range *t, size_t n)
{
	size_t	 lo = 0, hi = n;

	if (n == 0 || cp < t[0].first || cp > t[n - 1].last)
		return 0;
	while (lo < hi) {
		size_t	 mid = lo + (hi - lo) / 2;

		if (cp > t[mid].last)
			lo = mid + 1;
		else if (cp < t[mid].first)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

int
line_cp_width(uint32_t cp)
{
	if (cp < 0x300)
		return 1;
	if (line_in_table(cp, line_zero, nitems(line_zero)))
		return 0;
	if (line_in_table(cp, line_wide, nitems(line_wide)))
		return 2;
	return 1;
}

size_t
line_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n, i;
	uint32_t		 c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2;
		c = p[0] & 0x1f;
	} else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		c = p[0] & 0x0f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		c = p[0] & 0x07;
	} else
		goto bad;
	if (len < n)
		goto bad;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			goto bad;
		c = (c << 6) | (p[i] & 0x3f);
	}
	*cp = c;
	return n;
bad:
	*cp = 0xfffd;
	return 1;
}

size_t
line_width(const struct line *l)
{
	size_t		 off = 0, w = 0;
	uint32_t	 cp;

	while (off < l->len) {
		off += line_utf8_decode(l->text + off, l->len - off, &cp);
		w += (size_t)line_cp_width(cp);
	}
	return w;
}
