/*
 * Tests of the scrollback: what stays when the line or byte cap is hit,
 * access by index and by seq, and clearing; of the chunks the lines are
 * stored in (lines across chunk ends, big lines, reuse); and of what a
 * plain line costs.
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/line.h"
#include "nodemux/scrollback.h"

/* Line i of sb as a view; views of the last 16 calls stay valid. */
static const struct line *
get(struct scrollback *sb, size_t i)
{
	static struct line	 views[16];
	static unsigned		 next;

	return scrollback_get(sb, i, &views[next++ % 16]);
}

/* A line "line N" with seq N, on the stack: the scrollback copies it. */
static const struct line *
push(struct scrollback *sb, unsigned n)
{
	char		 buf[32];
	struct line	 l;

	memset(&l, 0, sizeof l);
	l.len = (uint32_t)snprintf(buf, sizeof buf, "line %u", n);
	l.text = buf;
	l.seq = n;
	return scrollback_push(sb, &l);
}

/* What holding "line N" costs. */
static size_t
size_of(unsigned n)
{
	char		 buf[32];
	int		 len = snprintf(buf, sizeof buf, "line %u", n);
	struct line	*l = line_new(buf, (size_t)len, NULL, 0);
	size_t		 size = scrollback_line_bytes(l);

	line_free(l);
	return size;
}

Test(scrollback, keeps_lines_in_order)
{
	struct scrollback	*sb = scrollback_new(100, 0);
	unsigned		 i;

	cr_assert_eq(scrollback_count(sb), 0);
	cr_assert_null(get(sb, 0));
	for (i = 1; i <= 70; i++)
		push(sb, i);
	cr_assert_eq(scrollback_count(sb), 70);
	cr_assert_str_eq(get(sb, 0)->text, "line 1");
	cr_assert_str_eq(get(sb, 69)->text, "line 70");
	cr_assert_null(get(sb, 70));
	cr_assert_eq(scrollback_dropped(sb), 0);
	scrollback_free(sb);
}

Test(scrollback, line_cap_drops_oldest)
{
	struct scrollback	*sb = scrollback_new(1000, 0);
	unsigned		 i;

	for (i = 1; i <= 25000; i++)
		push(sb, i);
	cr_assert_eq(scrollback_count(sb), 1000);
	cr_assert_eq(scrollback_dropped(sb), 24000);
	cr_assert_str_eq(get(sb, 0)->text, "line 24001");
	cr_assert_str_eq(get(sb, 999)->text, "line 25000");
	for (i = 0; i < 1000; i++)
		cr_assert_eq(get(sb, i)->seq, 24001 + i);
	scrollback_free(sb);
}

Test(scrollback, byte_cap_drops_oldest)
{
	size_t			 one = size_of(10000);
	struct scrollback	*sb = scrollback_new(1000, one * 10);
	unsigned		 i;

	for (i = 10000; i < 10100; i++)
		push(sb, i);
	cr_assert_eq(scrollback_count(sb), 10);
	cr_assert_leq(scrollback_bytes(sb), one * 10);
	cr_assert_eq(get(sb, 0)->seq, 10090);
	cr_assert_eq(scrollback_dropped(sb), 90);
	scrollback_free(sb);
}

Test(scrollback, huge_line_alone)
{
	struct scrollback	*sb = scrollback_new(10, 100);
	struct line		*l;
	char			 big[1000];

	memset(big, 'b', sizeof big);
	push(sb, 1);
	l = line_new(big, sizeof big, NULL, 0);
	scrollback_push(sb, l);
	line_free(l);
	cr_assert_eq(scrollback_count(sb), 1);
	cr_assert_eq(get(sb, 0)->len, 1000);
	push(sb, 2);
	cr_assert_eq(scrollback_count(sb), 1);
	cr_assert_str_eq(get(sb, 0)->text, "line 2");
	scrollback_free(sb);
}

Test(scrollback, clear_and_reuse)
{
	struct scrollback	*sb = scrollback_new(5, 0);
	unsigned		 i;

	for (i = 1; i <= 8; i++)
		push(sb, i);
	cr_assert_eq(scrollback_dropped(sb), 3);
	scrollback_clear(sb);
	cr_assert_eq(scrollback_count(sb), 0);
	cr_assert_eq(scrollback_bytes(sb), 0);
	cr_assert_eq(scrollback_dropped(sb), 0);
	push(sb, 9);
	cr_assert_eq(scrollback_count(sb), 1);
	cr_assert_str_eq(get(sb, 0)->text, "line 9");
	scrollback_free(sb);
}

Test(scrollback, find_by_seq)
{
	struct scrollback	*sb = scrollback_new(100, 0);
	unsigned		 i;

	for (i = 1; i <= 150; i++)
		push(sb, i * 2);	/* seq 2..300, keeps 102.. */
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
		push(sb, i);
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
		push(sb, i);
	cr_assert_eq(sum, 1 + 2);		/* the two oldest */
	scrollback_clear(sb);
	cr_assert_eq(sum, 1 + 2 + 3 + 4 + 5);
	scrollback_on_drop(sb, NULL, NULL);
	push(sb, 6);
	push(sb, 7);
	push(sb, 8);
	push(sb, 9);
	cr_assert_eq(sum, 15);		/* no hook: 6 dropped unseen */
	scrollback_on_drop(sb, drop_sum, &sum);
	scrollback_free(sb);
	cr_assert_eq(sum, 15);		/* free does not call the hook */
}

/*
 * The chunks.  A line of seq n has text of (n * 37) % 300 bytes, each
 * 'a' + (n + i) % 26, and n % 4 runs, so that lines of every size and
 * alignment meet the end of a chunk.
 */
static size_t
var_len(uint64_t n)
{
	return (size_t)(n * 37 % 300);
}

/* Push the varied line n: the caller's copy is on the stack. */
static const struct line *
push_var(struct scrollback *sb, uint64_t n)
{
	char		 buf[300];
	struct attr_run	 runs[3];
	struct line	 l;
	size_t		 i;

	memset(&l, 0, sizeof l);
	memset(runs, 0, sizeof runs);
	l.len = (uint32_t)var_len(n);
	for (i = 0; i < l.len; i++)
		buf[i] = (char)('a' + (n + i) % 26);
	l.text = buf;
	l.nruns = (uint32_t)(n % 4);
	for (i = 0; i < l.nruns; i++) {
		runs[i].off = (uint32_t)i;
		runs[i].attr.fg = COLOUR_PALETTE | (uint32_t)((n + i) % 256);
		runs[i].attr.flags = (uint16_t)n;
	}
	l.runs = l.nruns > 0 ? runs : NULL;
	l.seq = n;
	l.node = 7;
	l.time_ms = (int64_t)n * 1000;
	l.flags = n % 5 == 0 ? LINE_TRUNCATED : 0;
	memset(buf + l.len, 'X', sizeof buf - l.len);	/* not copied */
	return scrollback_push(sb, &l);
}

/* Does the varied line n keep runs and flags (an ext record)? */
static int
is_ext_var(uint64_t n)
{
	return n % 4 != 0 || n % 5 == 0;
}

/* What holding the varied line n costs: 10 bytes of header, the text
   and a NUL; with runs or flags 24 bytes and the runs instead of the 10;
   2-byte aligned, and a 2-byte slot.  (An ext record may have 2 bytes
   of padding before it, counted in scrollback_bytes only.) */
static size_t
size_of_var(uint64_t n)
{
	size_t	 size = 10 + var_len(n) + 1;

	if (is_ext_var(n))
		size = 24 + (size_t)(n % 4) * sizeof (struct attr_run) +
		    var_len(n) + 1;
	return ((size + 1) & ~(size_t)1) + 2;
}

/* bytes is sum, and up to 2 bytes of padding before each of ext ext
   records. */
static void
check_bytes(size_t bytes, size_t sum, size_t ext)
{
	cr_assert_geq(bytes, sum);
	cr_assert_leq(bytes, sum + 2 * ext, "%zu bytes, %zu + 2 x %zu", bytes,
	    sum, ext);
}

/* Is l exactly the varied line n? */
static void
check_var(const struct line *l, uint64_t n)
{
	size_t	 i;

	cr_assert_not_null(l);
	cr_assert_eq(l->seq, n);
	cr_assert_eq(l->node, 7);
	cr_assert_eq(l->time_ms, (int64_t)n * 1000);
	cr_assert_eq(l->flags, n % 5 == 0 ? LINE_TRUNCATED : 0);
	cr_assert_eq(l->len, var_len(n), "line %llu", (unsigned long long)n);
	for (i = 0; i < l->len; i++)
		cr_assert_eq(l->text[i], (char)('a' + (n + i) % 26));
	cr_assert_eq(l->text[l->len], '\0');
	cr_assert_eq(l->nruns, n % 4);
	if (l->nruns == 0)
		cr_assert_null(l->runs);
	for (i = 0; i < l->nruns; i++) {
		cr_assert_eq(l->runs[i].off, i);
		cr_assert_eq(l->runs[i].attr.fg,
		    COLOUR_PALETTE | (uint32_t)((n + i) % 256));
		cr_assert_eq(l->runs[i].attr.flags, (uint16_t)n);
	}
	cr_assert_eq((uintptr_t)l->runs % 4, 0, "line %llu's runs not aligned",
	    (unsigned long long)n);
}

Test(scrollback, lines_across_chunk_ends)
{
	struct scrollback	*sb = scrollback_new(3000, 0);
	const char		*kept[3000];
	const struct line	*l;
	uint64_t		 n;
	size_t			 sum = 0, ext = 0;

	/* About 500 KB: many chunks, every one of them full. */
	for (n = 1; n <= 3000; n++) {
		l = push_var(sb, n);
		check_var(l, n);
		kept[n - 1] = l->text;
	}
	for (n = 1; n <= 3000; n++) {
		l = get(sb, n - 1);
		cr_assert_eq(l->text, kept[n - 1]);
		check_var(l, n);
	}
	for (n = 1; n <= 3000; n++) {
		sum += size_of_var(n);
		ext += (size_t)is_ext_var(n);
	}
	check_bytes(scrollback_bytes(sb), sum, ext);
	scrollback_free(sb);
}

Test(scrollback, kept_lines_stay_while_others_drop)
{
	struct scrollback	*sb = scrollback_new(1000, 0);
	struct line		 l;
	uint64_t		 n;
	size_t			 i;

	for (n = 1; n <= 1000; n++)
		push_var(sb, n);
	l = *get(sb, 999);		/* seq 1000 */
	/* Lines 1..999 go, and their chunks with them: 1000 stays. */
	for (n = 1001; n <= 1999; n++)
		push_var(sb, n);
	check_var(&l, 1000);
	cr_assert_eq(get(sb, 0)->text, l.text);
	for (n = 2000; n <= 20000; n++)
		push_var(sb, n);
	cr_assert_eq(scrollback_count(sb), 1000);
	cr_assert_eq(scrollback_dropped(sb), 19000);
	for (i = 0; i < 1000; i++)
		check_var(get(sb, i), 19001 + i);
	scrollback_free(sb);
}

Test(scrollback, line_bigger_than_a_chunk)
{
	struct scrollback	*sb = scrollback_new(10, 0);
	size_t			 big = 200 * 1024, i;
	char			*text = malloc(big);
	struct attr_run		*runs = calloc(5000, sizeof *runs);
	struct line		*l, kv;
	const struct line	*k = &kv;

	for (i = 0; i < big; i++)
		text[i] = (char)('0' + i % 10);
	for (i = 0; i < 5000; i++)
		runs[i].off = (uint32_t)(i * 40);
	l = line_new(text, big, runs, 5000);
	l->seq = 3;
	push_var(sb, 1);
	push_var(sb, 2);
	kv = *scrollback_push(sb, l);
	/* 24 + 80000 + 204800 + 1 bytes, aligned to 2, and a slot. */
	cr_assert_eq(scrollback_line_bytes(l), 284826 + 2);
	line_free(l);
	free(text);
	free(runs);
	push_var(sb, 4);
	cr_assert_eq(k->len, big);
	cr_assert_eq(k->nruns, 5000);
	for (i = 0; i < big; i++)
		cr_assert_eq(k->text[i], (char)('0' + i % 10));
	cr_assert_eq(k->text[big], '\0');
	cr_assert_eq(k->runs[4999].off, 4999 * 40);
	check_var(get(sb, 0), 1);
	check_var(get(sb, 1), 2);
	cr_assert_eq(get(sb, 2)->text, k->text);
	cr_assert_eq(get(sb, 2)->runs, k->runs);
	check_var(get(sb, 3), 4);
	check_bytes(scrollback_bytes(sb), size_of_var(1) + size_of_var(2) +
	    284826 + 2 + size_of_var(4), 3);
	/* The big line goes in its turn; its neighbours stay whole. */
	for (i = 5; i <= 13; i++)
		push_var(sb, i);
	check_var(get(sb, 0), 4);
	check_var(get(sb, 9), 13);
	scrollback_free(sb);
}

Test(scrollback, byte_cap_with_lines_of_every_size)
{
	size_t			 cap = 100 * 1024, sum, i, ext = 0;
	struct scrollback	*sb = scrollback_new(100000, cap);
	uint64_t		 n, first;

	for (n = 1; n <= 30000; n++)
		push_var(sb, n);
	cr_assert_leq(scrollback_bytes(sb), cap);
	sum = 0;
	for (i = 0; i < scrollback_count(sb); i++) {
		sum += scrollback_line_bytes(get(sb, i));
		ext += (size_t)is_ext_var(get(sb, i)->seq);
		check_var(get(sb, i), 30000 - scrollback_count(sb) +
		    1 + i);
	}
	check_bytes(scrollback_bytes(sb), sum, ext);
	/* Not one line more would fit under the cap (a push keeps room for
	   the padding it may need, and the line dropped had some). */
	first = get(sb, 0)->seq;
	cr_assert_gt(scrollback_bytes(sb) + size_of_var(first - 1) + 4, cap);
	cr_assert_eq(scrollback_dropped(sb) + scrollback_count(sb), 30000);
	scrollback_free(sb);
}

/* Count dropped lines and sum their seqs; check each is intact. */
struct drops {
	uint64_t	 n;
	uint64_t	 sum;
	uint64_t	 next;		/* the seq the next drop must have */
};

static void
drop_check(void *arg, const struct line *l)
{
	struct drops	*d = arg;

	check_var(l, d->next);
	d->next++;
	d->n++;
	d->sum += l->seq;
}

Test(scrollback, drop_hook_sees_every_line_across_chunks)
{
	struct scrollback	*sb = scrollback_new(700, 64 * 1024);
	struct drops		 d = { 0, 0, 1 };
	uint64_t		 n, held = 0;
	size_t			 i;

	scrollback_on_drop(sb, drop_check, &d);
	for (n = 1; n <= 20000; n++)
		push_var(sb, n);
	for (i = 0; i < scrollback_count(sb); i++)
		held += get(sb, i)->seq;
	cr_assert_eq(d.n, scrollback_dropped(sb));
	cr_assert_eq(d.n + scrollback_count(sb), 20000);
	cr_assert_eq(d.sum + held, (uint64_t)20000 * 20001 / 2);
	scrollback_clear(sb);
	cr_assert_eq(d.n, 20000);
	cr_assert_eq(d.sum, (uint64_t)20000 * 20001 / 2);
	scrollback_free(sb);
}

Test(scrollback, clear_then_push_again)
{
	struct scrollback	*sb = scrollback_new(500, 0);
	struct line		*l, kv;
	const struct line	*k = &kv;
	char			*big = malloc(40000);
	uint64_t		 n;
	size_t			 i;
	int			 round;

	for (round = 0; round < 3; round++) {
		for (n = 1; n <= 2000; n++)
			push_var(sb, n);
		scrollback_clear(sb);
		cr_assert_eq(scrollback_count(sb), 0);
		cr_assert_eq(scrollback_bytes(sb), 0);
		cr_assert_null(get(sb, 0));
	}
	/* After a clear: a line too big for the (empty) chunk left. */
	memset(big, 'z', 40000);
	l = line_new(big, 40000, NULL, 0);
	kv = *scrollback_push(sb, l);
	line_free(l);
	free(big);
	for (i = 0; i < 300; i++)
		push_var(sb, 300 + i);
	cr_assert_eq(get(sb, 0)->text, k->text);
	cr_assert_eq(k->len, 40000);
	cr_assert_eq(k->text[39999], 'z');
	cr_assert_eq(k->text[40000], '\0');
	for (i = 0; i < 300; i++)
		check_var(get(sb, i + 1), 300 + i);
	scrollback_free(sb);
}

Test(scrollback, a_plain_line_costs_its_text_and_13_bytes)
{
	struct scrollback	*sb = scrollback_new(10000, 0);
	struct attr_run		 plain;
	char			 text[64];
	struct line		*l;
	size_t			 i;

	/* A 63-byte line as the parser hands it over: one default run. */
	memset(&plain, 0, sizeof plain);
	memset(text, 'p', 63);
	l = line_new(text, 63, &plain, 1);
	cr_assert_eq(scrollback_line_bytes(l), 10 + 64 + 2);
	for (i = 0; i < 10000; i++) {
		l->seq = 1000000 + i * 3;	/* other nodes' lines between */
		l->time_ms = 1700000000000 + (int64_t)i;
		l->node = 4;
		scrollback_push(sb, l);
	}
	line_free(l);
	cr_assert_eq(scrollback_bytes(sb), 10000 * (10 + 64 + 2));
	for (i = 0; i < 10000; i += 997) {
		const struct line *v = get(sb, i);

		cr_assert_eq(v->seq, 1000000 + i * 3);
		cr_assert_eq(v->time_ms, 1700000000000 + (int64_t)i);
		cr_assert_eq(v->node, 4);
		cr_assert_eq(v->len, 63);
		cr_assert_eq(v->nruns, 0, "a plain line keeps no runs");
		cr_assert_null(v->runs);
		cr_assert_eq(v->text[63], '\0');
	}
	cr_assert_eq(scrollback_find_seq(sb, 1000000 + 5000 * 3), 5000);
	cr_assert_eq(scrollback_seq(sb, 9999), 1000000 + 9999 * 3);
	scrollback_free(sb);
}

Test(scrollback, seq_and_time_far_apart_start_new_chunks)
{
	struct scrollback	*sb = scrollback_new(100, 0);
	struct line		*l = line_new("x", 1, NULL, 0);
	const uint64_t		 seqs[] = { 5, 6, 5 + 0x100000000ull, 7 +
				    0x100000000ull, 0x7fffffffffffffffull };
	const int64_t		 times[] = { 1000, -5000000000, 1001,
				    4000000000, 4000000001 };
	size_t			 i;

	for (i = 0; i < 5; i++) {
		l->seq = seqs[i];
		l->time_ms = times[i];
		scrollback_push(sb, l);
	}
	line_free(l);
	for (i = 0; i < 5; i++) {
		cr_assert_eq(get(sb, i)->seq, seqs[i]);
		cr_assert_eq(get(sb, i)->time_ms, times[i]);
	}
	scrollback_free(sb);
}

static void
drop_count(void *arg, const struct line *l)
{
	(void)l;
	(*(size_t *)arg)++;
}

/* Do x and y hold the same lines: seq, time, node, flags, runs, text? */
static void
same_lines(const struct scrollback *x, const struct scrollback *y)
{
	struct line	 a, b;
	size_t		 i;

	cr_assert_eq(scrollback_count(x), scrollback_count(y));
	for (i = 0; i < scrollback_count(x); i++) {
		cr_assert_not_null(scrollback_get(x, i, &a));
		cr_assert_not_null(scrollback_get(y, i, &b));
		cr_assert_eq(a.seq, b.seq, "line %zu", i);
		cr_assert_eq(a.time_ms, b.time_ms);
		cr_assert_eq(a.node, b.node);
		cr_assert_eq(a.flags, b.flags);
		cr_assert_eq(a.nruns, b.nruns);
		cr_assert_eq(a.len, b.len);
		cr_assert_str_eq(a.text, b.text);
	}
}

/*
 * A plain line pushed into the newest chunk while the oldest is dropped
 * takes a short way (no drop hook, which the other scrollback has, so
 * that every push of it goes the long way).  Varied lines (plain ones
 * among them), seq and time jumps, under caps of (max_lines, max_bytes):
 * both must hold the same lines, bytes and drops after every push.
 */
static void
short_way_matches(size_t max_lines, size_t max_bytes)
{
	struct scrollback	*fast = scrollback_new(max_lines, max_bytes);
	struct scrollback	*slow = scrollback_new(max_lines, max_bytes);
	size_t			 drops = 0;
	uint64_t		 n;

	scrollback_on_drop(slow, drop_count, &drops);
	for (n = 1; n <= 3000; n++) {
		/* Every 500th: far in seq and time, a new chunk. */
		uint64_t	 k = n % 500 == 0 ? n + ((uint64_t)1 << 33) : n;
		const struct line *pf = push_var(fast, k), *ps = push_var(slow, k);

		cr_assert_eq(pf->len, ps->len);
		cr_assert_str_eq(pf->text, ps->text);
		cr_assert_eq(scrollback_count(fast), scrollback_count(slow),
		    "line %llu", (unsigned long long)n);
		cr_assert_eq(scrollback_bytes(fast), scrollback_bytes(slow),
		    "line %llu", (unsigned long long)n);
		cr_assert_eq(scrollback_dropped(fast), scrollback_dropped(slow));
		if (max_bytes != 0)
			cr_assert_leq(scrollback_bytes(fast), max_bytes);
	}
	cr_assert_eq(drops, scrollback_dropped(slow));
	cr_assert_gt(drops, 2000);
	same_lines(fast, slow);
	scrollback_free(fast);
	scrollback_free(slow);
}

Test(scrollback, short_way_for_plain_lines_matches_the_long_way)
{
	short_way_matches(50, 0);		/* the line cap drops */
	short_way_matches(50, 6000);		/* mostly the byte cap */
	short_way_matches(3, 0);		/* chunks retire often */
}

/* What the each callback of scrollback_push_many saw. */
struct each_seen {
	uint64_t	 next_seq;	/* the seq it should see next */
	size_t		 calls;
};

static void
each_check(void *arg, const struct line *v)
{
	struct each_seen	*e = arg;

	cr_assert_eq(v->seq, e->next_seq, "seq %llu, want %llu",
	    (unsigned long long)v->seq, (unsigned long long)e->next_seq);
	cr_assert_eq(v->nruns, 0);
	cr_assert_eq(v->text[v->len], '\0');
	e->next_seq++;
	e->calls++;
}

/*
 * Plain lines pushed many at a time (what the parser's plain taker
 * does) are held as one push each would hold them: batches of 1 to 64
 * varied lines, a few over 64 KiB, seq and time jumps between batches,
 * under caps of (max_lines, max_bytes); each view goes to the callback
 * in order, before the next push.
 */
static void
many_matches(size_t max_lines, size_t max_bytes)
{
	struct scrollback	*many = scrollback_new(max_lines, max_bytes);
	struct scrollback	*one = scrollback_new(max_lines, max_bytes);
	static char		 big[70000];
	const char		*text[64];
	uint32_t		 len[64];
	char			 buf[64][64];
	struct line		 first, l;
	struct each_seen	 seen = { 0, 0 };
	unsigned int		 seed = 3;
	uint64_t		 seq = 1;
	size_t			 batch, i, n, pushed = 0;

	memset(big, 'b', sizeof big);
	for (batch = 0; batch < 400; batch++) {
		n = 1 + (size_t)rand_r(&seed) % 64;
		if (batch % 50 == 49)
			seq += (uint64_t)1 << 33;	/* far: a new chunk */
		for (i = 0; i < n; i++) {
			if (rand_r(&seed) % 300 == 0) {
				text[i] = big;
				len[i] = sizeof big;
				continue;
			}
			len[i] = (uint32_t)snprintf(buf[i], sizeof buf[i],
			    "%zu.%zu %.*s", batch, i, rand_r(&seed) % 40,
			    "........................................");
			text[i] = buf[i];
		}
		memset(&first, 0, sizeof first);
		first.node = 3;
		first.seq = seq;
		first.time_ms = 1000 + (int64_t)batch * (batch % 50 == 49 ?
		    (int64_t)1 << 32 : 7);
		seen.next_seq = seq;
		scrollback_push_many(many, &first, text, len, n, each_check,
		    &seen);
		for (i = 0; i < n; i++) {
			l = first;
			l.seq = seq + i;
			l.text = (char *)text[i];
			l.len = len[i];
			scrollback_push(one, &l);
		}
		seq += n;
		pushed += n;
		cr_assert_eq(seen.calls, pushed);
		cr_assert_eq(scrollback_count(many), scrollback_count(one),
		    "batch %zu", batch);
		cr_assert_eq(scrollback_bytes(many), scrollback_bytes(one),
		    "batch %zu", batch);
		cr_assert_eq(scrollback_dropped(many), scrollback_dropped(one));
		if (max_bytes != 0 && scrollback_count(many) > 1)
			cr_assert_leq(scrollback_bytes(many), max_bytes);
	}
	cr_assert_gt(scrollback_dropped(one), 1000);
	same_lines(many, one);
	scrollback_free(many);
	scrollback_free(one);
}

Test(scrollback, many_plain_lines_at_once_as_one_by_one)
{
	many_matches(100, 0);		/* the line cap drops */
	many_matches(10000, 200000);	/* the byte cap, lines over 64 KiB */
	many_matches(3, 0);		/* chunks retire often */
}
