/*
 * The machines of a cluster (SPEC §9): ssh targets as users write them
 * ("[user@]host[:port]" or "local"), from --hosts, NODEMUX_HOSTS or
 * cluster.hosts, and the placement of nodes on them.
 */
#ifndef NODEMUX_HOSTS_H
#define NODEMUX_HOSTS_H

struct cfg;
struct plan;

/* Is v a valid ssh target "[user@]host[:port]" ("[v6]:port" too)?  0, or
   -1 and *why. */
int	 hosts_check_target(const char *v, char **why);

/* Is v a valid host name or IP address for NODE_HOST?  0, or -1, *why. */
int	 hosts_check_address(const char *v, char **why);

/*
 * Split target into what ssh takes as its destination ("user@host",
 * brackets of a v6 literal removed), the port (0: none) and the host
 * alone.  0, or -1 and *why.
 */
int	 hosts_split(const char *target, char **dest, int *port, char **host,
	     char **why);

/* The name of a host that has none: its target's host part, or "local"
   when target is NULL. */
char	*hosts_default_name(const char *target, int i);

/*
 * Give plan its hosts from cli (--hosts; NULL: not given), else
 * $NODEMUX_HOSTS, else cluster.hosts, and place each node on one by
 * plan->placement.  plan->host (this machine's name) must be resolved
 * and plan->nodes allocated.  With no hosts anywhere nothing changes
 * but host_addr, which becomes plan->host.  0, or -1 and *cause.
 */
int	 hosts_plan(struct plan *, const char *cli, char **cause);

/* Free plan's hosts. */
void	 hosts_free(struct plan *);

#endif
