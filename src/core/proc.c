/*
 * Spawning nodes in pseudo-terminals, as tmux's spawn.c does: signals
 * blocked around fork, the child made a session leader on the pty slave,
 * and an exec failure sent back through a close-on-exec pipe.
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "nodemux/guard.h"
#include "nodemux/proc.h"
#include "nodemux/util.h"

/* What the child was doing when it failed, sent with errno. */
enum proc_stage {
	PROC_STAGE_TTY = 1,
	PROC_STAGE_CWD,
	PROC_STAGE_EXEC,
};

struct proc_report {
	int	 stage;
	int	 error;
};

/* Mark every fd from 3 up close-on-exec (the error pipe must live on). */
static void
proc_child_cloexec(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 fd;

#if defined(CLOSE_RANGE_CLOEXEC)
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
#endif
	/* Older kernels: walk the fds we really have. */
	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		fd = atoi(de->d_name);
		if (fd > 2 && fd != dirfd(d))
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
}

/* Tell the parent why we could not run, and leave. */
static void __attribute__((noreturn))
proc_child_fail(int errfd, int stage)
{
	struct proc_report	 r = { .stage = stage, .error = errno };

	(void)!write(errfd, &r, sizeof r);
	_exit(127);
}

/* Put signal dispositions back to their defaults. */
static void
proc_child_signals(void)
{
	struct sigaction	 sa;
	int			 sig;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	}
}

/*
 * The child: become the pty's session leader, then exec.  It runs after
 * vfork, in nodemux's memory while nodemux waits: it writes nothing there
 * but its own stack and environ (put back by the parent), calls nothing
 * that allocates, and leaves only through exec or _exit.
 */
static void __attribute__((noreturn))
proc_child(const struct proc_spec *spec, char **envp, int master, int slave,
    int errfd)
{
	sigset_t	 none;

	proc_child_signals();
	if (errfd <= 2)
		errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 3);
	if (setsid() == -1 || ioctl(slave, TIOCSCTTY, 0) == -1)
		proc_child_fail(errfd, PROC_STAGE_TTY);
	if (spec->guard != NULL)
		guard_tell(spec->guard, getpid());
	/* Should nodemux die before the guard acts, the leader goes too. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(master);
	/* Started with 0-2 closed, the slave may be one of them: move it
	   out of the way so each dup2 below really copies it. */
	if (slave <= 2 && (slave = fcntl(slave, F_DUPFD, 3)) == -1)
		proc_child_fail(errfd, PROC_STAGE_TTY);
	if (dup2(slave, 0) == -1 || dup2(slave, 1) == -1 ||
	    dup2(slave, 2) == -1)
		proc_child_fail(errfd, PROC_STAGE_TTY);
	close(slave);
	proc_child_cloexec();
	if (spec->cwd != NULL && chdir(spec->cwd) == -1)
		proc_child_fail(errfd, PROC_STAGE_CWD);
	if (envp != NULL)
		environ = envp;		/* execvp looks for PATH there too */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(spec->argv[0], spec->argv);
	proc_child_fail(errfd, PROC_STAGE_EXEC);
}

/* The message for a child's failure report. */
static char *
proc_report_cause(const char *argv0, const char *cwd,
    const struct proc_report *r)
{
	const char	*why = strerror(r->error);

	switch (r->stage) {
	case PROC_STAGE_CWD:
		return xasprintf("cwd %s: %s", cwd, why);
	case PROC_STAGE_EXEC:
		return xasprintf("cannot run %s: %s", argv0, why);
	default:
		return xasprintf("cannot set up the terminal: %s", why);
	}
}

int
proc_exec_report(const char *argv0, const char *cwd, int errfd, char **cause)
{
	struct proc_report	 r;
	ssize_t			 n;

	do
		n = read(errfd, &r, sizeof r);
	while (n == -1 && errno == EINTR);
	if (n == -1 && errno == EAGAIN)
		return 1;
	if (n == 0)
		return 0;	/* EOF: the pipe closed on exec */
	if (n != (ssize_t)sizeof r) {
		r.stage = PROC_STAGE_TTY;
		r.error = n == -1 ? errno : EPROTO;
	}
	*cause = proc_report_cause(argv0, cwd, &r);
	return -1;
}

/* Sleep in poll until fd is readable (or hung up). */
static void
proc_wait_readable(int fd)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };

	while (poll(&pfd, 1, -1) == -1 && errno == EINTR)
		continue;
}

/* Wait for the child's exec; 0 when it ran, else -1 and *cause. */
static int
proc_wait_exec(const struct proc_spec *spec, pid_t pid, int errfd,
    char **cause)
{
	int	 rc;

	fd_set_nonblock(errfd);
	for (;;) {
		rc = proc_exec_report(spec->argv[0], spec->cwd, errfd, cause);
		if (rc != 1)
			break;
		proc_wait_readable(errfd);
	}
	close(errfd);
	if (rc == 0)
		return 0;
	while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
		continue;
	return -1;
}

/* Open a pty of the wanted size, master non-blocking and cloexec. */
static int
proc_open_pty(const struct proc_spec *spec, int *master, int *slave,
    char **cause)
{
	struct winsize	 ws;

	memset(&ws, 0, sizeof ws);
	ws.ws_row = spec->rows > 0 ? spec->rows : 24;
	ws.ws_col = spec->cols > 0 ? spec->cols : 80;
	if (openpty(master, slave, NULL, NULL, &ws) == -1) {
		*cause = xasprintf("cannot open a pty: %s", strerror(errno));
		return -1;
	}
	if (fd_set_cloexec(*master) == -1 || fd_set_nonblock(*master) == -1 ||
	    fd_set_cloexec(*slave) == -1) {
		*cause = xasprintf("pty: %s", strerror(errno));
		close(*master);
		close(*slave);
		return -1;
	}
	return 0;
}

/* environ with env's NAME=VALUE strings put in (an array to free, the
   strings borrowed), or NULL when env is. */
static char **
proc_envp(char *const *env)
{
	char	**envp;
	size_t	 n = 0, m = 0, i, j, len;

	if (env == NULL || env[0] == NULL)
		return NULL;
	while (environ != NULL && environ[n] != NULL)
		n++;
	while (env[m] != NULL)
		m++;
	envp = xcalloc(n + m + 1, sizeof *envp);
	memcpy(envp, environ, n * sizeof *envp);
	for (i = 0; i < m; i++) {
		len = strcspn(env[i], "=") + 1;
		for (j = 0; j < n; j++) {
			if (strncmp(envp[j], env[i], len) == 0)
				break;
		}
		envp[j] = env[i];
		if (j == n)
			n++;
	}
	return envp;
}

/*
 * vfork: the child borrows nodemux's memory until its exec instead of a
 * copy of it, so that a spawn costs no copied page tables, no faults on
 * pages written afterwards and no teardown of the copy at exec (at 256
 * nodes that was most of what starting them cost).
 */
int
proc_spawn_async(const struct proc_spec *spec, pid_t *pidp, int *masterp,
    int *errfdp, char **cause)
{
	sigset_t	 all, old;
	pid_t		 pid;
	char		**saved = environ;
	char		**volatile envp;	/* kept across vfork */
	int		 master, slave, errp[2], error;

	if (spec->argv == NULL || spec->argv[0] == NULL) {
		*cause = xstrdup("empty command");
		return -1;
	}
	if (proc_open_pty(spec, &master, &slave, cause) == -1)
		return -1;
	if (pipe2(errp, O_CLOEXEC) == -1) {
		*cause = xasprintf("pipe: %s", strerror(errno));
		close(master);
		close(slave);
		return -1;
	}
	envp = proc_envp(spec->env);
	/* No handler may run in the child before it resets them. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = vfork();
	if (pid == 0) {
		close(errp[0]);
		proc_child(spec, envp, master, slave, errp[1]);
	}
	error = errno;
	environ = saved;
	free(envp);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(slave);
	close(errp[1]);
	if (pid == -1) {
		*cause = xasprintf("fork: %s", strerror(error));
		close(errp[0]);
		close(master);
		return -1;
	}
	fd_set_nonblock(errp[0]);
	*pidp = pid;
	*masterp = master;
	*errfdp = errp[0];
	return 0;
}

int
proc_spawn(const struct proc_spec *spec, pid_t *pidp, int *masterp,
    char **cause)
{
	pid_t	 pid;
	int	 master, errfd;

	if (proc_spawn_async(spec, &pid, &master, &errfd, cause) == -1)
		return -1;
	if (proc_wait_exec(spec, pid, errfd, cause) == -1) {
		/* The child told the guard of its group before failing; the
		   pid is free again and must not be killed later. */
		if (spec->guard != NULL)
			guard_del(spec->guard, pid);
		close(master);
		return -1;
	}
	*pidp = pid;
	*masterp = master;
	return 0;
}

int
proc_kill_group(pid_t pgid, int sig)
{
	if (pgid <= 1) {
		errno = EINVAL;
		return -1;
	}
	return kill(-pgid, sig);
}

int
proc_set_winsize(int master, int rows, int cols)
{
	struct winsize	 ws;

	memset(&ws, 0, sizeof ws);
	ws.ws_row = rows;
	ws.ws_col = cols;
	return ioctl(master, TIOCSWINSZ, &ws);
}

const char *
proc_signame(int sig, char *buf, size_t len)
{
	const char	*s = sigabbrev_np(sig);

	if (s != NULL)
		return s;
	snprintf(buf, len, "%d", sig);
	return buf;
}
