/*
 * Processes in ptys and the guard, with real processes: what the child
 * sees (session, terminal, size, fds, signals, cwd, environment), exec
 * failures with their reason, group kills and the guard's last acts:
 * killing the groups and writing out the logs' queues.
 */
#include "config.h"

#include <criterion/criterion.h>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/guard.h"
#include "nodemux/logfile.h"
#include "nodemux/proc.h"
#include "nodemux/util.h"

#include "testlib.h"

/* Read from master until needle shows up or ms pass; the text read. */
static char *
read_until(int master, const char *needle, int ms)
{
	struct strbuf	 sb = STRBUF_INIT;
	struct pollfd	 pfd = { .fd = master, .events = POLLIN };
	int64_t		 end = now_ms() + ms;
	char		 buf[4096];
	ssize_t		 n;

	strbuf_adds(&sb, "");
	while (strstr(sb.buf, needle) == NULL && now_ms() < end) {
		if (poll(&pfd, 1, (int)(end - now_ms())) <= 0)
			continue;
		n = read(master, buf, sizeof buf);
		if (n <= 0)
			break;
		strbuf_add(&sb, buf, n);
	}
	return strbuf_detach(&sb);
}

/* Spawn the helper with args; the master fd and pid. */
static void
spawn(char **argv, const char *cwd, char **env, pid_t *pid, int *master)
{
	struct proc_spec	 spec = { .argv = argv, .cwd = cwd, .env = env };
	char			*cause = NULL;

	cr_assert_eq(proc_spawn(&spec, pid, master, &cause), 0, "%s", cause);
}

/* Kill and reap a spawned process. */
static void
finish(pid_t pid, int master)
{
	proc_kill_group(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(master);
}

Test(proc, child_leads_its_own_session_on_the_pty)
{
	char	*argv[] = { NM_HELPER, "info", NULL };
	char	*out, want[128], *p;
	unsigned long long ign;
	pid_t	 pid;
	int	 master, fl;
	sigset_t set;

	/* What we block or ignore must not reach the node. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGINT, SIG_IGN);
	spawn(argv, "/", NULL, &pid, &master);
	out = read_until(master, "cwd=", 5000);
	snprintf(want, sizeof want, "pid=%ld sid=%ld pgrp=%ld tty=1 fg=1 "
	    "size=80x24 fds=3", (long)pid, (long)pid, (long)pid);
	cr_assert(strstr(out, want) != NULL, "want %s in:\n%s", want, out);
	cr_assert(strstr(out, "SigBlk:\t0000000000000000") != NULL, "%s", out);
	/* Signals 32 and 33 belong to glibc, which will not let them be
	   changed; every other one is back to its default. */
	cr_assert_not_null(p = strstr(out, "SigIgn:\t"), "%s", out);
	ign = strtoull(p + 8, NULL, 16);
	cr_assert_eq(ign & ~0x180000000ULL, 0, "%s", out);
	cr_assert(strstr(out, "cwd=/") != NULL, "%s", out);
	fl = fcntl(master, F_GETFL);
	cr_assert(fl & O_NONBLOCK, "master is non-blocking");
	cr_assert(fcntl(master, F_GETFD) & FD_CLOEXEC, "master is cloexec");
	free(out);
	finish(pid, master);
}

Test(proc, works_when_started_with_stdio_closed)
{
	char	*argv[] = { NM_HELPER, "info", NULL };
	char	*out, *missing[] = { "/nonexistent/prog", NULL };
	char	 got[512] = "";
	pid_t	 child, pid;
	size_t	 len;
	ssize_t	 n;
	int	 p[2], master, st;

	cr_assert_eq(pipe(p), 0);
	if ((child = fork()) == 0) {
		struct proc_spec	 spec = { .argv = argv };
		char			*cause = NULL;

		int			 rfd;

		/* Keep the report pipe above 2, then close 0-2. */
		rfd = fcntl(p[1], F_DUPFD, 3);
		close(p[0]);
		close(0);
		close(1);
		close(2);
		spec.argv = missing;
		if (proc_spawn(&spec, &pid, &master, &cause) == 0)
			_exit(3);
		(void)!write(rfd, cause, strlen(cause));
		(void)!write(rfd, "|", 1);
		spec.argv = argv;
		if (proc_spawn(&spec, &pid, &master, &cause) == -1)
			_exit(4);
		out = read_until(master, "cwd=", 5000);
		(void)!write(rfd, out, strlen(out));
		proc_kill_group(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		_exit(0);
	}
	close(p[1]);
	for (len = 0; len < sizeof got - 1; len += n) {
		if ((n = read(p[0], got + len, sizeof got - 1 - len)) <= 0)
			break;
	}
	close(p[0]);
	waitpid(child, &st, 0);
	cr_assert_eq(st, 0, "status %x: %s", st, got);
	cr_assert(strncmp(got, "cannot run /nonexistent/prog: No such file "
	    "or directory|", 50) == 0, "%s", got);
	cr_assert(strstr(got, "tty=1 fg=1 size=80x24 fds=3") != NULL, "%s",
	    got);
}

Test(proc, environment_and_cwd_are_the_plans)
{
	char	*argv[] = { "/bin/sh", "-c", "echo \"[$NM_A|$NM_B|$(pwd)]\"",
		    NULL };
	char	*env[] = { "NM_A=one two", "NM_B=$x'y", NULL };
	char	*out;
	pid_t	 pid;
	int	 master;

	spawn(argv, "/tmp", env, &pid, &master);
	out = read_until(master, "]", 5000);
	cr_assert(strstr(out, "[one two|$x'y|/tmp]") != NULL, "%s", out);
	free(out);
	finish(pid, master);
}

Test(proc, node_variables_replace_ours_and_its_path_finds_the_program)
{
	char	 dir[] = "/tmp/nm-path.XXXXXX", prog[64];
	char	*argv[] = { "nm-only-here", NULL };
	char	*env[] = { NULL, "NM_OURS=the node's", NULL };
	char	*out;
	FILE	*f;
	pid_t	 pid;
	int	 master;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(prog, sizeof prog, "%s/nm-only-here", dir);
	cr_assert_not_null(f = fopen(prog, "w"));
	fprintf(f, "#!/bin/sh\necho \"[$NM_OURS|$(env | grep -c '^NM_OURS=')]\"\n");
	fclose(f);
	chmod(prog, 0755);
	env[0] = xasprintf("PATH=%s:/usr/bin:/bin", dir);
	setenv("NM_OURS", "nodemux's", 1);
	spawn(argv, NULL, env, &pid, &master);
	out = read_until(master, "]", 5000);
	cr_assert(strstr(out, "[the node's|1]") != NULL, "%s", out);
	cr_assert_str_eq(getenv("NM_OURS"), "nodemux's", "ours is untouched");
	cr_assert(strstr(getenv("PATH"), dir) == NULL, "our PATH too");
	free(out);
	finish(pid, master);
	unsetenv("NM_OURS");
	unlink(prog);
	rmdir(dir);
	free(env[0]);
}

/* Spawning argv in cwd fails with exactly want. */
static void
spawn_fails(char **argv, const char *cwd, const char *want)
{
	struct proc_spec	 spec = { .argv = argv, .cwd = cwd };
	char			*cause = NULL;
	pid_t			 pid = 0;
	int			 master = -1;

	cr_assert_eq(proc_spawn(&spec, &pid, &master, &cause), -1);
	cr_assert_str_eq(cause, want);
	free(cause);
	/* The failed child was reaped: no zombie, no child left. */
	cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1);
	cr_assert_eq(errno, ECHILD);
}

Test(proc, exec_failure_says_why)
{
	char	*missing[] = { "/nonexistent/prog", NULL };
	char	*nopath[] = { "nm-no-such-program-anywhere", NULL };
	char	*ok[] = { "/bin/true", NULL };
	char	 file[] = "/tmp/nm-proc-noexec.XXXXXX";
	char	*noexec[] = { file, NULL };
	char	*want;
	int	 fd;

	spawn_fails(missing, NULL,
	    "cannot run /nonexistent/prog: No such file or directory");
	spawn_fails(nopath, NULL,
	    "cannot run nm-no-such-program-anywhere: No such file or directory");
	spawn_fails(ok, "/nonexistent/dir",
	    "cwd /nonexistent/dir: No such file or directory");
	cr_assert_neq(fd = mkstemp(file), -1);
	close(fd);
	chmod(file, 0644);
	/* Without any x bit even root gets EACCES. */
	want = xasprintf("cannot run %s: Permission denied", file);
	spawn_fails(noexec, NULL, want);
	free(want);
	unlink(file);
}

Test(proc, killing_the_group_takes_the_grandchild_too)
{
	char	 file[] = "/tmp/nm-proc-gc.XXXXXX";
	char	*argv[] = { NM_HELPER, "grandchild", file, NULL };
	char	*out;
	FILE	*f;
	long	 gc = 0;
	pid_t	 pid;
	int	 master, fd;

	cr_assert_neq(fd = mkstemp(file), -1);
	close(fd);
	/* Orphans come back to us, so "gone" can be checked. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	spawn(argv, NULL, NULL, &pid, &master);
	out = read_until(master, "forked", 5000);
	cr_assert(strstr(out, "forked") != NULL, "%s", out);
	free(out);
	cr_assert_not_null(f = fopen(file, "r"));
	cr_assert_eq(fscanf(f, "%ld", &gc), 1);
	fclose(f);
	unlink(file);
	cr_assert_eq(getpgid(gc), pid, "the grandchild is in the group");
	cr_assert_eq(proc_kill_group(pid, SIGKILL), 0);
	cr_assert(gone_within(pid, 2000));
	cr_assert(gone_within(gc, 2000), "grandchild %ld survived", gc);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		continue;
	cr_assert_eq(proc_kill_group(pid, 0), -1, "the group is empty");
	close(master);
}

Test(proc, resize_reaches_the_node_as_sigwinch)
{
	char	*argv[] = { NM_HELPER, "winch", NULL };
	char	*out;
	pid_t	 pid;
	int	 master;

	spawn(argv, NULL, NULL, &pid, &master);
	free(read_until(master, "waiting", 5000));
	cr_assert_eq(proc_set_winsize(master, 50, 132), 0);
	out = read_until(master, "size=132x50", 5000);
	cr_assert(strstr(out, "size=132x50") != NULL, "%s", out);
	free(out);
	finish(pid, master);
}

Test(proc, signal_names_are_short)
{
	char	 buf[16];

	cr_assert_str_eq(proc_signame(SIGKILL, buf, sizeof buf), "KILL");
	cr_assert_str_eq(proc_signame(SIGTERM, buf, sizeof buf), "TERM");
	cr_assert_str_eq(proc_signame(SIGSEGV, buf, sizeof buf), "SEGV");
}

/*
 * A stand-in for nodemux: starts a guard and three nodes (each forking a
 * grandchild), reports every pid on fd out, and waits to be killed.
 */
static void __attribute__((noreturn))
guarded_parent(int out)
{
	struct guard	*g;
	char		*cause = NULL, file[64];
	char		*argv[] = { NM_HELPER, "grandchild", file, NULL };
	struct proc_spec spec = { .argv = argv };
	pid_t		 pid, gc;
	int		 i, master;
	FILE		*f;

	/* As if started with stdio closed: the guard's socket and the
	   ptys land on fds 0-2. */
	close(0);
	close(1);
	close(2);
	if ((g = guard_start(&cause)) == NULL)
		_exit(10);
	spec.guard = g;
	for (i = 0; i < 3; i++) {
		snprintf(file, sizeof file, "/tmp/nm-guard-%ld-%d",
		    (long)getpid(), i);
		if (proc_spawn(&spec, &pid, &master, &cause) == -1)
			_exit(11);
		free(read_until(master, "forked", 5000));
		if ((f = fopen(file, "r")) == NULL ||
		    fscanf(f, "%d", &gc) != 1)
			_exit(12);
		fclose(f);
		unlink(file);
		(void)!write(out, &pid, sizeof pid);
		(void)!write(out, &gc, sizeof gc);
	}
	pid = guard_pid(g);
	(void)!write(out, &pid, sizeof pid);
	for (;;)
		pause();
}

Test(guard, sigkill_of_the_parents_group_leaves_no_node_behind)
{
	pid_t	 parent, pids[7];
	int	 p[2], i, st, survivors = 0;
	int64_t	 t0;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	cr_assert_eq(pipe(p), 0);
	if ((parent = fork()) == 0) {
		setpgid(0, 0);
		close(p[0]);
		guarded_parent(p[1]);
	}
	close(p[1]);
	for (i = 0; i < 7; i++) {
		if (read(p[0], &pids[i], sizeof pids[i]) == sizeof pids[i])
			continue;
		kill(-parent, SIGKILL);
		waitpid(parent, NULL, 0);
		cr_assert_fail("the parent did not report its pids");
	}
	for (i = 0; i < 7; i++)
		cr_assert(!gone(pids[i]), "pid %ld is running", (long)pids[i]);
	/* kill -9 of the whole job, as a shell's kill %1 does. */
	t0 = now_ms();
	cr_assert_eq(kill(-parent, SIGKILL), 0);
	waitpid(parent, &st, 0);
	for (i = 0; i < 7; i++) {
		if (gone_within(pids[i], 2000))
			continue;
		cr_log_error("pid %ld survived", (long)pids[i]);
		kill(pids[i], SIGKILL);
		survivors++;
	}
	cr_log_info("all gone %lld ms after SIGKILL",
	    (long long)(now_ms() - t0));
	while (waitpid(-1, NULL, WNOHANG) > 0)
		continue;
	cr_assert_eq(survivors, 0);
}

Test(guard, guard_ignores_ctrl_c_and_exits_with_its_parent)
{
	struct guard	*g;
	char		*cause = NULL, path[64], comm[32];
	pid_t		 gp;
	FILE		*f;

	cr_assert_not_null(g = guard_start(&cause));
	gp = guard_pid(g);
	kill(gp, SIGINT);
	kill(gp, SIGTERM);
	kill(gp, SIGHUP);
	usleep(50000);
	cr_assert(!gone(gp), "the guard survives INT, TERM and HUP");
	snprintf(path, sizeof path, "/proc/%ld/comm", (long)gp);
	cr_assert_not_null(f = fopen(path, "r"));
	cr_assert_not_null(fgets(comm, sizeof comm, f));
	fclose(f);
	cr_assert_str_eq(comm, "nodemux-guard\n", "ps names it");
	cr_assert_neq(getsid(gp), getsid(0), "a session of its own");
	guard_free(g);
	cr_assert(gone(gp), "the guard is reaped at guard_free");
}

/* logfile_share's give, as the cluster's: hand both fds to the guard. */
static int
give_to_guard(void *arg, int fd, int stage_fd)
{
	return guard_add_log(arg, fd, stage_fd);
}

#define GUARD_LOGS	20

/*
 * A child whose fd table has room for its GUARD_LOGS logs, but whose
 * guard's has not (two fds a log): queues two lines in each log, writes
 * out at once the logs the guard refused (as the cluster does), and dies
 * without writing the rest.  Reports the guard's pid and how many logs
 * the guard took.
 */
static void __attribute__((noreturn))
guard_logs_child(const char *dir, int out)
{
	struct logfile	*lf[GUARD_LOGS];
	struct rlimit	 rl;
	struct guard	*g;
	char		*cause = NULL, path[256];
	int		 i, taken = 0, base = 0;
	pid_t		 gp;
	DIR		*d;

	if ((d = opendir("/proc/self/fd")) == NULL)
		_exit(10);
	while (readdir(d) != NULL)
		base++;
	closedir(d);
	rl.rlim_cur = rl.rlim_max = base + GUARD_LOGS + 4;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0 ||
	    (g = guard_start(&cause)) == NULL)
		_exit(11);
	gp = guard_pid(g);
	for (i = 0; i < GUARD_LOGS; i++) {
		snprintf(path, sizeof path, "%s/n%d.log", dir, i);
		if ((lf[i] = logfile_open(path, &cause)) == NULL)
			_exit(12);
		logfile_add_text(lf[i], "first", 5);
		if (logfile_share(lf[i], give_to_guard, g) == 0)
			taken++;
		logfile_add_text(lf[i], "second", 6);
		if (!logfile_shared(lf[i]) && logfile_flush(lf[i], &cause) != 0)
			_exit(13);
	}
	(void)!write(out, &gp, sizeof gp);
	(void)!write(out, &taken, sizeof taken);
	_exit(0);	/* as if killed: nothing closed, nothing flushed */
}

Test(guard, logs_are_rescued_or_written_when_the_guard_is_full)
{
	char	 dir[] = "/tmp/nm-guard-logs.XXXXXX", path[256], buf[64];
	int	 p[2], i, st, taken = 0;
	pid_t	 child, gp = 0;
	FILE	*f;
	size_t	 n;

	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(pipe(p), 0);
	if ((child = fork()) == 0) {
		close(p[0]);
		guard_logs_child(dir, p[1]);
	}
	close(p[1]);
	cr_assert_eq(read(p[0], &gp, sizeof gp), (ssize_t)sizeof gp);
	cr_assert_eq(read(p[0], &taken, sizeof taken), (ssize_t)sizeof taken);
	close(p[0]);
	waitpid(child, &st, 0);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: %d", st);
	cr_assert(gone_within(gp, 2000), "the guard exits after its rescue");
	cr_log_info("the guard took %d of %d logs", taken, GUARD_LOGS);
	cr_assert_gt(taken, 0, "the guard takes logs while it has room");
	cr_assert_lt(taken, GUARD_LOGS, "and refuses them when it has none");
	for (i = 0; i < GUARD_LOGS; i++) {
		snprintf(path, sizeof path, "%s/n%d.log", dir, i);
		cr_assert_not_null(f = fopen(path, "r"));
		n = fread(buf, 1, sizeof buf - 1, f);
		buf[n] = '\0';
		fclose(f);
		cr_assert_str_eq(buf, "first\nsecond\n", "log %d", i);
		unlink(path);
	}
	rmdir(dir);
}
