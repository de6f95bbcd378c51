/*
 * The line path without ptys: the output of 16 bench/writer nodes, as a
 * pty hands it over (\r\n, reads of 4095 bytes, one node after the
 * other), through the parser, a log file and a scrollback of 10,000 lines
 * per node, plain lines many at a time as nodemux takes them.  Repeatable
 * figures for the parser's share of the launcher benchmark.
 *   lines [LINES [LOGDIR]]   (LINES in all, default 1,600,000)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nodemux/line.h"
#include "nodemux/logfile.h"
#include "nodemux/scrollback.h"
#include "nodemux/util.h"
#include "nodemux/vt.h"

#define LINES_NODES	16
#define LINES_READ	4095	/* what one read of a pty gives */

struct lines_node {
	struct vt		*vt;
	struct scrollback	*sb;
	struct logfile		*log;
};

static unsigned long	 lines_count;

/* A completed line: to the log file and the scrollback, as a node's. */
static void
lines_cb(void *arg, struct line *l)
{
	struct lines_node	*n = arg;

	lines_count++;
	if (n->log != NULL)
		logfile_add(n->log, l);
	scrollback_push(n->sb, l);
}

/* Plain lines, many at a time (vt_on_plain), as nodemux takes them. */
static void
lines_plain(void *arg, const struct vt_plain *p)
{
	struct lines_node	*n = arg;
	struct line		 first;

	memset(&first, 0, sizeof first);
	first.time_ms = p->time_ms;
	lines_count += p->n;
	if (n->log != NULL)
		logfile_add_many(n->log, p->text, p->len, p->n);
	scrollback_push_many(n->sb, &first, p->text, p->len, p->n, NULL,
	    NULL);
}

/* CPU milliseconds of this process. */
static double
lines_cpu_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* One writer's output: lines of 63 bytes and \r\n, as a pty has them. */
static char *
lines_make(long lines, size_t *len)
{
	char	*buf = xmalloc(lines * 65 + 1);
	long	 i;

	*len = 0;
	for (i = 0; i < lines; i++) {
		snprintf(buf + *len, 66, "w1   %08ld %-49.49s\r\n", i,
		    "the quick brown fox jumps over the lazy dog 0123");
		*len += 65;
	}
	return buf;
}

int
main(int argc, char **argv)
{
	struct lines_node	 nodes[LINES_NODES];
	long			 lines = argc > 1 ? atol(argv[1]) : 1600000;
	char			*buf, path[4096], *cause;
	size_t			 len, off, n;
	double			 t0;
	int			 i;

	if (lines < 1) {
		fprintf(stderr, "usage: lines [LINES [LOGDIR]]\n");
		return 2;
	}
	/* Every node writes the same stream, read by read in turn. */
	buf = lines_make(lines / LINES_NODES, &len);
	for (i = 0; i < LINES_NODES; i++) {
		nodes[i].vt = vt_new(0);
		vt_on_plain(nodes[i].vt, lines_plain);
		nodes[i].sb = scrollback_new(10000, 8 * 1024 * 1024);
		nodes[i].log = NULL;
		if (argc < 3)
			continue;
		snprintf(path, sizeof path, "%s/lines%d.log", argv[2], i + 1);
		if ((nodes[i].log = logfile_open(path, &cause)) == NULL) {
			fprintf(stderr, "lines: %s\n", cause);
			return 1;
		}
	}
	t0 = lines_cpu_ms();
	for (off = 0; off < len; off += n) {
		n = len - off < LINES_READ ? len - off : LINES_READ;
		for (i = 0; i < LINES_NODES; i++) {
			vt_feed(nodes[i].vt, buf + off, n, lines_cb, &nodes[i]);
			if (nodes[i].log != NULL &&
			    logfile_flush(nodes[i].log, &cause) == -1) {
				fprintf(stderr, "lines: %s\n", cause);
				return 1;
			}
		}
	}
	printf("%lu lines through parser%s and scrollback: %.1f ms CPU\n",
	    lines_count, argc > 2 ? ", log file" : "", lines_cpu_ms() - t0);
	for (i = 0; i < LINES_NODES; i++) {
		vt_free(nodes[i].vt);
		scrollback_free(nodes[i].sb);
		if (nodes[i].log != NULL)
			unlink(logfile_path(nodes[i].log));
		logfile_close(nodes[i].log);
	}
	free(buf);
	return 0;
}
