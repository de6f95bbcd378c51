/*
 * The guard: a small process forked at cluster start that outlives
 * nodemux only long enough to SIGKILL every process group nodemux told
 * it about, should nodemux die without stopping its nodes (even by
 * SIGKILL), and to write out what nodemux had queued for its log files.
 * It learns of groups and logs over a socket and acts at EOF on it.
 */
#ifndef NODEMUX_GUARD_H
#define NODEMUX_GUARD_H

#include <sys/types.h>

#include <stddef.h>

struct guard;

/*
 * Fork the guard.  It keeps only its end of the socket (stdin, stdout
 * and stderr become /dev/null), runs in a session of its own and
 * ignores SIGINT, SIGTERM, SIGHUP and SIGTSTP, so that neither a Ctrl-C
 * nor a kill of nodemux's process group stops it before its work.  It
 * exits as soon as the socket reaches EOF, after sending SIGKILL to
 * every group it still knows and rescuing every log it holds.  NULL and
 * *cause on failure.
 */
struct guard	*guard_start(char **cause);

/*
 * Tell the guard about process group pgid, or that it is gone; g keeps
 * the list too, for a new guard should this one die (guard_restart).
 * guard_tell only sends: a single write(2) of a few bytes,
 * async-signal-safe, so a freshly forked child may call it on itself
 * before exec.
 */
void		 guard_add(struct guard *, pid_t pgid);
void		 guard_del(struct guard *, pid_t pgid);
void		 guard_tell(struct guard *, pid_t pgid);

/*
 * Has the guard process died (call on SIGCHLD)?  1 once, when it is
 * reaped: its socket is closed and nothing reaches it until
 * guard_restart.  0 while it lives (or for NULL).
 */
int		 guard_dead(struct guard *);

/*
 * Start a new guard process for g after guard_dead, and tell it every
 * group g knows; logs must be handed to it again (guard_add_log).  0, or
 * -1 and *cause (g then stays without a process).
 */
int		 guard_restart(struct guard *, char **cause);

/* How many process groups g holds. */
size_t		 guard_groups(const struct guard *);

/*
 * Hand the guard a log file and the memfd of its queue (logfile_share's
 * give): at EOF it calls logfile_rescue on them.  Waits for the guard's
 * answer (at most 2 s); 0 when it holds them, -1 when it could not take
 * them (no guard, its fd table full).
 */
int		 guard_add_log(struct guard *, int fd, int stage_fd);

/*
 * guard_add_log without the wait, for the event loop: 0 once sent; the
 * guard answers on guard_fd (readable), and guard_read_answer reads one
 * answer: 1 (it holds the log), 0 (it could not take it), -1 (none yet),
 * -2 (the guard has gone).  Answers come in the order of the logs.
 */
int		 guard_give_log(struct guard *, int fd, int stage_fd);
int		 guard_read_answer(struct guard *);
/* The socket to the guard, or -1 while it has none. */
int		 guard_fd(const struct guard *);

/* The guard's pid (it is a child of this process), -1 after its death
   until a restart. */
pid_t		 guard_pid(const struct guard *);

/*
 * Close the socket (the guard kills the groups it still knows and exits),
 * reap the guard and free.
 */
void		 guard_free(struct guard *);

#endif
