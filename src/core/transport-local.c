/*
 * The local transport: a node is a child of this process, leader of its
 * own session and process group on a fresh pty (proc.c).  Its exec is
 * not waited for: its report pipe is in the loop.  Its end is its wait
 * status, collected on SIGCHLD; its group is told to the guard.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/guard.h"
#include "nodemux/loop.h"
#include "nodemux/net.h"
#include "nodemux/plan.h"
#include "nodemux/proc.h"
#include "nodemux/transport.h"
#include "nodemux/util.h"

struct transport {
	pid_t				 pid;	/* leader and group id */
	int				 master; /* pty master, or -1 */
	int				 reaped; /* status collected */
	int				 errfd;	/* the child's exec report, in
						   the loop until EOF; or -1 */
	char				*argv0;	/* for that report's words */
	char				*cwd;
	char				*failed; /* why the exec failed */
	struct loop			*loop;
	struct guard			*guard;
	const struct transport_hooks	*hooks;
	void				*hooks_arg;
};

/* Every node no other transport takes runs here. */
static int
transport_local_match(const struct plan *plan, const struct plan_node *pn)
{
	return 1;
}

/* Bind the port on the plan's address: is it free here? */
static int
transport_local_port_free(const struct transport_spec *ts, int port,
    char **cause)
{
	return port_probe(ts->plan->bind_addr, port, cause);
}

/*
 * Read the child's exec report: EOF (it runs: say so) or why it could
 * not.  On a failure t->failed says why; the child exits 127 and its end
 * reports that instead.
 */
static void
transport_local_report(struct transport *t)
{
	int	 rc;

	if (t->errfd == -1)
		return;
	if ((rc = proc_exec_report(t->argv0, t->cwd, t->errfd,
	    &t->failed)) == 1)
		return;
	loop_del_fd(t->loop, t->errfd);
	close(t->errfd);
	t->errfd = -1;
	if (rc == 0 && t->hooks->started != NULL)
		t->hooks->started(t->hooks_arg);
}

/* The exec report pipe is readable (or closed on exec). */
static void
transport_local_report_cb(struct loop *loop, int fd, int revents,
    void *arg)
{
	transport_local_report(arg);
}

/* Start the node without waiting for its exec: the loop hears of it. */
static int
transport_local_spawn(const struct transport_spec *ts, struct transport **tp,
    char **cause)
{
	struct transport	*t;
	struct proc_spec	 spec;
	pid_t			 pid;
	int			 master, errfd;

	memset(&spec, 0, sizeof spec);
	spec.argv = ts->node->argv;
	spec.cwd = ts->node->cwd;
	spec.env = ts->node->env;
	spec.rows = ts->rows;
	spec.cols = ts->cols;
	spec.guard = ts->guard;
	if (proc_spawn_async(&spec, &pid, &master, &errfd, cause) == -1)
		return -1;
	/* The child told the guard itself, before exec; say it again in
	   case that write raced a guard still starting. */
	guard_add(ts->guard, pid);
	t = xcalloc(1, sizeof *t);
	t->pid = pid;
	t->master = master;
	t->errfd = errfd;
	t->argv0 = xstrdup(spec.argv[0]);
	t->cwd = xstrdup(spec.cwd != NULL ? spec.cwd : ".");
	t->loop = ts->loop;
	loop_add_fd(t->loop, errfd, POLLIN, transport_local_report_cb, t);
	t->guard = ts->guard;
	t->hooks = ts->hooks;
	t->hooks_arg = ts->hooks_arg;
	*tp = t;
	return 0;
}

static int
transport_local_fd(struct transport *t)
{
	return t->master;
}

static pid_t
transport_local_pid(struct transport *t)
{
	return t->pid;
}

static int
transport_local_resize(struct transport *t, int rows, int cols)
{
	if (t->master == -1) {
		errno = EIO;
		return -1;
	}
	return proc_set_winsize(t->master, rows, cols);
}

/*
 * Signal the node's group.  Just after the fork the child may not have
 * made its group yet (setsid comes first thing in the child, but the
 * spawn does not wait for it): then it is alone, and the signal goes to
 * it, to act on once it unblocks signals before exec.
 */
static int
transport_local_signal(struct transport *t, int sig)
{
	if (proc_kill_group(t->pid, sig) == 0)
		return 0;
	if (errno != ESRCH || t->reaped)
		return -1;
	return kill(t->pid, sig);
}

/* Is the leader's status in?  Then say how it ended (last: the hook may
   free t). */
static void
transport_local_sigchld(struct transport *t)
{
	struct transport_end	 end;
	pid_t			 r;
	int			 st;

	if (t->reaped)
		return;
	transport_local_report(t);	/* written before it exited */
	r = waitpid(t->pid, &st, WNOHANG);
	if (r == -1 && errno == EINTR)
		return;		/* the next SIGCHLD asks again */
	memset(&end, 0, sizeof end);
	if (r == -1 && errno == ECHILD) {
		/* Collected by someone else: gone, but how is unknown. */
		end.kind = TRANSPORT_LOST;
		end.reason = "its exit status could not be read (collected "
		    "elsewhere)";
	} else if (r != t->pid)
		return;
	else if (t->failed != NULL) {
		end.kind = TRANSPORT_FAILED;
		end.reason = t->failed;
	} else if (WIFSIGNALED(st)) {
		end.kind = TRANSPORT_KILLED;
		end.sig = WTERMSIG(st);
	} else {
		end.kind = TRANSPORT_EXITED;
		end.status = WEXITSTATUS(st);
	}
	t->reaped = 1;
	t->hooks->ended(t->hooks_arg, &end);
}

static void
transport_local_close_fd(struct transport *t)
{
	if (t->master != -1)
		close(t->master);
	t->master = -1;
}

/* Nothing of a node outlives it: what its leader left in the group goes
   too (as systemd does with a unit's cgroup). */
static void
transport_local_free(struct transport *t)
{
	if (t == NULL)
		return;
	proc_kill_group(t->pid, SIGKILL);
	if (!t->reaped) {
		while (waitpid(t->pid, NULL, 0) == -1 && errno == EINTR)
			continue;
	}
	guard_del(t->guard, t->pid);
	transport_local_close_fd(t);
	if (t->errfd != -1) {
		loop_del_fd(t->loop, t->errfd);
		close(t->errfd);
	}
	free(t->argv0);
	free(t->cwd);
	free(t->failed);
	free(t);
}

const struct transport_ops transport_local = {
	.name = "local",
	.match = transport_local_match,
	.port_free = transport_local_port_free,
	.spawn = transport_local_spawn,
	.fd = transport_local_fd,
	.pid = transport_local_pid,
	.resize = transport_local_resize,
	.signal = transport_local_signal,
	.sigchld = transport_local_sigchld,
	.close_fd = transport_local_close_fd,
	.free = transport_local_free,
};
