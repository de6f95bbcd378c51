/*
 * Per-node resource usage from /proc: the CPU ticks and resident pages
 * of a process and its descendants, turned into a CPU percentage, a
 * resident size and a line rate between two samples.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/stats.h"
#include "nodemux/util.h"

/* A runaway tree is not walked past this many processes. */
#define STATS_MAX_PROCS	4096

struct stats {
	pid_t			 pid;		/* of the last sample */
	int			 stat_fd;	/* its /proc stat and children */
	int			 children_fd;	/*   files, kept open: a pread
						   costs less than a path
						   walk, open and close */
	uint64_t		 ticks;		/* CPU ticks of the tree then */
	uint64_t		 lines;
	int64_t			 at_ms;
	int			 begun;		/* the last "sample" is the
						   start (stats_begin) */
	struct stats_usage	 u;
};

/* Totals over one walk of a tree. */
struct stats_walk {
	uint64_t	 ticks;
	uint64_t	 pages;
	int		 procs;
};

struct stats *
stats_new(void)
{
	struct stats	*st = xcalloc(1, sizeof *st);

	st->stat_fd = st->children_fd = -1;
	return st;
}

/* Close the kept files (the node's leader changed or is gone). */
static void
stats_close(struct stats *st)
{
	if (st->stat_fd != -1)
		close(st->stat_fd);
	if (st->children_fd != -1)
		close(st->children_fd);
	st->stat_fd = st->children_fd = -1;
}

void
stats_free(struct stats *st)
{
	if (st == NULL)
		return;
	stats_close(st);
	free(st);
}

/*
 * Read a small /proc file into buf (NUL-terminated): its length or -1.
 * With keep, the file is opened once into *keep and read again from its
 * start each time.
 */
static ssize_t
stats_read(const char *path, char *buf, size_t len, int *keep)
{
	ssize_t	 n;
	int	 fd = keep != NULL ? *keep : -1;

	if (fd == -1 && (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	do
		n = pread(fd, buf, len - 1, 0);
	while (n == -1 && errno == EINTR);
	if (keep != NULL && n >= 0)
		*keep = fd;
	else {
		close(fd);
		if (keep != NULL)
			*keep = -1;
	}
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

/*
 * Add pid's own and its reaped children's CPU ticks (utime, stime,
 * cutime, cstime: a child that exits moves its time into its parent's,
 * so the tree's total does not drop) and resident pages to w.
 */
static int
stats_proc(pid_t pid, struct stats_walk *w, int *keep)
{
	char			 path[64], buf[1024], *p;
	unsigned long long	 ut, st, cut, cst;
	long			 rss;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if (stats_read(path, buf, sizeof buf, keep) == -1)
		return -1;
	/* The name may hold spaces and parentheses: fields start after
	   the last ')'.  Then state (3) ... utime (14) ... rss (24). */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u "
	    "%llu %llu %llu %llu %*d %*d %*d %*d %*u %*u %ld", &ut, &st, &cut,
	    &cst, &rss) != 5)
		return -1;
	w->ticks += ut + st + cut + cst;
	w->pages += rss > 0 ? (uint64_t)rss : 0;
	w->procs++;
	return 0;
}

/* Walk pid and its descendants; st keeps the leader's files open. */
static void
stats_tree(struct stats *st, pid_t pid, struct stats_walk *w, int depth)
{
	char	 path[64], buf[4096], *p, *end;
	long	 child;

	if (w->procs >= STATS_MAX_PROCS || depth > 64 ||
	    stats_proc(pid, w, depth == 0 ? &st->stat_fd : NULL) == -1)
		return;
	snprintf(path, sizeof path, "/proc/%ld/task/%ld/children", (long)pid,
	    (long)pid);
	if (stats_read(path, buf, sizeof buf, depth == 0 ?
	    &st->children_fd : NULL) <= 0)
		return;
	for (p = buf; *p != '\0'; p = end) {
		child = strtol(p, &end, 10);
		if (end == p)
			break;
		if (child > 0)
			stats_tree(st, (pid_t)child, w, depth + 1);
	}
}

void
stats_begin(struct stats *st, pid_t pid, uint64_t lines, int64_t now_ms)
{
	stats_close(st);
	memset(&st->u, 0, sizeof st->u);
	st->pid = pid;
	st->ticks = 0;		/* a forked child's times start at 0 */
	st->lines = lines;
	st->at_ms = now_ms;
	st->begun = pid != 0;
}

void
stats_rekey(struct stats *st, pid_t pid)
{
	if (st->pid != 0 && pid != 0) {
		stats_close(st);	/* /proc files are the old pid's */
		st->pid = pid;
	}
}

/* Is the last sample of pid recent enough to give again? */
static int
stats_fresh(const struct stats *st, pid_t pid, int64_t now_ms)
{
	return pid == st->pid && now_ms - st->at_ms <
	    (st->begun ? STATS_FIRST_MS : STATS_PERIOD_MS);
}

const struct stats_usage *
stats_sample(struct stats *st, pid_t pid, uint64_t lines, int64_t now_ms)
{
	struct stats_walk	 w = { 0, 0, 0 };
	double			 secs;
	long			 hz = sysconf(_SC_CLK_TCK);
	long			 page = sysconf(_SC_PAGESIZE);

	if (pid == 0) {
		stats_close(st);
		memset(&st->u, 0, sizeof st->u);
		st->pid = 0;
		st->begun = 0;
		return &st->u;
	}
	if (stats_fresh(st, pid, now_ms))
		return &st->u;
	if (pid != st->pid)
		stats_close(st);
	st->begun = 0;
	stats_tree(st, pid, &w, 0);
	if (pid == st->pid && w.procs > 0 && now_ms > st->at_ms) {
		secs = (double)(now_ms - st->at_ms) / 1000;
		st->u.cpu_pct = w.ticks >= st->ticks ? (double)(w.ticks -
		    st->ticks) / (double)(hz > 0 ? hz : 100) / secs * 100 : 0;
		st->u.lines_per_s = lines >= st->lines ?
		    (double)(lines - st->lines) / secs : 0;
		st->u.valid = st->u.procs = 1;
	} else
		memset(&st->u, 0, sizeof st->u);
	st->u.rss_kib = w.pages * (uint64_t)(page > 0 ? page : 4096) / 1024;
	st->u.at_ms = now_ms;
	st->pid = w.procs > 0 ? pid : 0;
	if (st->pid == 0)
		stats_close(st);
	st->ticks = w.ticks;
	st->lines = lines;
	st->at_ms = now_ms;
	return &st->u;
}

const struct stats_usage *
stats_sample_lines(struct stats *st, pid_t id, uint64_t lines,
    int64_t now_ms)
{
	double	 secs;

	stats_close(st);	/* no /proc files of its own */
	if (id == 0) {
		memset(&st->u, 0, sizeof st->u);
		st->pid = 0;
		return &st->u;
	}
	if (stats_fresh(st, id, now_ms))
		return &st->u;
	st->begun = 0;
	memset(&st->u, 0, sizeof st->u);
	if (id == st->pid && now_ms > st->at_ms) {
		secs = (double)(now_ms - st->at_ms) / 1000;
		st->u.lines_per_s = lines >= st->lines ?
		    (double)(lines - st->lines) / secs : 0;
		st->u.valid = 1;
	}
	st->u.at_ms = now_ms;
	st->pid = id;
	st->ticks = 0;
	st->lines = lines;
	st->at_ms = now_ms;
	return &st->u;
}

const struct stats_usage *
stats_last(const struct stats *st)
{
	return &st->u;
}

char *
stats_size_str(uint64_t kib, char *buf, size_t len)
{
	if (kib < 1024)
		snprintf(buf, len, "%lluK", (unsigned long long)kib);
	else if (kib < 1024 * 1024)
		snprintf(buf, len, "%lluM", (unsigned long long)(kib / 1024));
	else
		snprintf(buf, len, "%.1fG", (double)kib / (1024 * 1024));
	return buf;
}
