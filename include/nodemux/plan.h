/*
 * The cluster plan: everything nodemux knows about each of the N nodes
 * before any is started (names, host, ports, argv, environment, cwd, log
 * file, readiness probe).  Built from the config (config.h) and the
 * command line; read by every command and by the launcher.
 */
#ifndef NODEMUX_PLAN_H
#define NODEMUX_PLAN_H

#include <stdint.h>

struct cfg;

enum plan_restart {
	PLAN_RESTART_NO,
	PLAN_RESTART_ON_FAILURE,
	PLAN_RESTART_ALWAYS,
};

enum plan_port_policy {
	PLAN_PORTS_STRICT,
	PLAN_PORTS_NEXT_FREE,
};

enum plan_name_mode {
	PLAN_NAME_LONG,		/* -name, NODE_NAME has the full host */
	PLAN_NAME_SHORT,	/* -sname */
};

#define PLAN_READY_HTTP_MAX	1024	/* bytes of a ready.http path */

enum plan_placement {
	PLAN_PLACE_SPREAD,	/* node i on hosts[(i-1) % count] */
	PLAN_PLACE_FILL,	/* each host up to its slots, in order */
};

/* A machine nodes run on (SPEC §9).  Without cluster.hosts there is
   none: every node is local, on plan->host. */
struct plan_host {
	char		 *name;		/* "h1", or "local" */
	char		 *ssh;		/* [user@]host as ssh takes it; NULL:
					   this machine, no ssh */
	int		  port;		/* ssh port; 0: ssh's own default */
	char		 *address;	/* NODE_HOST: what other nodes dial */
	int		  slots;	/* 0: no limit */
	int		  nodes;	/* how many nodes it holds */
};

/* One node of the plan.  All strings are owned by the plan. */
struct plan_node {
	int		  index;	/* 1..size */
	char		 *name;		/* <prefix><i>@<host> */
	char		 *sname;	/* <prefix><i> */
	int		  http_port;
	int		  dist_port;
	char		**argv;		/* NULL-terminated; a string command is
					   { "/bin/sh", "-c", cmd, NULL } */
	char		 *cwd;		/* expanded, never NULL */
	char		**env;		/* NULL-terminated "NAME=value" entries:
					   the per-node variables of SPEC §3
					   then node.env; to add to environ */
	char		 *log_path;	/* NULL when log_dir is "" */
	int		  ready_tcp_port; /* 0: no tcp probe */
	char		 *ready_log;	/* PCRE2 pattern or NULL */
	char		 *ready_http;	/* path to GET ("/health") or NULL */
	int		  ready_timeout_ms;
	int		  http_nominal;	/* the configured ports; differ from
					   http_port/dist_port when next-free */
	int		  dist_nominal;	/*   moved the node */
	const struct plan_host *host;	/* NULL: no hosts, local */
	const char	 *host_addr;	/* NODE_HOST: host->address, else
					   plan->host */
};

struct plan {
	char		 *config_path;	/* "(built-in demo)" for the demo */
	char		 *config_name;	/* file name without extension, "demo"
					   for the built-in one: names the
					   control socket */
	char		 *profile;	/* NULL when none */
	char		 *start_dir;	/* nodemux's working directory at start:
					   START_DIR */
	int		  size;
	char		 *host;		/* resolved host */
	char		 *bind_addr;	/* numeric address ports are probed on */
	char		 *host_why;	/* how cluster.host chose host */
	enum plan_name_mode name_mode;
	char		 *cookie;
	char		 *log_dir;	/* "" when disabled */
	int		  stop_signal;	/* e.g. SIGTERM */
	int		  stop_timeout_ms;
	int		  scrollback_lines;
	enum plan_restart restart;
	int		  max_restarts;
	int		  backoff_ms;
	enum plan_port_policy port_policy;
	struct plan_node *nodes;	/* size entries, nodes[i].index == i+1 */
	struct plan_host *hosts;	/* nhosts entries; NULL: all local */
	int		  nhosts;
	char		 *hosts_from;	/* "--hosts", "NODEMUX_HOSTS" or
					   "cluster.hosts" */
	enum plan_placement placement;
	char		**ssh_options;	/* added to every ssh call */
	struct cfg	 *cfg;		/* the templates, for
					   plan_node_set_ports */
};

/* What the command line says; unset fields come from elsewhere. */
struct plan_opts {
	int		  size;		/* -1: not given */
	const char	 *config;	/* NULL: look it up */
	const char	 *profile;	/* NULL: $NODEMUX_PROFILE or none */
	const char	 *log_dir;	/* NULL: from config */
	const char	 *hosts;	/* --hosts SPEC,...; NULL: not given */
};

/*
 * Find and load the config (lookup order and precedence of SPEC §1),
 * resolve the host, check sizes and ports and build the plan.  On a
 * config or usage error return NULL and set *cause to a message without
 * the "nodemux: " prefix, "FILE:LINE: ..." where a line exists (the
 * caller exits 2).  Ports are not probed here beyond what next-free needs.
 */
struct plan	*plan_load(const struct plan_opts *, char **cause);
void		 plan_free(struct plan *);

/*
 * Move node i (0-based) to other ports (next-free found its own busy at
 * start): set http_port and dist_port and expand its templates again, so
 * argv, env, cwd and ready_* agree.  0, or -1 and *cause.
 */
int		 plan_node_set_ports(struct plan *, int i, int http_port,
		     int dist_port, char **cause);

/* Is node n on another machine (reached by ssh)? */
#define plan_node_remote(n) ((n)->host != NULL && (n)->host->ssh != NULL)

#endif
