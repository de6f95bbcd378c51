/*
 * The guard process: PR_SET_PDEATHSIG only reaches a node's leader, not
 * the children it forks, so a forked helper keeps the list of process
 * groups and SIGKILLs them all when its socket from nodemux reaches EOF.
 * It also holds each log file with the memfd of its queue, and writes out
 * what nodemux had queued and not yet written (logfile_rescue).
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/guard.h"
#include "nodemux/logfile.h"
#include "nodemux/util.h"

#define GUARD_ACK_MS	2000	/* for the guard to take a log */

struct guard {
	pid_t	 pid;		/* -1 once reaped and not replaced */
	int	 fd;		/* write end of the socket, or -1 */
	pid_t	*groups;	/* what it was told, to tell a new guard */
	size_t	 ngroups;
	size_t	 capgroups;
};

/* One message on the socket: '+' or '-' and a group; or 'L' with a log
   file and its queue's memfd as SCM_RIGHTS, answered by 'y' or 'n'. */
struct guard_msg {
	int32_t	 op;
	int32_t	 pgid;
};

/* The guard's groups (a small array, as nodes are few) and logs. */
struct guard_set {
	pid_t	*v;
	size_t	 n;
	size_t	 cap;
	int	*logs;		/* pairs: log file, queue memfd */
	size_t	 nlogs;
	size_t	 logcap;
	char	*acks;		/* answers not sent yet, oldest first */
	size_t	 nacks;
	size_t	 ackcap;
};

/* Apply one message to the set. */
static void
guard_set_apply(struct guard_set *s, const struct guard_msg *m)
{
	size_t	 i;

	for (i = 0; i < s->n; i++) {
		if (s->v[i] == m->pgid)
			break;
	}
	if (m->op == '-' && i < s->n)
		s->v[i] = s->v[--s->n];
	else if (m->op == '+' && i == s->n && m->pgid > 1) {
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 16;
			s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
		}
		s->v[s->n++] = m->pgid;
	}
}

/* Put the guard's own fds and signals in order: only rfd is kept. */
static void
guard_child_setup(int rfd)
{
	struct sigaction	 sa;
	struct rlimit		 rl;
	sigset_t		 none;
	int			 null;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTSTP, &sa, NULL);
	sigaction(SIGTTIN, &sa, NULL);
	sigaction(SIGTTOU, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Out of nodemux's process group and session, so that a kill of
	   the job (kill -9 %1, a Ctrl-C) does not take the guard along. */
	setsid();
	prctl(PR_SET_NAME, "nodemux-guard");	/* what ps and top show */
	/* Two fds per log: take what the hard limit allows. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}

	/* nodemux may have been started with 0-2 closed. */
	if (rfd <= 2)
		rfd = fcntl(rfd, F_DUPFD, 3);
	if ((null = open("/dev/null", O_RDWR)) != -1) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	if (rfd != 3) {
		dup2(rfd, 3);
		close(rfd);
	}
	fcntl(3, F_SETFD, 0);
	close_range(4, ~0U, 0);
}

/* Keep a log and its queue (two fds received, or n closed); queue the
   answer. */
static void
guard_set_log(struct guard_set *s, const int *fds, size_t n)
{
	char	 ack = 'n';
	size_t	 i;

	if (n == 2) {
		if (s->nlogs + 2 > s->logcap) {
			s->logcap = s->logcap ? s->logcap * 2 : 32;
			s->logs = xreallocarray(s->logs, s->logcap,
			    sizeof *s->logs);
		}
		s->logs[s->nlogs++] = fds[0];
		s->logs[s->nlogs++] = fds[1];
		ack = 'y';
	} else {
		for (i = 0; i < n; i++)
			close(fds[i]);
	}
	if (s->nacks == s->ackcap) {
		s->ackcap = s->ackcap ? s->ackcap * 2 : 64;
		s->acks = xrealloc(s->acks, s->ackcap);
	}
	s->acks[s->nacks++] = ack;
}

/* Send the queued answers the socket takes now, in order. */
static void
guard_send_acks(struct guard_set *s)
{
	size_t	 sent = 0;

	while (sent < s->nacks) {
		if (send(3, &s->acks[sent], 1, MSG_NOSIGNAL | MSG_DONTWAIT) == 1)
			sent++;
		else if (errno != EINTR)
			break;	/* full (or nodemux gone: EOF comes next) */
	}
	memmove(s->acks, s->acks + sent, s->nacks - sent);
	s->nacks -= sent;
}

/*
 * The guard: collect groups and logs until EOF, then kill every group,
 * write out every log's queue and leave.  It never waits to answer: an
 * answer the socket cannot take yet is queued, and reading goes on, so
 * that nodemux and the node children sending to it never wait on a
 * guard that waits on nodemux (1000 nodes with logs deadlocked so).
 */
static void __attribute__((noreturn))
guard_child(int rfd)
{
	struct guard_set	 set;
	struct guard_msg	 m;
	struct pollfd		 pfd;
	int			 fds[2];
	size_t			 i, nfds;
	ssize_t			 n;

	memset(&set, 0, sizeof set);
	guard_child_setup(rfd);
	for (;;) {
		pfd.fd = 3;
		pfd.events = POLLIN | (set.nacks > 0 ? POLLOUT : 0);
		pfd.revents = 0;
		if (poll(&pfd, 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd.revents & POLLOUT)
			guard_send_acks(&set);
		if ((pfd.revents & (POLLIN | POLLHUP | POLLERR)) == 0)
			continue;
		n = fd_recv(3, &m, sizeof m, fds, 2, &nfds);
		if (n <= 0)
			break;	/* EOF: nodemux is gone */
		if (n == (ssize_t)sizeof m && m.op == 'L') {
			guard_set_log(&set, fds, nfds);
			continue;
		}
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		if (n == (ssize_t)sizeof m)
			guard_set_apply(&set, &m);
	}
	for (i = 0; i < set.n; i++)
		kill(-set.v[i], SIGKILL);
	for (i = 0; i + 1 < set.nlogs; i += 2)
		logfile_rescue(set.logs[i], set.logs[i + 1]);
	_exit(0);
}

/* Fork a guard process into g (pid and fd); 0, or -1 and *cause. */
static int
guard_fork(struct guard *g, char **cause)
{
	sigset_t	 all, old;
	int		 p[2];

	/* A socket, not a pipe: send(MSG_NOSIGNAL) cannot raise SIGPIPE
	   in nodemux (or a node child) should the guard be gone; and it
	   carries fds.  Packets: a message and its fds arrive together. */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) == -1) {
		*cause = xasprintf("guard socket: %s", strerror(errno));
		return -1;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	g->pid = fork();
	if (g->pid == 0) {
		close(p[1]);
		guard_child(p[0]);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[0]);
	if (g->pid == -1) {
		*cause = xasprintf("guard: fork: %s", strerror(errno));
		close(p[1]);
		return -1;
	}
	g->fd = p[1];
	return 0;
}

struct guard *
guard_start(char **cause)
{
	struct guard	*g = xcalloc(1, sizeof *g);

	if (guard_fork(g, cause) == -1) {
		free(g);
		return NULL;
	}
	return g;
}

/* Send one message; the socket never stays full (the guard reads at
   once, and never waits to answer). */
static void
guard_send(struct guard *g, int op, pid_t pgid)
{
	struct guard_msg	 m = { .op = op, .pgid = pgid };

	if (g == NULL || g->fd == -1)
		return;
	while (send(g->fd, &m, sizeof m, MSG_NOSIGNAL) == -1 &&
	    errno == EINTR)
		continue;
}

void
guard_tell(struct guard *g, pid_t pgid)
{
	guard_send(g, '+', pgid);
}

void
guard_add(struct guard *g, pid_t pgid)
{
	size_t	 i;

	if (g == NULL || pgid <= 1)
		return;
	for (i = 0; i < g->ngroups && g->groups[i] != pgid; i++)
		continue;
	if (i == g->ngroups) {
		if (g->ngroups == g->capgroups) {
			g->capgroups = g->capgroups ? g->capgroups * 2 : 16;
			g->groups = xreallocarray(g->groups, g->capgroups,
			    sizeof *g->groups);
		}
		g->groups[g->ngroups++] = pgid;
	}
	guard_send(g, '+', pgid);
}

void
guard_del(struct guard *g, pid_t pgid)
{
	size_t	 i;

	if (g == NULL)
		return;
	for (i = 0; i < g->ngroups; i++) {
		if (g->groups[i] == pgid) {
			g->groups[i] = g->groups[--g->ngroups];
			break;
		}
	}
	guard_send(g, '-', pgid);
}

int
guard_dead(struct guard *g)
{
	pid_t	 r;

	if (g == NULL || g->pid <= 0)
		return 0;
	r = waitpid(g->pid, NULL, WNOHANG);
	if (r != g->pid && !(r == -1 && errno == ECHILD))
		return 0;
	g->pid = -1;
	close(g->fd);
	g->fd = -1;
	return 1;
}

int
guard_restart(struct guard *g, char **cause)
{
	size_t	 i;

	if (g->pid > 0)
		return 0;
	if (guard_fork(g, cause) == -1) {
		g->pid = g->fd = -1;
		return -1;
	}
	for (i = 0; i < g->ngroups; i++)
		guard_send(g, '+', g->groups[i]);
	return 0;
}

/* Send fd and stage_fd with an 'L'; wait for the guard's answer. */
int
guard_add_log(struct guard *g, int fd, int stage_fd)
{
	struct guard_msg	 m = { .op = 'L', .pgid = 0 };
	struct pollfd		 pfd;
	int			 fds[2] = { fd, stage_fd };
	char			 ack = 'n';

	if (g == NULL || g->fd == -1 ||
	    fd_send(g->fd, &m, sizeof m, fds, 2, MSG_NOSIGNAL) == -1)
		return -1;
	pfd.fd = g->fd;
	pfd.events = POLLIN;
	while (poll(&pfd, 1, GUARD_ACK_MS) == -1 && errno == EINTR)
		continue;
	if ((pfd.revents & POLLIN) == 0)
		return -1;
	while (recv(g->fd, &ack, 1, 0) == -1 && errno == EINTR)
		continue;
	return ack == 'y' ? 0 : -1;
}

int
guard_give_log(struct guard *g, int fd, int stage_fd)
{
	struct guard_msg	 m = { .op = 'L', .pgid = 0 };
	int			 fds[2] = { fd, stage_fd };

	if (g == NULL || g->fd == -1 ||
	    fd_send(g->fd, &m, sizeof m, fds, 2, MSG_NOSIGNAL) == -1)
		return -1;
	return 0;
}

int
guard_read_answer(struct guard *g)
{
	char	 ack;
	ssize_t	 n;

	if (g == NULL || g->fd == -1)
		return -2;
	do
		n = recv(g->fd, &ack, 1, MSG_DONTWAIT);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -1;
	if (n <= 0)
		return -2;
	return ack == 'y';
}

int
guard_fd(const struct guard *g)
{
	return g->fd;
}

pid_t
guard_pid(const struct guard *g)
{
	return g->pid;
}

size_t
guard_groups(const struct guard *g)
{
	return g->ngroups;
}

void
guard_free(struct guard *g)
{
	if (g == NULL)
		return;
	if (g->fd != -1)
		close(g->fd);
	while (g->pid > 0 && waitpid(g->pid, NULL, 0) == -1 && errno == EINTR)
		continue;
	free(g->groups);
	free(g);
}
