/*
 * The network facts a plan depends on: which host name the nodes use and
 * whether a TCP port is free on the address a node will bind, and if not,
 * who holds it.
 */
#ifndef NODEMUX_NET_H
#define NODEMUX_NET_H

#include <sys/types.h>

/*
 * Resolve a host setting of SPEC §3: "auto" (gethostname() if it resolves
 * to a local address, else "localhost" if that resolves, else
 * "127.0.0.1"), "short" (auto cut at the first dot), "long" (auto, the
 * fully qualified name where one exists) or a literal host or IP.  Set
 * *host to the name nodes use and *addr to the numeric address (IPv4 or
 * IPv6 text) their ports are probed on.  0, or -1 and *cause.
 */
int	 host_resolve(const char *setting, char **host, char **addr,
	     char **cause);

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
