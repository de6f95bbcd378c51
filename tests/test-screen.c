/*
 * Tests of the screen model: the parser's hand-over, what real full-
 * screen programs (top, vi, less; captured through a pty in tests/data/
 * term-*.out) leave on the screen and in the lines, cursor-up progress,
 * the alternate screen, resizes, and hostile input staying bounded.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/line.h"
#include "nodemux/screen.h"
#include "nodemux/scrollback.h"
#include "nodemux/util.h"
#include "nodemux/vt.h"

#include "testlib.h"

/* A node's output as the launcher holds it: parser, screen, lines. */
struct term {
	struct vt		*vt;
	struct screen		*screen;
	struct scrollback	*sb;
	uint64_t		 seq;
	struct strbuf		 reply;
	struct screen_out	 o;
};

/* A completed line: numbered and kept, as cluster_io_line does. */
static void
term_line(void *arg, struct line *l)
{
	struct term	*t = arg;

	l->seq = ++t->seq;
	scrollback_push(t->sb, l);
}

/* The screen's answers to the program. */
static void
term_reply(void *arg, const void *buf, size_t len)
{
	struct term	*t = arg;

	strbuf_add(&t->reply, buf, len);
}

static void
term_init(struct term *t, int rows, int cols)
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
	t->o.reply = term_reply;
	t->o.rarg = t;
	t->o.cb = term_line;
	t->o.arg = t;
}

static void
term_feed(struct term *t, const void *buf, size_t len)
{
	screen_out_feed(&t->o, buf, len);
}

#define TERM_PUTS(t, s) term_feed((t), (s), strlen(s))

/* The node ended: what the screen holds becomes lines. */
static void
term_end(struct term *t)
{
	if (screen_active(t->screen))
		screen_flush(t->screen, term_line, t);
	vt_flush(t->vt, term_line, t);
}

static void
term_free(struct term *t)
{
	vt_free(t->vt);
	screen_free(t->screen);
	scrollback_free(t->sb);
	strbuf_free(&t->reply);
}

/* Row r of the screen. */
static const char *
row(struct term *t, int r)
{
	return screen_row(t->screen, r)->text;
}

/* The first row that starts with s, or -1. */
static int
row_starting(struct term *t, const char *s)
{
	int	 r, rows, cols;

	screen_size(t->screen, &rows, &cols);
	for (r = 0; r < rows; r++) {
		if (strncmp(row(t, r), s, strlen(s)) == 0)
			return r;
	}
	return -1;
}

/* Rows holding s. */
static int
rows_with(struct term *t, const char *s)
{
	int	 r, rows, cols, n = 0;

	screen_size(t->screen, &rows, &cols);
	for (r = 0; r < rows; r++)
		n += strstr(row(t, r), s) != NULL;
	return n;
}

/* Line i of the scrollback's text. */
static const char *
line(struct term *t, size_t i)
{
	static struct line	 v;

	return scrollback_get(t->sb, i, &v)->text;
}

/* The scrollback's lines a pane shows (those the screen hides left out),
   joined by '|'. */
static char *
shown(struct term *t)
{
	struct strbuf		 sb = STRBUF_INIT;
	const struct line	*l;
	struct line		 v;
	size_t			 i;

	for (i = 0; i < scrollback_count(t->sb); i++) {
		l = scrollback_get(t->sb, i, &v);
		if (screen_hides(t->screen, l->seq))
			continue;
		strbuf_addf(&sb, "%s%s", sb.len > 0 ? "|" : "", l->text);
	}
	return strbuf_detach(&sb);
}

/* Read tests/data/name; *len its size. */
static char *
slurp(const char *name, size_t *len)
{
	char	*path = xasprintf("%s/%s", TEST_DATADIR, name), *buf;
	FILE	*f = fopen(path, "rb");
	long	 n;

	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = xmalloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	free(path);
	*len = (size_t)n;
	return buf;
}

/* The offset of the last occurrence of s in buf, or len. */
static size_t
last_of(const char *buf, size_t len, const char *s)
{
	size_t	 n = strlen(s), i, at = len;

	for (i = 0; i + n <= len; i++) {
		if (memcmp(buf + i, s, n) == 0)
			at = i;
	}
	return at;
}

Test(handover, plain_lines_never_make_a_screen)
{
	struct term	 t;

	term_init(&t, 24, 80);
	TERM_PUTS(&t, "one\r\n\033[31mred\033[0m\rtwo\033[K\r\n");
	cr_assert_null(t.screen, "lines, colours, \\r and EL need no screen");
	cr_assert_eq(scrollback_count(t.sb), 2);
	term_free(&t);
}

Test(handover, the_parser_stops_after_the_sequence)
{
	struct vt	*vt = vt_new(0);
	struct term	 t;
	struct line	*partial;
	char		 seq[VT_HANDOVER_MAX];
	size_t		 n, x;

	term_init(&t, 24, 80);
	cr_assert_eq(vt_feed(vt, "ab\033[2;5Hcd", 10, term_line, &t), 10,
	    "without vt_screens, everything is the parser's");
	vt_flush(vt, term_line, &t);
	cr_assert_str_eq(line(&t, 0), "ab  cd", "only the column moved");
	term_free(&t);
	vt_free(vt);

	vt = vt_new(0);
	vt_screens(vt, 1);
	n = vt_feed(vt, "ab\033[2;5Hcd", 10, NULL, NULL);
	cr_assert_eq(n, 8, "stops after ESC[2;5H, not %zu", n);
	n = vt_handover(vt, seq, sizeof seq, &x, &partial);
	cr_assert(n == 6 && memcmp(seq, "\033[2;5H", 6) == 0);
	cr_assert_eq(x, 2, "the cursor was after \"ab\"");
	cr_assert_str_eq(partial->text, "ab");
	line_free(partial);
	cr_assert_null(vt_current(vt), "the partial line is the screen's");
	cr_assert_eq(vt_handover(vt, seq, sizeof seq, &x, &partial), 0,
	    "only once");

	n = vt_feed(vt, "\033[?1h\033[?1049;1h", 15, NULL, NULL);
	cr_assert_eq(n, 15, "took %zu", n);
	n = vt_handover(vt, seq, sizeof seq, &x, &partial);
	cr_assert_null(partial);
	cr_assert(n == 10 && memcmp(seq, "\033[?1049;1h", 10) == 0);
	cr_assert_eq(vt_modes(vt), VT_MODE_APPCURSOR);
	vt_free(vt);
}

Test(real, top_shows_its_summary_and_header)
{
	struct term	 t;
	char		*buf;
	size_t		 len;

	buf = slurp("term-top.out", &len);
	term_init(&t, 24, 80);
	/* Up to its exit, where it moves below the screen and scrolls. */
	term_feed(&t, buf, last_of(buf, len, "\033[?1l"));
	cr_assert(screen_active(t.screen) && !screen_alt(t.screen));
	cr_assert_eq(row_starting(&t, "top - "), 0, "row 0: %s", row(&t, 0));
	cr_assert_eq(row_starting(&t, "Tasks:"), 1);
	cr_assert_eq(row_starting(&t, "%Cpu(s):"), 2);
	cr_assert_eq(rows_with(&t, " Mem :"), 1);
	cr_assert_eq(rows_with(&t, "PID USER"), 1);
	cr_assert_eq(scrollback_count(t.sb), 0, "top never scrolled");
	cr_assert_eq(screen_settle(t.screen, term_line, &t), 0,
	    "a program that addresses the screen does not settle");
	term_feed(&t, buf + last_of(buf, len, "\033[?1l"),
	    len - last_of(buf, len, "\033[?1l"));
	term_end(&t);
	cr_assert_geq(scrollback_count(t.sb), 8, "its last screen stays");
	cr_assert(strncmp(line(&t, 0), "top - ", 6) == 0, "%s", line(&t, 0));
	cr_assert(strncmp(line(&t, 1), "Tasks:", 6) == 0);
	term_free(&t);
	free(buf);
}

Test(real, vi_draws_its_tildes_on_the_alternate_screen)
{
	struct term	 t;
	char		*buf;
	size_t		 len, leave;

	buf = slurp("term-vi.out", &len);
	leave = last_of(buf, len, ":wq");
	cr_assert_lt(leave, len);
	term_init(&t, 24, 80);
	term_feed(&t, buf, leave);
	cr_assert(screen_active(t.screen) && screen_alt(t.screen));
	cr_assert_str_eq(row(&t, 0), "first line of the file");
	cr_assert_str_eq(row(&t, 2), "added by the test");
	cr_assert_eq(row_starting(&t, "~"), 3);
	cr_assert_geq(rows_with(&t, "~"), 19, "a column of ~ (%d)",
	    rows_with(&t, "~"));
	cr_assert_eq(scrollback_count(t.sb), 0);
	cr_assert_neq(t.reply.len, 0, "vi's queries were answered");
	term_feed(&t, buf + leave, len - leave);
	cr_assert(!screen_active(t.screen), "leaving it ended the episode");
	term_end(&t);
	cr_assert_eq(scrollback_count(t.sb), 0,
	    "nothing drawn on the alternate screen became a line");
	cr_assert_eq(vt_modes(t.vt), 0, "vi reset the modes it set");
	term_free(&t);
	free(buf);
}

Test(real, less_leaves_the_lines_before_and_after)
{
	struct term	 t;
	char		*buf, *s;
	size_t		 len, leave;

	buf = slurp("term-less.out", &len);
	leave = last_of(buf, len, "\r\033[K\033[?1l");	/* q */
	term_init(&t, 24, 80);
	TERM_PUTS(&t, "$ less README.md\r\n");
	term_feed(&t, buf, leave);
	cr_assert(screen_alt(t.screen));
	cr_assert_str_eq(row(&t, 0), "# nodemux");
	cr_assert_eq(rows_with(&t, "README.md"), 1, "its status line");
	term_feed(&t, buf + leave, len - leave);
	TERM_PUTS(&t, "$ echo after\r\n");
	term_end(&t);
	s = shown(&t);
	cr_assert_str_eq(s, "$ less README.md|$ echo after");
	free(s);
	cr_assert_eq(scrollback_count(t.sb), 2, "the line before is not "
	    "logged twice");
	term_free(&t);
	free(buf);
}

Test(progress, cursor_up_rewrites_end_with_the_final_lines)
{
	struct term	 t;
	char		*s;
	int		 i;

	term_init(&t, 24, 80);
	TERM_PUTS(&t, "begin\r\nA 0%\r\nB 0%\r\n");
	for (i = 1; i <= 10; i++) {
		char	*step = xasprintf("\033[2A\033[2KA %d%%\r\n\033[2KB %d%%\r\n",
		    i * 10, i * 10);

		TERM_PUTS(&t, step);
		free(step);
	}
	cr_assert(screen_active(t.screen));
	cr_assert_str_eq(row(&t, 0), "begin");
	cr_assert_str_eq(row(&t, 1), "A 100%");
	cr_assert_str_eq(row(&t, 2), "B 100%");
	cr_assert_eq(screen_used(t.screen), 4, "down to the cursor's row");
	s = shown(&t);
	cr_assert_str_eq(s, "", "the pane shows them from the screen");
	free(s);
	cr_assert(screen_out_settle(&t.o), "quiet: the episode ends");
	TERM_PUTS(&t, "end\r\n");
	s = shown(&t);
	cr_assert_str_eq(s, "begin|A 100%|B 100%|end");
	free(s);
	cr_assert_null(vt_current(t.vt));
	term_free(&t);
}

Test(progress, the_colour_set_during_an_episode_goes_on_after_it)
{
	struct term		 t;
	struct line		 v;
	const struct line	*l;
	size_t			 n;

	term_init(&t, 24, 80);
	/* Green is set before the episode, bold red in it; neither is
	   reset when it ends. */
	TERM_PUTS(&t, "\033[32mA 0%\r\n\033[1A\033[2K\033[1;31mA 100%\r\n");
	cr_assert(screen_active(t.screen));
	cr_assert(screen_out_settle(&t.o), "quiet: the episode ends");
	TERM_PUTS(&t, "after\r\n");
	n = scrollback_count(t.sb);
	l = scrollback_get(t.sb, n - 1, &v);
	cr_assert_str_eq(l->text, "after");
	cr_assert_eq(l->nruns, 1, "%zu runs", l->nruns);
	cr_assert_eq(l->runs[0].attr.fg, COLOUR_PALETTE | 1,
	    "the pen the program left: fg %x", l->runs[0].attr.fg);
	cr_assert_eq(l->runs[0].attr.flags, ATTR_BOLD);
	l = scrollback_get(t.sb, n - 2, &v);
	cr_assert_str_eq(l->text, "A 100%");
	cr_assert_eq(l->runs[0].attr.fg, COLOUR_PALETTE | 1);
	term_free(&t);
}

Test(progress, the_partial_line_and_cursor_go_over)
{
	struct term	 t;
	char		*s;

	term_init(&t, 24, 80);
	TERM_PUTS(&t, "x\r\nload 1/3\rload 2/3\033[1AY");
	cr_assert(screen_active(t.screen));
	cr_assert_str_eq(row(&t, 0), "x       Y",
	    "ESC[1A went up from the partial line's cursor");
	cr_assert_str_eq(row(&t, 1), "load 2/3");
	TERM_PUTS(&t, "\rover\r\n");
	term_end(&t);
	s = shown(&t);
	cr_assert_str_eq(s, "over    Y|load 2/3", "%s", s);
	free(s);
	term_free(&t);
}

Test(alternate, unchanged_lines_come_back_where_they_were)
{
	struct term	 t;
	char		*s;

	term_init(&t, 24, 80);
	TERM_PUTS(&t, "one\r\ntwo\r\n\033[?1049h\033[HALT\r\n\033[5;5HMORE");
	cr_assert(screen_alt(t.screen));
	cr_assert_str_eq(row(&t, 0), "ALT");
	cr_assert_eq(rows_with(&t, "one"), 0);
	TERM_PUTS(&t, "\033[?1049l");
	cr_assert(!screen_active(t.screen));
	TERM_PUTS(&t, "three\r\n");
	s = shown(&t);
	cr_assert_str_eq(s, "one|two|three");
	free(s);
	cr_assert_eq(scrollback_count(t.sb), 3, "no line twice, no ALT");
	term_free(&t);
}

Test(alternate, a_program_that_ends_on_it_leaves_nothing)
{
	struct term	 t;
	char		*s;

	term_init(&t, 24, 80);
	TERM_PUTS(&t, "before\r\n\033[?1049h\033[Hfull screen\r\n");
	term_end(&t);
	s = shown(&t);
	cr_assert_str_eq(s, "before");
	free(s);
	term_free(&t);
}

Test(main_screen, rows_scroll_off_as_lines_in_order)
{
	struct term	 t;
	char		 l[16];
	int		 i;

	term_init(&t, 5, 20);
	TERM_PUTS(&t, "\033[H\033[2J");
	for (i = 1; i <= 12; i++) {
		snprintf(l, sizeof l, "l%d\r\n", i);
		TERM_PUTS(&t, l);
	}
	cr_assert(!screen_active(t.screen),
	    "a screen of plain lines went by: the parser has it back");
	term_end(&t);
	cr_assert_eq(scrollback_count(t.sb), 12);
	for (i = 1; i <= 12; i++) {
		snprintf(l, sizeof l, "l%d", i);
		cr_assert_str_eq(line(&t, (size_t)i - 1), l);
	}
	term_free(&t);
}

Test(main_screen, wide_characters_and_colours)
{
	struct term	 t;
	const struct line *l;

	term_init(&t, 24, 80);
	TERM_PUTS(&t, "\033[H\033[31m\xe4\xb8\xad\xe6\x96\x87\033[0m x\033[1;3He");
	l = screen_row(t.screen, 0);
	cr_assert_str_eq(l->text, "\xe4\xb8\xad" "e x",
	    "writing over half a wide character blanks it: %s", l->text);
	TERM_PUTS(&t, "\033[2;1H\033[1;38;5;208mo\033[0;4mu\033[m\033[38;2;1;2;3mt");
	l = screen_row(t.screen, 1);
	cr_assert_str_eq(l->text, "out");
	cr_assert_eq(l->nruns, 3);
	cr_assert_eq(l->runs[0].attr.fg, COLOUR_PALETTE | 208);
	cr_assert_eq(l->runs[0].attr.flags, ATTR_BOLD);
	cr_assert_eq(l->runs[1].attr.flags, ATTR_UNDERLINE);
	cr_assert_eq(l->runs[2].attr.fg, COLOUR_RGB | 0x010203);
	l = screen_row(t.screen, 0);
	cr_assert_eq(l->runs[0].attr.fg, COLOUR_PALETTE | 1);
	term_free(&t);
}

Test(main_screen, insert_delete_and_scroll_regions)
{
	struct term	 t;

	term_init(&t, 6, 20);
	TERM_PUTS(&t, "\033[Ha\r\nb\r\nc\r\nd\033[2;1H\033[L");
	cr_assert_str_eq(row(&t, 1), "");
	cr_assert_str_eq(row(&t, 2), "b");
	TERM_PUTS(&t, "\033[M\033[1;1Habc\033[1;2H\033[P");
	cr_assert_str_eq(row(&t, 0), "ac");
	cr_assert_str_eq(row(&t, 1), "b");
	TERM_PUTS(&t, "\033[2;3r\033[3;1H\nz\033[r");
	cr_assert_str_eq(row(&t, 0), "ac", "outside the region");
	cr_assert_str_eq(row(&t, 1), "c", "scrolled within it");
	cr_assert_str_eq(row(&t, 2), "z");
	cr_assert_str_eq(row(&t, 3), "d", "outside the region");
	cr_assert_eq(scrollback_count(t.sb), 0,
	    "a region below the top pushes no line");
	term_free(&t);
}

Test(resize, the_screen_follows_and_pushes_what_no_longer_fits)
{
	struct term	 t;
	int		 rows, cols;

	term_init(&t, 10, 20);
	TERM_PUTS(&t, "\033[H1\r\n2\r\n3\r\n4\r\n5\r\n6\r\n7\r\n8");
	screen_resize(t.screen, 5, 30, term_line, &t);
	screen_size(t.screen, &rows, &cols);
	cr_assert(rows == 5 && cols == 30);
	cr_assert_str_eq(row(&t, 4), "8", "the cursor's row stays on screen");
	cr_assert_eq(scrollback_count(t.sb), 3, "1, 2, 3 went off the top");
	cr_assert_str_eq(line(&t, 0), "1");
	TERM_PUTS(&t, "\033[?1049h\033[Hfull");
	screen_resize(t.screen, 3, 30, term_line, &t);
	cr_assert_eq(scrollback_count(t.sb), 3, "the alternate screen pushes "
	    "nothing");
	cr_assert_str_eq(row(&t, 0), "full");
	screen_resize(t.screen, 100000, -5, term_line, &t);
	screen_size(t.screen, &rows, &cols);
	cr_assert(rows == SCREEN_MAX_ROWS && cols == 2, "clamped (2 columns at least)");
	term_free(&t);
}

Test(modes, application_cursor_keys_and_bracketed_paste)
{
	struct term	 t;

	term_init(&t, 24, 80);
	TERM_PUTS(&t, "\033[?1h\033=");
	cr_assert_eq(vt_modes(t.vt), VT_MODE_APPCURSOR, "the parser notes it");
	TERM_PUTS(&t, "\033[H\033[?2004h");
	cr_assert_eq(screen_modes(t.screen), VT_MODE_APPCURSOR | VT_MODE_PASTE,
	    "DECCKM went over to the screen");
	TERM_PUTS(&t, "\033[?1l");
	cr_assert_eq(screen_modes(t.screen), VT_MODE_PASTE);
	TERM_PUTS(&t, "\033[6n");
	cr_assert(t.reply.len > 0 && strstr(t.reply.buf, "\033[1;1R") != NULL,
	    "a cursor position report is answered");
	term_free(&t);
}

/*
 * What len bytes of output come to on a screen of rows x cols, fed in
 * reads of step bytes (all at once when step is 0): the screen's rows
 * while the node is quiet, then the lines the pane shows once it ended,
 * then the answers to the program.
 */
static char *
cut_result(int rows, int cols, const char *buf, size_t len, size_t step)
{
	struct strbuf	 sb = STRBUF_INIT;
	struct term	 t;
	size_t		 off, n;
	char		*s;
	int		 r;

	term_init(&t, rows, cols);
	for (off = 0; off < len; off += n) {
		n = step == 0 || step > len - off ? len - off : step;
		term_feed(&t, buf + off, n);
	}
	strbuf_addf(&sb, "settled %d:", screen_out_settle(&t.o));
	for (r = 0; screen_active(t.screen) && r < screen_used(t.screen); r++)
		strbuf_addf(&sb, "%s/", row(&t, r));
	term_end(&t);
	s = shown(&t);
	strbuf_addf(&sb, " lines %s replies %.*s", s, (int)t.reply.len,
	    t.reply.buf != NULL ? t.reply.buf : "");
	free(s);
	term_free(&t);
	return strbuf_detach(&sb);
}

/* Output fed whole, and cut into reads of every size: the same result,
   which is returned. */
static char *
cut_same(int rows, int cols, const char *buf)
{
	size_t	 len = strlen(buf), step;
	char	*whole = cut_result(rows, cols, buf, len, 0), *cut;

	for (step = 1; step < len; step++) {
		cut = cut_result(rows, cols, buf, len, step);
		cr_assert_str_eq(cut, whole, "in reads of %zu bytes", step);
		free(cut);
	}
	return whole;
}

/* The fuzzer's episode-end-split: the episode ended where a read did,
   mid-line, and the parser took the rest of the line without the
   screen's pending wrap: an 'n' was lost. */
Test(cuts, an_episode_ends_at_the_same_byte_however_reads_cut)
{
	static const char	 out[] = "U\033[M6nn[n[";
	char			*whole, *cut;

	whole = cut_same(2, 2, out);
	cr_assert_str_eq(whole, "settled 1: lines U| 6|nn|[n|[ replies ",
	    "%s", whole);
	cut = cut_result(2, 2, out, strlen(out), 5);	/* 5, 4, 1 */
	cr_assert_str_eq(cut, whole);
	free(cut);
	free(whole);
}

/* A row written to its last column leaves the cursor on the phantom
   column: the next character goes after it, not over the last one. */
Test(cuts, after_a_full_row_the_next_character_is_not_lost)
{
	struct term	 t;
	char		*s;

	term_init(&t, 5, 10);
	TERM_PUTS(&t, "one\r\n\033[1A\r0123456789");
	cr_assert(screen_active(t.screen));
	cr_assert(screen_out_settle(&t.o), "quiet: the episode ends");
	TERM_PUTS(&t, "X\r\n");
	term_end(&t);
	s = shown(&t);
	cr_assert_str_eq(s, "0123456789X", "%s", s);
	free(s);
	term_free(&t);
}

/* The fuzzer's utf8-lead-byte-split: libvterm dropped a UTF-8 sequence
   cut short at the end of a write when ASCII started the next (U+FFFD
   when whole); a character cut by a read is one character. */
Test(cuts, utf8_cut_by_reads_is_drawn_as_when_whole)
{
	char	*whole;

	whole = cut_same(5, 200, "\033M\xd6n");
	cr_assert_str_eq(whole, "settled 1: lines \xef\xbf\xbdn replies ", "%s", whole);
	free(whole);
	whole = cut_same(5, 200, "\033Mcaf\xc3\xa9 \xe4\xb8\xad\xf0\x9f\x98\x80"
	    " ok\xe4\xb8\r\n\xc3");
	cr_assert_str_eq(whole, "settled 1: lines caf\xc3\xa9 \xe4\xb8\xad"
	    "\xf0\x9f\x98\x80 ok\xef\xbf\xbd|\xef\xbf\xbd replies ", "%s", whole);
	free(whole);
}

/* libvterm decoded ASCII that followed a non-ASCII character in the
   same write as UTF-8, past the charset the program chose. */
Test(cuts, a_charset_applies_after_non_ascii_in_any_read)
{
	char	*whole;

	whole = cut_same(5, 40, "\033M\033(0\xc3\xa9q\033(Bq");
	cr_assert_str_eq(whole, "settled 1: lines \xc3\xa9\xe2\x94\x80q "
	    "replies ", "%s", whole);
	free(whole);
}

/* libvterm told of a scroll when its damage was flushed, merging those
   in between: a reverse scroll (it restarts the count of lines gone by)
   was seen or not depending on where a read ended. */
Test(cuts, a_reverse_scroll_counts_wherever_reads_end)
{
	char	*whole;

	whole = cut_same(2, 2, "x\r\n\033[1A\033M\033M\033M\033Mabcdefgh\r\nij");
	free(whole);
	whole = cut_same(2, 2, "x\r\n\033[1A\033M\033M\033M\033M\033Mabcdefgh\r\nij");
	free(whole);
}

/* A reproducible stream of n bytes from alphabet a (or any byte). */
static char *
noise(size_t n, const char *a, unsigned seed)
{
	char	*buf = xmalloc(n);
	size_t	 i, k = a != NULL ? strlen(a) : 256;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		buf[i] = a != NULL ? a[(seed >> 16) % k] : (char)(seed >> 16);
	}
	return buf;
}

Test(hostile, random_bytes_stay_bounded, .init = test_deadline_60)
{
	static const char *alpha[] = { NULL,
	    "\033[;0123456789?hlHJKrABCDLMSTPX@m\n\r\t ab\xe4\xb8\xad",
	    "\033[?1049h\033[?1049l\033[2A\033[1;3r\n x" };
	struct term	 t;
	char		*buf;
	size_t		 k, off, n = 1024 * 1024;
	int		 rows, cols;

	for (k = 0; k < 3; k++) {
		term_init(&t, 24, 80);
		buf = noise(n, alpha[k], 42 + (unsigned)k);
		for (off = 0; off < n; off += 4096)
			term_feed(&t, buf + off, 4096);
		term_end(&t);
		cr_assert_leq(scrollback_bytes(t.sb), 1024 * 1024);
		if (t.screen != NULL) {
			screen_size(t.screen, &rows, &cols);
			cr_assert(rows == 24 && cols == 80);
		}
		term_free(&t);
		free(buf);
	}
}

Test(hostile, huge_cursor_moves_and_counts, .init = test_deadline_20)
{
	struct term	 t;
	int		 row_, col;

	term_init(&t, 24, 80);
	TERM_PUTS(&t, "\033[99999;99999HX");
	screen_cursor(t.screen, &row_, &col);
	cr_assert_eq(row_, 23);
	cr_assert_str_eq(row(&t, 23), "                                      "
	    "                                         X");
	TERM_PUTS(&t, "\033[99999A\033[99999L\033[99999@\033[99999P\033[99999M"
	    "\033[99999S\033[99999T\033[99999X\033[99999b\033[4294967296d");
	screen_cursor(t.screen, &row_, &col);
	cr_assert(row_ >= 0 && row_ < 24 && col >= 0 && col < 80);
	term_free(&t);
}

/* REP repeats the last character drawn; before any (just after the
   screen took over, or only a title, a charset or a combining mark
   drawn) libvterm 0.1.4 would repeat a character of width 0 for ever. */
Test(hostile, repeat_with_nothing_to_repeat, .init = test_deadline_20)
{
	static const char *const first[] = { "", "\033]0;title\007",
	    "\033]0;title\033\\", "\033(0", "\033[?25h", "\314\201" };
	struct term	 t;
	size_t		 i;

	for (i = 0; i < nitems(first); i++) {
		term_init(&t, 10, 40);
		TERM_PUTS(&t, "\033[H");	/* a screen takes over */
		TERM_PUTS(&t, first[i]);
		TERM_PUTS(&t, "\033[b\033[5b");
		cr_assert(screen_active(t.screen), "case %zu", i);
		term_free(&t);
	}
	term_init(&t, 10, 40);
	TERM_PUTS(&t, "\033[Hab\033[3b");
	cr_assert_str_eq(row(&t, 0), "abbbb");
	term_free(&t);
}

/* REP after a character of width 0 (a combining mark with nothing to
   combine with): libvterm repeated it for ever. */
Test(hostile, repeat_after_a_character_of_width_0, .init = test_deadline_20)
{
	struct term	 t;

	term_init(&t, 10, 40);
	TERM_PUTS(&t, "\033[Ha\r\n\314\201\033[3bX\r\nb\033[3b");
	cr_assert(screen_active(t.screen));
	cr_assert_str_eq(row(&t, 2), "bbbb");
	term_free(&t);
}

/* libvterm keeps 16 CSI parameters unchecked; after ESC a control does
   not end the escape, so ESC ^A [ and 40 separators overran them. */
Test(hostile, separators_after_esc_and_a_control, .init = test_deadline_20)
{
	struct term	 t;

	term_init(&t, 10, 40);
	TERM_PUTS(&t, "\033[Hx\033\001[;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;;"
	    "mok");
	cr_assert(screen_active(t.screen));
	cr_assert_str_eq(row(&t, 0), "xok");
	term_free(&t);
}

Test(hostile, endless_scroll_regions, .init = test_deadline_60)
{
	struct term	 t;
	char		*buf;
	size_t		 n = 2 * 100 * 1000, i;
	int64_t		 t0 = now_ms();

	buf = xmalloc(n);
	for (i = 0; i < n; i += 2) {
		buf[i] = 'x';
		buf[i + 1] = '\n';
	}
	term_init(&t, 24, 80);
	TERM_PUTS(&t, "\033[5;10r\033[7;1H");
	term_feed(&t, buf, n);
	cr_assert(screen_active(t.screen), "a region keeps the episode on");
	cr_assert_eq(scrollback_count(t.sb), 0, "nothing left the screen");
	TERM_PUTS(&t, "\033[1;3r\033[3;1H");
	term_feed(&t, buf, n);
	cr_assert_leq(scrollback_bytes(t.sb), 1024 * 1024,
	    "100,000 lines off the top: the scrollback's cap holds");
	cr_assert_lt(now_ms() - t0, 30 * 1000, "took %lld ms",
	    (long long)(now_ms() - t0));
	term_free(&t);
	free(buf);
}
