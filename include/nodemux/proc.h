/*
 * Processes in pseudo-terminals: spawn a program as the leader of a new
 * session and process group on the slave side of a fresh pty, signal its
 * whole group, and name signals the way nodemux shows them.
 */
#ifndef NODEMUX_PROC_H
#define NODEMUX_PROC_H

#include <sys/types.h>

#include <stddef.h>

struct guard;

struct proc_spec {
	char *const	*argv;		/* NULL-terminated; argv[0] via PATH */
	const char	*cwd;		/* NULL: stay where we are */
	char *const	*env;		/* "NAME=value" added to environ, or
					   NULL */
	int		 rows;		/* initial window size; 0: 24x80 */
	int		 cols;
	struct guard	*guard;		/* told of the new group by the child
					   itself, before exec; or NULL */
};

/*
 * Start spec->argv in a new pty, session and process group (its pgid is
 * *pid).  Every other fd is closed in the child and signal dispositions
 * and the mask are reset.  *master is the pty master, non-blocking and
 * close-on-exec.  An exec or chdir failure is reported back before this
 * returns: -1 and *cause, e.g. "cannot run foo: No such file or
 * directory" or "cwd /x: No such file or directory" (the child is reaped;
 * *pid and *master are left alone).
 */
int		 proc_spawn(const struct proc_spec *, pid_t *pid, int *master,
		     char **cause);

/*
 * proc_spawn without the wait: *errfd (non-blocking, close-on-exec)
 * reaches EOF once the child has exec'd, or carries its failure report
 * first; read it with proc_exec_report when it is readable.  -1 and
 * *cause only for what fails before the fork (no pty, no fork).
 */
int		 proc_spawn_async(const struct proc_spec *, pid_t *pid,
		     int *master, int *errfd, char **cause);
/*
 * Read the child's report from errfd: 0 when it exec'd (EOF), 1 when
 * nothing has come yet, -1 and *cause (naming argv0 or cwd) when it
 * failed; the child then exits 127.  The caller closes errfd.
 */
int		 proc_exec_report(const char *argv0, const char *cwd,
		     int errfd, char **cause);

/* Send sig to process group pgid; 0, or -1 with errno (ESRCH: gone). */
int		 proc_kill_group(pid_t pgid, int sig);

/* Set the window size of the pty behind master; 0 or -1 with errno. */
int		 proc_set_winsize(int master, int rows, int cols);

/* "TERM", "KILL"... for sig, or its number as text. */
const char	*proc_signame(int sig, char *buf, size_t len);

#endif
