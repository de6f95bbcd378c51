/*
 * Node log files: plain text lines queued and appended to the file on
 * each flush; a failing disk is reported once and never stops a node.
 * The queue can live in a memfd shared with a rescuer (the guard), which
 * writes out what is queued should nodemux die before its next flush.
 */
#include "config.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/line.h"
#include "nodemux/logfile.h"
#include "nodemux/util.h"

#define LOGFILE_QUEUE_MAX	(64 * 1024)
#define LOGFILE_MAGIC		0x6e6d6c67u	/* "nmlg" */

/*
 * The queue, laid out so that a rescuer holding the memfd it lives in can
 * finish the job should this process die: buf[0..len) are whole lines not
 * yet written; they belong at file offset base.  While a write of them is
 * under way, writing is 1 and the file's size says how much went out.
 */
struct logfile_stage {
	uint32_t		 magic;
	uint32_t		 writing;
	uint64_t		 base;
	uint32_t		 len;
	uint32_t		 cap;
	char			 buf[];
};

struct logfile {
	char			*path;
	int			 fd;
	struct logfile_stage	*st;		/* the queue */
	size_t			 st_size;	/* mapped bytes, 0: malloc'd */
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

/* A fresh private queue (the size of the file is its base). */
static struct logfile_stage *
logfile_stage_new(int fd)
{
	struct logfile_stage	*st;
	struct stat		 sb;

	st = xcalloc(1, sizeof *st + LOGFILE_QUEUE_MAX);
	st->magic = LOGFILE_MAGIC;
	st->cap = LOGFILE_QUEUE_MAX;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode))
		st->base = (uint64_t)sb.st_size;
	return st;
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
	lf->st = logfile_stage_new(fd);
	return lf;
}

/*
 * Move the queue into a memfd and offer it, with the file, to give()
 * (which passes both descriptors to a rescuer); the memfd is closed after.
 * When anything fails the queue stays private.
 */
int
logfile_share(struct logfile *lf, logfile_give_cb give, void *arg)
{
	struct logfile_stage	*st;
	size_t			 size = sizeof *st + lf->st->cap;
	int			 mfd;

	if (lf->st_size != 0)
		return 0;
	if ((mfd = memfd_create("nodemux-log", MFD_CLOEXEC)) == -1)
		return -1;
	if (ftruncate(mfd, (off_t)size) == -1 || (st = mmap(NULL, size,
	    PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0)) == MAP_FAILED) {
		close(mfd);
		return -1;
	}
	memcpy(st, lf->st, sizeof *st + lf->st->len);
	if (give(arg, lf->fd, mfd) != 0) {
		st->len = 0;	/* a rescuer that took it late finds nothing */
		munmap(st, size);
		close(mfd);
		return -1;
	}
	close(mfd);
	free(lf->st);
	lf->st = st;
	lf->st_size = size;
	return 0;
}

void
logfile_unshare(struct logfile *lf)
{
	struct logfile_stage	*st;

	if (lf->st_size == 0)
		return;
	st = xmalloc(sizeof *st + lf->st->cap);
	memcpy(st, lf->st, sizeof *st + lf->st->len);
	munmap(lf->st, lf->st_size);
	lf->st = st;
	lf->st_size = 0;
}

int
logfile_shared(const struct logfile *lf)
{
	return lf->st_size != 0;
}

/* Store v where a rescuer will read it, after everything before it. */
static inline void
logfile_publish(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Write the queue out, looping over short writes and EINTR. */
static void
logfile_write(struct logfile *lf)
{
	struct logfile_stage	*st = lf->st;
	struct stat		 sb;
	size_t			 off = 0;
	ssize_t			 n;

	logfile_publish(&st->writing, 1);
	while (off < st->len) {
		n = write(lf->fd, st->buf + off, st->len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!lf->failing && lf->error == NULL)
				lf->error = xasprintf("write %s: %s", lf->path,
				    n == 0 ? "wrote nothing" : strerror(errno));
			lf->failing = 1;
			lf->lost += st->len - off;
			break;
		}
		off += (size_t)n;
		lf->written += (unsigned long long)n;
	}
	if (off == st->len && st->len != 0)
		lf->failing = 0;
	if (off == st->len)
		st->base += off;
	else if (fstat(lf->fd, &sb) == 0)
		st->base = (uint64_t)sb.st_size;
	logfile_publish(&st->len, 0);
	logfile_publish(&st->writing, 0);
}

/* Write len bytes of text and a newline straight to the file (a line
   longer than the queue), after what is queued. */
static void
logfile_write_long(struct logfile *lf, const char *text, size_t len)
{
	struct logfile_stage	*st = lf->st;
	size_t			 off = 0, chunk;

	while (off <= len) {
		chunk = len - off < st->cap - 1 ? len - off : st->cap - 1;
		memcpy(st->buf, text + off, chunk);
		off += chunk;
		if (off == len)
			st->buf[chunk++] = '\n';
		logfile_publish(&st->len, (uint32_t)chunk);
		logfile_write(lf);
		if (off == len)
			break;
	}
}

/* Queue text and a newline, writing the queue first if it is full. */
static inline void
logfile_queue(struct logfile *lf, const char *text, size_t len)
{
	struct logfile_stage	*st = lf->st;
	size_t			 at = st->len;

	if (at + len + 1 > st->cap) {
		logfile_write(lf);
		if (len + 1 > st->cap) {
			logfile_write_long(lf, text, len);
			return;
		}
		at = 0;
	}
	memcpy(st->buf + at, text, len);
	st->buf[at + len] = '\n';
	logfile_publish(&st->len, (uint32_t)(at + len + 1));
}

void
logfile_add_text(struct logfile *lf, const char *text, size_t len)
{
	logfile_queue(lf, text, len);
}

/* The texts that fit go in with the queue's length kept at hand and
   published once; one that does not goes the way of logfile_queue. */
void
logfile_add_many(struct logfile *lf, const char *const *text,
    const uint32_t *len, size_t n)
{
	struct logfile_stage	*st = lf->st;
	size_t			 i, at = st->len;

	for (i = 0; i < n; i++) {
		if (at + len[i] + 1 > st->cap) {
			logfile_publish(&st->len, (uint32_t)at);
			logfile_queue(lf, text[i], len[i]);
			at = st->len;
			continue;
		}
		memcpy(st->buf + at, text[i], len[i]);
		st->buf[at + len[i]] = '\n';
		at += len[i] + 1;
	}
	logfile_publish(&st->len, (uint32_t)at);
}

void
logfile_add(struct logfile *lf, const struct line *l)
{
	logfile_queue(lf, l->text, l->len);
}

size_t
logfile_queued(const struct logfile *lf)
{
	return lf->st->len;
}

int
logfile_flush(struct logfile *lf, char **cause)
{
	if (lf->st->len != 0)
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
	if (lf->st->len != 0)
		logfile_write(lf);
	close(lf->fd);
	if (lf->st_size != 0)
		munmap(lf->st, lf->st_size);
	else
		free(lf->st);
	free(lf->error);
	free(lf->path);
	free(lf);
}

/*
 * In the rescuer, once the writer is dead: append what its queue still
 * held.  A write cut short by the death is finished from where the
 * file's size says it stopped, so nothing is written twice.
 */
int
logfile_rescue(int fd, int stage_fd)
{
	const struct logfile_stage	*st;
	struct stat			 sb;
	size_t				 size, done = 0, len;
	ssize_t				 n;
	int				 rc = 0;

	if (fstat(stage_fd, &sb) == -1 || (size_t)sb.st_size < sizeof *st)
		return -1;
	size = (size_t)sb.st_size;
	st = mmap(NULL, size, PROT_READ, MAP_SHARED, stage_fd, 0);
	if (st == MAP_FAILED)
		return -1;
	len = st->len;
	if (st->magic != LOGFILE_MAGIC || len > st->cap ||
	    sizeof *st + st->cap > size)
		rc = -1;
	else if (st->writing && fstat(fd, &sb) == 0 &&
	    (uint64_t)sb.st_size > st->base)
		done = (uint64_t)sb.st_size - st->base < len ?
		    (size_t)((uint64_t)sb.st_size - st->base) : len;
	while (rc == 0 && done < len) {
		n = write(fd, st->buf + done, len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			rc = -1;
		else
			done += (size_t)n;
	}
	munmap((void *)st, size);
	return rc;
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
