/*
 * Tests of node log files: directories made, lines appended as plain
 * text, flush semantics, and errors reported once with a clear cause.
 */
#include <criterion/criterion.h>
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
