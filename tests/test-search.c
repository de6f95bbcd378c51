/*
 * Tests of search: smart case, invalid patterns, UTF-8, colours not
 * breaking matches, counting, highlighting ranges, empty-match patterns
 * and n/N across several nodes' scrollbacks.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "nodemux/line.h"
#include "nodemux/scrollback.h"
#include "nodemux/search.h"
#include "nodemux/util.h"
#include "nodemux/vt.h"

#include "testlib.h"

/* A line read back from a scrollback (a view into it). */
static struct line sbv;

/* Compile or fail the test. */
static struct search *
compile(const char *pat, int flags)
{
	char		*err = NULL;
	struct search	*s = search_compile(pat, flags, &err);

	cr_assert_not_null(s, "%s: %s", pat, err);
	return s;
}

/* Does pat (smart case) match text? */
static int
matches(const char *pat, const char *text)
{
	struct search	*s = compile(pat, SEARCH_SMARTCASE);
	int		 m = search_test(s, text, strlen(text));

	search_free(s);
	return m;
}

/* Push what the parser makes of out into sb. */
static void
to_sb(void *arg, struct line *l)
{
	scrollback_push(arg, l);
}

static void
feed(struct scrollback *sb, const char *out)
{
	struct vt	*vt = vt_new(0);

	vt_feed(vt, out, strlen(out), to_sb, sb);
	vt_free(vt);
}

Test(search, smart_case)
{
	cr_assert(matches("error", "ERROR: disk"));
	cr_assert(matches("error", "Error"));
	cr_assert_not(matches("Error", "ERROR: disk"));
	cr_assert(matches("Error", "an Error"));
	/* Escapes such as \S and \W are not upper-case letters. */
	cr_assert(matches("\\Sarted", "STARTED"));
	cr_assert(matches("(?<Name>ok)", "OK"));
	cr_assert(matches("caf\xc3\xa9", "CAF\xc3\x89"));
	cr_assert_not(matches("CAF\xc3\x89", "caf\xc3\xa9"));
}

Test(search, case_sensitive_without_smart_case)
{
	struct search	*s = compile("ready", 0);

	cr_assert_not(search_test(s, "READY", 5));
	cr_assert_not(search_caseless(s));
	search_free(s);
	s = compile("ready", SEARCH_CASELESS);
	cr_assert(search_test(s, "READY", 5));
	search_free(s);
}

Test(search, invalid_patterns)
{
	char	*err = NULL;

	cr_assert_null(search_compile("(abc", SEARCH_SMARTCASE, &err));
	cr_assert_str_eq(err, "missing closing parenthesis at offset 4");
	free(err);
	err = NULL;
	cr_assert_null(search_compile("a[b", 0, &err));
	cr_assert_str_eq(err, "missing terminating ] for character class at offset 3");
	free(err);
	err = NULL;
	cr_assert_null(search_compile("x**+?{", 0, &err));
	cr_assert(strstr(err, " at offset ") != NULL, "%s", err);
	free(err);
}

Test(search, literal_smart_case)
{
	struct search	*s = compile("a\\S", SEARCH_LITERAL | SEARCH_SMARTCASE);

	cr_assert(search_test(s, "a\\S", 3));
	cr_assert_not(search_test(s, "a\\s", 3));	/* S is a letter here */
	search_free(s);
	s = compile("a\\d", SEARCH_LITERAL | SEARCH_SMARTCASE);
	cr_assert(search_test(s, "A\\D", 3));
	search_free(s);
}

Test(search, invalid_utf8_pattern)
{
	char	*err = NULL;

	cr_assert_null(search_compile("ab\xff", SEARCH_SMARTCASE, &err));
	cr_assert(strstr(err, "UTF-8 error") != NULL, "%s", err);
	cr_assert(strstr(err, "at offset 2") != NULL, "%s", err);
	free(err);
}

Test(search, literal)
{
	struct search	*s = compile("a.b(", SEARCH_LITERAL);

	cr_assert(search_test(s, "x a.b( y", 8));
	cr_assert_not(search_test(s, "axb(", 4));
	search_free(s);
}

Test(search, utf8)
{
	struct search		*s = compile("\xe6\x97\xa5.", SEARCH_SMARTCASE);
	const char		*t = "a\xe6\x97\xa5\xe6\x9c\xac b";
	size_t			 a, b;

	cr_assert(search_match(s, t, strlen(t), 0, &a, &b));
	cr_assert_eq(a, 1);
	cr_assert_eq(b, 7);	/* . takes one whole character */
	search_free(s);
}

Test(search, colours_do_not_break_matches)
{
	struct scrollback	*sb = scrollback_new(100, 0);
	struct search		*s = compile("connection refused", SEARCH_SMARTCASE);
	struct search_range	 r[4];
	const struct line	*l;

	feed(sb, "\033[1mconn\033[31mection\033[0m \033[4mrefused\033[0m!\r\n");
	l = scrollback_get(sb, 0, &sbv);
	cr_assert_str_eq(l->text, "connection refused!");
	cr_assert_eq(search_ranges(s, l->text, l->len, r, 4), 1);
	cr_assert_eq(r[0].start, 0);
	cr_assert_eq(r[0].end, 18);
	cr_assert_eq(search_count_scrollback(s, sb), 1);
	search_free(s);
	scrollback_free(sb);
}

Test(search, ranges_and_counts)
{
	struct search		*s = compile("o+", SEARCH_SMARTCASE);
	struct search_range	 r[2];
	const char		*t = "foo boo zoo";

	cr_assert_eq(search_ranges(s, t, strlen(t), r, 2), 3);	/* more than max */
	cr_assert_eq(r[0].start, 1);
	cr_assert_eq(r[0].end, 3);
	cr_assert_eq(r[1].start, 5);
	cr_assert_eq(r[1].end, 7);
	cr_assert_eq(search_ranges(s, t, strlen(t), NULL, 0), 3);
	search_free(s);
}

Test(search, empty_matches_end, .init = test_deadline_10)
{
	struct line	*l = line_new("abc", 3, NULL, 0);
	struct line	*e = line_new("", 0, NULL, 0);
	struct search	*s;
	size_t		 a, b;

	s = compile("^", 0);
	cr_assert_eq(search_count_line(s, l), 1);
	cr_assert_eq(search_count_line(s, e), 1);
	cr_assert_eq(search_ranges(s, l->text, l->len, NULL, 0), 0);
	search_free(s);
	s = compile("x*", 0);
	cr_assert_eq(search_count_line(s, l), 4);	/* before a, b, c and at end */
	search_free(s);
	s = compile("b*", 0);
	cr_assert_eq(search_count_line(s, l), 4);	/* "", "b", "", "" */
	cr_assert(search_match(s, l->text, l->len, 1, &a, &b));
	cr_assert_eq(a, 1);
	cr_assert_eq(b, 2);
	search_free(s);
	s = compile("$|\xc3\xa9*", 0);
	line_free(l);
	l = line_new("\xc3\xa9t\xc3\xa9", 5, NULL, 0);
	cr_assert_eq(search_ranges(s, l->text, l->len, NULL, 0), 2);
	search_free(s);
	line_free(l);
	line_free(e);
}

Test(search, pathological_pattern_ends, .init = test_deadline_20)
{
	char		 buf[4001];
	struct search	*s = compile("(a+)+$", 0);

	memset(buf, 'a', 4000);
	buf[4000] = 'b';
	cr_assert_not(search_test(s, buf, sizeof buf));
	search_free(s);
}

/* A quoted string with escapes across a long line: PCRE2 JIT's own
   32 KiB stack ran out a few KB in (error -46), which was no match. */
Test(search, quoted_string_on_long_lines)
{
	static const size_t	 lens[] = { 100, 3000, 20000, 60000 };
	struct search		*s = compile("\"(\\\\.|[^\"])*\"", 0);
	struct strbuf		 sb = STRBUF_INIT;
	size_t			 a, b;

	for (size_t k = 0; k < sizeof lens / sizeof *lens; k++) {
		strbuf_reset(&sb);
		strbuf_adds(&sb, "msg = \"");
		while (sb.len < lens[k])
			strbuf_adds(&sb, "ab\\\"c ");
		strbuf_adds(&sb, "\" end");
		cr_assert(search_match(s, sb.buf, sb.len, 0, &a, &b),
		    "no match in a line of %zu bytes", sb.len);
		cr_assert_eq(a, 6);
		cr_assert_eq(b, sb.len - 4);
		cr_assert_eq(search_ranges(s, sb.buf, sb.len, NULL, 0), 1);
	}
	cr_assert_eq(search_errors(s, NULL), 0);
	strbuf_free(&sb);
	search_free(s);
}

/* A pattern that stays under the match limit on each attempt but makes
   thousands of them on a 4096-column line: the call stops at its time
   budget and says a limit was hit, instead of taking seconds or
   passing for no match. */
Test(search, costly_pattern_is_bounded_and_reported, .init = test_deadline_20)
{
	char		 buf[4096];
	struct search	*s = compile("(?:(?:a|a){1,14}b)?", 0);
	const char	*what;
	int64_t		 t0;

	memset(buf, 'a', sizeof buf);
	cr_assert_eq(search_errors(s, &what), 0);
	cr_assert_null(what);
	t0 = now_ms();
	search_ranges(s, buf, sizeof buf, NULL, 0);
	search_count_line(s, &(struct line){ .text = buf, .len = sizeof buf });
	cr_assert_lt(now_ms() - t0, 2000, "took %lld ms",
	    (long long)(now_ms() - t0));
	cr_assert_geq(search_errors(s, &what), 1);
	cr_assert_not_null(what);
	cr_assert(strstr(what, "limit") != NULL, "%s", what);
	search_clear_errors(s);
	cr_assert_eq(search_errors(s, NULL), 0);
	/* An ordinary line still matches once the count is cleared. */
	cr_assert(search_test(s, "ab", 2));
	search_free(s);
}

/* Three nodes' scrollbacks with lines interleaved by seq. */
static void
three_nodes(struct scrollback *sb[3])
{
	static const char *const text[] = {
		"boot", "listening", "ERROR one", "error two", "tick",
		"tick", "tick", "Error three", "done", "tick",
	};
	uint64_t	 seq;

	for (int k = 0; k < 3; k++)
		sb[k] = scrollback_new(100, 0);
	for (seq = 1; seq <= 10; seq++) {
		struct line	*l = line_new(text[seq - 1], strlen(text[seq - 1]),
		    NULL, 0);

		l->seq = seq;
		l->node = (int)(seq % 3) + 1;
		scrollback_push(sb[seq % 3], l);
		line_free(l);
	}
}

Test(search, count_and_lines_per_node)
{
	struct scrollback	*sb[3];
	struct search		*s = compile("error|tick", SEARCH_SMARTCASE);

	three_nodes(sb);
	/* By seq % 3: sb[0] has ERROR one, tick, done; sb[1] boot, error
	   two, tick, tick; sb[2] listening, tick, Error three. */
	cr_assert_eq(search_count_scrollback(s, sb[0]), 2);
	cr_assert_eq(search_count_scrollback(s, sb[1]), 3);
	cr_assert_eq(search_lines_scrollback(s, sb[2]), 2);
	/* sb[1]: boot, error two, tick, tick; a range past the end stops
	   at it. */
	cr_assert_eq(search_lines_range(s, sb[1], 0, 1), 0);
	cr_assert_eq(search_lines_range(s, sb[1], 0, 2), 1);
	cr_assert_eq(search_lines_range(s, sb[1], 2, 4), 2);
	cr_assert_eq(search_lines_range(s, sb[1], 1, (size_t)-1), 3);
	cr_assert_eq(search_lines_range(s, sb[1], 4, 9), 0);
	for (int k = 0; k < 3; k++)
		scrollback_free(sb[k]);
	search_free(s);
}

Test(search, next_and_previous_across_nodes)
{
	struct scrollback	*sb[3];
	struct search		*s = compile("error", SEARCH_SMARTCASE);
	struct search_hit	 h;

	three_nodes(sb);
	cr_assert_eq(search_next(s, sb, 3, 0, SEARCH_FORWARD, &h), 1);
	cr_assert_eq(h.seq, 3);
	cr_assert_eq(h.which, 0);
	cr_assert_str_eq(scrollback_get(sb[h.which], h.index, &sbv)->text, "ERROR one");
	cr_assert_eq(search_next(s, sb, 3, h.seq, SEARCH_FORWARD, &h), 1);
	cr_assert_eq(h.seq, 4);
	cr_assert_eq(h.which, 1);
	cr_assert_eq(h.index, 1);
	cr_assert_eq(search_next(s, sb, 3, h.seq, SEARCH_FORWARD, &h), 1);
	cr_assert_eq(h.seq, 8);
	cr_assert_eq(h.which, 2);
	cr_assert_eq(h.index, 2);
	/* Past the last match: wraps to the first. */
	cr_assert_eq(search_next(s, sb, 3, h.seq, SEARCH_FORWARD, &h), 2);
	cr_assert_eq(h.seq, 3);
	/* Backward from the first wraps to the last. */
	cr_assert_eq(search_next(s, sb, 3, 3, SEARCH_BACKWARD, &h), 2);
	cr_assert_eq(h.seq, 8);
	cr_assert_eq(search_next(s, sb, 3, 8, SEARCH_BACKWARD, &h), 1);
	cr_assert_eq(h.seq, 4);
	cr_assert_eq(search_next(s, sb, 3, UINT64_MAX, SEARCH_BACKWARD, &h), 1);
	cr_assert_eq(h.seq, 8);
	search_free(s);

	s = compile("listening", SEARCH_SMARTCASE);
	cr_assert_eq(search_next(s, sb, 3, 2, SEARCH_FORWARD, &h), 2);
	cr_assert_eq(h.seq, 2);		/* the only match: itself, wrapped */
	cr_assert_eq(h.which, 2);
	search_free(s);
	s = compile("nowhere", SEARCH_SMARTCASE);
	cr_assert_eq(search_next(s, sb, 3, 0, SEARCH_FORWARD, &h), 0);
	cr_assert_eq(search_next(s, sb, 3, 5, SEARCH_BACKWARD, &h), 0);
	search_free(s);
	for (int k = 0; k < 3; k++)
		scrollback_free(sb[k]);
}

Test(search, next_skips_missing_and_empty_scrollbacks)
{
	struct scrollback	*sb[4] = { NULL, scrollback_new(10, 0), NULL, NULL };
	struct search		*s = compile("x", 0);
	struct search_hit	 h;
	struct line		*l = line_new("x", 1, NULL, 0);

	sb[2] = scrollback_new(10, 0);
	l->seq = 7;
	scrollback_push(sb[2], l);
	line_free(l);
	cr_assert_eq(search_next(s, sb, 4, 0, SEARCH_FORWARD, &h), 1);
	cr_assert_eq(h.which, 2);
	cr_assert_eq(h.index, 0);
	scrollback_free(sb[1]);
	scrollback_free(sb[2]);
	search_free(s);
}

/* Lines are matched whole, however a pane wraps them. */
Test(search, match_across_wrapped_lines)
{
	char			 text[301];
	struct search		*s = compile("boundary match", SEARCH_SMARTCASE);
	struct search_range	 r;

	memset(text, '.', 300);
	memcpy(text + 73, "boundary match", 14);	/* crosses column 80 */
	text[300] = '\0';
	cr_assert_eq(search_ranges(s, text, 300, &r, 1), 1);
	cr_assert_eq(r.start, 73);
	cr_assert_eq(r.end, 87);
	search_free(s);
}

Test(search, unicode_classes)
{
	cr_assert(matches("^\\w+$", "caf\xc3\xa9"));
	cr_assert(matches("^\\w+$", "CAF\xc3\x89"));
	cr_assert_not(matches("^\\d+$", "12a"));
}

Test(search, merged_tail_across_nodes)
{
	struct scrollback	*sb[3];
	struct search		*s = compile("tick|error", SEARCH_SMARTCASE);
	struct search_hit	 h[20];

	three_nodes(sb);
	/* Every line, newest first, whichever node it came from. */
	cr_assert_eq(search_tail(NULL, sb, 3, UINT64_MAX, h, 20), 10);
	for (int i = 0; i < 10; i++) {
		cr_assert_eq(h[i].seq, 10 - (uint64_t)i);
		cr_assert_eq(h[i].which, (10 - (size_t)i) % 3);
		cr_assert_eq(scrollback_get(sb[h[i].which], h[i].index, &sbv)->seq,
		    h[i].seq);
	}
	/* A page of 3 before seq 8. */
	cr_assert_eq(search_tail(NULL, sb, 3, 8, h, 3), 3);
	cr_assert_eq(h[0].seq, 7);
	cr_assert_eq(h[2].seq, 5);
	/* Filtered: tick at 5, 6, 7, 10; error at 3, 4, 8. */
	cr_assert_eq(search_tail(s, sb, 3, UINT64_MAX, h, 20), 7);
	cr_assert_eq(h[0].seq, 10);
	cr_assert_eq(h[1].seq, 8);
	cr_assert_eq(h[6].seq, 3);
	/* One node alone: a pane in filter mode. */
	cr_assert_eq(search_tail(s, &sb[2], 1, UINT64_MAX, h, 20), 2);
	cr_assert_eq(h[0].seq, 8);
	cr_assert_eq(h[1].seq, 5);
	search_free(s);
	for (int k = 0; k < 3; k++)
		scrollback_free(sb[k]);
}

/* Random patterns: each compiles or says why, and matching always ends
   with ranges inside the text, in order. */
Test(search, random_patterns, .init = test_deadline_60)
{
	static const char alpha[] = "ab.*+?|()[]{}^$\\dwsSW1,-xX\xc3\xa9";
	const char	*text = "xx ab1 a-b WW \xc3\xa9t\xc3\xa9 {a,b} ((x)) $ ^";
	size_t		 tlen = strlen(text), i, j, n, len;
	uint32_t	 x = 777;
	int		 compiled = 0;

	for (i = 0; i < 20000; i++) {
		char			 pat[12], *err = NULL;
		struct search		*s;
		struct search_range	 r[64];

		len = 1 + i % (sizeof pat - 1);
		for (j = 0; j < len; j++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			pat[j] = alpha[x % (sizeof alpha - 1)];
		}
		pat[len] = '\0';
		if ((s = search_compile(pat, SEARCH_SMARTCASE, &err)) == NULL) {
			cr_assert(strstr(err, " at offset ") != NULL, "%s", err);
			free(err);
			continue;
		}
		compiled++;
		n = search_ranges(s, text, tlen, r, nitems(r));
		for (j = 0; j < n && j < nitems(r); j++) {
			cr_assert_lt(r[j].start, r[j].end);
			cr_assert_leq(r[j].end, tlen);
			if (j > 0)
				cr_assert_geq(r[j].start, r[j - 1].end);
		}
		cr_assert_leq(n, tlen + 1);
		search_free(s);
	}
	cr_assert_gt(compiled, 1000);
}
