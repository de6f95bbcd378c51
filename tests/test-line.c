/*
 * Tests of lines: copies of text and runs, attributes by offset, display
 * width of UTF-8 text and the byte size the scrollback counts.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "nodemux/line.h"

Test(line, new_copies_text_and_runs)
{
	char		 text[] = "hello world";
	struct attr_run	 runs[2] = {
		{ 0, { COLOUR_PALETTE | 1, COLOUR_DEFAULT, ATTR_BOLD } },
		{ 6, { COLOUR_DEFAULT, COLOUR_RGB | 0x102030, 0 } },
	};
	struct line	*l = line_new(text, 11, runs, 2);

	text[0] = 'X';
	runs[0].attr.fg = 0;
	cr_assert_str_eq(l->text, "hello world");
	cr_assert_eq(l->len, 11);
	cr_assert_eq(l->nruns, 2);
	cr_assert_eq(line_attr_at(l, 0).fg, COLOUR_PALETTE | 1);
	cr_assert_eq(line_attr_at(l, 5).flags, ATTR_BOLD);
	cr_assert_eq(line_attr_at(l, 6).bg, COLOUR_RGB | 0x102030);
	cr_assert_eq(line_attr_at(l, 10).bg, COLOUR_RGB | 0x102030);
	cr_assert_eq(l->seq, 0);
	cr_assert_eq(l->node, 0);
	cr_assert_eq(line_size(l), sizeof *l + 12 + 2 * sizeof (struct attr_run));
	line_free(l);
	line_free(NULL);
}

Test(line, dup_copies_everything)
{
	struct attr_run	 runs[2] = {
		{ 0, { COLOUR_PALETTE | 1, COLOUR_DEFAULT, ATTR_BOLD } },
		{ 3, { COLOUR_DEFAULT, COLOUR_RGB | 0x102030, 0 } },
	};
	char		 text[] = "abcdef";
	struct line	 lent = { 42, 1234567, 3, LINE_TRUNCATED, 6, 2, text, runs };
	struct line	*d = line_dup(&lent);

	text[0] = 'X';
	runs[1].attr.bg = 0;
	cr_assert_str_eq(d->text, "abcdef");
	cr_assert_eq(d->seq, 42);
	cr_assert_eq(d->time_ms, 1234567);
	cr_assert_eq(d->node, 3);
	cr_assert_eq(d->flags, LINE_TRUNCATED);
	cr_assert_eq(d->nruns, 2);
	cr_assert_eq(line_attr_at(d, 4).bg, COLOUR_RGB | 0x102030);
	cr_assert_eq(line_size(d), line_size(&lent));
	line_free(d);
}

Test(line, no_runs_means_default)
{
	struct line	*l = line_new("abc", 3, NULL, 0);
	struct attr	 a = line_attr_at(l, 1);

	cr_assert_eq(a.fg, COLOUR_DEFAULT);
	cr_assert_eq(a.bg, COLOUR_DEFAULT);
	cr_assert_eq(a.flags, 0);
	line_free(l);
}

Test(line, attr_lookup_over_many_runs)
{
	struct attr_run	 runs[100];
	struct line	*l;
	char		 text[300];
	size_t		 i;

	memset(text, 'a', sizeof text);
	for (i = 0; i < 100; i++) {
		runs[i].off = (uint32_t)(i * 3);
		runs[i].attr.fg = COLOUR_PALETTE | (uint32_t)i;
		runs[i].attr.bg = COLOUR_DEFAULT;
		runs[i].attr.flags = 0;
	}
	l = line_new(text, sizeof text, runs, 100);
	for (i = 0; i < 300; i++)
		cr_assert_eq(line_attr_at(l, i).fg, COLOUR_PALETTE | (i / 3));
	line_free(l);
}

Test(line, widths)
{
	struct line	*l;

	cr_assert_eq(line_cp_width('a'), 1);
	cr_assert_eq(line_cp_width(0xe9), 1);		/* é */
	cr_assert_eq(line_cp_width(0x301), 0);		/* combining acute */
	cr_assert_eq(line_cp_width(0x65e5), 2);		/* 日 */
	cr_assert_eq(line_cp_width(0xac00), 2);		/* 가 */
	cr_assert_eq(line_cp_width(0xff21), 2);		/* fullwidth A */
	cr_assert_eq(line_cp_width(0x1f600), 2);	/* 😀 */
	cr_assert_eq(line_cp_width(0x2500), 1);		/* ─ */
	l = line_new("a\xe6\x97\xa5" "e\xcc\x81", 7, NULL, 0);
	cr_assert_eq(line_width(l), 4);
	line_free(l);
}

Test(line, utf8_decode)
{
	uint32_t	 cp;

	cr_assert_eq(line_utf8_decode("A", 1, &cp), 1);
	cr_assert_eq(cp, 'A');
	cr_assert_eq(line_utf8_decode("\xe2\x82\xac", 3, &cp), 3);
	cr_assert_eq(cp, 0x20ac);
	cr_assert_eq(line_utf8_decode("\xf0\x9f\x98\x80", 4, &cp), 4);
	cr_assert_eq(cp, 0x1f600);
	cr_assert_eq(line_utf8_decode("\xe2\x82", 2, &cp), 1);
	cr_assert_eq(cp, 0xfffd);
	cr_assert_eq(line_utf8_decode("\xff", 1, &cp), 1);
	cr_assert_eq(cp, 0xfffd);
}
