/*
 * Tests of the terminal-output parser: what a pane and a log file show
 * for plain text, colours, progress bars, hostile and split input.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/line.h"
#include "nodemux/util.h"
#include "nodemux/vt.h"

#include "testlib.h"

/* The lines a parser completed. */
struct got {
	struct line	**l;
	size_t		  n;
	size_t		  maxlen;
};

static void
got_cb(void *arg, struct line *l)
{
	struct got	*g = arg;

	g->l = xreallocarray(g->l, g->n + 1, sizeof *g->l);
	g->l[g->n++] = line_dup(l);	/* l is lent for the call */
	if (l->len > g->maxlen)
		g->maxlen = l->len;
}

static void
got_free(struct got *g)
{
	size_t	 i;

	for (i = 0; i < g->n; i++)
		line_free(g->l[i]);
	free(g->l);
	memset(g, 0, sizeof *g);
}

/* Feed s to a fresh parser, flush, and return its lines. */
static struct got
parse(const char *s, size_t len)
{
	struct vt	*vt = vt_new(0);
	struct got	 g = { NULL, 0, 0 };

	vt_feed(vt, s, len, got_cb, &g);
	vt_flush(vt, got_cb, &g);
	vt_free(vt);
	return g;
}

/* The text of the only line s gives. */
#define ONE_LINE(s, want) do {						\
	struct got	 g_ = parse((s), sizeof (s) - 1);		\
	cr_assert_eq(g_.n, 1, "%zu lines from %s", g_.n, #s);		\
	cr_assert_str_eq(g_.l[0]->text, (want));			\
	cr_assert_eq(g_.l[0]->len, strlen(want));			\
	got_free(&g_);							\
} while (0)

/* Is s[0, len) valid UTF-8 without C0 controls? */
static int
clean_utf8(const char *s, size_t len)
{
	size_t		 off = 0, n;
	uint32_t	 cp;

	while (off < len) {
		n = line_utf8_decode(s + off, len - off, &cp);
		if (cp == 0xfffd && n == 1)
			return 0;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			return 0;
		off += n;
	}
	return 1;
}

Test(vt, plain_lines)
{
	struct got	 g = parse("hello\r\nworld\n\nlast", 18);

	cr_assert_eq(g.n, 4);
	cr_assert_str_eq(g.l[0]->text, "hello");
	cr_assert_str_eq(g.l[1]->text, "world");
	cr_assert_str_eq(g.l[2]->text, "");
	cr_assert_str_eq(g.l[3]->text, "last");
	cr_assert_eq(g.l[0]->nruns, 1);
	cr_assert_eq(g.l[0]->runs[0].attr.fg, COLOUR_DEFAULT);
	cr_assert_gt(g.l[0]->time_ms, 1000000000000LL);
	cr_assert_eq(g.l[0]->seq, 0);
	got_free(&g);
}

Test(vt, sgr_16_colours_and_reset)
{
	const char	 s[] = "a\033[31mred\033[1;42mboldgreen\033[0mplain\033[94mbright\n";
	struct got	 g = parse(s, sizeof s - 1);
	const struct line *l = g.l[0];
	struct attr	 a;

	cr_assert_str_eq(l->text, "aredboldgreenplainbright");
	a = line_attr_at(l, 0);
	cr_assert_eq(a.fg, COLOUR_DEFAULT);
	a = line_attr_at(l, 1);
	cr_assert_eq(a.fg, COLOUR_PALETTE | 1);
	cr_assert_eq(a.flags, 0);
	a = line_attr_at(l, 4);
	cr_assert_eq(a.fg, COLOUR_PALETTE | 1);
	cr_assert_eq(a.bg, COLOUR_PALETTE | 2);
	cr_assert_eq(a.flags, ATTR_BOLD);
	a = line_attr_at(l, 13);
	cr_assert_eq(a.fg, COLOUR_DEFAULT);
	cr_assert_eq(a.bg, COLOUR_DEFAULT);
	cr_assert_eq(a.flags, 0);
	a = line_attr_at(l, 18);
	cr_assert_eq(a.fg, COLOUR_PALETTE | 12);
	cr_assert_eq(l->nruns, 5);	/* equal neighbours merged */
	got_free(&g);
}

Test(vt, sgr_256_and_truecolour)
{
	const char	 s[] = "\033[38;5;208ma\033[48;2;1;2;3mb\033[38:2::10:20:30mc"
	    "\033[38:5:99md\033[38:2:7:8:9;48:5:17me\033[39;49mf\033[100mg\n";
	struct got	 g = parse(s, sizeof s - 1);
	const struct line *l = g.l[0];

	cr_assert_str_eq(l->text, "abcdefg");
	cr_assert_eq(line_attr_at(l, 0).fg, COLOUR_PALETTE | 208);
	cr_assert_eq(line_attr_at(l, 1).bg, COLOUR_RGB | 0x010203);
	cr_assert_eq(line_attr_at(l, 1).fg, COLOUR_PALETTE | 208);
	cr_assert_eq(line_attr_at(l, 2).fg, COLOUR_RGB | 0x0a141e);
	cr_assert_eq(line_attr_at(l, 3).fg, COLOUR_PALETTE | 99);
	cr_assert_eq(line_attr_at(l, 4).fg, COLOUR_RGB | 0x070809);
	cr_assert_eq(line_attr_at(l, 4).bg, COLOUR_PALETTE | 17);
	cr_assert_eq(line_attr_at(l, 5).fg, COLOUR_DEFAULT);
	cr_assert_eq(line_attr_at(l, 5).bg, COLOUR_DEFAULT);
	cr_assert_eq(line_attr_at(l, 6).bg, COLOUR_PALETTE | 8);
	got_free(&g);
}

Test(vt, sgr_flags_and_their_resets)
{
	const char	 s[] = "\033[1;2;3;4;5;7;8;9ma\033[22;23mb\033[24;25;27;28;29mc"
	    "\033[4:3md\033[4:0me\033[21mf\033[mg\n";
	struct got	 g = parse(s, sizeof s - 1);
	const struct line *l = g.l[0];
	uint16_t	 all = ATTR_BOLD | ATTR_DIM | ATTR_ITALIC | ATTR_UNDERLINE |
	    ATTR_BLINK | ATTR_REVERSE | ATTR_INVISIBLE | ATTR_STRIKE;

	cr_assert_eq(line_attr_at(l, 0).flags, all);
	cr_assert_eq(line_attr_at(l, 1).flags,
	    all & ~(ATTR_BOLD | ATTR_DIM | ATTR_ITALIC));
	cr_assert_eq(line_attr_at(l, 2).flags, 0);
	cr_assert_eq(line_attr_at(l, 3).flags, ATTR_UNDERLINE);
	cr_assert_eq(line_attr_at(l, 4).flags, 0);
	cr_assert_eq(line_attr_at(l, 5).flags, ATTR_UNDERLINE);
	cr_assert_eq(line_attr_at(l, 6).flags, 0);
	got_free(&g);
}

Test(vt, colour_carries_over_lines)
{
	const char	 s[] = "\033[32mgreen\nstill\033[0m\n";
	struct got	 g = parse(s, sizeof s - 1);

	cr_assert_eq(line_attr_at(g.l[1], 0).fg, COLOUR_PALETTE | 2);
	got_free(&g);
}

Test(vt, carriage_return_overwrites)
{
	ONE_LINE("50%\r100%\n", "100%");
	ONE_LINE("100%\r50%\n", "50%%");
	ONE_LINE("progress [##   ]\rprogress [#####]\r\n", "progress [#####]");
}

Test(vt, progress_bar_with_erase)
{
	const char	 s[] = "10% working\r\033[K20% work\r\033[2K\033[1Gdone\n";

	ONE_LINE(s, "done");
}

Test(vt, backspace_and_tab)
{
	ONE_LINE("abc\b\bX\n", "aXc");
	ONE_LINE("\b\bok\n", "ok");
	ONE_LINE("a\tb\n", "a       b");
	ONE_LINE("12345678\tb\n", "12345678        b");
}

Test(vt, erase_in_line)
{
	ONE_LINE("abcdef\033[3D\033[K\n", "abc");
	ONE_LINE("abcdef\033[3D\033[1K\n", "    ef");
	ONE_LINE("abcdef\033[2Kxy\n", "      xy");
	ONE_LINE("abcdef\033[0Kxy\n", "abcdefxy");
}

Test(vt, cursor_horizontal_moves)
{
	ONE_LINE("abc\033[10Gx\n", "abc      x");
	ONE_LINE("abc\033[2Cx\n", "abc  x");
	ONE_LINE("abcdef\033[4DX\n", "abXdef");
	ONE_LINE("abc\033[99Dz\n", "zbc");
	ONE_LINE("abcdef\033[1G\033[2PX\n", "Xdef");
	ONE_LINE("abcdef\033[2G\033[2@\n", "a  bcdef");
	ONE_LINE("abcdef\033[2G\033[2X\n", "a  def");
}

Test(vt, screen_control_does_not_leak)
{
	const char	 s[] = "\033[2J\033[H\033[3;5H\033[Aup\033[Bdown\033[?1049h"
	    "\033[?25l\033[1;24r\033(B\0337\0338\033M\033=\033[>4;1m\033[6n\033[?1049l"
	    "\033[5S\033[T\033]0;title\007\a\033[0 q\n";

	/* CUP keeps its column: only the cursor's row exists here. */
	ONE_LINE(s, "    updown");
}

Test(vt, clear_screen_clears_the_row)
{
	ONE_LINE("Loading...\033[H\033[2JReady\n", "Ready");
	ONE_LINE("Loading...\033[H\033[2J\033[3JReady\n", "Ready");
	ONE_LINE("abcdef\033[4G\033[J\n", "abc");
	ONE_LINE("abcdef\033[1;3H\033[1J\n", "   def");
	ONE_LINE("ab\033[1;1fX\n", "Xb");
}

Test(vt, save_and_restore_cursor)
{
	ONE_LINE("Build: \0337working\0338done\n", "Build: doneing");
	ONE_LINE("Build: \033[sworking\033[u\033[Kdone\n", "Build: done");
}

Test(vt, osc_and_dcs_strings_are_consumed)
{
	ONE_LINE("a\033]0;my title\007b\n", "ab");
	ONE_LINE("a\033]2;st title\033\\b\n", "ab");
	ONE_LINE("a\033]8;;http://x\033\\link\033]8;;\033\\b\n", "alinkb");
	ONE_LINE("a\033P1$r0m\033\\b\n", "ab");
	ONE_LINE("a\033Pq#0;2;0;0;0#1!6~-\n-\033\\b\n", "ab");
	ONE_LINE("a\033_apc\033\\b\033^pm\033\\c\033Xsos\033\\d\n", "abcd");
	ONE_LINE("a\033[31\030b\n", "ab");	/* CAN cancels */
}

Test(vt, controls_are_shown_safely)
{
	/* BEL and NUL vanish; other C0 controls show as U+FFFD. */
	ONE_LINE("a\007b\000c\001d\x1f" "e\n", "abc\xef\xbf\xbd" "d\xef\xbf\xbd" "e");
	/* DEL is ignored; a lone ESC before a newline vanishes. */
	ONE_LINE("x\177y\033\n", "xy");
}

Test(vt, invalid_utf8)
{
	ONE_LINE("caf\xc3\xa9\n", "caf\xc3\xa9");
	ONE_LINE("a\xff" "b\n", "a\xef\xbf\xbd" "b");
	ONE_LINE("a\xc3" "b\n", "a\xef\xbf\xbd" "b");		/* truncated */
	ONE_LINE("a\xc0\xaf" "b\n", "a\xef\xbf\xbd\xef\xbf\xbd" "b");	/* overlong */
	ONE_LINE("a\xed\xa0\x80" "b\n", "a\xef\xbf\xbd" "b");	/* surrogate */
	ONE_LINE("a\xc2\x9b" "b\n", "a\xef\xbf\xbd" "b");		/* C1 CSI */
	ONE_LINE("\xf0\x9f\x98\x80\n", "\xf0\x9f\x98\x80");
}

Test(vt, wide_characters)
{
	struct got	 g;

	/* Wide characters take two columns: the tab stop and overwrites see it. */
	ONE_LINE("\xe6\x97\xa5\xe6\x9c\xac\tx\n", "\xe6\x97\xa5\xe6\x9c\xac    x");
	ONE_LINE("\xe6\x97\xa5\xe6\x9c\xac\rab\n", "ab\xe6\x9c\xac");
	ONE_LINE("\xe6\x97\xa5\xe6\x9c\xac\ra\n", "a \xe6\x9c\xac");
	ONE_LINE("ab\xe6\x97\xa5\033[2Dx\n", "abx");
	ONE_LINE("e\xcc\x81!\n", "e\xcc\x81!");	/* combining mark */
	g = parse("\xe6\x97\xa5\xe6\x9c\xac\n", 7);
	cr_assert_eq(line_width(g.l[0]), 4);
	got_free(&g);
}

Test(vt, trailing_blanks_trimmed)
{
	ONE_LINE("text   \t  \n", "text");
	ONE_LINE("\033[41mred \033[0m  \n", "red ");
}

Test(vt, current_line_shows_progress)
{
	struct vt	*vt = vt_new(0);
	struct got	 g = { NULL, 0, 0 };
	const struct line *cur;

	cr_assert_null(vt_current(vt));
	vt_feed(vt, "load 10%", 8, got_cb, &g);
	cur = vt_current(vt);
	cr_assert_not_null(cur);
	cr_assert_str_eq(cur->text, "load 10%");
	vt_feed(vt, "\rload 90%", 9, got_cb, &g);
	cr_assert_str_eq(vt_current(vt)->text, "load 90%");
	cr_assert_eq(g.n, 0);
	vt_feed(vt, "\r\n", 2, got_cb, &g);
	cr_assert_null(vt_current(vt));
	cr_assert_eq(g.n, 1);
	cr_assert_str_eq(g.l[0]->text, "load 90%");
	vt_flush(vt, got_cb, &g);
	cr_assert_eq(g.n, 1);		/* nothing pending: no empty line */
	vt_free(vt);
	got_free(&g);
}

/* Every way of splitting a sample across two feeds gives the same lines. */
Test(vt, split_sequences)
{
	const char	 s[] = "\033[1;38;2;255;128;0mhot\033[0m \xe2\x82\xac\033]0;t\033\\"
	    "\033Pq\033\\ok\r\033[Kdone \xf0\x9f\x98\x80\033[38:5:42mx\n";
	struct got	 ref = parse(s, sizeof s - 1);
	size_t		 cut, i;

	cr_assert_eq(ref.n, 1);
	cr_assert_str_eq(ref.l[0]->text, "done \xf0\x9f\x98\x80x");
	for (cut = 0; cut <= sizeof s - 1; cut++) {
		struct vt	*vt = vt_new(0);
		struct got	 g = { NULL, 0, 0 };

		vt_feed(vt, s, cut, got_cb, &g);
		vt_feed(vt, s + cut, sizeof s - 1 - cut, got_cb, &g);
		vt_flush(vt, got_cb, &g);
		cr_assert_eq(g.n, 1, "split at %zu", cut);
		cr_assert_str_eq(g.l[0]->text, ref.l[0]->text, "split at %zu", cut);
		cr_assert_eq(g.l[0]->nruns, ref.l[0]->nruns);
		for (i = 0; i < g.l[0]->nruns; i++) {
			cr_assert_eq(g.l[0]->runs[i].off, ref.l[0]->runs[i].off);
			cr_assert(line_attr_equal(&g.l[0]->runs[i].attr,
			    &ref.l[0]->runs[i].attr), "split at %zu", cut);
		}
		got_free(&g);
		vt_free(vt);
	}
	got_free(&ref);
}

/* 10 MB of random bytes: valid UTF-8 out, no control bytes, bounded lines. */
Test(vt, fuzz_random_bytes, .init = test_deadline_60)
{
	struct vt	*vt = vt_new(0);
	struct got	 g = { NULL, 0, 0 };
	unsigned char	 buf[4096];
	uint32_t	 x = 0x2545f491;
	size_t		 total, i, lines = 0;

	for (total = 0; total < 10 * 1024 * 1024; total += sizeof buf) {
		for (i = 0; i < sizeof buf; i++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			buf[i] = (unsigned char)x;
		}
		vt_feed(vt, buf, sizeof buf, got_cb, &g);
		for (i = 0; i < g.n; i++) {
			cr_assert(clean_utf8(g.l[i]->text, g.l[i]->len));
			cr_assert_eq(strlen(g.l[i]->text), g.l[i]->len);
			cr_assert_leq(line_width(g.l[i]), 4096 + 32);
		}
		lines += g.n;
		got_free(&g);
	}
	cr_assert_gt(lines, 1000);
	vt_free(vt);
}

/* A line that never ends keeps the first max_cols columns and says so. */
Test(vt, endless_line_is_cut, .init = test_deadline_30)
{
	struct vt	*vt = vt_new(100);
	struct got	 g = { NULL, 0, 0 };
	char		 buf[65536];
	size_t		 i;

	memset(buf, 'x', sizeof buf);
	for (i = 0; i < 160; i++)	/* 10 MB */
		vt_feed(vt, buf, sizeof buf, got_cb, &g);
	cr_assert_eq(g.n, 0);
	cr_assert_eq(vt_current(vt)->flags & LINE_TRUNCATED, LINE_TRUNCATED);
	vt_feed(vt, "\n", 1, got_cb, &g);
	cr_assert_eq(g.n, 1);
	cr_assert_eq(g.l[0]->flags & LINE_TRUNCATED, LINE_TRUNCATED);
	cr_assert_eq(strncmp(g.l[0]->text, buf, 100), 0);
	cr_assert_str_eq(g.l[0]->text + 100, " \xe2\x80\xa6[cut 10485660 bytes]");
	vt_feed(vt, "next\n", 5, got_cb, &g);
	cr_assert_str_eq(g.l[1]->text, "next");
	cr_assert_eq(g.l[1]->flags, 0);
	got_free(&g);
	vt_free(vt);
}

Test(vt, default_cap_is_4096_columns)
{
	struct vt	*vt = vt_new(0);
	struct got	 g = { NULL, 0, 0 };
	char		 buf[5000];

	memset(buf, 'y', sizeof buf);
	vt_feed(vt, buf, sizeof buf, got_cb, &g);
	vt_feed(vt, "\n", 1, got_cb, &g);
	cr_assert_eq(g.n, 1);
	cr_assert_str_eq(g.l[0]->text + 4096, " \xe2\x80\xa6[cut 904 bytes]");
	got_free(&g);
	vt_free(vt);
}

/* An escape sequence that never ends is abandoned; later output shows. */
Test(vt, endless_sequences_are_bounded, .init = test_deadline_30)
{
	static const char *const starts[] = { "\033[", "\033]0;", "\033P", "\033_" };
	char		 buf[65536];
	size_t		 k, i;

	for (k = 0; k < nitems(starts); k++) {
		struct vt	*vt = vt_new(0);
		struct got	 g = { NULL, 0, 0 };

		vt_feed(vt, starts[k], strlen(starts[k]), got_cb, &g);
		memset(buf, k == 0 ? '1' : 'z', sizeof buf);
		for (i = 0; i < 16; i++)	/* 1 MB */
			vt_feed(vt, buf, sizeof buf, got_cb, &g);
		vt_feed(vt, "\nvisible\n", 9, got_cb, &g);
		cr_assert_geq(g.n, 2, "%s", starts[k] + 1);
		cr_assert_str_eq(g.l[g.n - 1]->text, "visible");
		cr_assert_leq(g.l[g.n - 2]->len, 4096 + 40);
		got_free(&g);
		vt_free(vt);
	}
}

/* Random input made of the bytes escape sequences are made of. */
Test(vt, fuzz_escape_alphabet, .init = test_deadline_60)
{
	static const unsigned char alpha[] = "\033\033\033[[[]]P\\;;;::0123456789"
	    "mmKGCDXP@HJ?>\r\n\b\t\007\030aZ \xe6\x97\xa5\xcc\x81\xff\xc3\xa9";
	unsigned char	 buf[1024];
	uint32_t	 x = 12345;
	size_t		 total, i, k, cols[] = { 0, 40, 7 };

	for (k = 0; k < nitems(cols); k++) {
		struct vt	*vt = vt_new(cols[k]);
		struct got	 g = { NULL, 0, 0 };
		const struct line *cur;

		for (total = 0; total < 2 * 1024 * 1024; total += sizeof buf) {
			for (i = 0; i < sizeof buf; i++) {
				x ^= x << 13;
				x ^= x >> 17;
				x ^= x << 5;
				buf[i] = alpha[x % (sizeof alpha - 1)];
			}
			vt_feed(vt, buf, sizeof buf, got_cb, &g);
			if ((cur = vt_current(vt)) != NULL)
				cr_assert(clean_utf8(cur->text, cur->len));
			for (i = 0; i < g.n; i++) {
				cr_assert(clean_utf8(g.l[i]->text, g.l[i]->len));
				cr_assert_leq(line_width(g.l[i]),
				    (cols[k] ? cols[k] : 4096) + 32);
				if (g.l[i]->nruns > 0)
					cr_assert_eq(g.l[i]->runs[0].off, 0);
			}
			got_free(&g);
		}
		vt_free(vt);
	}
}

Test(vt, many_parameters)
{
	char	 s[400] = "\033[";
	size_t	 i;

	for (i = 0; i < 40; i++)
		strcat(s, "1;");
	strcat(s, "31mred\n");
	{
		struct got	 g = parse(s, strlen(s));

		cr_assert_str_eq(g.l[0]->text, "red");
		/* Parameters past the 32nd are dropped, not merged. */
		cr_assert_eq(line_attr_at(g.l[0], 0).flags, ATTR_BOLD);
		cr_assert_eq(line_attr_at(g.l[0], 0).fg, COLOUR_DEFAULT);
		got_free(&g);
	}
}

/* After EOF (a node restarting), nothing of the old output carries over. */
Test(vt, flush_resets_for_the_next_process)
{
	struct vt	*vt = vt_new(0);
	struct got	 g = { NULL, 0, 0 };

	vt_feed(vt, "\033[31mred and \033]0;unterminated", 29, got_cb, &g);
	vt_flush(vt, got_cb, &g);
	cr_assert_eq(g.n, 1);
	cr_assert_str_eq(g.l[0]->text, "red and");
	vt_feed(vt, "fresh\n", 6, got_cb, &g);
	cr_assert_eq(g.n, 2);
	cr_assert_str_eq(g.l[1]->text, "fresh");
	cr_assert_eq(line_attr_at(g.l[1], 0).fg, COLOUR_DEFAULT);
	got_free(&g);
	vt_free(vt);
}

/*
 * Output of real programs captured through a pty (script(1)): Elixir's
 * Logger, an iex session and git clone's \r progress.  Fed in odd-sized
 * chunks, as pty reads come.
 */
static struct got
parse_file(const char *name)
{
	char		*path = xasprintf("%s/%s", TEST_DATADIR, name);
	FILE		*f = fopen(path, "rb");
	char		 buf[65536];
	size_t		 n, off;
	struct vt	*vt = vt_new(0);
	struct got	 g = { NULL, 0, 0 };

	cr_assert_not_null(f, "%s", path);
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	for (off = 0; off < n; off += 37)
		vt_feed(vt, buf + off, n - off < 37 ? n - off : 37, got_cb, &g);
	vt_flush(vt, got_cb, &g);
	vt_free(vt);
	free(path);
	return g;
}

/* The texts of g's lines are exactly want[]. */
static void
same_lines(const struct got *g, const char *const *want, size_t n)
{
	size_t	 i;

	cr_assert_eq(g->n, n, "%zu lines, want %zu", g->n, n);
	for (i = 0; i < n; i++)
		cr_assert_str_eq(g->l[i]->text, want[i], "line %zu", i);
}

Test(vt, real_elixir_logger)
{
	static const char *const want[] = {
		"ok done FAIL", "",
		"11:15:26.433 [info] Running MyAppWeb.Endpoint with Cowboy using http://0.0.0.0:4000",
		"", "11:15:26.435 [warning] node superlearner2@vm not responding",
		"", "11:15:26.436 [error] GenServer MyApp.Cache terminating",
	};
	struct got	 g = parse_file("term-elixir-logger.out");

	same_lines(&g, want, nitems(want));
	cr_assert_eq(line_attr_at(g.l[0], 0).fg, COLOUR_PALETTE | 2);
	cr_assert_eq(line_attr_at(g.l[0], 2).fg, COLOUR_DEFAULT);
	cr_assert_eq(line_attr_at(g.l[0], 8).fg, COLOUR_PALETTE | 1);
	cr_assert_eq(line_attr_at(g.l[0], 8).flags, ATTR_BOLD);
	cr_assert_eq(line_attr_at(g.l[2], 0).fg, COLOUR_DEFAULT);
	cr_assert_eq(line_attr_at(g.l[4], 0).fg, COLOUR_PALETTE | 3);
	cr_assert_eq(line_attr_at(g.l[6], 30).fg, COLOUR_PALETTE | 1);
	got_free(&g);
}

Test(vt, real_iex_session)
{
	static const char *const want[] = {
		"Erlang/OTP 25 [erts-13.1.5] [source] [64-bit] [smp:2:2] [ds:2:2:10] [async-threads:1] [jit:ns]",
		"",
		"Interactive Elixir (1.14.0) - press Ctrl+C to exit (type h() ENTER for help)",
		"iex(1)> Enum.sum([1,2,3])", "6", "iex(2)> IO.puts(\"hi\")", "hi",
		":ok", "iex(3)> System.halt()",
	};
	struct got	 g = parse_file("term-iex.out");

	same_lines(&g, want, nitems(want));
	cr_assert_eq(line_attr_at(g.l[4], 0).fg, COLOUR_PALETTE | 3);
	cr_assert_eq(line_attr_at(g.l[7], 0).fg, COLOUR_PALETTE | 6);
	got_free(&g);
}

Test(vt, real_git_clone_progress)
{
	static const char *const want[] = {
		"Cloning into '/tmp/gclone'...",
		"remote: Enumerating objects: 368, done.",
		"remote: Counting objects: 100% (368/368), done.",
		"remote: Compressing objects: 100% (347/347), done.",
		"Receiving objects: 100% (368/368), 202.03 KiB | 5.05 MiB/s, done.",
		"remote: Total 368 (delta 157), reused 0 (delta 0), pack-reused 0",
		"Resolving deltas: 100% (157/157), done.",
	};
	struct got	 g = parse_file("term-git-clone.out");

	same_lines(&g, want, nitems(want));
	got_free(&g);
}

/* A random chunk of lifelike output: text, \r\n, SGR, UTF-8, controls. */
static size_t
random_output(char *buf, size_t cap, unsigned int *seed)
{
	static const char *const bits[] = {
		"\r\n", "\n", "\r", "\033[31m", "\033[0m", "\033[1;38;5;42m",
		"\033[38;2;1;2;3m", "\033[K", "\b", "\t", "\xe2\x82\xac",
		"\xf0\x9f\x98\x80", "\033]0;title\007", "\033[2J", "\xff",
	};
	size_t	 len = 0, n, k;

	while (len + 64 < cap) {
		if (rand_r(seed) % 4 == 0) {
			const char *b = bits[rand_r(seed) % nitems(bits)];

			memcpy(buf + len, b, strlen(b));
			len += strlen(b);
			continue;
		}
		n = 1 + rand_r(seed) % 40;
		for (k = 0; k < n; k++)
			buf[len++] = ' ' + rand_r(seed) % 95;
	}
	return len;
}

/*
 * Whole lines of plain ASCII take a fast path; output fed whole and fed
 * in 1-8 byte pieces must give the same lines, colours and flags.
 */
Test(vt, pieces_and_whole_agree, .init = test_deadline_60)
{
	unsigned int	 seed = 42;
	char		 buf[4096];
	size_t		 len, off, step, i, j;
	int		 round;

	for (round = 0; round < 2000; round++) {
		struct vt	*vt = vt_new(0);
		struct got	 g = { NULL, 0, 0 }, ref;

		len = random_output(buf, sizeof buf, &seed);
		ref = parse(buf, len);
		for (off = 0; off < len; off += step) {
			step = 1 + rand_r(&seed) % 8;
			if (step > len - off)
				step = len - off;
			vt_feed(vt, buf + off, step, got_cb, &g);
		}
		vt_flush(vt, got_cb, &g);
		cr_assert_eq(g.n, ref.n, "round %d: %zu lines, whole %zu",
		    round, g.n, ref.n);
		for (i = 0; i < g.n; i++) {
			cr_assert_str_eq(g.l[i]->text, ref.l[i]->text,
			    "round %d line %zu", round, i);
			cr_assert_eq(g.l[i]->flags, ref.l[i]->flags);
			cr_assert_eq(g.l[i]->nruns, ref.l[i]->nruns,
			    "round %d line %zu runs", round, i);
			for (j = 0; j < g.l[i]->nruns; j++) {
				cr_assert_eq(g.l[i]->runs[j].off,
				    ref.l[i]->runs[j].off);
				cr_assert(line_attr_equal(&g.l[i]->runs[j].attr,
				    &ref.l[i]->runs[j].attr));
			}
		}
		got_free(&g);
		got_free(&ref);
		vt_free(vt);
	}
}

/* Plain lines, as a plain taker gets them, into the same list (plain
   ones without runs, in their order with the others). */
static size_t	plain_most;	/* the most lines in one call */

static void
got_plain(void *arg, const struct vt_plain *p)
{
	struct got	*g = arg;
	struct line	*l;
	size_t		 i;

	cr_assert(p->n > 0 && p->n <= VT_PLAIN_MAX);
	cr_assert(p->time_ms > 0);
	if (p->n > plain_most)
		plain_most = p->n;
	for (i = 0; i < p->n; i++) {
		l = line_new(p->text[i], p->len[i], NULL, 0);
		l->time_ms = -1;	/* came plain */
		g->l = xreallocarray(g->l, g->n + 1, sizeof *g->l);
		g->l[g->n++] = l;
	}
}

/*
 * With a plain taker, lines of printable ASCII in default colours go to
 * it many at a time, every other line to the line callback: together,
 * in the same order, the lines a parser without one gives (a plain line
 * has no runs where the other has one of default attributes).  Output
 * fed whole and in pieces, with runs of plain lines longer than a batch.
 */
Test(vt, plain_taker_gets_the_same_lines, .init = test_deadline_60)
{
	unsigned int	 seed = 7;
	char		 buf[16384];
	size_t		 len, off, step, i, k, nplain;
	int		 round;

	for (round = 0, nplain = 0; round < 1000; round++) {
		struct vt	*vt = vt_new(round % 3 == 0 ? 50 : 0);
		struct got	 g = { NULL, 0, 0 }, ref = { NULL, 0, 0 };
		struct vt	*rvt = vt_new(round % 3 == 0 ? 50 : 0);

		len = random_output(buf, 4096, &seed);
		for (k = rand_r(&seed) % 200; k > 0; k--)
			len += (size_t)snprintf(buf + len, sizeof buf - len,
			    "line %zu of a flood  %s", k, k % 7 ? "\n" : "\r\n");
		len += random_output(buf + len, sizeof buf - len, &seed);
		vt_on_plain(vt, got_plain);
		for (off = 0; off < len; off += step) {
			step = round % 2 ? len : 1 + (size_t)rand_r(&seed) % 300;
			if (step > len - off)
				step = len - off;
			vt_feed(vt, buf + off, step, got_cb, &g);
			vt_feed(rvt, buf + off, step, got_cb, &ref);
		}
		vt_flush(vt, got_cb, &g);
		vt_flush(rvt, got_cb, &ref);
		cr_assert_eq(g.n, ref.n, "round %d: %zu lines, %zu without",
		    round, g.n, ref.n);
		for (i = 0; i < g.n; i++) {
			cr_assert_str_eq(g.l[i]->text, ref.l[i]->text,
			    "round %d line %zu", round, i);
			cr_assert_eq(g.l[i]->len, ref.l[i]->len);
			cr_assert_eq(g.l[i]->flags, ref.l[i]->flags);
			if (g.l[i]->time_ms != -1)
				continue;
			nplain++;
			cr_assert(ref.l[i]->nruns == 0 ||
			    (ref.l[i]->nruns == 1 && line_attr_equal(
			    &ref.l[i]->runs[0].attr, &(struct attr){ 0, 0, 0 })),
			    "round %d line %zu came plain", round, i);
		}
		got_free(&g);
		got_free(&ref);
		vt_free(vt);
		vt_free(rvt);
	}
	cr_assert_gt(nplain, 10000, "%zu plain lines", nplain);
	cr_assert_eq(plain_most, VT_PLAIN_MAX);
}

/*
 * A flood of plain lines of every length from none to past the cap, in
 * one buffer (so that lines start at every offset of the 64 bytes the
 * plain way looks at once), ended by \n or \r\n: each line under the
 * cap comes to the plain taker, whole and trimmed, in order; a longer
 * one comes cut (and marked so) to the line callback, in its place.
 */
Test(vt, flood_lines_of_every_length_come_plain)
{
	static char	 buf[65536];
	char		 want[128];
	size_t		 len = 0, i, n, k, cols = 100;
	unsigned int	 seed = 11;
	struct vt	*vt = vt_new(cols);
	struct got	 g = { NULL, 0, 0 };

	for (n = 0; n < 400; n++) {
		k = n % 121;		/* 0 .. cols + 20 */
		for (i = 0; i < k; i++)
			buf[len++] = i + 1 == k && n % 5 == 0 ? ' ' :
			    (char)('!' + rand_r(&seed) % 94);
		if (n % 3 == 0)
			buf[len++] = '\r';
		buf[len++] = '\n';
	}
	vt_on_plain(vt, got_plain);
	vt_feed(vt, buf, len, got_cb, &g);
	vt_flush(vt, got_cb, &g);
	cr_assert_eq(g.n, 400, "%zu lines", g.n);
	for (n = 0, len = 0; n < 400; n++) {
		k = n % 121;
		memcpy(want, buf + len, k);
		len += k + (n % 3 == 0) + 1;
		if (k > cols) {
			cr_assert(g.l[n]->flags & LINE_TRUNCATED, "line %zu", n);
			cr_assert_eq(strncmp(g.l[n]->text, want, cols), 0,
			    "line %zu: %s", n, g.l[n]->text);
			cr_assert_neq(g.l[n]->time_ms, -1,
			    "line %zu (%zu bytes) came plain", n, k);
			continue;
		}
		i = k;
		while (i > 0 && want[i - 1] == ' ')
			i--;
		want[i] = '\0';
		cr_assert_str_eq(g.l[n]->text, want, "line %zu", n);
		cr_assert_eq(g.l[n]->time_ms, -1,
		    "line %zu (%zu bytes) did not come plain", n, k);
	}
	got_free(&g);
	vt_free(vt);
}

/* The lines of s fed one byte at a time: no scan of more than a byte. */
static struct got
parse_bytes(const char *s, size_t len)
{
	struct vt	*vt = vt_new(0);
	struct got	 g = { NULL, 0, 0 };
	size_t		 i;

	for (i = 0; i < len; i++)
		vt_feed(vt, s + i, 1, got_cb, &g);
	vt_flush(vt, got_cb, &g);
	vt_free(vt);
	return g;
}

/*
 * Printable ASCII is scanned 16 and 8 bytes at a time: a byte that ends
 * the run (controls, DEL, C1 and UTF-8 bytes, the edges of the printable
 * range) at every offset of a word must stop it exactly where a byte
 * loop does.
 */
Test(vt, ascii_scan_stops_at_every_offset)
{
	static const unsigned char stops[] = {
		0x00, 0x08, 0x0a, 0x0d, 0x1b, 0x1f, 0x7f, 0x80, 0x9f, 0xa0,
		0xc3, 0xe2, 0xfe, 0xff,
	};
	char		 buf[128];
	size_t		 pos, k, i, len;

	for (k = 0; k < nitems(stops); k++) {
		for (pos = 0; pos < 70; pos++) {
			struct got	 whole, bytes;

			for (i = 0; i < 100; i++)
				buf[i] = (char)(0x20 + (i * 7 + pos) % 95);
			buf[pos] = (char)stops[k];
			if (stops[k] == 0xc3)		/* a whole character */
				buf[pos + 1] = (char)0xa9;
			memcpy(buf + 100, "\r\n~ \n", 5);
			/* Long: the 16-byte scan finds the stop; short (the
			   stop ends the input): the 8-byte and byte scans do. */
			for (len = 105; len > 0; len = len == 105 ? pos + 1 : 0) {
				whole = parse(buf, len);
				bytes = parse_bytes(buf, len);
				cr_assert_eq(whole.n, bytes.n, "0x%02x at %zu",
				    stops[k], pos);
				for (i = 0; i < whole.n; i++)
					cr_assert_str_eq(whole.l[i]->text,
					    bytes.l[i]->text, "0x%02x at %zu, "
					    "line %zu", stops[k], pos, i);
				got_free(&whole);
				got_free(&bytes);
			}
		}
	}
}

/* Whole lines about max_cols long, in one read: the fast path keeps a
   line of max_cols, and cuts one byte longer as the slow path does. */
Test(vt, lines_at_the_column_cap)
{
	static const size_t lens[] = { 99, 100, 101, 102, 116, 117, 300 };
	struct vt	*vt = vt_new(100);
	struct got	 g = { NULL, 0, 0 };
	char		 buf[2048], want[160];
	size_t		 k, len = 0;

	for (k = 0; k < nitems(lens); k++) {
		memset(buf + len, 'a' + (int)k, lens[k]);
		len += lens[k];
		memcpy(buf + len, "\r\n", 2);
		len += 2;
	}
	vt_feed(vt, buf, len, got_cb, &g);
	cr_assert_eq(g.n, nitems(lens));
	for (k = 0; k < nitems(lens); k++) {
		memset(want, 'a' + (int)k, 100);
		if (lens[k] <= 100) {
			want[lens[k]] = '\0';
			cr_assert_eq(g.l[k]->flags, 0);
		} else {
			snprintf(want + 100, sizeof want - 100,
			    " \xe2\x80\xa6[cut %zu bytes]", lens[k] - 100);
			cr_assert_eq(g.l[k]->flags, LINE_TRUNCATED);
		}
		cr_assert_str_eq(g.l[k]->text, want, "line of %zu", lens[k]);
	}
	got_free(&g);
	vt_free(vt);
}

/* Inserts (ICH) one after another at one column, as a run of them is
   done at once: the same line as one by one, wide characters kept
   whole or blanked, the line's cap kept. */
Test(vt, inserts_in_a_row)
{
	ONE_LINE("abcdef\r\x1b[2@\x1b[@X\n", "X  abcdef");
	ONE_LINE("abcdef\x1b[3G\x1b[2@\x1b[3@|\n", "ab|    cdef");
	ONE_LINE("ab\xe6\x97\xa5" "cd\x1b[4G\x1b[2@\n", "ab    cd");
	ONE_LINE("ab\xe6\x97\xa5" "cd\x1b[3G\x1b[@\x1b[@\n", "ab  \xe6\x97\xa5" "cd");
	ONE_LINE("abc\r\x1b[@\x1b[D\x1b[@x\n", "x abc");
	ONE_LINE("abc\x1b[9G\x1b[2@\n", "abc");
}

/* A line of 4096 columns with "CSI @" after "CSI @": each insert moved
   the whole line and scanned it for split wide characters (0.3 MB/s,
   issue #12); now a run of them costs one move. */
Test(vt, many_inserts_on_a_long_line_are_cheap, .init = test_deadline_30)
{
	struct vt	*vt = vt_new(0);
	struct got	 g = { NULL, 0, 0 };
	char		*buf = xmalloc(4097), *ich = xmalloc(3 * 4096);
	int64_t		 t0;
	int		 i;

	memset(buf, 'x', 4096);
	buf[4096] = '\r';
	for (i = 0; i < 4096; i++)
		memcpy(ich + 3 * i, "\x1b[@", 3);
	t0 = now_ms();
	vt_feed(vt, buf, 4097, got_cb, &g);
	for (i = 0; i < 256; i++)	/* 3 MB */
		vt_feed(vt, ich, 3 * 4096, got_cb, &g);
	vt_feed(vt, "y\n", 2, got_cb, &g);
	cr_assert_lt(now_ms() - t0, 1000, "3 MB of CSI @ took %lld ms",
	    (long long)(now_ms() - t0));
	cr_assert_eq(g.n, 1);
	cr_assert_str_eq(g.l[0]->text, "y");
	got_free(&g);
	vt_free(vt);
	free(buf);
	free(ich);
}
