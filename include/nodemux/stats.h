/*
 * What a node costs: the CPU, resident memory and output rate of its
 * process tree on this machine, read from /proc at most once a second
 * and only when someone asks (a title with room for them, the table
 * view, ctl status), so that nodes nobody looks at cost nothing.
 */
#ifndef NODEMUX_STATS_H
#define NODEMUX_STATS_H

#include <stdint.h>
#include <sys/types.h>

/* Samples closer together than this give the last one again. */
#define STATS_PERIOD_MS	1000
/* The first sample after stats_begin, from this long after the start:
   a clock tick is 10 ms, so earlier figures would be mostly rounding. */
#define STATS_FIRST_MS	250

struct stats_usage {
	int		 valid;		/* two samples of the same pid so far,
					   or one after stats_begin */
	int		 procs;		/* cpu_pct and rss_kib are known (the
					   tree is on this machine) */
	double		 cpu_pct;	/* percent of one core */
	uint64_t	 rss_kib;	/* resident memory of the tree */
	double		 lines_per_s;	/* completed lines per second */
	int64_t		 at_ms;		/* when sampled (now_ms()) */
};

struct stats;

struct stats	*stats_new(void);
void		 stats_free(struct stats *);

/*
 * The node's process pid started now_ms, lines completed lines so far:
 * that is the first sample (no CPU time yet), so that the next, from
 * STATS_FIRST_MS on, gives the averages since the start, as ps(1) does,
 * rather than nothing until a second sample.
 */
void		 stats_begin(struct stats *, pid_t pid, uint64_t lines,
		    int64_t now_ms);
/* The same process known by another id from now on (a remote node's
   group, once its host tells it): the samples so far still count. */
void		 stats_rekey(struct stats *, pid_t pid);
/*
 * The usage of the process tree of pid (pid and its descendants, as
 * /proc/PID/task/PID/children lists them) and of a node that has
 * completed lines lines so far, as of now_ms.  A new sample is taken
 * when the last is STATS_PERIOD_MS old or pid changed; CPU and lines per
 * second need two samples, so the first of a pid not begun is not valid.
 * pid 0 (not running): nothing is read and the usage is not valid.
 */
const struct stats_usage *stats_sample(struct stats *, pid_t pid,
		    uint64_t lines, int64_t now_ms);
/*
 * The same for a node on another machine, whose processes /proc here
 * cannot see: its lines per second only (counted here, from its output);
 * cpu_pct and rss_kib stay unknown (procs 0).  id, nonzero while the node
 * runs (its group on its host), tells one run from the next.
 */
const struct stats_usage *stats_sample_lines(struct stats *, pid_t id,
		    uint64_t lines, int64_t now_ms);
/* The last usage, without sampling. */
const struct stats_usage *stats_last(const struct stats *);

/* "84M", "512K", "1.2G": size in KiB, short, into buf. */
char		*stats_size_str(uint64_t kib, char *buf, size_t len);

#endif
