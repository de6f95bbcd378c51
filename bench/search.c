/*
 * Search benchmark: 16 nodes' scrollbacks of 10,000 lifelike log lines
 * each, and the time to count every match of a regex over all of them
 * and to find the next matching line (n) across nodes.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nodemux/line.h"
#include "nodemux/scrollback.h"
#include "nodemux/search.h"
#include "nodemux/util.h"
#include "nodemux/vt.h"

/* A line read back from a scrollback (a view into it). */
static struct line sbv;

#define BENCH_NODES	16
#define BENCH_LINES	10000

static const char *const bench_levels[] = {
	"\033[32m[info]\033[0m", "\033[36m[debug]\033[0m", "\033[33m[warning]\033[0m",
	"\033[31m[error]\033[0m",
};
/* Messages as pieces around two numbers. */
static const struct {
	const char	*a, *b, *c;
} bench_msgs[] = {
	{ "GET /api/users/", " 200 in ", "ms" },
	{ "POST /api/sessions 201 in ", "ms (user ", ")" },
	{ "Ecto query SELECT u0.id FROM users AS u0 WHERE u0.id = ", " took ",
	  "ms" },
	{ "Phoenix.PubSub broadcast to room:", " in ", "ms" },
	{ "connection to node", "@localhost timeout after ", "ms" },
	{ "GenServer cache hit ratio ", "% (", " entries)" },
};

static struct scrollback	*bench_sb[BENCH_NODES];
static uint64_t			 bench_seq;

/*
 * Seconds of this process's CPU time: searching is single-threaded work,
 * so on a quiet machine it is the wall time, and on a busy one (a build
 * next door) it still measures the search rather than the neighbours.
 */
static double
bench_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Number and push each parsed line, as the launcher does. */
static void
bench_push(void *arg, struct line *l)
{
	l->seq = ++bench_seq;
	scrollback_push(arg, l);
}

/* Fill every scrollback through the parser with coloured log lines. */
static size_t
bench_fill(unsigned *rnd)
{
	struct vt	*vt[BENCH_NODES];
	char		 msg[128], buf[256];
	size_t		 bytes = 0, j;
	int		 i, k, n;

	for (k = 0; k < BENCH_NODES; k++) {
		bench_sb[k] = scrollback_new(BENCH_LINES, 0);
		vt[k] = vt_new(0);
	}
	for (i = 0; i < BENCH_LINES; i++) {
		for (k = 0; k < BENCH_NODES; k++) {
			unsigned	 r = (*rnd = *rnd * 1103515245u + 12345u) >> 8;

			j = r % nitems(bench_msgs);
			snprintf(msg, sizeof msg, "%s%u%s%u%s", bench_msgs[j].a,
			    r % 5000, bench_msgs[j].b, (r >> 4) % 900,
			    bench_msgs[j].c);
			n = snprintf(buf, sizeof buf,
			    "12:%02d:%02d.%03d %s <0.%u.0> %s\r\n",
			    (i / 600) % 60, (i / 10) % 60, i % 1000,
			    bench_levels[(r >> 12) % 16 == 0 ? 3 : (r >> 12) % 3],
			    100 + (r >> 3) % 900, msg);
			vt_feed(vt[k], buf, (size_t)n, bench_push, bench_sb[k]);
		}
	}
	for (k = 0; k < BENCH_NODES; k++) {
		for (i = 0; i < (int)scrollback_count(bench_sb[k]); i++)
			bytes += scrollback_get(bench_sb[k], (size_t)i, &sbv)->len;
		vt_free(vt[k]);
	}
	return bytes;
}

/* Count matches of pat over every scrollback, best of a few runs. */
static void
bench_count(const char *pat)
{
	struct search	*s;
	char		*err;
	double		 t, best = 1e9, best_lines = 1e9;
	uint64_t	 total = 0;
	size_t		 lines = 0;
	int		 run, k;

	if ((s = search_compile(pat, SEARCH_SMARTCASE, &err)) == NULL) {
		fprintf(stderr, "search: %s\n", err);
		exit(1);
	}
	for (run = 0; run < 5; run++) {
		t = bench_now();
		total = 0;
		for (k = 0; k < BENCH_NODES; k++)
			total += search_count_scrollback(s, bench_sb[k]);
		t = bench_now() - t;
		if (t < best)
			best = t;
		t = bench_now();
		lines = 0;
		for (k = 0; k < BENCH_NODES; k++)
			lines += search_lines_scrollback(s, bench_sb[k]);
		t = bench_now() - t;
		if (t < best_lines)
			best_lines = t;
	}
	printf("count  %-34s %6llu matches %6.1f ms; %6zu lines %6.1f ms\n",
	    pat, (unsigned long long)total, best * 1e3, lines, best_lines * 1e3);
	search_free(s);
}

/* Time n (search_next forward) from the oldest line: walk every match. */
static void
bench_next(const char *pat, int walk)
{
	struct search		*s;
	struct search_hit	 h;
	char			*err;
	double			 t;
	uint64_t		 seq = 0;
	int			 found = 0, rc;

	if ((s = search_compile(pat, SEARCH_SMARTCASE, &err)) == NULL) {
		fprintf(stderr, "search: %s\n", err);
		exit(1);
	}
	t = bench_now();
	while ((rc = search_next(s, bench_sb, BENCH_NODES, seq, SEARCH_FORWARD,
	    &h)) == 1) {
		found++;
		seq = h.seq;
		if (!walk)
			break;
	}
	t = bench_now() - t;
	printf("next   %-34s %8d jumps %s  %9.3f ms (%.4f ms per jump)\n", pat,
	    found, walk ? "(every match)" : "(first match)", t * 1e3,
	    found > 0 ? t * 1e3 / found : t * 1e3);
	search_free(s);
}

/* Time the merged tail of 50 lines (the all-nodes view), filtered or not. */
static void
bench_tail(const char *pat)
{
	struct search		*s = NULL;
	struct search_hit	 h[50];
	char			*err;
	double			 t;
	size_t			 n;

	if (pat != NULL &&
	    (s = search_compile(pat, SEARCH_SMARTCASE, &err)) == NULL) {
		fprintf(stderr, "search: %s\n", err);
		exit(1);
	}
	t = bench_now();
	n = search_tail(s, bench_sb, BENCH_NODES, UINT64_MAX, h, 50);
	t = bench_now() - t;
	printf("tail   %-34s %8zu lines (merged, newest first) %9.3f ms\n",
	    pat != NULL ? pat : "(all lines)", n, t * 1e3);
	search_free(s);
}

int
main(void)
{
	unsigned	 rnd = 42;
	size_t		 bytes;
	double		 t;
	int		 k;

	t = bench_now();
	bytes = bench_fill(&rnd);
	t = bench_now() - t;
	printf("fill   %d nodes x %d lines, %zu bytes of text (%.1f per line),"
	    " parsed in %.1f ms\n", BENCH_NODES, BENCH_LINES, bytes,
	    (double)bytes / (BENCH_NODES * BENCH_LINES), t * 1e3);
	bench_count("timeout");
	bench_count("error|warning");
	bench_count("GET /api/users/\\d+ 200 in \\d{3}ms");
	bench_count("node1[0-5]@\\w+");
	bench_next("\\[error\\]", 0);
	bench_next("timeout after 8\\d\\dms", 1);
	bench_next("no such line anywhere", 0);
	bench_tail(NULL);
	bench_tail("\\[error\\]");
	bench_tail("node1[0-5]@\\w+");
	for (k = 0; k < BENCH_NODES; k++)
		scrollback_free(bench_sb[k]);
	return 0;
}
