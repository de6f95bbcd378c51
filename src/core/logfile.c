/*
 * Node log files: plain text lines queued in memory and appended to the
 * file on each flush; a failing disk is reported once and never stops a
 * node.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nodemux/line.h"
#include "nodemux/logfile.h"
#include "nodemux/util.h"

#define LOGFILE_QUEUE_MAX	(64 * 1024)

struct logfile {
	char			*path;
	int			 fd;
	struct strbuf		 queue;
	int			 failing;	/* the last write failed: do not
						   report again until one works */
	char			*error;		/* unreported failure */
	unsigned long long	 written;
	unsigned long long	 lost;
};

/* Create every missing directory above path (mkdir -p of its dirname). */
static int
logfile_mkdirs(const char *path, char **cause)
{
	char		*dir = xstrdup(path), *p;
	struct stat	 st;

	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
			*cause = xasprintf("cannot create directory %s: %s",
			    dir, strerror(errno));
			free(dir);
			return -1;
		}
		if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
			*cause = xasprintf("cannot create directory %s: %s",
			    dir, "a file of that name exists");
			free(dir);
			return -1;
		}
		*p = '/';
	}
	free(dir);
	return 0;
}

struct logfile *
logfile_open(const char *path, char **cause)
{
	struct logfile	*lf;
	int		 fd;

	if (*path == '\0') {
		*cause = xstrdup("empty log file name");
		return NULL;
	}
	if (logfile_mkdirs(path, cause) != 0)
		return NULL;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd == -1) {
		*cause = xasprintf("cannot open %s: %s", path, strerror(errno));
		return NULL;
	}
	lf = xcalloc(1, sizeof *lf);
	lf->path = xstrdup(path);
	lf->fd = fd;
	return lf;
}

/* Write the queue out, looping over short writes and EINTR. */
static void
logfile_write(struct logfile *lf)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < lf->queue.len) {
		n = write(lf->fd, lf->queue.buf + off, lf->queue.len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!lf->failing && lf->error == NULL)
				lf->error = xasprintf("write %s: %s", lf->path,
				    n == 0 ? "wrote nothing" : strerror(errno));
			lf->failing = 1;
			lf->lost += lf->queue.len - off;
			break;
		}
		off += (size_t)n;
		lf->written += (unsigned long long)n;
	}
	if (off == lf->queue.len && lf->queue.len != 0)
		lf->failing = 0;
	strbuf_reset(&lf->queue);
}

void
logfile_add_text(struct logfile *lf, const char *text, size_t len)
{
	strbuf_add(&lf->queue, text, len);
	strbuf_addc(&lf->queue, '\n');
	if (lf->queue.len >= LOGFILE_QUEUE_MAX)
		logfile_write(lf);
}

void
logfile_add(struct logfile *lf, const struct line *l)
{
	/* A line's text ends in a NUL: copy it too and make it the \n,
	   one append instead of two for every line of every node. */
	strbuf_add(&lf->queue, l->text, l->len + 1);
	lf->queue.buf[lf->queue.len - 1] = '\n';
	if (lf->queue.len >= LOGFILE_QUEUE_MAX)
		logfile_write(lf);
}

int
logfile_flush(struct logfile *lf, char **cause)
{
	if (lf->queue.len != 0)
		logfile_write(lf);
	if (lf->error != NULL) {
		*cause = lf->error;
		lf->error = NULL;
		return -1;
	}
	return 0;
}

void
logfile_close(struct logfile *lf)
{
	if (lf == NULL)
		return;
	if (lf->queue.len != 0)
		logfile_write(lf);
	close(lf->fd);
	strbuf_free(&lf->queue);
	free(lf->error);
	free(lf->path);
	free(lf);
}

const char *
logfile_path(const struct logfile *lf)
{
	return lf->path;
}

unsigned long long
logfile_written(const struct logfile *lf)
{
	return lf->written;
}

unsigned long long
logfile_lost(const struct logfile *lf)
{
	return lf->lost;
}
