/*
 * The one event loop: poll over file descriptors, signals delivered as
 * an fd (signalfd), and timers kept as deadlines that set the poll
 * timeout.  Nothing wakes up when nothing happens.
 */
#ifndef NODEMUX_LOOP_H
#define NODEMUX_LOOP_H

#include <stdint.h>

struct loop;

typedef void	(*loop_fd_cb)(struct loop *, int fd, int revents, void *arg);
typedef void	(*loop_timer_cb)(struct loop *, void *arg);
typedef void	(*loop_signal_cb)(struct loop *, int signo, void *arg);
typedef void	(*loop_hook_cb)(struct loop *, void *arg);

struct loop	*loop_new(void);
void		 loop_free(struct loop *);

/* Watch fd for events (POLLIN, POLLOUT); 0, or -1 when already watched. */
int		 loop_add_fd(struct loop *, int fd, int events, loop_fd_cb,
		     void *arg);
/* Change the events watched on fd; 0 stops watching without removing. */
void		 loop_set_events(struct loop *, int fd, int events);
void		 loop_del_fd(struct loop *, int fd);

/*
 * Call cb once at deadline (now_ms() clock); returns an id, never 0.
 * Cancelling a timer that has fired or was cancelled does nothing.
 */
uint64_t	 loop_add_timer(struct loop *, int64_t deadline_ms,
		     loop_timer_cb, void *arg);
void		 loop_cancel_timer(struct loop *, uint64_t id);

/*
 * Deliver signo through the loop (the signal is blocked); 0 or -1.
 * Several callbacks may watch one signal: each is called.
 */
int		 loop_add_signal(struct loop *, int signo, loop_signal_cb,
		     void *arg);
/* Stop calling cb for signo (the signal stays blocked). */
void		 loop_del_signal(struct loop *, int signo, loop_signal_cb,
		     void *arg);

/* Called once per turn, before the loop sleeps (redraw goes here). */
void		 loop_set_before_sleep(struct loop *, loop_hook_cb, void *arg);
/*
 * Call cb(arg) once, after every fd callback of this turn (before its
 * timers); from a timer or the before-sleep hook, before the loop sleeps
 * again.  Asking again for the same cb and arg before it ran does
 * nothing; loop_undefer takes a pending call back.
 */
void		 loop_defer(struct loop *, loop_hook_cb, void *arg);
void		 loop_undefer(struct loop *, loop_hook_cb, void *arg);

/* Run until loop_stop(); 0, or -1 on a poll failure. */
int		 loop_run(struct loop *);
void		 loop_stop(struct loop *);
/* Turns run so far (each turn sleeps at most once in poll). */
uint64_t	 loop_turns(const struct loop *);

#endif
