/*
 * Headless output (SPEC §6): prefixed, padded lines, colours only when
 * asked, and a slow reader that costs the oldest lines (said so), never
 * a blocked writer or unbounded memory.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/headless.h"
#include "nodemux/util.h"

static struct plan_node	 test_specs[3] = {
	{ .index = 1, .name = "a1@h", .sname = "a1" },
	{ .index = 2, .name = "node22@h", .sname = "node22" },
	{ .index = 3, .name = "n3@h", .sname = "n3" },
};
static struct plan	 test_plan = { .size = 3, .nodes = test_specs };
static struct node	 test_nodes[3] = {
	{ .spec = &test_specs[0] },
	{ .spec = &test_specs[1] },
	{ .spec = &test_specs[2] },
};

/* A pipe whose read end does not block. */
static void
test_pipe(int p[2])
{
	cr_assert_eq(pipe(p), 0);
	cr_assert_eq(fd_set_nonblock(p[0]), 0);
}

/* Everything the pipe holds now. */
static void
test_drain(int fd, struct strbuf *sb)
{
	char	 buf[65536];
	ssize_t	 n;

	while ((n = read(fd, buf, sizeof buf)) > 0)
		strbuf_add(sb, buf, n);
}

/* A line of plain text. */
static struct line
test_line(const char *s)
{
	struct line	 l = { .text = (char *)s, .len = strlen(s) };

	return l;
}

Test(headless, lines_are_prefixed_and_padded)
{
	struct headless_opts	 o = { .node_lines = 1 };
	struct strbuf		 sb = STRBUF_INIT;
	struct headless		*h;
	struct line		 l = test_line("hello");
	int			 p[2];

	test_pipe(p);
	o.fd = p[1];
	h = headless_new(NULL, &test_plan, &o);
	headless_line(h, &test_nodes[0], &l);
	headless_message(h, "node22 exited with status %d", 1);
	cr_assert_eq(headless_flush(h), 0);
	test_drain(p[0], &sb);
	cr_assert_str_eq(sb.buf, "a1      | hello\n"
	    "nodemux | node22 exited with status 1\n");
	headless_free(h, 0);
	strbuf_free(&sb);
	close(p[0]);
	close(p[1]);
}

Test(headless, colour_names_and_keep_node_sgr)
{
	struct headless_opts	 o = { .node_lines = 1, .colour = 1 };
	struct attr_run		 runs[2] = {
		{ .off = 0, .attr = { .fg = COLOUR_PALETTE | 1,
		    .flags = ATTR_BOLD } },
		{ .off = 3, .attr = { .fg = COLOUR_RGB | 0x102030 } },
	};
	struct strbuf		 sb = STRBUF_INIT;
	struct headless		*h;
	struct line		 l = test_line("hello");
	int			 p[2];

	l.runs = runs;
	l.nruns = 2;
	test_pipe(p);
	o.fd = p[1];
	h = headless_new(NULL, &test_plan, &o);
	headless_line(h, &test_nodes[1], &l);
	headless_free(h, 1000);
	test_drain(p[0], &sb);
	cr_assert_str_eq(sb.buf, "\033[33mnode22 \033[0m | \033[0;1;31mhel"
	    "\033[0;38;2;16;32;48mlo\033[0m\n");
	strbuf_free(&sb);
	close(p[0]);
	close(p[1]);
}

Test(headless, plain_runs_stay_plain)
{
	struct headless_opts	 o = { .node_lines = 1, .colour = 1 };
	struct attr_run		 runs[2] = {
		{ .off = 0 },
		{ .off = 2, .attr = { .flags = ATTR_UNDERLINE } },
	};
	struct strbuf		 sb = STRBUF_INIT;
	struct headless		*h;
	struct line		 l = test_line("hello");
	int			 p[2];

	l.runs = runs;
	l.nruns = 1;
	test_pipe(p);
	o.fd = p[1];
	h = headless_new(NULL, &test_plan, &o);
	headless_line(h, &test_nodes[2], &l);
	l.nruns = 2;
	headless_line(h, &test_nodes[2], &l);
	headless_free(h, 1000);
	test_drain(p[0], &sb);
	cr_assert_str_eq(sb.buf, "\033[32mn3     \033[0m | hello\n"
	    "\033[32mn3     \033[0m | he\033[0;4mllo\033[0m\n");
	strbuf_free(&sb);
	close(p[0]);
	close(p[1]);
}

Test(headless, events_only_for_exec)
{
	struct headless_opts	 o = { .node_lines = 0 };
	struct strbuf		 sb = STRBUF_INIT;
	struct headless		*h;
	struct line		 l = test_line("not shown");
	int			 p[2];

	test_pipe(p);
	o.fd = p[1];
	h = headless_new(NULL, &test_plan, &o);
	headless_line(h, &test_nodes[2], &l);
	headless_message(h, "n3 is ready");
	headless_free(h, 1000);
	test_drain(p[0], &sb);
	cr_assert_str_eq(sb.buf, "nodemux | n3 is ready\n");
	strbuf_free(&sb);
	close(p[0]);
	close(p[1]);
}

Test(headless, the_callers_descriptor_stays_blocking)
{
	struct headless_opts	 o = { .node_lines = 1 };
	struct headless		*h;
	int			 p[2];

	test_pipe(p);
	o.fd = p[1];
	h = headless_new(NULL, &test_plan, &o);
	cr_assert_eq(fcntl(p[1], F_GETFL) & O_NONBLOCK, 0,
	    "the shell's pipe was made non-blocking");
	headless_free(h, 0);
	close(p[0]);
	close(p[1]);
}

/* Check the output of the slow-reader test: order, the note, counts. */
static void
test_check_dropped(const char *out, int total, uint64_t dropped)
{
	const char	*s, *e;
	int		 n, last = -1, seen = 0, notes = 0, events = 0;
	unsigned long long note = 0;

	for (s = out; *s != '\0'; s = e + 1) {
		e = strchr(s, '\n');
		cr_assert_not_null(e, "a line without its newline");
		if (sscanf(s, "nodemux | dropped %llu lines (stdout too slow)",
		    &note) == 1) {
			notes++;
			cr_assert_eq(note, dropped);
			continue;
		}
		if (strncmp(s, "nodemux | an event\n", 19) == 0) {
			events++;
			continue;
		}
		cr_assert_eq(sscanf(s, "a1      | line %d ", &n), 1,
		    "bad line %.*s", (int)(e - s), s);
		cr_assert_gt(n, last, "line %d came after line %d", n, last);
		last = n;
		seen++;
	}
	cr_assert_eq(notes, 1, "the drop was said %d times", notes);
	cr_assert_eq(events, 1, "nodemux's event was dropped");
	cr_assert_eq(last, total - 1, "the newest line is missing");
	cr_assert_eq((uint64_t)seen + dropped, (uint64_t)total);
}

Test(headless, slow_reader_drops_the_oldest_lines_and_says_so_keeps_events)
{
	struct headless_opts	 o = { .node_lines = 1, .max_queued = 256 * 1024 };
	struct strbuf		 sb = STRBUF_INIT;
	struct headless		*h;
	struct line		 l;
	char			 text[80];
	int			 p[2], i, total = 50000;

	test_pipe(p);
	fcntl(p[1], F_SETPIPE_SZ, 4096);
	o.fd = p[1];
	h = headless_new(NULL, &test_plan, &o);
	for (i = 0; i < total; i++) {
		snprintf(text, sizeof text, "line %d %040d", i, i);
		l = test_line(text);
		headless_line(h, &test_nodes[0], &l);
		if (i == 1000)
			headless_message(h, "an event");
		headless_flush(h);
	}
	cr_assert_gt(headless_dropped(h), 0u, "nothing was dropped");
	/* What is held is bounded: the pipe, the bound and a chunk. */
	cr_assert_lt((uint64_t)total - headless_dropped(h),
	    (uint64_t)(4096 + 256 * 1024 + 65536) / 50);
	while (headless_flush(h) == 0) {
		test_drain(p[0], &sb);
		headless_flush(h);
		test_drain(p[0], &sb);
		if (sb.len > 0 && sb.buf[sb.len - 1] == '\n' &&
		    strstr(sb.buf, "line 49999 ") != NULL)
			break;
	}
	test_check_dropped(sb.buf, total, headless_dropped(h));
	headless_free(h, 0);
	strbuf_free(&sb);
	close(p[0]);
	close(p[1]);
}

static int	 test_gone_calls;

/* The gone callback: count. */
static void
test_gone(void *arg)
{
	test_gone_calls++;
}

Test(headless, a_reader_that_goes_away_is_noticed_once)
{
	struct headless_opts	 o = { .node_lines = 1, .gone = test_gone };
	struct headless		*h;
	struct line		 l = test_line("into the void");
	int			 p[2];

	signal(SIGPIPE, SIG_IGN);
	test_pipe(p);
	o.fd = p[1];
	h = headless_new(NULL, &test_plan, &o);
	close(p[0]);
	headless_line(h, &test_nodes[0], &l);
	cr_assert_eq(headless_flush(h), -1);
	headless_line(h, &test_nodes[0], &l);
	cr_assert_eq(headless_flush(h), -1);
	cr_assert_eq(test_gone_calls, 1);
	headless_free(h, 0);
	close(p[1]);
}
