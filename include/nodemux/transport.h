/*
 * The node transport: how the launcher reaches a node's process, as a
 * small table of entry points (pdsh's rcmd modules: init, run, signal,
 * destroy).  The local pty is one transport, OpenSSH another; the core
 * never knows which it drives.  A new transport is one new file that
 * fills a struct transport_ops, and one line in transport.c's table.
 *
 * The contract, for every transport:
 * - spawn starts the node and returns at once.  What fails at once
 *   (no pty, no fork) is -1 and *cause; what fails later (exec, an
 *   unreachable host) arrives through hooks->ended with TRANSPORT_FAILED.
 * - Once the node's process runs (its exec succeeded; on another
 *   machine: it runs there), hooks->started says so: at most once per
 *   spawn, never from inside spawn, before ended.  A node that never ran
 *   gets no started call; until it comes the node is "starting".
 * - Output is a byte stream on one fd the launcher polls (POLLIN) and
 *   reads with read(2); input is written to the same fd (POLLOUT when it
 *   is full).  EOF or EIO on it means every writer has gone.
 * - The node has ended once both hooks->ended has been called and its fd
 *   has reached EOF; then the launcher calls free.  Exactly one ended
 *   call per spawn, never from inside spawn itself.  The hook may free
 *   the transport: a transport touches nothing of it after the call.
 * - signal acts on the node's whole process group, wherever it runs.
 */
#ifndef NODEMUX_TRANSPORT_H
#define NODEMUX_TRANSPORT_H

#include <sys/types.h>

#include <stddef.h>

struct guard;
struct loop;
struct plan;
struct plan_node;
struct transport;

/* How a node ended. */
enum transport_end_kind {
	TRANSPORT_EXITED,	/* status: its exit status */
	TRANSPORT_KILLED,	/* sig: the signal that ended it */
	TRANSPORT_FAILED,	/* never ran: reason (exec failure, host
				   unreachable, ...) */
	TRANSPORT_LOST,		/* gone, how is unknown: reason (the
				   connection dropped, the status was
				   reaped elsewhere) */
};

struct transport_end {
	enum transport_end_kind	 kind;
	int			 status;
	int			 sig;
	const char		*reason;	/* FAILED, LOST; valid during
						   the call */
};

/* What a transport tells the launcher, with hooks_arg. */
struct transport_hooks {
	/* The node's process runs (see the contract above). */
	void	(*started)(void *arg);
	/* The node ended (see the contract above). */
	void	(*ended)(void *arg, const struct transport_end *);
	/* What transport_ops.pid returns has changed (a remote group id
	   arrived); may be NULL. */
	void	(*changed)(void *arg);
	/* port_free said TRANSPORT_PORT_LATER: ask again, it answers now
	   (see port_free). */
	void	(*ports)(void *arg);
};

/* What to start, and where to report. */
struct transport_spec {
	const struct plan	*plan;
	const struct plan_node	*node;		/* argv, env, cwd, name */
	int			 rows;		/* initial window size */
	int			 cols;
	struct loop		*loop;		/* for fds and timers of its own */
	struct guard		*guard;		/* told of every local process
						   group; may be NULL */
	const struct transport_hooks *hooks;
	void			*hooks_arg;
};

/* port_free's "cannot tell yet": hooks->ports follows. */
#define TRANSPORT_PORT_LATER	2

struct transport_ops {
	const char	*name;		/* "local", "ssh" */

	/* Is this the transport for node pn of plan? */
	int		(*match)(const struct plan *,
			    const struct plan_node *pn);

	/*
	 * Before ts->node is spawned with ts (the same loop, guard, hooks
	 * and hooks_arg): is port free on its host (1), busy (0), or -1 and
	 * *cause when it cannot tell?  Called once per port tried; never
	 * waits.  A transport that cannot tell yet (a remote host not yet
	 * connected, its ports not yet listed) says TRANSPORT_PORT_LATER,
	 * finds out in the background and calls hooks->ports once, from the
	 * loop; asked again, it answers (1 also when its host turned out
	 * unreachable: spawn then reports that).  What it keeps for
	 * hooks_arg meanwhile is its until spawn, or port_cancel.
	 */
	int		(*port_free)(const struct transport_spec *ts,
			    int port, char **cause);

	/* No spawn follows the probes of hooks_arg's node (it failed, was
	   stopped, or is freed): forget it, a due hooks->ports included.
	   NULL for a transport that never says TRANSPORT_PORT_LATER. */
	void		(*port_cancel)(void *hooks_arg);

	/* Why the node cannot start on its busy port (role: "http",
	   "dist"), naming port, role, node and where it is busy; NULL for
	   the default (port_busy_message: the holder on this machine). */
	char		*(*port_busy)(const struct transport_spec *ts,
			    int port, const char *role);

	/* Start the node; 0 and *t, or -1 and *cause (see above). */
	int		(*spawn)(const struct transport_spec *,
			    struct transport **t, char **cause);

	/* The output fd (non-blocking, close-on-exec); -1 once closed. */
	int		(*fd)(struct transport *);

	/* The pid to show (the process group's id; remote: the group on
	   its host), or 0 while not known or after the end. */
	pid_t		(*pid)(struct transport *);

	/* Set the node's window size (SIGWINCH follows); 0 or -1. */
	int		(*resize)(struct transport *, int rows, int cols);

	/* Send sig to the node's whole process group; 0, or -1 with
	   errno (ESRCH: nothing is left of it). */
	int		(*signal)(struct transport *, int sig);

	/*
	 * A child of this process changed state (SIGCHLD): collect the
	 * node's status if it is its own, and call hooks->ended.  NULL for
	 * a transport whose ends arrive through fds of its own.
	 */
	void		(*sigchld)(struct transport *);

	/* Close the output fd early (it is held by a process that will not
	   let go); the end may still be due. */
	void		(*close_fd)(struct transport *);

	/*
	 * Release everything: a process still running is sent SIGKILL (its
	 * whole group) and reaped without the loop; no hook is called.
	 */
	void		(*free)(struct transport *);

	/*
	 * Optional: every node of the transport is freed and the loop is
	 * about to go; end what was left to the loop (a connection waiting
	 * for its last calls), without it.
	 */
	void		(*finish)(void);
};

/* The transport for node pn of plan: the first whose match says so. */
const struct transport_ops *transport_find(const struct plan *,
		    const struct plan_node *pn);

/* Every transport's finish, once the cluster's nodes are freed. */
void		 transport_finish_all(void);

/* The local transport: a pty on this machine (transport-local.c). */
extern const struct transport_ops transport_local;
/* Nodes on other machines: a remote pty over OpenSSH (transport-ssh.c). */
extern const struct transport_ops transport_ssh;

#endif
