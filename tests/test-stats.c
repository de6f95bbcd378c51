/*
 * Tests of per-node resource usage: a process spinning a core shows
 * most of a core, a sleeping one next to nothing, a tree counts its
 * children, resident memory is there, lines per second follow the count
 * given, and nothing is valid before two samples of one pid, or one
 * from STATS_FIRST_MS after stats_begin.
 */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nodemux/stats.h"

/* Milliseconds of the monotonic clock. */
static int64_t
ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A child running sh -c script in a process group of its own. */
static pid_t
start(const char *script)
{
	pid_t	 pid = fork();

	cr_assert_neq(pid, -1);
	if (pid == 0) {
		setpgid(0, 0);		/* stop() kills the whole group */
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void
stop(pid_t pid)
{
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* Nanoseconds pid has run (/proc/PID/schedstat: another file than
   the one stats reads, and another unit), with its children's if
   tree is set. */
static uint64_t
ran_ns(pid_t pid, int tree)
{
	char			 path[64];
	unsigned long long	 ns = 0, child;
	FILE			*f;

	snprintf(path, sizeof path, "/proc/%ld/schedstat", (long)pid);
	if ((f = fopen(path, "r")) != NULL) {
		if (fscanf(f, "%llu", &ns) != 1)
			ns = 0;
		fclose(f);
	}
	snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", (long)pid,
	    (long)pid);
	if (tree && (f = fopen(path, "r")) != NULL) {
		while (fscanf(f, "%llu", &child) == 1)
			ns += ran_ns((pid_t)child, 1);
		fclose(f);
	}
	return ns;
}

/* What the machine really gave pid between two samples, in percent of
   a core: on a loaded machine a spinning process gets less than one. */
static double	 given_pct;

/* given_pct from t0, when pid (and its tree) had run ns0, to t1. */
static void
given_since(pid_t pid, uint64_t ns0, int64_t t0, int64_t t1)
{
	given_pct = (double)(ran_ns(pid, 1) - ns0) / 1e6 / (double)(t1 - t0) *
	    100;
}

/* Sample pid twice, 1.2 s apart (lines: 0 then lines). */
static struct stats_usage
twice(pid_t pid, uint64_t lines)
{
	struct stats		*st = stats_new();
	struct stats_usage	 u;
	int64_t			 t0 = ms(), t1;
	uint64_t		 ns0 = ran_ns(pid, 1);

	cr_assert_eq(stats_sample(st, pid, 0, t0)->valid, 0,
	    "one sample is not enough");
	cr_assert_eq(stats_sample(st, pid, 0, t0 + 10)->valid, 0,
	    "a sample within a second is the last one again");
	usleep(1200 * 1000);
	t1 = ms();
	given_since(pid, ns0, t0, t1);
	u = *stats_sample(st, pid, lines, t1);
	stats_free(st);
	return u;
}

/* u shows what the process tree was given, within clock-tick steps;
   and at least 30% whenever the machine gave it 40% or more. */
static void
check_cpu(const struct stats_usage *u)
{
	cr_assert(u->valid);
	cr_assert_leq(u->cpu_pct, 110, "cpu %.1f%%", u->cpu_pct);
	cr_assert(u->cpu_pct >= given_pct - 10 && u->cpu_pct <= given_pct + 10,
	    "cpu %.1f%%, given %.1f%%", u->cpu_pct, given_pct);
	if (given_pct >= 40)
		cr_assert_geq(u->cpu_pct, 30, "cpu %.1f%%", u->cpu_pct);
	cr_assert_geq(given_pct, 5, "the spinner hardly ran (%.1f%%)",
	    given_pct);
}

Test(stats, a_spinning_process_shows_most_of_a_core)
{
	pid_t			 pid = start("while :; do :; done");
	struct stats_usage	 u = twice(pid, 0);

	stop(pid);
	check_cpu(&u);
	cr_assert_gt(u.rss_kib, 0);
}

Test(stats, a_sleeping_process_shows_next_to_nothing)
{
	pid_t			 pid = start("exec sleep 30");
	struct stats_usage	 u;

	usleep(100 * 1000);	/* past the exec */
	u = twice(pid, 0);
	stop(pid);
	cr_assert(u.valid);
	cr_assert_leq(u.cpu_pct, 3, "cpu %.1f%%", u.cpu_pct);
	cr_assert_gt(u.rss_kib, 0);
}

Test(stats, the_tree_counts_children)
{
	/* The shell sleeps; its child spins. */
	pid_t			 pid = start("sh -c 'while :; do :; done' & wait");
	struct stats_usage	 u;

	usleep(100 * 1000);
	u = twice(pid, 0);
	stop(pid);
	check_cpu(&u);
}

Test(stats, lines_per_second_follow_the_count)
{
	pid_t			 pid = start("exec sleep 30");
	struct stats_usage	 u = twice(pid, 600);

	stop(pid);
	/* 600 lines in about 1.2 s. */
	cr_assert_geq(u.lines_per_s, 300, "%.1f l/s", u.lines_per_s);
	cr_assert_leq(u.lines_per_s, 600, "%.1f l/s", u.lines_per_s);
}

/* A process begun at its start: from STATS_FIRST_MS on, the first
   sample gives the averages since then, as ps(1) does; the next within
   a period is the same one again. */
Test(stats, the_first_sample_after_the_start_is_the_average_since)
{
	struct stats		*st = stats_new();
	const struct stats_usage *u;
	int64_t			 t0 = ms(), t1;
	pid_t			 pid = start("while :; do :; done");
	uint64_t		 ns0 = ran_ns(pid, 1);

	stats_begin(st, pid, 100, t0);
	cr_assert_eq(stats_sample(st, pid, 100, t0 + 50)->valid, 0,
	    "before STATS_FIRST_MS: nothing yet");
	usleep(600 * 1000);
	t1 = ms();
	given_since(pid, ns0, t0, t1);
	u = stats_sample(st, pid, 100 + 300, t1);
	stop(pid);
	check_cpu(u);
	cr_assert_gt(u->rss_kib, 0);
	cr_assert_float_eq(u->lines_per_s, 300.0 * 1000 / (double)(t1 - t0),
	    0.01, "%.2f l/s", u->lines_per_s);
	cr_assert_eq(stats_sample(st, pid, 900, t1 + 500)->at_ms, t1,
	    "within a period: the same sample");
	stats_free(st);
}

/* Begun for a remote node's group: its line rate since the start. */
Test(stats, a_remote_node_begun_has_its_rate_since_the_start)
{
	struct stats		*st = stats_new();
	const struct stats_usage *u;
	int64_t			 t = ms();

	stats_begin(st, 4242, 50, t);
	u = stats_sample_lines(st, 4242, 50 + 200, t + 400);
	cr_assert_eq(u->valid, 1);
	cr_assert_eq(u->procs, 0);
	cr_assert_float_eq(u->lines_per_s, 500.0, 0.01, "%.2f",
	    u->lines_per_s);
	stats_free(st);
}

/* A remote node begun under its ssh client's pid, then known by its
   group's id: the same run, its rate still from the start. */
Test(stats, a_new_id_for_the_same_run_keeps_its_start)
{
	struct stats		*st = stats_new();
	const struct stats_usage *u;
	int64_t			 t = ms();

	stats_begin(st, 4242, 50, t);
	stats_rekey(st, 5151);
	u = stats_sample_lines(st, 5151, 50 + 200, t + 400);
	cr_assert_eq(u->valid, 1, "the start still counts");
	cr_assert_float_eq(u->lines_per_s, 500.0, 0.01, "%.2f",
	    u->lines_per_s);
	stats_free(st);
}

Test(stats, no_process_no_usage)
{
	struct stats		*st = stats_new();

	cr_assert_eq(stats_sample(st, 0, 5, ms())->valid, 0);
	cr_assert_eq(stats_sample(st, 0, 5, ms() + 5000)->valid, 0);
	cr_assert_eq(stats_last(st)->rss_kib, 0);
	stats_free(st);
}

Test(stats, a_remote_node_has_lines_per_second_and_no_cpu_or_memory)
{
	struct stats		*st = stats_new();
	const struct stats_usage *u;
	int64_t			 t = ms();

	/* Id 4242 is a group on another host: nothing of it is read here
	   (no such process needs to exist). */
	u = stats_sample_lines(st, 4242, 100, t);
	cr_assert_eq(u->valid, 0, "one sample is not a rate");
	u = stats_sample_lines(st, 4242, 400, t + 500);
	cr_assert_eq(u->valid, 0, "closer than a period: the last again");
	u = stats_sample_lines(st, 4242, 600, t + 2000);
	cr_assert_eq(u->valid, 1);
	cr_assert_eq(u->procs, 0, "CPU and memory unknown");
	cr_assert_eq(u->rss_kib, 0);
	cr_assert_float_eq(u->lines_per_s, 250.0, 0.01, "%.2f",
	    u->lines_per_s);
	/* A new run (another group) starts afresh. */
	cr_assert_eq(stats_sample_lines(st, 4343, 700, t + 4000)->valid, 0);
	cr_assert_eq(stats_sample_lines(st, 0, 700, t + 6000)->valid, 0);
	stats_free(st);
}

Test(stats, a_local_process_has_cpu_and_memory)
{
	pid_t			 pid = start("exec sleep 30");
	struct stats_usage	 u = twice(pid, 10);

	stop(pid);
	cr_assert_eq(u.valid, 1);
	cr_assert_eq(u.procs, 1);
	cr_assert_gt(u.rss_kib, 0);
}

Test(stats, sizes_read_short)
{
	char	 buf[32];

	cr_assert_str_eq(stats_size_str(512, buf, sizeof buf), "512K");
	cr_assert_str_eq(stats_size_str(84 * 1024 + 5, buf, sizeof buf), "84M");
	cr_assert_str_eq(stats_size_str(1258291, buf, sizeof buf), "1.2G");
}
