/*
 * The launcher's private state, shared by cluster.c (the supervisor
 * state machine), cluster-ctl.c (the calls front ends make),
 * cluster-io.c (reading ptys, ports) and cluster-ready.c (readiness).
 */
#ifndef NODEMUX_CLUSTER_INT_H
#define NODEMUX_CLUSTER_INT_H

#include "nodemux/cluster.h"
#include "nodemux/guard.h"
#include "nodemux/logfile.h"
#include "nodemux/search.h"
#include "nodemux/transport.h"
#include "nodemux/util.h"

#define CLUSTER_READ_MAX	(64 * 1024)	/* per node per loop turn */
#define CLUSTER_STAGE_MAX	(576 * 1024)	/* read in a turn, parsed
					   after its last read (or when
					   full): 128 ptys' 4 KiB and one
					   read more; its pages count in
					   the memory per held line */
#define CLUSTER_DRAIN_MAX	(4 * 1024 * 1024) /* at the leader's exit */
#define CLUSTER_SB_BYTES	(8 * 1024 * 1024) /* scrollback byte cap */
#define CLUSTER_LINGER_MS	1000	/* pty kept open after the leader */
#define CLUSTER_LINGER_TICK_MS	20	/* then SIGKILL and look again */
#define CLUSTER_LINGER_KILL_MS	2000	/* ... for at most this long */
#define CLUSTER_BACKOFF_CAP_MS	30000
#define CLUSTER_STABLE_MS	10000	/* up this long: backoff resets */
#define CLUSTER_PROBE_MS	150	/* tcp readiness retry */
#define CLUSTER_PROBE_SLOW_MS	1000	/* ... after the timeout */
#define CLUSTER_HTTP_ATTEMPT_MS	2000	/* one GET of ready.http */
#define CLUSTER_PROMPT_QUIET_MS	100	/* quiet before ready.log tries the
					   pending partial line (a prompt) */
#define CLUSTER_INPUT_MAX	(1024 * 1024) /* keys queued for a node */
#define CLUSTER_PORT_SCAN	1000	/* next-free looks this far */
#define CLUSTER_PORT_PROBES	64	/* ports probed per node per turn */
#define CLUSTER_SETTLE_MS	1000	/* a quiet screen's episode ends */
#define CLUSTER_LOG_FLUSH_MS	50	/* a rescued log's lines wait at most
					   this long for their write */

/* The launcher's side of a node (struct node's priv). */
struct cnode {
	struct cluster	*c;
	struct node	*n;
	int		 idx;		/* 0-based */
	const struct transport_ops *tops; /* the node's transport */
	struct transport *t;		/* from spawn to the end; NULL */
	int		 fd;		/* its output fd, -1 when closed */
	struct strbuf	 input;		/* written to the fd when it can
					   take it (POLLOUT) */
	size_t		 input_off;	/* bytes of input already written */
	size_t		 stage_at;	/* its unparsed bytes in c->stage */
	size_t		 stage_len;
	int		 ended;		/* the transport said how it ended */
	struct transport_end end;	/* that (reason: in n->reason) */
	int		 restart_requested; /* start again at the end */
	int		 policy_restarts; /* k of "backoff (k/max)" */
	int		 rows;
	int		 cols;
	uint64_t	 kill_timer;
	uint64_t	 linger_timer;
	int64_t		 linger_kill_at; /* the group's first SIGKILL */
	uint64_t	 backoff_timer;
	uint64_t	 scan_timer;	/* next-free goes on next turn */
	int		 ports_wait;	/* ...once the transport can tell
					   (it said TRANSPORT_PORT_LATER) */
	int		 scan_active;	/* a port scan is under way */
	int		 scan_role;	/* 0: http, 1: dist */
	int		 scan_next;	/* the next port to try, 0: the
					   nominal one first */
	int		 scan_http;	/* the ports settled so far */
	int		 scan_dist;
	uint64_t	 probe_timer;
	uint64_t	 ready_timer;	/* ready_timeout_ms deadline */
	int		 probe_fd;	/* tcp connect in flight, -1 */
	int		 run_ok;	/* the transport said it runs */
	int		 tcp_ok;
	int		 log_ok;
	int		 ready_late;	/* the timeout passed */
	struct search	*ready_re;
	uint64_t	 prompt_timer;	/* try the partial line when quiet */
	int64_t		 out_ms;	/* last output, now_ms() */
	int		 http_ok;
	int		 http_fd;	/* GET in flight, -1 */
	uint64_t	 http_timer;	/* next attempt, or its deadline */
	size_t		 http_len;	/* answer bytes; (size_t)-1 while
					   connecting */
	char		 http_buf[256];	/* the answer's start */
	char		 http_last[128]; /* why the last attempt failed */
	struct logfile	*log;
	int64_t		 log_written_ms; /* the last flush, now_ms() */
	int		 log_failed;	/* reported once */
	uint64_t	 settle_timer;	/* the screen's episode may end */
	int64_t		 fed_ms;	/* last output to the screen */
};

/* One subscriber to the cluster's events. */
struct cluster_sub {
	struct cluster_events	 ev;
	void			*arg;
	int			 dead;		/* unsubscribed mid-walk */
	struct cluster_sub	*next;
};

/* A line callback: lines are the hot path, walked as a flat array. */
struct cluster_line_hook {
	void		(*fn)(void *, struct node *, const struct line *);
	void		*arg;
};

/* A line array replaced while a walk may still be on it. */
struct cluster_retired {
	struct cluster_line_hook *v;
	int			 n;
	struct cluster_retired	*next;
};

struct cluster {
	struct plan		*plan;
	struct loop		*loop;
	struct cluster_sub	*subs;		/* in subscription order */
	struct cluster_line_hook *line_hooks;	/* the subs' line callbacks */
	int			 nline_hooks;
	int			 line_cap;
	struct cluster_retired	*retired;	/* arrays a walk may still be
						   on, freed by the sweep */
	uint64_t		 sweep_timer;	/* frees those who left */
	int			 size;
	struct node		*nodes;
	struct cnode		*cn;
	struct guard		*guard;
	char			*guard_cause;	/* said once, at first start */
	int			 guard_fd;	/* watched for its answers */
	int			*log_asks;	/* nodes whose logs await the
						   guard's answer, in order */
	size_t			 nlog_asks;
	uint64_t		 seq;		/* lines across the cluster */
	int			 shutting_down;
	int			 done_fired;
	uint64_t		 done_timer;
	uint64_t		 log_timer;	/* flush the rescued logs */
	char			*buf;		/* CLUSTER_READ_MAX bytes */
	char			*stage;		/* CLUSTER_STAGE_MAX bytes */
	size_t			 stage_len;
	int			*staged;	/* nodes with bytes in it, in
						   the order read */
	int			 nstaged;
};

/* cluster.c */
void	cluster_msg(struct cluster *, struct node *, const char *, ...)
	    __attribute__((format(printf, 3, 4)));
const char *cluster_node_label(const struct node *);
void	cluster_state_changed(struct cluster *, struct node *,
	    const struct node_change *);
void	cluster_node_finish(struct cnode *);
void	cluster_spawn(struct cnode *);
void	cluster_scan_cancel(struct cnode *);
void	cluster_spec(struct cnode *, struct transport_spec *);
int	cluster_active(const struct cnode *);
int	cluster_state_ended(enum node_state);

/* cluster-sub.c */
void	cluster_emit_output(struct cluster *, struct node *);
void	cluster_emit_state(struct cluster *, struct node *,
	    const struct node_change *);
void	cluster_emit_message(struct cluster *, struct node *, const char *);
void	cluster_emit_done(struct cluster *);
void	cluster_sub_free_all(struct cluster *);

/*
 * Tell every subscriber of a completed line (inline: once per line).
 * The array never moves under a walk: a subscriber added during one is
 * put in a new array (this walk goes on over the old one, freed by the
 * sweep); one that leaves becomes a no-op in place until the sweep,
 * which never runs inside a callback.
 */
static inline void
cluster_emit_line(struct cluster *c, struct node *n, const struct line *l)
{
	const struct cluster_line_hook	*h = c->line_hooks;
	const struct cluster_line_hook	*end = h + c->nline_hooks;

	for (; h < end; h++)
		h->fn(h->arg, n, l);
}

/* cluster-guard.c */
void	cluster_guard_start(struct cluster *);
void	cluster_guard_share_log(struct cnode *);
void	cluster_guard_check(struct cluster *);
void	cluster_guard_free(struct cluster *);

/* cluster-fsm.c */
int	cluster_fsm_fire(struct cnode *, enum node_event, const char *cause);

/* cluster-io.c */
int	cluster_io_ports(struct cnode *, char **cause);
void	cluster_io_attach(struct cnode *);
int	cluster_io_drain(struct cnode *, size_t max);
void	cluster_io_close(struct cnode *);
void	cluster_io_free(struct cluster *);
void	cluster_io_parse_all(struct cluster *);
void	cluster_io_plain(void *, const struct vt_plain *);
void	cluster_io_resize(struct cnode *);
ssize_t	cluster_io_write(struct cnode *, const void *, size_t);

/* cluster-ready.c */
int	cluster_ready_all(const struct cnode *);
void	cluster_ready_start(struct cnode *);
void	cluster_ready_check(struct cnode *);
void	cluster_ready_output(struct cnode *);
void	cluster_ready_stop(struct cnode *);

#endif
