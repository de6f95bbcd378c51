/*
 * Fuzz the screen model (screen.c, screen-out.c over libvterm) as the
 * launcher drives it: output to the parser until it needs a screen, to
 * the screen until its episode ends, back and forth.  The same bytes fed
 * whole and in random pieces must give the same lines, the same rows on
 * screen and the same answers to the program; every line and row must
 * be sound (valid UTF-8, runs in order); settling, resizing and the end
 * of the node must leave nothing unsound either.
 * Input: byte 0 picks the size, byte 1 seeds the cuts, the rest is
 * node output.
 */
#include "config.h"

#include <string.h>

#include "nodemux/line.h"
#include "nodemux/screen.h"
#include "nodemux/scrollback.h"
#include "nodemux/util.h"
#include "nodemux/vt.h"
#include "fuzz.h"

/* A node's output as the launcher holds it, and what came of it. */
struct fuzz_term {
	struct vt		*vt;
	struct screen		*screen;
	struct scrollback	*sb;
	uint64_t		 seq;
	struct strbuf		 rec;		/* lines, rows, replies */
	struct screen_out	 o;
};

/* Check a line or row and append what identifies it to the record. */
static void
fuzz_term_record(struct strbuf *rec, const char *what, const struct line *l)
{
	uint32_t	 i;

	FUZZ_CHECK(l->text != NULL && strlen(l->text) == l->len,
	    "%s: len %u, strlen %zu", what, l->len,
	    l->text != NULL ? strlen(l->text) : 0);
	FUZZ_CHECK(fuzz_utf8_valid(l->text, l->len), "%s: not UTF-8", what);
	FUZZ_CHECK(l->nruns == 0 || l->runs[0].off == 0, "%s: first run",
	    what);
	for (i = 1; i < l->nruns; i++)
		FUZZ_CHECK(l->runs[i].off > l->runs[i - 1].off &&
		    l->runs[i].off <= l->len, "%s: run %u out of order", what,
		    i);
	strbuf_addf(rec, "%s:%u:", what, l->len);
	strbuf_add(rec, l->text, l->len);
	for (i = 0; i < l->nruns; i++)
		strbuf_addf(rec, "|%u,%x,%x,%x", l->runs[i].off,
		    l->runs[i].attr.fg, l->runs[i].attr.bg,
		    (unsigned)l->runs[i].attr.flags);
	strbuf_addc(rec, '\n');
}

static void
fuzz_term_line(void *arg, struct line *l)
{
	struct fuzz_term	*t = arg;

	fuzz_term_record(&t->rec, "line", l);
	l->seq = ++t->seq;
	scrollback_push(t->sb, l);
}

static void
fuzz_term_reply(void *arg, const void *buf, size_t len)
{
	struct fuzz_term	*t = arg;

	strbuf_adds(&t->rec, "reply:");
	strbuf_add(&t->rec, buf, len);
	strbuf_addc(&t->rec, '\n');
}

static void
fuzz_term_init(struct fuzz_term *t, int rows, int cols)
{
	memset(t, 0, sizeof *t);
	t->vt = vt_new(0);
	vt_screens(t->vt, 1);
	t->sb = scrollback_new(0, 1024 * 1024);
	t->o.vt = t->vt;
	t->o.screen = &t->screen;
	t->o.sb = t->sb;
	t->o.rows = rows;
	t->o.cols = cols;
	t->o.reply = fuzz_term_reply;
	t->o.rarg = t;
	t->o.cb = fuzz_term_line;
	t->o.arg = t;
}

/* The screen as shown, into the record. */
static void
fuzz_term_rows(struct fuzz_term *t)
{
	int	 r, used, row, col;

	if (t->screen == NULL || !screen_active(t->screen))
		return;
	used = screen_used(t->screen);
	FUZZ_CHECK(used >= 0 && used <= SCREEN_MAX_ROWS, "used %d", used);
	for (r = 0; r < used; r++)
		fuzz_term_record(&t->rec, "row", screen_row(t->screen, r));
	if (screen_cursor(t->screen, &row, &col))
		strbuf_addf(&t->rec, "cursor %d,%d\n", row, col);
}

/* The node goes quiet, is resized, then ends. */
static void
fuzz_term_end(struct fuzz_term *t, int rows, int cols)
{
	const struct line	*cur;

	fuzz_term_rows(t);
	strbuf_addf(&t->rec, "settled %d\n", screen_out_settle(&t->o));
	fuzz_term_rows(t);
	if (t->screen != NULL) {
		screen_resize(t->screen, rows, cols, fuzz_term_line, t);
		fuzz_term_rows(t);
		if (screen_active(t->screen))
			screen_flush(t->screen, fuzz_term_line, t);
	}
	if ((cur = vt_current(t->vt)) != NULL)
		fuzz_term_record(&t->rec, "current", cur);
	vt_flush(t->vt, fuzz_term_line, t);
}

static void
fuzz_term_free(struct fuzz_term *t)
{
	screen_free(t->screen);
	vt_free(t->vt);
	scrollback_free(t->sb);
	strbuf_free(&t->rec);
}

static uint32_t
fuzz_screen_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int	 sizes[][2] = { { 24, 80 }, { 1, 1 }, { 3, 10 },
				    { 5, 200 }, { 50, 30 }, { 2, 2 }, { 10, 40 },
				    { 24, 132 } };
	struct fuzz_term	 whole, parts;
	size_t			 off, n;
	uint32_t		 seed;
	int			 rows, cols;

	if (size < 2 || size > 65536)
		return 0;
	rows = sizes[data[0] & 7][0];
	cols = sizes[data[0] & 7][1];
	seed = 0x9e3779b9u ^ data[1];
	data += 2;
	size -= 2;

	fuzz_term_init(&whole, rows, cols);
	screen_out_feed(&whole.o, data, size);
	fuzz_term_end(&whole, cols, rows);

	fuzz_term_init(&parts, rows, cols);
	for (off = 0; off < size; off += n) {
		n = fuzz_screen_rand(&seed) % 8 == 0 ?
		    1 + fuzz_screen_rand(&seed) % 512 :
		    1 + fuzz_screen_rand(&seed) % 5;
		if (n > size - off)
			n = size - off;
		screen_out_feed(&parts.o, data + off, n);
	}
	fuzz_term_end(&parts, cols, rows);

	FUZZ_CHECK(whole.rec.len == parts.rec.len &&
	    memcmp(whole.rec.buf, parts.rec.buf, whole.rec.len) == 0,
	    "whole and in pieces differ:\n--- whole\n%.*s\n--- in pieces\n%.*s",
	    (int)(whole.rec.len > 3000 ? 3000 : whole.rec.len), whole.rec.buf,
	    (int)(parts.rec.len > 3000 ? 3000 : parts.rec.len), parts.rec.buf);
	fuzz_term_free(&whole);
	fuzz_term_free(&parts);
	return 0;
}
