/*
 * Connections to the hosts of a cluster (SPEC §9): one OpenSSH master per
 * host (ControlMaster, its socket in a private 0700 directory), started
 * without blocking the loop and shared by every ssh call to the host; and
 * the remote wrapper (ssh-wrap.sh) that every call runs, since nothing of
 * nodemux is installed there.
 */
#ifndef NODEMUX_SSH_H
#define NODEMUX_SSH_H

struct guard;
struct loop;
struct plan;
struct plan_host;
struct plan_node;
struct ssh_host;

enum ssh_state {
	SSH_DOWN,		/* no master (never started, or it ended) */
	SSH_CONNECTING,		/* the master is logging in */
	SSH_UP,			/* its socket takes sessions */
	SSH_FAILED,		/* it could not log in: ssh_host_why */
};

/* The text of src/core/ssh-wrap.sh (generated at build time). */
extern const char ssh_wrap_text[];

/*
 * The connection to host h of plan, made on first use and shared; a
 * reference is taken.  Its master's process group is told to guard.
 * Nothing is started until ssh_host_connect.
 */
struct ssh_host	*ssh_host_get(const struct plan *, const struct plan_host *h,
		    struct loop *, struct guard *);
/* Drop a reference; the last one stops the master and forgets h, once
   the calls in flight to it are done (in the loop, never blocking it). */
void		 ssh_host_put(struct ssh_host *);
/* Before the loop goes: the hosts still waiting for calls go now (the
   calls are given a moment, then killed). */
void		 ssh_flush(void);

/* Start the master unless it is connecting or up.  Never blocks. */
void		 ssh_host_connect(struct ssh_host *);
enum ssh_state	 ssh_host_state(const struct ssh_host *);
/* Has the host been up since its connection was made (a failure to
   connect again is then a lost connection, not an unreachable host)? */
int		 ssh_host_was_up(const struct ssh_host *);
/* "h1 (root@10.0.0.2)": the host as messages name it. */
const char	*ssh_host_label(const struct ssh_host *);
/* Why the master failed or ended: ssh's own last words. */
const char	*ssh_host_why(const struct ssh_host *);

/*
 * Call fn(arg) once, at the host's next change of state (up, failed,
 * ended); unwatch cancels it.  fn may call anything here, free included.
 */
void		 ssh_host_watch(struct ssh_host *, void (*fn)(void *),
		    void *arg);
void		 ssh_host_unwatch(struct ssh_host *, void *arg);

/*
 * The argv (NULL-terminated, to strv_free) of an ssh call that runs the
 * wrapper with args over the host's master, with a remote pty (tty) or
 * without.
 */
char		**ssh_host_argv(const struct ssh_host *, int tty,
		    char *const *args);

/*
 * Run the wrapper with args on host ph of plan with a connection of its
 * own (no master, no loop: for doctor) and wait for it (at most
 * timeout_ms): its exit status and *out (its output, to free), or -1 and
 * *cause.  Its output holds ssh's own words when it could not log in
 * (exit 255).
 */
int		 ssh_run(const struct plan *, const struct plan_host *ph,
		    char *const *args, int timeout_ms, char **out,
		    char **cause);

/*
 * Run the wrapper with args over the master in the background (reaped by
 * ssh_reap); with out, *out is the read end of its output (non-blocking,
 * close-on-exec).  Its local pid, or -1 when the host is not up or no
 * fork.
 */
pid_t		 ssh_host_spawn(struct ssh_host *, char *const *args, int *out);

/* A call whose answer is no longer wanted (one that only asks): its
   client is killed, so that nothing waits for it (ssh_host_put). */
void		 ssh_call_cancel(pid_t);

/*
 * Has the master of a host that was up just ended?  1 then (the host is
 * no longer up, or its master's exit is in), else 0.  For a session that
 * ended with ssh's 255: its connection was lost, or not.
 */
int		 ssh_host_gone(struct ssh_host *);

/*
 * A gate: a fifo in the private directory, opened read-write (*fd) so
 * that a reader's open does not wait; the reader's read waits for the
 * line written to it.  0, or -1 and *cause.
 */
int		 ssh_gate(char **path, int *fd, char **cause);

/* Collect every helper and master that has exited (SIGCHLD). */
void		 ssh_reap(void);

/* The wrapper's arguments that run node pn (key: its pid file):
   run KEY SIG SECONDS CWD NENV ENV... ARGV... */
char		**ssh_run_args(const struct plan *, const struct plan_node *pn,
		    const char *key);

/* The argv of ssh -tt running node pn on its host under the wrapper,
   with a connection of its own (run-node). */
char		**ssh_node_argv(const struct plan *, const struct plan_node *pn);

/* The name of node pn's pid file on its host: "<config>.<sname>". */
char		*ssh_node_key(const struct plan *, const struct plan_node *pn);

#endif
