/*
 * The benchmark's floor and its stopwatch.
 *   floor N CMD...   run N copies of CMD, each in its own pty, drained by
 *                    the smallest poll reader there is; exit at the last EOF
 *   floor time FILE CMD...  run CMD; write "wall_ms user_ms sys_ms
 *                    maxrss_kb self_user_ms self_sys_ms" to FILE: user and
 *                    sys count CMD and its children, self_* CMD alone
 *                    (sampled from /proc every 10 ms until it exits)
 *   floor bytes N DIR  wait until the files in DIR hold N bytes in all
 *                    (looked at every 5 ms; a reader's log files are
 *                    whole); print the wall clock then, in ms since the
 *                    epoch; exit 1 if they stop growing for 60 s first.
 *                    Only the files written since the last look are
 *                    stat'ed (inotify): stat'ing 256 files every 5 ms
 *                    took 5% of a CPU from the run it timed
 * FLOOR_SPIN_NS=N    floor N CMD... spends N ns of CPU (a busy loop on
 *                    the clock) after each read that returned data: a
 *                    reader that much slower, to measure what each ms of
 *                    a reader's CPU costs in wall time on this machine
 * FLOOR_KEEP=DIR     floor N CMD... also keeps what it reads, the least
 *                    any reader with nodemux's duties must do: each pty's
 *                    bytes appended to DIR/N.log in writes of 64 KiB, and
 *                    copied into a ring of FLOOR_KEEP_LINES (default
 *                    10000) x 64 bytes per pty, a scrollback's memory
 *                    (no parsing: the bytes as read); DIR "-": the
 *                    rings alone, no files
 * FLOOR_LINES=1      with FLOOR_KEEP, keep lines instead, the least any
 *                    reader that keeps lines must do: each pty's bytes
 *                    split at \n (memchr), a line's \r and trailing
 *                    spaces dropped (as nodemux does), the line and a
 *                    \n appended to the log queue, the line (cut
 *                    at 63 bytes, after a length byte) copied into the
 *                    next 64-byte slot of the ring; a line split by a
 *                    read is carried to the next (up to 256 bytes)
 * cc -O2 -o floor floor.c -lutil
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FLOOR_MAX	256

/* Milliseconds of the monotonic clock. */
static double
floor_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Busy for ns nanoseconds of the monotonic clock. */
static void
floor_spin(long ns)
{
	double	 until = floor_now() + ns / 1e6;

	while (floor_now() < until)
		;
}

/* FLOOR_KEEP: a pty's log queue and ring. */
struct floor_keep {
	int		 fd;
	size_t		 qlen;
	char		 q[65536];
	char		*ring;
	size_t		 ring_at, ring_size;
	char		 carry[256];	/* FLOOR_LINES: a line's start */
	size_t		 clen;
};

static int	 floor_lines;		/* FLOOR_LINES */

/* FLOOR_LINES: a whole line (no \n, maybe a \r) to the log queue and
   the ring's next slot. */
static void
floor_line(struct floor_keep *k, const char *s, size_t len)
{
	if (len > 0 && s[len - 1] == '\r')
		len--;
	while (len > 0 && s[len - 1] == ' ')
		len--;
	if (k->fd != -1) {
		if (k->qlen + len + 1 > sizeof k->q) {
			if (write(k->fd, k->q, k->qlen) != (ssize_t)k->qlen)
				perror("write");
			k->qlen = 0;
		}
		memcpy(k->q + k->qlen, s, len);
		k->q[k->qlen + len] = '\n';
		k->qlen += len + 1;
	}
	if (len > 63)
		len = 63;
	k->ring[k->ring_at] = (char)len;
	memcpy(k->ring + k->ring_at + 1, s, len);
	k->ring_at += 64;
	if (k->ring_at >= k->ring_size)
		k->ring_at = 0;
}

/* FLOOR_LINES: r bytes split into lines; the last, unended, is carried
   to the next read. */
static void
floor_keep_lines(struct floor_keep *k, const char *buf, size_t r)
{
	const char	*end = buf + r, *nl;
	size_t		 n;

	while (buf < end && (nl = memchr(buf, '\n', end - buf)) != NULL) {
		if (k->clen > 0) {
			n = nl - buf;
			if (n > sizeof k->carry - k->clen)
				n = sizeof k->carry - k->clen;
			memcpy(k->carry + k->clen, buf, n);
			floor_line(k, k->carry, k->clen + n);
			k->clen = 0;
		} else
			floor_line(k, buf, nl - buf);
		buf = nl + 1;
	}
	n = end - buf;
	if (n > sizeof k->carry - k->clen)
		n = sizeof k->carry - k->clen;
	memcpy(k->carry + k->clen, buf, n);
	k->clen += n;
}

/* Keep r bytes of buf as a logging, scrolling reader would. */
static void
floor_keep(struct floor_keep *k, const char *buf, size_t r)
{
	size_t	 n;

	if (floor_lines) {
		floor_keep_lines(k, buf, r);
		return;
	}
	if (k->fd == -1)
		goto ring;
	if (k->qlen + r > sizeof k->q) {
		if (write(k->fd, k->q, k->qlen) != (ssize_t)k->qlen)
			perror("write");
		k->qlen = 0;
	}
	memcpy(k->q + k->qlen, buf, r);
	k->qlen += r;
ring:
	while (r > 0) {
		n = k->ring_size - k->ring_at < r ? k->ring_size - k->ring_at :
		    r;
		memcpy(k->ring + k->ring_at, buf, n);
		k->ring_at = (k->ring_at + n) % k->ring_size;
		buf += n;
		r -= n;
	}
}

/* FLOOR_KEEP=DIR: open DIR/i.log and a ring for each of n ptys. */
static struct floor_keep *
floor_keep_new(int n)
{
	const char		*dir = getenv("FLOOR_KEEP");
	const char		*e = getenv("FLOOR_KEEP_LINES");
	struct floor_keep	*k;
	char			 path[4096];
	int			 i;

	if (dir == NULL || *dir == '\0')
		return NULL;
	floor_lines = getenv("FLOOR_LINES") != NULL;
	if ((k = calloc(n, sizeof *k)) == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%d.log", dir, i + 1);
		k[i].fd = strcmp(dir, "-") == 0 ? -1 :
		    open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (k[i].fd == -1 && strcmp(dir, "-") != 0) {
			perror(path);
			exit(1);
		}
		k[i].ring_size = (e != NULL ? (size_t)atol(e) : 10000) * 64;
		if (k[i].ring_size == 0 ||
		    (k[i].ring = malloc(k[i].ring_size)) == NULL)
			exit(1);
	}
	return k;
}

/* N writers in ptys, read until every master says EOF (EIO). */
static int
floor_drain(int n, char **cmd)
{
	struct pollfd	 pfd[FLOOR_MAX];
	static char	 buf[65536];
	char		 idx[16];
	int		 i, left = n;
	pid_t		 pid;
	ssize_t		 r;
	const char	*e = getenv("FLOOR_SPIN_NS");
	long		 spin = e != NULL ? atol(e) : 0;
	struct floor_keep *keep;

	if (n < 1 || n > FLOOR_MAX)
		return 2;
	keep = floor_keep_new(n);
	for (i = 0; i < n; i++) {
		pid = forkpty(&pfd[i].fd, NULL, NULL, NULL);
		if (pid == -1) {
			perror("forkpty");
			return 1;
		}
		if (pid == 0) {
			snprintf(idx, sizeof idx, "%d", i + 1);
			setenv("NODE_INDEX", idx, 1);
			execvp(cmd[0], cmd);
			_exit(127);
		}
		pfd[i].events = POLLIN;
	}
	while (left > 0) {
		if (poll(pfd, n, -1) == -1 && errno != EINTR)
			return 1;
		for (i = 0; i < n; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			r = read(pfd[i].fd, buf, sizeof buf);
			if (r > 0 && spin > 0)
				floor_spin(spin);
			if (r > 0 && keep != NULL)
				floor_keep(&keep[i], buf, (size_t)r);
			if (r > 0 || (r == -1 && errno == EINTR))
				continue;
			close(pfd[i].fd);
			pfd[i].fd = -1;
			left--;
			if (keep != NULL && keep[i].qlen > 0 &&
			    write(keep[i].fd, keep[i].q, keep[i].qlen) !=
			    (ssize_t)keep[i].qlen)
				perror("write");
		}
	}
	while (wait(NULL) > 0)
		;
	return 0;
}

/* CMD's own CPU so far (not its children's), in ms; from /proc. */
static void
floor_self(pid_t pid, double *user, double *sys)
{
	char		 path[64], buf[1024], *p;
	unsigned long	 ut, st;
	FILE		*f;
	long		 hz = sysconf(_SC_CLK_TCK);

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fgets(buf, sizeof buf, f) != NULL &&
	    (p = strrchr(buf, ')')) != NULL &&
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) == 2 && ut + st > 0) {
		*user = ut * 1e3 / hz;
		*sys = st * 1e3 / hz;
	}
	fclose(f);
}

/* Run cmd and write its wall time and resource use to path. */
static int
floor_time(const char *path, char **cmd)
{
	struct rusage	 ru;
	double		 t0 = floor_now(), su = 0, ss = 0;
	int		 st;
	pid_t		 pid, r;
	FILE		*f;

	if ((pid = fork()) == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (pid == -1)
		return 1;
	while ((r = wait4(pid, &st, WNOHANG, &ru)) == 0) {
		floor_self(pid, &su, &ss);
		usleep(10000);
	}
	if (r == -1)
		return 1;
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		return 1;
	}
	fprintf(f, "%.0f %.0f %.0f %ld %.0f %.0f\n", floor_now() - t0,
	    ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3,
	    ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3,
	    ru.ru_maxrss, su, ss);
	fclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* floor bytes: the files in the directory and their sizes. */
struct floor_files {
	struct floor_file {
		char		 name[256];
		long long	 size;
	}		*v;
	size_t		 n;
};

/* Stat dir/name again (a new name joins the table). */
static void
floor_file_update(struct floor_files *ff, const char *dir, const char *name)
{
	char		 path[4096];
	struct stat	 sb;
	size_t		 i;

	for (i = 0; i < ff->n; i++) {
		if (strcmp(ff->v[i].name, name) == 0)
			break;
	}
	if (i == ff->n) {
		if ((ff->v = realloc(ff->v, (i + 1) * sizeof *ff->v)) == NULL)
			abort();
		snprintf(ff->v[i].name, sizeof ff->v[i].name, "%s", name);
		ff->n++;
	}
	snprintf(path, sizeof path, "%s/%s", dir, name);
	ff->v[i].size = stat(path, &sb) == 0 && S_ISREG(sb.st_mode) ?
	    sb.st_size : 0;
}

/* Every file of dir again. */
static void
floor_files_scan(struct floor_files *ff, const char *dir)
{
	DIR		*d;
	struct dirent	*e;

	ff->n = 0;
	if ((d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.')
			floor_file_update(ff, dir, e->d_name);
	}
	closedir(d);
}

/* The files that events on fd name stat'ed again (all of them when the
   queue overflowed); the bytes of all. */
static long long
floor_files_bytes(struct floor_files *ff, int fd, const char *dir)
{
	char				 buf[65536]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event	*ev;
	const char			*p;
	ssize_t				 r;
	size_t				 i;
	long long			 n = 0;
	int				 all = 0;

	while ((r = read(fd, buf, sizeof buf)) > 0) {
		for (p = buf; p < buf + r; p += sizeof *ev + ev->len) {
			ev = (const struct inotify_event *)(const void *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				all = 1;
			else if (ev->len != 0 && ev->name[0] != '.' && !all)
				floor_file_update(ff, dir, ev->name);
		}
	}
	if (all)
		floor_files_scan(ff, dir);
	for (i = 0; i < ff->n; i++)
		n += ff->v[i].size;
	return n;
}

static int
floor_bytes(long long want, const char *dir)
{
	struct timespec		 ts;
	struct floor_files	 ff = { NULL, 0 };
	long long		 n, last = -1;
	double			 since = floor_now();
	int			 fd;

	/* Watch first, then look at what is there: nothing is missed.  The
	   reader may not have made dir yet. */
	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		perror("floor: inotify");
		return 1;
	}
	while (inotify_add_watch(fd, dir, IN_MODIFY | IN_CREATE |
	    IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE) == -1) {
		if (errno != ENOENT || floor_now() - since > 60e3) {
			fprintf(stderr, "floor: cannot watch %s: %s\n", dir,
			    strerror(errno));
			return 1;
		}
		usleep(5000);
	}
	floor_files_scan(&ff, dir);
	while ((n = floor_files_bytes(&ff, fd, dir)) < want) {
		if (n != last) {
			last = n;
			since = floor_now();
		} else if (floor_now() - since > 60e3) {
			fprintf(stderr, "floor: %s holds %lld bytes, not %lld\n",
			    dir, n, want);
			return 1;
		}
		usleep(5000);
	}
	close(fd);
	free(ff.v);
	clock_gettime(CLOCK_REALTIME, &ts);
	printf("%lld\n", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "bytes") == 0)
		return floor_bytes(atoll(argv[2]), argv[3]);
	if (argc >= 4 && strcmp(argv[1], "time") == 0)
		return floor_time(argv[2], argv + 3);
	if (argc >= 3)
		return floor_drain(atoi(argv[1]), argv + 2);
	fprintf(stderr, "usage: floor N CMD... | floor time FILE CMD... | "
	    "floor bytes N DIR\n");
	return 2;
}
