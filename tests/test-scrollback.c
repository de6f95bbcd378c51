/*
 * Tests of the scrollback ring: what stays when the line or byte cap is
 * hit, access by index and by seq, and clearing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "nodemux/line.h"
#include "nodemux/scrollback.h"

/* A line "line N" with seq N. */
static struct line *
mkline(unsigned n)
{
	char		 buf[32];
	int		 len = snprintf(buf, sizeof buf, "line %u", n);
	struct line	*l = line_new(buf, (size_t)len, NULL, 0);

	l->seq = n;
	return l;
}

Test(scrollback, keeps_lines_in_order)
{
	struct scrollback	*sb = scrollback_new(100, 0);
	unsigned		 i;

	cr_assert_eq(scrollback_count(sb), 0);
	cr_assert_null(scrollback_get(sb, 0));
	for (i = 1; i <= 70; i++)
		scrollback_push(sb, mkline(i));
	cr_assert_eq(scrollback_count(sb), 70);
	cr_assert_str_eq(scrollback_get(sb, 0)->text, "line 1");
	cr_assert_str_eq(scrollback_get(sb, 69)->text, "line 70");
	cr_assert_null(scrollback_get(sb, 70));
	cr_assert_eq(scrollback_dropped(sb), 0);
	scrollback_free(sb);
}

Test(scrollback, line_cap_drops_oldest)
{
	struct scrollback	*sb = scrollback_new(1000, 0);
	unsigned		 i;

	for (i = 1; i <= 25000; i++)
		scrollback_push(sb, mkline(i));
	cr_assert_eq(scrollback_count(sb), 1000);
	cr_assert_eq(scrollback_dropped(sb), 24000);
	cr_assert_str_eq(scrollback_get(sb, 0)->text, "line 24001");
	cr_assert_str_eq(scrollback_get(sb, 999)->text, "line 25000");
	for (i = 0; i < 1000; i++)
		cr_assert_eq(scrollback_get(sb, i)->seq, 24001 + i);
	scrollback_free(sb);
}

Test(scrollback, byte_cap_drops_oldest)
{
	struct line		*probe = mkline(10000);
	size_t			 one = line_size(probe);
	struct scrollback	*sb = scrollback_new(1000, one * 10);
	unsigned		 i;

	line_free(probe);
	for (i = 10000; i < 10100; i++)
		scrollback_push(sb, mkline(i));
	cr_assert_eq(scrollback_count(sb), 10);
	cr_assert_leq(scrollback_bytes(sb), one * 10);
	cr_assert_eq(scrollback_get(sb, 0)->seq, 10090);
	cr_assert_eq(scrollback_dropped(sb), 90);
	scrollback_free(sb);
}

Test(scrollback, huge_line_alone)
{
	struct scrollback	*sb = scrollback_new(10, 100);
	char			 big[1000];

	memset(big, 'b', sizeof big);
	scrollback_push(sb, mkline(1));
	scrollback_push(sb, line_new(big, sizeof big, NULL, 0));
	cr_assert_eq(scrollback_count(sb), 1);
	cr_assert_eq(scrollback_get(sb, 0)->len, 1000);
	scrollback_push(sb, mkline(2));
	cr_assert_eq(scrollback_count(sb), 1);
	cr_assert_str_eq(scrollback_get(sb, 0)->text, "line 2");
	scrollback_free(sb);
}

Test(scrollback, clear_and_reuse)
{
	struct scrollback	*sb = scrollback_new(5, 0);
	unsigned		 i;

	for (i = 1; i <= 8; i++)
		scrollback_push(sb, mkline(i));
	cr_assert_eq(scrollback_dropped(sb), 3);
	scrollback_clear(sb);
	cr_assert_eq(scrollback_count(sb), 0);
	cr_assert_eq(scrollback_bytes(sb), 0);
	cr_assert_eq(scrollback_dropped(sb), 0);
	scrollback_push(sb, mkline(9));
	cr_assert_eq(scrollback_count(sb), 1);
	cr_assert_str_eq(scrollback_get(sb, 0)->text, "line 9");
	scrollback_free(sb);
}

Test(scrollback, find_by_seq)
{
	struct scrollback	*sb = scrollback_new(100, 0);
	unsigned		 i;

	for (i = 1; i <= 150; i++)
		scrollback_push(sb, mkline(i * 2));	/* seq 2..300, keeps 102.. */
	cr_assert_eq(scrollback_find_seq(sb, 0), 0);
	cr_assert_eq(scrollback_find_seq(sb, 102), 0);
	cr_assert_eq(scrollback_find_seq(sb, 103), 1);
	cr_assert_eq(scrollback_find_seq(sb, 104), 1);
	cr_assert_eq(scrollback_find_seq(sb, 300), 99);
	cr_assert_eq(scrollback_find_seq(sb, 301), 100);
	scrollback_free(sb);
}

Test(scrollback, default_cap)
{
	struct scrollback	*sb = scrollback_new(0, 0);
	unsigned		 i;

	for (i = 0; i < 10005; i++)
		scrollback_push(sb, mkline(i));
	cr_assert_eq(scrollback_count(sb), 10000);
	scrollback_free(sb);
}

/* Sum the seqs of dropped lines. */
static void
drop_sum(void *arg, const struct line *l)
{
	*(uint64_t *)arg += l->seq;
}

Test(scrollback, drop_hook_sees_every_freed_line)
{
	struct scrollback	*sb = scrollback_new(3, 0);
	uint64_t		 sum = 0;
	unsigned		 i;

	scrollback_on_drop(sb, drop_sum, &sum);
	for (i = 1; i <= 5; i++)
		scrollback_push(sb, mkline(i));
	cr_assert_eq(sum, 1 + 2);		/* the two oldest */
	scrollback_clear(sb);
	cr_assert_eq(sum, 1 + 2 + 3 + 4 + 5);
	scrollback_on_drop(sb, NULL, NULL);
	scrollback_push(sb, mkline(6));
	scrollback_push(sb, mkline(7));
	scrollback_push(sb, mkline(8));
	scrollback_push(sb, mkline(9));
	cr_assert_eq(sum, 15);		/* no hook: 6 dropped unseen */
	scrollback_on_drop(sb, drop_sum, &sum);
	scrollback_free(sb);
	cr_assert_eq(sum, 15);		/* free does not call the hook */
}
