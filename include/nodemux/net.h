/*
 * The network facts a plan depends on: which host name the nodes use and
 * whether a TCP port is free on the address a node will bind, and if not,
 * who holds it.
 */
#ifndef NODEMUX_NET_H
#define NODEMUX_NET_H

#include <sys/types.h>

/* The host the nodes of a cluster use, and how it was chosen. */
struct host_res {
	char	*name;		/* the host part of node names */
	char	*addr;		/* numeric address (IPv4 or IPv6 text) their
				   ports are probed on */
	char	*why;		/* one line: the setting and the reason, e.g.
				   "auto, long names: the host name vm has
				   no fully qualified name ..., so 127.0.0.1" */
};

/*
 * Resolve a host setting of SPEC §3.  "auto" (or NULL) is "long" when
 * long_names, else "short".  "long": the host name's fully qualified name
 * (as `hostname -f`) when it resolves to this machine, else 127.0.0.1, so
 * Erlang's -name always takes it.  "short": the host name cut at its first
 * dot when it resolves to this machine, else localhost.  Anything else is
 * a literal host or IP.  localhost is loopback without the resolver (a
 * minimal container has no /etc/hosts).  0 and *hr filled (free with
 * host_res_clear), or -1, *hr empty and *cause.
 */
int	 host_resolve(const char *setting, int long_names,
	     struct host_res *hr, char **cause);

/* Free what host_resolve filled in; hr is left empty. */
void	 host_res_clear(struct host_res *hr);

/* Does host resolve to an address of this machine?  1 yes, 0 no. */
int	 host_is_local(const char *host);

/* Is host an IPv4 or IPv6 literal?  1 yes, 0 no. */
int	 host_is_ip(const char *host);

/*
 * Probe TCP port on addr by binding it (SO_REUSEADDR, as a server would).
 * 1 free, 0 busy (EADDRINUSE or EACCES), -1 other error with *cause.
 */
int	 port_probe(const char *addr, int port, char **cause);

/*
 * Find the process listening on TCP port through /proc/net/tcp{,6} and
 * /proc/<pid>/fd.  0 and *pid, *prog (comm, owned by caller) when found;
 * -1 when /proc does not tell (another user's process, say).
 */
int	 port_holder(int port, pid_t *pid, char **prog);

/*
 * The message for a busy port, e.g. "http port 4000 of node a1@h is
 * busy (held by pid 4242, beam.smp)"; the holder part only when known.
 */
char	*port_busy_message(int port, const char *role, const char *node);

#endif
