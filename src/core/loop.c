/*
 * The one event loop: poll(2) over watched fds, signals read from a
 * signalfd, timers kept in a min-heap of deadlines that sets the poll
 * timeout, a before-sleep hook run once per turn, and calls deferred to
 * the end of the turn's fd dispatch.
 */
#include "config.h"

#include <sys/signalfd.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/loop.h"
#include "nodemux/util.h"

/* A watched fd; removed entries linger (cb NULL) until the turn ends. */
struct loop_fd {
	int		 fd;
	int		 events;
	loop_fd_cb	 cb;
	void		*arg;
};

struct loop_timer {
	int64_t		 deadline;
	uint64_t	 id;
	loop_timer_cb	 cb;
	void		*arg;
};

struct loop_defer {
	loop_hook_cb	 cb;
	void		*arg;
};

struct loop_sig {
	int		 signo;
	loop_signal_cb	 cb;
	void		*arg;
};

struct loop {
	struct loop_fd	**fds;
	size_t		  nfds;
	size_t		  fdcap;
	int		  fds_dirty;	/* an entry was removed this turn */

	struct pollfd	 *pfd;		/* rebuilt each turn */
	struct loop_fd	**pmap;		/* pfd[i] belongs to pmap[i] */
	size_t		  pcap;

	struct loop_timer *heap;
	size_t		  nheap;
	size_t		  heapcap;
	uint64_t	  next_id;

	struct loop_sig	 *sigs;
	size_t		  nsigs;
	int		  sigfd;
	sigset_t	  sigmask;	/* signals routed to sigfd */
	sigset_t	  oldmask;	/* process mask before the first one */

	struct loop_defer *defer;	/* pending, in the order asked */
	size_t		  ndefer;
	size_t		  defercap;

	loop_hook_cb	  hook;
	void		 *hook_arg;
	int		  stop;
	uint64_t	  turns;
};

struct loop *
loop_new(void)
{
	struct loop	*l = xcalloc(1, sizeof *l);

	l->next_id = 1;
	l->sigfd = -1;
	sigemptyset(&l->sigmask);
	return l;
}

/* Read and drop whatever signals are pending on the signalfd. */
static void
loop_sig_drain(struct loop *l)
{
	struct signalfd_siginfo	 si;

	while (read(l->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
		continue;
}

void
loop_free(struct loop *l)
{
	size_t	 i;

	if (l == NULL)
		return;
	if (l->sigfd != -1) {
		/* Signals that arrived unhandled are dropped, not raised
		   as the old mask comes back. */
		loop_sig_drain(l);
		close(l->sigfd);
		sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
	}
	for (i = 0; i < l->nfds; i++)
		free(l->fds[i]);
	free(l->fds);
	free(l->pfd);
	free(l->pmap);
	free(l->heap);
	free(l->sigs);
	free(l->defer);
	free(l);
}

/* The live entry watching fd, or NULL. */
static struct loop_fd *
loop_find_fd(struct loop *l, int fd)
{
	size_t	 i;

	for (i = 0; i < l->nfds; i++) {
		if (l->fds[i]->fd == fd && l->fds[i]->cb != NULL)
			return l->fds[i];
	}
	return NULL;
}

int
loop_add_fd(struct loop *l, int fd, int events, loop_fd_cb cb, void *arg)
{
	struct loop_fd	*e;

	if (fd < 0 || cb == NULL || loop_find_fd(l, fd) != NULL)
		return -1;
	if (l->nfds == l->fdcap) {
		l->fdcap = l->fdcap ? l->fdcap * 2 : 16;
		l->fds = xreallocarray(l->fds, l->fdcap, sizeof *l->fds);
	}
	e = xmalloc(sizeof *e);
	e->fd = fd;
	e->events = events;
	e->cb = cb;
	e->arg = arg;
	l->fds[l->nfds++] = e;
	return 0;
}

void
loop_set_events(struct loop *l, int fd, int events)
{
	struct loop_fd	*e = loop_find_fd(l, fd);

	if (e != NULL)
		e->events = events;
}

void
loop_del_fd(struct loop *l, int fd)
{
	struct loop_fd	*e = loop_find_fd(l, fd);

	/* Freed at the end of the turn: the dispatch may still hold it. */
	if (e != NULL) {
		e->cb = NULL;
		l->fds_dirty = 1;
	}
}

/* Free the entries removed during this turn. */
static void
loop_fd_collect(struct loop *l)
{
	size_t	 i, j;

	if (!l->fds_dirty)
		return;
	for (i = j = 0; i < l->nfds; i++) {
		if (l->fds[i]->cb == NULL)
			free(l->fds[i]);
		else
			l->fds[j++] = l->fds[i];
	}
	l->nfds = j;
	l->fds_dirty = 0;
}

/* Is timer a due before timer b? */
static int
loop_timer_less(const struct loop_timer *a, const struct loop_timer *b)
{
	if (a->deadline != b->deadline)
		return a->deadline < b->deadline;
	return a->id < b->id;
}

/* Move heap entry i up or down until the heap order holds again. */
static void
loop_heap_fix(struct loop *l, size_t i)
{
	struct loop_timer	 t = l->heap[i];
	size_t			 c;

	while (i > 0 && loop_timer_less(&t, &l->heap[(i - 1) / 2])) {
		l->heap[i] = l->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	for (;;) {
		c = 2 * i + 1;
		if (c >= l->nheap)
			break;
		if (c + 1 < l->nheap && loop_timer_less(&l->heap[c + 1],
		    &l->heap[c]))
			c++;
		if (!loop_timer_less(&l->heap[c], &t))
			break;
		l->heap[i] = l->heap[c];
		i = c;
	}
	l->heap[i] = t;
}

/* Take heap entry i out. */
static void
loop_heap_remove(struct loop *l, size_t i)
{
	l->nheap--;
	if (i == l->nheap)
		return;
	l->heap[i] = l->heap[l->nheap];
	loop_heap_fix(l, i);
}

uint64_t
loop_add_timer(struct loop *l, int64_t deadline_ms, loop_timer_cb cb,
    void *arg)
{
	struct loop_timer	*t;

	if (l->nheap == l->heapcap) {
		l->heapcap = l->heapcap ? l->heapcap * 2 : 16;
		l->heap = xreallocarray(l->heap, l->heapcap, sizeof *l->heap);
	}
	t = &l->heap[l->nheap++];
	t->deadline = deadline_ms;
	t->id = l->next_id++;
	t->cb = cb;
	t->arg = arg;
	loop_heap_fix(l, l->nheap - 1);
	return l->next_id - 1;
}

void
loop_cancel_timer(struct loop *l, uint64_t id)
{
	size_t	 i;

	if (id == 0)
		return;
	for (i = 0; i < l->nheap; i++) {
		if (l->heap[i].id == id) {
			loop_heap_remove(l, i);
			return;
		}
	}
}

/* Fire the timers due now; timers they add wait for the next turn. */
static void
loop_fire_timers(struct loop *l)
{
	struct loop_timer	 t;
	uint64_t		 limit = l->next_id;
	int64_t			 now = now_ms();

	while (l->nheap > 0 && l->heap[0].deadline <= now &&
	    l->heap[0].id < limit) {
		t = l->heap[0];
		loop_heap_remove(l, 0);
		t.cb(l, t.arg);
	}
}

/* The poll timeout in ms for the nearest deadline; -1 when none. */
static int
loop_timeout(struct loop *l)
{
	int64_t	 d;

	if (l->nheap == 0)
		return -1;
	d = l->heap[0].deadline - now_ms();
	if (d <= 0)
		return 0;
	return d > 86400000 ? 86400000 : (int)d;
}

int
loop_add_signal(struct loop *l, int signo, loop_signal_cb cb, void *arg)
{
	sigset_t	 one;
	size_t		 i;
	int		 fd;

	if (cb == NULL || signo <= 0 || signo >= NSIG || signo == SIGKILL ||
	    signo == SIGSTOP)
		return -1;
	/* An ignored SIGCHLD is never queued and makes the kernel reap
	   children itself: take back the default. */
	if (signo == SIGCHLD)
		signal(SIGCHLD, SIG_DFL);
	sigemptyset(&one);
	sigaddset(&one, signo);
	if (l->sigfd == -1)
		sigprocmask(SIG_BLOCK, &one, &l->oldmask);
	else
		sigprocmask(SIG_BLOCK, &one, NULL);
	sigaddset(&l->sigmask, signo);
	fd = signalfd(l->sigfd, &l->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd == -1)
		return -1;
	l->sigfd = fd;
	/* Several watchers may share a signal (SIGCHLD above all); a slot
	   freed by loop_del_signal is used again. */
	for (i = 0; i < l->nsigs && l->sigs[i].cb != NULL; i++)
		continue;
	if (i == l->nsigs) {
		l->sigs = xreallocarray(l->sigs, l->nsigs + 1,
		    sizeof *l->sigs);
		l->nsigs++;
	}
	l->sigs[i].signo = signo;
	l->sigs[i].cb = cb;
	l->sigs[i].arg = arg;
	return 0;
}

void
loop_del_signal(struct loop *l, int signo, loop_signal_cb cb, void *arg)
{
	size_t	 i;

	/* The signal stays blocked and routed: others may still watch it,
	   and an unwatched one read from the fd is dropped. */
	for (i = 0; i < l->nsigs; i++) {
		if (l->sigs[i].signo == signo && l->sigs[i].cb == cb &&
		    l->sigs[i].arg == arg) {
			l->sigs[i].cb = NULL;
			return;
		}
	}
}

/* Read the signalfd and call every watcher of each signal read. */
static void
loop_sig_dispatch(struct loop *l)
{
	struct signalfd_siginfo	 si;
	size_t			 i;

	while (read(l->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		for (i = 0; i < l->nsigs; i++) {
			if (l->sigs[i].cb != NULL &&
			    l->sigs[i].signo == (int)si.ssi_signo)
				l->sigs[i].cb(l, (int)si.ssi_signo,
				    l->sigs[i].arg);
		}
	}
}

void
loop_set_before_sleep(struct loop *l, loop_hook_cb cb, void *arg)
{
	l->hook = cb;
	l->hook_arg = arg;
}

void
loop_defer(struct loop *l, loop_hook_cb cb, void *arg)
{
	size_t	 i;

	for (i = 0; i < l->ndefer; i++) {
		if (l->defer[i].cb == cb && l->defer[i].arg == arg)
			return;
	}
	if (l->ndefer == l->defercap) {
		l->defercap = l->defercap ? l->defercap * 2 : 4;
		l->defer = xreallocarray(l->defer, l->defercap,
		    sizeof *l->defer);
	}
	l->defer[l->ndefer].cb = cb;
	l->defer[l->ndefer].arg = arg;
	l->ndefer++;
}

void
loop_undefer(struct loop *l, loop_hook_cb cb, void *arg)
{
	size_t	 i;

	for (i = 0; i < l->ndefer; i++) {
		if (l->defer[i].cb == cb && l->defer[i].arg == arg) {
			l->ndefer--;
			memmove(l->defer + i, l->defer + i + 1,
			    (l->ndefer - i) * sizeof *l->defer);
			return;
		}
	}
}

/* Run the deferred calls, and those they defer, oldest first. */
static void
loop_run_deferred(struct loop *l)
{
	struct loop_defer	 d;

	while (l->ndefer > 0) {
		d = l->defer[0];
		l->ndefer--;
		memmove(l->defer, l->defer + 1, l->ndefer * sizeof *l->defer);
		d.cb(l, d.arg);
	}
}

/* Fill the pollfd array from the live entries (and the signalfd). */
static size_t
loop_build_poll(struct loop *l)
{
	size_t	 i, n = 0;

	if (l->pcap < l->nfds + 1) {
		l->pcap = l->nfds + 1;
		l->pfd = xreallocarray(l->pfd, l->pcap, sizeof *l->pfd);
		l->pmap = xreallocarray(l->pmap, l->pcap, sizeof *l->pmap);
	}
	for (i = 0; i < l->nfds; i++) {
		if (l->fds[i]->cb == NULL)
			continue;
		l->pfd[n].fd = l->fds[i]->fd;
		/* events 0 keeps the fd but asks for nothing; a negative
		   fd makes poll skip even POLLHUP. */
		if (l->fds[i]->events == 0)
			l->pfd[n].fd = -1;
		l->pfd[n].events = (short)l->fds[i]->events;
		l->pfd[n].revents = 0;
		l->pmap[n++] = l->fds[i];
	}
	if (l->sigfd != -1) {
		l->pfd[n].fd = l->sigfd;
		l->pfd[n].events = POLLIN;
		l->pfd[n].revents = 0;
		l->pmap[n++] = NULL;
	}
	return n;
}

/* One turn: hook, sleep in poll, then fds, signals and timers. */
static int
loop_turn(struct loop *l)
{
	struct loop_fd	*e;
	size_t		 i, n;
	int		 rc;

	l->turns++;
	if (l->hook != NULL)
		l->hook(l, l->hook_arg);
	loop_run_deferred(l);
	if (l->stop)
		return 0;
	n = loop_build_poll(l);
	rc = poll(l->pfd, n, loop_timeout(l));
	if (rc == -1 && errno != EINTR)
		return -1;
	for (i = 0; rc > 0 && i < n; i++) {
		if (l->pfd[i].revents == 0)
			continue;
		e = l->pmap[i];
		if (e == NULL)
			loop_sig_dispatch(l);
		else if (e->cb != NULL)	/* not removed by an earlier cb */
			e->cb(l, e->fd, l->pfd[i].revents, e->arg);
	}
	loop_run_deferred(l);
	loop_fire_timers(l);
	loop_run_deferred(l);
	loop_fd_collect(l);
	return 0;
}

int
loop_run(struct loop *l)
{
	int	 rc = 0;

	while (!l->stop) {
		if (loop_turn(l) == -1) {
			rc = -1;
			break;
		}
	}
	l->stop = 0;
	return rc;
}

void
loop_stop(struct loop *l)
{
	l->stop = 1;
}

uint64_t
loop_turns(const struct loop *l)
{
	return l->turns;
}
