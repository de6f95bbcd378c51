/*
 * The event loop: timers in deadline order and cancelled ones silent,
 * fds and signals dispatched, callbacks changing the loop under it, and
 * no wake-ups when nothing happens.
 */
#include "config.h"

#include <criterion/criterion.h>

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/loop.h"
#include "nodemux/util.h"

struct rec {
	struct loop	*loop;
	char		 log[256];
	int		 count;
	uint64_t	 other;		/* a timer to cancel */
	int		 fds[2][2];
};

/* Two pipes in r, each with a byte to read: two fds ready at once. */
static void
rec_pipes(struct rec *r)
{
	cr_assert_eq(pipe(r->fds[0]), 0);
	cr_assert_eq(pipe(r->fds[1]), 0);
	cr_assert_eq(write(r->fds[0][1], "1", 1), 1);
	cr_assert_eq(write(r->fds[1][1], "2", 1), 1);
}

/* Append c to the record's log. */
static void
rec_mark(struct rec *r, char c)
{
	size_t	 n = strlen(r->log);

	if (n + 1 < sizeof r->log) {
		r->log[n] = c;
		r->log[n + 1] = '\0';
	}
}

static void t_a(struct loop *l, void *arg) { rec_mark(arg, 'a'); }
static void t_b(struct loop *l, void *arg) { rec_mark(arg, 'b'); }
static void t_c(struct loop *l, void *arg) { rec_mark(arg, 'c'); }
static void t_stop(struct loop *l, void *arg) { loop_stop(l); }

Test(loop, timers_fire_in_deadline_order)
{
	struct rec	 r = { 0 };
	struct loop	*l = loop_new();
	int64_t		 now = now_ms();
	uint64_t	 id;

	loop_add_timer(l, now + 30, t_c, &r);
	loop_add_timer(l, now + 10, t_a, &r);
	id = loop_add_timer(l, now + 15, t_b, &r);
	loop_add_timer(l, now + 20, t_b, &r);
	loop_add_timer(l, now + 40, t_stop, &r);
	cr_assert_neq(id, 0);
	loop_cancel_timer(l, id);
	cr_assert_eq(loop_run(l), 0);
	cr_assert_str_eq(r.log, "abc");
	cr_assert_geq(now_ms() - now, 40, "the loop waited for the deadlines");
	loop_cancel_timer(l, id);	/* cancelled twice: nothing */
	loop_free(l);
}

/* A timer that re-arms itself for "now" ten times. */
static void
t_rearm(struct loop *l, void *arg)
{
	struct rec	*r = arg;

	rec_mark(r, 'r');
	if (++r->count < 10)
		loop_add_timer(l, now_ms(), t_rearm, r);
	else
		loop_stop(l);
}

/* Counts turns through the hook. */
static void
hook_count(struct loop *l, void *arg)
{
	struct rec	*r = arg;

	rec_mark(r, 'h');
}

Test(loop, timer_added_for_now_waits_for_the_next_turn)
{
	struct rec	 r = { 0 };
	struct loop	*l = loop_new();

	loop_set_before_sleep(l, hook_count, &r);
	loop_add_timer(l, now_ms(), t_rearm, &r);
	loop_run(l);
	cr_assert_eq(r.count, 10);
	/* One hook call per turn, one timer per turn. */
	cr_assert_str_eq(r.log, "hrhrhrhrhrhrhrhrhrhr");
	loop_free(l);
}

/* A timer cancelling another one due in the same turn. */
static void
t_cancel_other(struct loop *l, void *arg)
{
	struct rec	*r = arg;

	rec_mark(r, 'x');
	loop_cancel_timer(l, r->other);
}

Test(loop, timer_cancelled_by_an_earlier_one_in_the_same_turn)
{
	struct rec	 r = { 0 };
	struct loop	*l = loop_new();
	int64_t		 now = now_ms();

	loop_add_timer(l, now + 5, t_cancel_other, &r);
	r.other = loop_add_timer(l, now + 6, t_a, &r);
	loop_add_timer(l, now + 50, t_stop, &r);
	usleep(20000);		/* both due when the loop first looks */
	loop_run(l);
	cr_assert_str_eq(r.log, "x");
	loop_free(l);
}

/* Reading one pipe removes both, though both have data ready. */
static void
fd_first(struct loop *l, int fd, int revents, void *arg)
{
	struct rec	*r = arg;
	char		 c;

	cr_assert(revents & POLLIN);
	cr_assert_eq(read(fd, &c, 1), 1);
	rec_mark(r, c);
	loop_del_fd(l, r->fds[0][0]);
	loop_del_fd(l, r->fds[1][0]);
	loop_add_timer(l, now_ms() + 20, t_stop, r);
}

static void
fd_second(struct loop *l, int fd, int revents, void *arg)
{
	rec_mark(arg, '!');
}

Test(loop, fd_removed_during_dispatch_is_not_called)
{
	struct rec	 r = { 0 };
	struct loop	*l = loop_new();

	rec_pipes(&r);
	/* Whichever is polled first removes both. */
	cr_assert_eq(loop_add_fd(l, r.fds[0][0], POLLIN, fd_first, &r), 0);
	cr_assert_eq(loop_add_fd(l, r.fds[0][0], POLLIN, fd_first, &r), -1,
	    "an fd is watched once");
	cr_assert_eq(loop_add_fd(l, r.fds[1][0], POLLIN, fd_first, &r), 0);
	loop_run(l);
	cr_assert(strcmp(r.log, "1") == 0 || strcmp(r.log, "2") == 0,
	    "one callback only, got %s", r.log);
	/* Removed fds can be watched again. */
	cr_assert_eq(loop_add_fd(l, r.fds[1][0], POLLIN, fd_second, &r), 0);
	loop_free(l);
}

/* Each ready pipe's callback reads its byte and defers one call (twice:
   the second ask is the same call); a timer due now marks 't'. */
static void
d_mark(struct loop *l, void *arg)
{
	rec_mark(arg, 'd');
}

static void
d_never(struct loop *l, void *arg)
{
	rec_mark(arg, '!');
}

static void
fd_defer(struct loop *l, int fd, int revents, void *arg)
{
	struct rec	*r = arg;
	char		 c;

	cr_assert_eq(read(fd, &c, 1), 1);
	rec_mark(r, c);
	loop_defer(l, d_mark, r);
	loop_defer(l, d_mark, r);
}

static void
t_defer(struct loop *l, void *arg)
{
	struct rec	*r = arg;

	rec_mark(r, 't');
	if (++r->count == 1)
		loop_defer(l, d_mark, r);	/* before the loop sleeps */
	else
		loop_stop(l);
}

Test(loop, deferred_call_runs_once_after_every_fd_of_the_turn)
{
	struct rec	 r = { 0 };
	struct loop	*l = loop_new();

	rec_pipes(&r);
	cr_assert_eq(loop_add_fd(l, r.fds[0][0], POLLIN, fd_defer, &r), 0);
	cr_assert_eq(loop_add_fd(l, r.fds[1][0], POLLIN, fd_defer, &r), 0);
	loop_add_timer(l, now_ms(), t_defer, &r);
	/* Taken back before it ran: never called. */
	loop_defer(l, d_never, &r);
	loop_undefer(l, d_never, &r);
	loop_add_timer(l, now_ms() + 30, t_defer, &r);
	loop_run(l);
	/* Both reads, one deferred call, then the timer of that turn, whose
	   own deferred call runs before the loop sleeps (the second timer
	   30 ms later stops it). */
	cr_assert(strcmp(r.log, "12dtdt") == 0 || strcmp(r.log, "21dtdt") == 0,
	    "got %s", r.log);
	loop_free(l);
	close(r.fds[0][0]);
	close(r.fds[0][1]);
	close(r.fds[1][0]);
	close(r.fds[1][1]);
}

/* Signal watchers record which signal arrived. */
static void
sig_a(struct loop *l, int signo, void *arg)
{
	rec_mark(arg, signo == SIGUSR1 ? 'a' : '?');
	loop_stop(l);
}

static void
sig_b(struct loop *l, int signo, void *arg)
{
	rec_mark(arg, signo == SIGUSR1 ? 'b' : '?');
}

Test(loop, signals_come_through_the_loop_to_every_watcher)
{
	struct rec	 r = { 0 };
	struct loop	*l = loop_new();
	sigset_t	 cur;

	cr_assert_eq(loop_add_signal(l, SIGUSR1, sig_a, &r), 0);
	cr_assert_eq(loop_add_signal(l, SIGUSR1, sig_b, &r), 0);
	cr_assert_eq(loop_add_signal(l, SIGKILL, sig_b, &r), -1);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	cr_assert(sigismember(&cur, SIGUSR1), "the signal is blocked");
	kill(getpid(), SIGUSR1);
	loop_run(l);
	cr_assert_str_eq(r.log, "ab");

	loop_del_signal(l, SIGUSR1, sig_b, &r);
	kill(getpid(), SIGUSR1);
	loop_run(l);
	cr_assert_str_eq(r.log, "aba");
	loop_free(l);
	sigprocmask(SIG_SETMASK, NULL, &cur);
	cr_assert(!sigismember(&cur, SIGUSR1), "the old mask is back");
}

Test(loop, idle_loop_sleeps_instead_of_spinning)
{
	struct rec	 r = { 0 };
	struct loop	*l = loop_new();
	int		 p[2];
	int64_t		 t0 = now_ms();

	/* An idle fd, a signal nobody sends, one timer a second away. */
	cr_assert_eq(pipe(p), 0);
	loop_add_fd(l, p[0], POLLIN, fd_second, &r);
	loop_add_signal(l, SIGUSR2, sig_b, &r);
	loop_add_timer(l, now_ms() + 1000, t_stop, &r);
	loop_run(l);
	cr_assert_geq(now_ms() - t0, 1000);
	cr_assert_leq(loop_turns(l), 3, "%llu turns in 1 s of idleness",
	    (unsigned long long)loop_turns(l));
	cr_assert_str_eq(r.log, "");
	loop_free(l);
}

/* Writes one byte per turn until POLLOUT is turned off. */
static void
fd_writer(struct loop *l, int fd, int revents, void *arg)
{
	struct rec	*r = arg;

	cr_assert(revents & POLLOUT);
	if (++r->count == 3) {
		loop_set_events(l, fd, 0);
		loop_add_timer(l, now_ms() + 50, t_stop, r);
	}
}

Test(loop, set_events_zero_stops_watching)
{
	struct rec	 r = { 0 };
	struct loop	*l = loop_new();
	int		 p[2];

	cr_assert_eq(pipe(p), 0);
	loop_add_fd(l, p[1], POLLOUT, fd_writer, &r);
	loop_run(l);
	cr_assert_eq(r.count, 3, "called %d times", r.count);
	loop_free(l);
}

struct heapcheck {
	int64_t		 deadline[1000];
	int		 fired[1000];
	int		 cancelled[1000];
	int64_t		 last;
	int		 order_ok;
	int		 nfired;
};

struct heaparg {
	struct heapcheck *h;
	int		  i;
};

/* Record that timer i fired, and whether deadlines came in order. */
static void
t_heap(struct loop *l, void *arg)
{
	struct heaparg		*a = arg;
	struct heapcheck	*h = a->h;

	if (h->deadline[a->i] < h->last)
		h->order_ok = 0;
	h->last = h->deadline[a->i];
	h->fired[a->i]++;
	h->nfired++;
}

Test(loop, a_thousand_random_timers_fire_in_order_and_cancelled_never)
{
	static struct heapcheck	 h;
	static struct heaparg	 args[1000];
	uint64_t		 ids[1000];
	struct loop		*l = loop_new();
	int64_t			 now = now_ms();
	int			 i, want = 0;

	srand(42);
	h.order_ok = 1;
	for (i = 0; i < 1000; i++) {
		h.deadline[i] = now + rand() % 200;
		args[i].h = &h;
		args[i].i = i;
		ids[i] = loop_add_timer(l, h.deadline[i], t_heap, &args[i]);
	}
	for (i = 0; i < 1000; i += 3) {
		loop_cancel_timer(l, ids[i]);
		h.cancelled[i] = 1;
	}
	loop_add_timer(l, now + 300, t_stop, NULL);
	loop_run(l);
	for (i = 0; i < 1000; i++) {
		cr_assert_eq(h.fired[i], !h.cancelled[i], "timer %d fired %d "
		    "times", i, h.fired[i]);
		want += !h.cancelled[i];
	}
	cr_assert_eq(h.nfired, want);
	cr_assert(h.order_ok, "deadlines out of order");
	loop_free(l);
}
