/*
 * Tests of node log files: directories made, lines appended as plain
 * text, flush semantics, errors reported once with a clear cause, and
 * the rescue of a shared queue after its writer died.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nodemux/line.h"
#include "nodemux/logfile.h"
#include "nodemux/util.h"
#include "nodemux/vt.h"

static char	 tmpdir[64];

static void
setup(void)
{
	strcpy(tmpdir, "/tmp/nodemux-logfile.XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void
teardown(void)
{
	char	*cmd = xasprintf("rm -rf '%s'", tmpdir);

	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

/* The whole content of a file. */
static char *
slurp(const char *path)
{
	FILE		*f = fopen(path, "r");
	struct strbuf	 sb = STRBUF_INIT;
	char		 buf[4096];
	size_t		 n;

	cr_assert_not_null(f, "open %s", path);
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb);
}

/* Hand each line the parser completes to the log file. */
static void
to_log(void *arg, struct line *l)
{
	logfile_add(arg, l);
}

TestSuite(logfile, .init = setup, .fini = teardown);

Test(logfile, creates_directories_and_appends)
{
	char		*path = xasprintf("%s/a/b/c/node1@host.log", tmpdir);
	char		*cause = NULL, *dir, *text;
	struct logfile	*lf;
	struct line	*l;
	struct stat	 st;

	lf = logfile_open(path, &cause);
	cr_assert_not_null(lf, "%s", cause);
	dir = xasprintf("%s/a/b", tmpdir);
	cr_assert_eq(stat(dir, &st), 0);
	cr_assert(S_ISDIR(st.st_mode));
	cr_assert_eq(st.st_mode & 0777, 0755);
	cr_assert_str_eq(logfile_path(lf), path);
	l = line_new("first", 5, NULL, 0);
	logfile_add(lf, l);
	logfile_add_text(lf, "second", 6);
	cr_assert_eq(logfile_flush(lf, &cause), 0);
	logfile_close(lf);

	/* A second open appends. */
	lf = logfile_open(path, &cause);
	cr_assert_not_null(lf);
	logfile_add(lf, l);
	logfile_close(lf);		/* close flushes */
	text = slurp(path);
	cr_assert_str_eq(text, "first\nsecond\nfirst\n");
	line_free(l);
	free(text);
	free(dir);
	free(path);
}

Test(logfile, nothing_written_before_flush)
{
	char		*path = xasprintf("%s/n.log", tmpdir), *cause = NULL;
	char		*text;
	struct logfile	*lf = logfile_open(path, &cause);
	struct stat	 st;

	cr_assert_not_null(lf);
	logfile_add_text(lf, "queued", 6);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 0);
	cr_assert_eq(logfile_flush(lf, &cause), 0);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 7);
	/* A big batch goes out without waiting for the flush. */
	for (int i = 0; i < 2000; i++)
		logfile_add_text(lf, "0123456789012345678901234567890123456789"
		    "012345678901234567890123456789012345678", 79);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_geq(st.st_size, 64 * 1024);
	logfile_close(lf);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 7 + 2000 * 80);
	text = slurp(path);
	cr_assert_eq(strncmp(text, "queued\n0123", 11), 0);
	free(text);
	free(path);
}

/* Many texts at once (the parser's plain lines) are queued as one by
   one: each and a newline, in order, the queue written when full. */
Test(logfile, many_texts_at_once_as_one_by_one)
{
	char		*pm = xasprintf("%s/many.log", tmpdir);
	char		*po = xasprintf("%s/one.log", tmpdir), *cause = NULL;
	struct logfile	*many = logfile_open(pm, &cause);
	struct logfile	*one = logfile_open(po, &cause);
	static char	 buf[64][100];
	const char	*text[64];
	uint32_t	 len[64];
	char		*a, *b;
	size_t		 batch, i, n;
	struct stat	 st;

	cr_assert_not_null(many);
	cr_assert_not_null(one);
	for (batch = 0; batch < 300; batch++) {
		n = 1 + batch % 64;
		for (i = 0; i < n; i++) {
			len[i] = (uint32_t)snprintf(buf[i], sizeof buf[i],
			    "%zu.%zu%.*s", batch, i, (int)((batch + i) % 80),
			    "--------------------------------------------------"
			    "------------------------------");
			text[i] = buf[i];
			logfile_add_text(one, text[i], len[i]);
		}
		logfile_add_many(many, text, len, n);
	}
	logfile_close(many);
	logfile_close(one);
	cr_assert_eq(stat(pm, &st), 0);
	cr_assert_gt(st.st_size, 64 * 1024 * 5);
	a = slurp(pm);
	b = slurp(po);
	cr_assert_str_eq(a, b);
	cr_assert_eq(strncmp(a, "0.0\n1.0-\n1.1--\n2.0--\n", 21), 0);
	free(a);
	free(b);
	free(pm);
	free(po);
}

/* Texts that fill the 64 KiB queue to its last byte stay queued; the
   next one, even an empty line, has it written first. */
Test(logfile, many_texts_fill_the_queue_exactly)
{
	char		*path = xasprintf("%s/full.log", tmpdir), *cause = NULL;
	struct logfile	*lf = logfile_open(path, &cause);
	static char	 big[64 * 1024];
	const char	*text[3] = { big, "", "ab" };
	uint32_t	 len[3] = { 64 * 1024 - 1, 0, 2 };
	struct stat	 st;

	cr_assert_not_null(lf);
	memset(big, 'x', sizeof big);
	logfile_add_many(lf, text, len, 1);
	cr_assert_eq(logfile_queued(lf), 64 * 1024);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 0);
	logfile_add_many(lf, text + 1, len + 1, 2);
	cr_assert_eq(logfile_queued(lf), 4);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 64 * 1024);
	logfile_close(lf);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 64 * 1024 + 4);
	free(path);
}

Test(logfile, escape_sequences_absent)
{
	const char	 out[] = "\033[32minfo\033[0m ready\r\n\033]0;t\00750%\r100%\r\n"
	    "\033[1;31merror\033[K\033[0m\n";
	char		*path = xasprintf("%s/esc.log", tmpdir), *cause = NULL;
	char		*text;
	struct logfile	*lf = logfile_open(path, &cause);
	struct vt	*vt = vt_new(0);

	vt_feed(vt, out, sizeof out - 1, to_log, lf);
	vt_free(vt);
	logfile_close(lf);
	text = slurp(path);
	cr_assert_str_eq(text, "info ready\n100%\nerror\n");
	free(text);
	free(path);
}

Test(logfile, unusable_path_gives_cause)
{
	char		*file = xasprintf("%s/plain", tmpdir), *path, *cause = NULL;
	FILE		*f = fopen(file, "w");

	cr_assert_not_null(f);
	fclose(f);
	path = xasprintf("%s/sub/x.log", file);
	cr_assert_null(logfile_open(path, &cause));
	cr_assert_not_null(cause);
	cr_assert(strstr(cause, "cannot create directory") != NULL, "%s", cause);
	cr_assert(strstr(cause, "/plain") != NULL, "%s", cause);
	free(cause);
	cause = NULL;
	cr_assert_null(logfile_open(tmpdir, &cause));	/* a directory */
	cr_assert(strstr(cause, "Is a directory") != NULL, "%s", cause);
	free(cause);
	free(path);
	free(file);
}

Test(logfile, write_error_reported_once)
{
	char		*cause = NULL;
	struct logfile	*lf = logfile_open("/dev/full", &cause);

	cr_assert_not_null(lf, "%s", cause);
	logfile_add_text(lf, "a", 1);
	cr_assert_eq(logfile_flush(lf, &cause), -1);
	cr_assert_str_eq(cause, "write /dev/full: No space left on device");
	free(cause);
	cause = NULL;
	logfile_add_text(lf, "b", 1);
	cr_assert_eq(logfile_flush(lf, &cause), 0);
	cr_assert_null(cause);
	for (int i = 0; i < 100000; i++)
		logfile_add_text(lf, "more text that cannot be written", 32);
	cr_assert_eq(logfile_flush(lf, &cause), 0);
	cr_assert_eq(logfile_lost(lf), 2 * 2 + 100000 * 33);
	cr_assert_eq(logfile_written(lf), 0);
	logfile_close(lf);
}

/* The rescuer's copies of a shared log's descriptors. */
struct rescuer {
	int	 fd;
	int	 stage_fd;
	int	 refuse;
};

/* logfile_share's give: keep copies, as the guard does. */
static int
take(void *arg, int fd, int stage_fd)
{
	struct rescuer	*r = arg;

	if (r->refuse)
		return -1;
	r->fd = dup(fd);
	r->stage_fd = dup(stage_fd);
	return r->fd == -1 || r->stage_fd == -1 ? -1 : 0;
}

/* give() in a child: send both fds to the parent over socket *arg. */
static int
send_fds(void *arg, int fd, int stage_fd)
{
	int	 fds[2] = { fd, stage_fd };

	return fd_send(*(int *)arg, "L", 1, fds, 2, 0) == 1 ? 0 : -1;
}

/* The parent's end: the two fds a child sent. */
static void
recv_fds(int sock, int *fd, int *stage_fd)
{
	char	 byte;
	int	 fds[2];
	size_t	 n;

	cr_assert_eq(fd_recv(sock, &byte, 1, fds, 2, &n), 1);
	cr_assert_eq(n, 2);
	*fd = fds[0];
	*stage_fd = fds[1];
}

/* A shared log in a child that adds lines, writes some, adds more and
   is SIGKILLed: the rescue appends exactly what was never written. */
Test(logfile, rescue_after_sigkill)
{
	char		*path = xasprintf("%s/r.log", tmpdir), *cause = NULL;
	char		*text;
	struct logfile	*lf;
	struct stat	 st;
	int		 sv[2], fd, stage_fd, status;
	pid_t		 pid;

	cr_assert_eq(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	if ((pid = fork()) == 0) {
		lf = logfile_open(path, &cause);
		logfile_add_text(lf, "before", 6);
		if (lf == NULL || logfile_share(lf, send_fds, &sv[1]) != 0 ||
		    !logfile_shared(lf))
			_exit(1);
		logfile_add_text(lf, "one", 3);
		logfile_flush(lf, &cause);
		logfile_add_text(lf, "two", 3);
		logfile_add_text(lf, "three", 5);
		kill(getpid(), SIGKILL);
		_exit(0);
	}
	recv_fds(sv[0], &fd, &stage_fd);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status), "the child failed: %d", status);
	cr_assert_eq(stat(path, &st), 0);
	cr_assert_eq(st.st_size, 11, "before the rescue: before, one");
	cr_assert_eq(logfile_rescue(fd, stage_fd), 0);
	text = slurp(path);
	cr_assert_str_eq(text, "before\none\ntwo\nthree\n");
	free(text);
	close(fd);
	close(stage_fd);
	close(sv[0]);
	close(sv[1]);
	free(path);
}

/* After a clean close, a rescue finds nothing to add. */
Test(logfile, rescue_after_close_adds_nothing)
{
	char		*path = xasprintf("%s/c.log", tmpdir), *cause = NULL;
	char		*text;
	struct rescuer	 r = { -1, -1, 0 };
	struct logfile	*lf = logfile_open(path, &cause);

	cr_assert_not_null(lf, "%s", cause);
	cr_assert_eq(logfile_share(lf, take, &r), 0);
	for (int i = 0; i < 3000; i++)
		logfile_add_text(lf, "a line of forty bytes, give or take it", 38);
	logfile_close(lf);
	cr_assert_eq(logfile_rescue(r.fd, r.stage_fd), 0);
	text = slurp(path);
	cr_assert_eq(strlen(text), 3000 * 39);
	free(text);
	close(r.fd);
	close(r.stage_fd);
	free(path);
}

/* A rescuer that refuses leaves the queue private; lines still reach
   the file on flush, and a line longer than the queue arrives whole. */
Test(logfile, refused_share_and_long_line)
{
	char		*path = xasprintf("%s/p.log", tmpdir), *cause = NULL;
	char		*text, *big = xmalloc(200000);
	struct rescuer	 r = { -1, -1, 1 };
	struct logfile	*lf = logfile_open(path, &cause);

	cr_assert_not_null(lf, "%s", cause);
	cr_assert_eq(logfile_share(lf, take, &r), -1);
	cr_assert(!logfile_shared(lf));
	memset(big, 'x', 200000);
	logfile_add_text(lf, "short", 5);
	logfile_add_text(lf, big, 200000);
	logfile_add_text(lf, "after", 5);
	cr_assert_eq(logfile_queued(lf), 6);
	cr_assert_eq(logfile_flush(lf, &cause), 0);
	cr_assert_eq(logfile_queued(lf), 0);
	logfile_close(lf);
	text = slurp(path);
	cr_assert_eq(strlen(text), 6 + 200001 + 6);
	cr_assert_eq(strncmp(text, "short\nxxx", 9), 0);
	cr_assert_eq(text[6 + 200000], '\n');
	cr_assert_str_eq(text + 6 + 200001, "after\n");
	free(text);
	free(big);
	free(path);
}

/* A bad stage (not a logfile's memfd) is refused, and nothing written. */
Test(logfile, rescue_rejects_bad_stage)
{
	char	*path = xasprintf("%s/b.log", tmpdir);
	int	 fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	int	 junk = memfd_create("junk", 0);
	struct stat st;

	cr_assert_geq(fd, 0);
	cr_assert_geq(junk, 0);
	cr_assert_eq(write(junk, "not a stage at all, just bytes\n", 31), 31);
	cr_assert_eq(logfile_rescue(fd, junk), -1);
	cr_assert_eq(fstat(fd, &st), 0);
	cr_assert_eq(st.st_size, 0);
	close(junk);
	close(fd);
	free(path);
}
