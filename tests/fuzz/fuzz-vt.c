/*
 * Fuzz the terminal-output parser (vt.c, vt-cells.c, vt-sgr.c): the same
 * bytes fed whole and in random pieces must give the same lines, with
 * the same attributes (the whole feed also does each insert at once,
 * so that vt_insert's putting off is checked; the pieces go to a plain
 * taker, vt_on_plain, so that its lines are checked against the one by
 * one lines of the whole feed), and every line must be sound (valid
 * UTF-8, runs in order, no wider than the cap).
 * Input: byte 0 picks the line cap, byte 1 seeds the cuts, the rest is
 * node output.
 */
#include "config.h"

#include <string.h>

#include "nodemux/line.h"
#include "nodemux/util.h"
#include "nodemux/vt.h"
#include "vt-int.h"
#include "fuzz.h"

/* What the lines of one run looked like, in one flat record. */
struct fuzz_vt_out {
	struct strbuf	 sb;
	size_t		 lines;
	size_t		 max_cols;
};

/* Check a line is sound and append what identifies it to the record. */
static void
fuzz_vt_record(struct fuzz_vt_out *o, const struct line *l)
{
	uint32_t	 i;

	FUZZ_CHECK(l->text != NULL && strlen(l->text) == l->len,
	    "len %u, strlen %zu", l->len, l->text ? strlen(l->text) : 0);
	FUZZ_CHECK(fuzz_utf8_valid(l->text, l->len), "line not UTF-8");
	FUZZ_CHECK(l->nruns == 0 || l->runs[0].off == 0, "first run at %u",
	    l->runs[0].off);
	for (i = 0; i < l->nruns; i++) {
		FUZZ_CHECK(l->runs[i].off < l->len || (l->len == 0 && i == 0),
		    "run %u at %u of %u", i, l->runs[i].off, l->len);
		FUZZ_CHECK(i == 0 || l->runs[i].off > l->runs[i - 1].off,
		    "run %u not after the one before", i);
	}
	if (!(l->flags & LINE_TRUNCATED))
		FUZZ_CHECK(line_width(l) <= o->max_cols, "width %zu > %zu",
		    line_width(l), o->max_cols);
	strbuf_addf(&o->sb, "%u:%u:%u:", (unsigned)l->flags, l->len, l->nruns);
	strbuf_add(&o->sb, l->text, l->len);
	for (i = 0; i < l->nruns; i++)
		strbuf_addf(&o->sb, "|%u,%x,%x,%x", l->runs[i].off,
		    l->runs[i].attr.fg, l->runs[i].attr.bg,
		    (unsigned)l->runs[i].attr.flags);
	strbuf_addc(&o->sb, '\n');
	o->lines++;
}

static void
fuzz_vt_line(void *arg, struct line *l)
{
	fuzz_vt_record(arg, l);
}

/* Plain lines: printable ASCII, not ending in a blank, within the cap;
   recorded as the line callback has them (one run of default
   attributes, none when empty). */
static void
fuzz_vt_plain(void *arg, const struct vt_plain *p)
{
	struct fuzz_vt_out	*o = arg;
	struct attr_run		 run;
	struct line		 l;
	char			 buf[4097];
	size_t			 i, j;

	FUZZ_CHECK(p->n > 0 && p->n <= VT_PLAIN_MAX, "%zu plain lines", p->n);
	for (i = 0; i < p->n; i++) {
		FUZZ_CHECK(p->len[i] <= o->max_cols, "plain line of %u > %zu",
		    p->len[i], o->max_cols);
		FUZZ_CHECK(p->len[i] == 0 || p->text[i][p->len[i] - 1] != ' ',
		    "plain line ends in a blank");
		for (j = 0; j < p->len[i]; j++)
			FUZZ_CHECK(p->text[i][j] >= 0x20 && p->text[i][j] < 0x7f,
			    "plain line byte 0x%02x", (unsigned char)p->text[i][j]);
		memcpy(buf, p->text[i], p->len[i]);
		buf[p->len[i]] = '\0';
		memset(&run, 0, sizeof run);
		memset(&l, 0, sizeof l);
		l.text = buf;
		l.len = p->len[i];
		l.nruns = p->len[i] > 0 ? 1 : 0;
		l.runs = l.nruns > 0 ? &run : NULL;
		fuzz_vt_record(o, &l);
	}
}

/* The line still being written, then the end of output. */
static void
fuzz_vt_finish(struct vt *vt, struct fuzz_vt_out *o)
{
	const struct line	*cur = vt_current(vt);

	strbuf_adds(&o->sb, "current:");
	if (cur != NULL)
		fuzz_vt_record(o, cur);
	strbuf_adds(&o->sb, "flush:");
	vt_flush(vt, fuzz_vt_line, o);
	FUZZ_CHECK(vt_current(vt) == NULL, "a line left after vt_flush");
}

/* A small generator for the cuts: xorshift32. */
static uint32_t
fuzz_vt_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t	 caps[] = { 0, 1, 2, 3, 8, 80, 200, 0 };
	struct fuzz_vt_out	 whole, parts;
	struct vt		*a, *b;
	size_t			 off, n;
	uint32_t		 seed;

	if (size < 2)
		return 0;
	memset(&whole, 0, sizeof whole);
	memset(&parts, 0, sizeof parts);
	whole.max_cols = parts.max_cols = caps[data[0] & 7] != 0 ?
	    caps[data[0] & 7] : 4096;
	seed = 0x9e3779b9u ^ data[1];
	data += 2;
	size -= 2;

	a = vt_new(caps[data[-2] & 7]);
	a->ich_now = 1;
	vt_feed(a, data, size, fuzz_vt_line, &whole);
	fuzz_vt_finish(a, &whole);

	b = vt_new(caps[data[-2] & 7]);
	vt_on_plain(b, fuzz_vt_plain);
	for (off = 0; off < size; off += n) {
		/* Mostly tiny pieces, sometimes a byte, now and then large. */
		n = fuzz_vt_rand(&seed) % 8 == 0 ? 1 + fuzz_vt_rand(&seed) % 512 :
		    1 + fuzz_vt_rand(&seed) % 5;
		if (n > size - off)
			n = size - off;
		vt_feed(b, data + off, n, fuzz_vt_line, &parts);
		if (fuzz_vt_rand(&seed) % 4 == 0 && vt_current(b) != NULL)
			FUZZ_CHECK(fuzz_utf8_valid(vt_current(b)->text,
			    vt_current(b)->len), "current line not UTF-8");
	}
	fuzz_vt_finish(b, &parts);

	FUZZ_CHECK(whole.lines == parts.lines, "%zu lines whole, %zu in pieces",
	    whole.lines, parts.lines);
	FUZZ_CHECK(whole.sb.len == parts.sb.len &&
	    memcmp(whole.sb.buf, parts.sb.buf, whole.sb.len) == 0,
	    "lines differ:\n--- whole\n%.*s\n--- in pieces\n%.*s",
	    (int)(whole.sb.len > 4000 ? 4000 : whole.sb.len), whole.sb.buf,
	    (int)(parts.sb.len > 4000 ? 4000 : parts.sb.len), parts.sb.buf);
	strbuf_free(&whole.sb);
	strbuf_free(&parts.sb);
	vt_free(a);
	vt_free(b);
	return 0;
}
