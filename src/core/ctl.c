/*
 * The control socket: a running console answers one-line requests from
 * `nodemux ctl` with JSON lines.  Clients are non-blocking and served by
 * the one event loop; a follower too slow to keep up is dropped.
 */
#include "config.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/ctl.h"
#include "nodemux/search.h"
#include "nodemux/util.h"

#define CTL_MAX_REQUEST	4096
#define CTL_MAX_OUT	(16 * 1024 * 1024)	/* one reply */
/*
 * logs N is a cursor over node N's scrollback: lines are formatted as the
 * client reads them, CTL_FILL bytes at most queued ahead, so a client
 * holds no copy of the lines (24 followers that never read once took
 * 390 MiB).  A follower whose next line has dropped out of the
 * scrollback is too far behind: it is told so and closed.
 */
#define CTL_FILL	65536
#define CTL_KEEP_OUT	(2 * CTL_FILL)	/* a drained queue keeps its buffer */
/*
 * As many clients as the descriptor limit allows, less what the nodes
 * need (a pty, a log file and a pipe or two each, plus slack), within
 * these bounds.  A new client finding no room takes the slot of the
 * oldest that has not sent its request yet.
 */
#define CTL_MIN_CLIENTS	16
#define CTL_CAP_CLIENTS	8192
#define CTL_FDS_PER_NODE 8
#define CTL_FDS_SPARE	64
#define CTL_ACCEPT_TURN	64	/* connections accepted a loop turn */
#define CTL_REQUEST_MS	10000	/* to send the request line */
#define CTL_RETRY_MS	250	/* to accept again after running out of fds */

struct ctl_client {
	struct ctl		*ctl;
	int			 fd;
	char			 in[CTL_MAX_REQUEST];
	size_t			 inlen;
	struct strbuf		 out;
	size_t			 outoff;
	int			 follow;	/* node index followed, 0 none */
	struct search		*grep;		/* logs --grep, or NULL */
	int			 grep_told;	/* a limit hit was reported */
	int			 logs;		/* node whose lines are read, 0 none */
	uint64_t		 next_seq;	/* the next line's seq, at least */
	uint64_t		 next_abs;	/* its index since the scrollback
					   began (dropped lines counted) */
	int			 closing;	/* close once out is written */
	uint64_t		 timer;		/* request deadline, 0 once in */
	struct ctl_client	*next;
};

struct ctl {
	char			*path;
	int			 fd;
	struct loop		*loop;
	struct cluster		*cluster;
	void			(*quit)(void *);
	void			*arg;
	struct ctl_client	*clients;
	int			 nclients;
	int			 max_clients;
	int			 paused;	/* not accepting for now */
	uint64_t		 retry;		/* timer to accept again */
	struct cluster_sub	*lines;		/* told of lines while a
						   client follows */
};

struct ctl_verb {
	const char	*name;
	int		 args;		/* CTL_ARG_* */
	void		(*run)(struct ctl_client *, const struct ctl_req *);
};

static void	ctl_client_io(struct loop *, int, int, void *);
static void	ctl_accept(struct loop *, int, int, void *);
static void	ctl_follow_update(struct ctl *);

/* Stop accepting (out of fds, or too many clients). */
static void
ctl_pause(struct ctl *ctl)
{
	ctl->paused = 1;
	loop_set_events(ctl->loop, ctl->fd, 0);
}

/* Accept again, if there is room. */
static void
ctl_resume(struct ctl *ctl)
{
	if (ctl->paused && ctl->nclients < ctl->max_clients) {
		ctl->paused = 0;
		loop_set_events(ctl->loop, ctl->fd, POLLIN);
	}
}

/* Timer: try accepting again after running out of descriptors. */
static void
ctl_retry(struct loop *loop, void *arg)
{
	struct ctl	*ctl = arg;

	ctl->retry = 0;
	ctl_resume(ctl);
}


/* Make the socket's directory when it is ours to make (0700). */
static int
ctl_make_dir(const char *path, char **cause)
{
	char		*dir = xstrdup(path), *slash;
	struct stat	 st;
	int		 rc = 0;

	if ((slash = strrchr(dir, '/')) == NULL || slash == dir) {
		free(dir);
		return 0;
	}
	*slash = '\0';
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		*cause = xasprintf("cannot create %s: %s", dir, strerror(errno));
		rc = -1;
	} else if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode)) {
		*cause = xasprintf("%s is not a directory", dir);
		rc = -1;
	} else if (strncmp(dir, "/tmp/nodemux-", 13) == 0 &&
	    (st.st_uid != getuid() || (st.st_mode & 077) != 0)) {
		/* A shared /tmp: refuse a directory someone else controls. */
		*cause = xasprintf("%s is not private to this user", dir);
		rc = -1;
	}
	free(dir);
	return rc;
}



/* Is a console answering on path?  Remove the socket if it is stale. */
static int
ctl_check_running(const char *path)
{
	struct stat	 st;
	int		 fd;

	if ((fd = ctl_connect(path)) != -1) {
		close(fd);
		return 1;
	}
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	return 0;
}

/* Bind and listen on path with mode 0600. */
static int
ctl_listen(const char *path, char **cause)
{
	struct sockaddr_un	 sun;
	mode_t			 mask;
	int			 fd;

	if (ctl_addr(path, &sun, cause) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd == -1) {
		*cause = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	mask = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    listen(fd, SOMAXCONN) == -1) {
		umask(mask);
		*cause = xasprintf("cannot listen on %s: %s", path,
		    strerror(errno));
		close(fd);
		return -1;
	}
	umask(mask);
	return fd;
}

/* Drop a client: stop watching it and free it. */
static void
ctl_client_free(struct ctl_client *cl)
{
	struct ctl_client	**pp;

	for (pp = &cl->ctl->clients; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == cl) {
			*pp = cl->next;
			break;
		}
	}
	loop_del_fd(cl->ctl->loop, cl->fd);
	loop_cancel_timer(cl->ctl->loop, cl->timer);
	close(cl->fd);
	cl->ctl->nclients--;
	if (cl->ctl->retry == 0)
		ctl_resume(cl->ctl);
	strbuf_free(&cl->out);
	search_free(cl->grep);
	if (cl->follow != 0)
		ctl_follow_update(cl->ctl);
	free(cl);
}

/* Queue one JSON line (without its newline) for the client; a reply
   stops at CTL_MAX_OUT. */
static void
ctl_send(struct ctl_client *cl, const char *json)
{
	size_t	 queued = cl->out.len - cl->outoff;

	if (queued > CTL_MAX_OUT) {
		cl->closing = 1;
		return;
	}
	strbuf_adds(&cl->out, json);
	strbuf_addc(&cl->out, '\n');
	loop_set_events(cl->ctl->loop, cl->fd, POLLIN | POLLOUT);
}

/* Finish a request with {"ok":true} or {"ok":false,"error":...}. */
static void
ctl_finish(struct ctl_client *cl, const char *error)
{
	struct strbuf	 sb = STRBUF_INIT;

	if (error == NULL)
		strbuf_adds(&sb, "{\"ok\":true}");
	else {
		strbuf_adds(&sb, "{\"ok\":false,\"error\":");
		json_quote(&sb, error);
		strbuf_addc(&sb, '}');
	}
	ctl_send(cl, sb.buf);
	strbuf_free(&sb);
	cl->closing = 1;
}

/* One status row per node. */
static void
ctl_do_status(struct ctl_client *cl, const struct ctl_req *r)
{
	struct cluster	*c = cl->ctl->cluster;
	struct strbuf	 sb = STRBUF_INIT;
	struct node	*n;
	const struct stats_usage *u;
	char		 state[128];
	int		 k;
	int64_t		 now = now_ms();

	for (k = 0; k < cluster_size(c); k++) {
		n = cluster_node(c, k);
		u = node_usage(n, now);
		strbuf_reset(&sb);
		strbuf_addf(&sb, "{\"index\":%d,\"name\":", n->spec->index);
		json_quote(&sb, n->spec->name);
		strbuf_adds(&sb, ",\"state\":");
		json_quote(&sb, node_state_str(n, state, sizeof state));
		/* No process: pid null, never 0 (kill 0 is every process
		   of the caller's group). */
		if (n->pid != 0)
			strbuf_addf(&sb, ",\"pid\":%ld", (long)n->pid);
		else
			strbuf_adds(&sb, ",\"pid\":null");
		strbuf_addf(&sb, ",\"http_port\":%d,\"dist_port\":%d,"
		    "\"restarts\":%d,\"uptime_ms\":%lld", n->http_port,
		    n->dist_port, n->restarts, n->pid != 0 ?
		    (long long)(now - n->started_ms) : 0LL);
		/* null until two samples a second apart (issue 11); CPU
		   and memory of a remote node: null, unknown here. */
		if (u->valid && u->procs)
			strbuf_addf(&sb, ",\"cpu_pct\":%.1f,\"rss_kib\":%llu,"
			    "\"lines_per_s\":%.1f}", u->cpu_pct,
			    (unsigned long long)u->rss_kib, u->lines_per_s);
		else if (u->valid)
			strbuf_addf(&sb, ",\"cpu_pct\":null,\"rss_kib\":null,"
			    "\"lines_per_s\":%.1f}", u->lines_per_s);
		else
			strbuf_adds(&sb, ",\"cpu_pct\":null,\"rss_kib\":null,"
			    "\"lines_per_s\":null}");
		ctl_send(cl, sb.buf);
	}
	strbuf_free(&sb);
	ctl_finish(cl, NULL);
}

/* Apply fn to node i, or to every node when i is -1. */
static void
ctl_each(struct ctl_client *cl, int i,
    int (*fn)(struct cluster *, int, char **))
{
	struct cluster	*c = cl->ctl->cluster;
	char		*cause = NULL;
	int		 k, from = i, to = i;

	if (i == -1) {
		from = 0;
		to = cluster_size(c) - 1;
	}
	for (k = from; k <= to; k++) {
		if (fn(c, k, &cause) == -1 && i != -1)
			break;
		free(cause);
		cause = NULL;
	}
	ctl_finish(cl, cause);
	free(cause);
}

static void
ctl_do_start(struct ctl_client *cl, const struct ctl_req *r)
{
	ctl_each(cl, r->node, cluster_start);
}

static void
ctl_do_stop(struct ctl_client *cl, const struct ctl_req *r)
{
	ctl_each(cl, r->node, cluster_stop);
}

static void
ctl_do_restart(struct ctl_client *cl, const struct ctl_req *r)
{
	ctl_each(cl, r->node, cluster_restart);
}

static void
ctl_do_pause(struct ctl_client *cl, const struct ctl_req *r)
{
	ctl_each(cl, r->node, cluster_pause);
}

static void
ctl_do_resume(struct ctl_client *cl, const struct ctl_req *r)
{
	ctl_each(cl, r->node, cluster_resume);
}

static void
ctl_do_quit(struct ctl_client *cl, const struct ctl_req *r)
{
	ctl_finish(cl, NULL);
	if (cl->ctl->quit != NULL)
		cl->ctl->quit(cl->ctl->arg);
}

/* Does the client want this line (its grep, if any)? */
static int
ctl_wants(struct ctl_client *cl, const struct line *l)
{
	return cl->grep == NULL || search_line(cl->grep, l);
}

/*
 * The message for limit hits of the client's grep on node (1-based), or
 * NULL when there were none: a match error is said, never passed off as
 * no match.
 */
static char *
ctl_grep_error(struct ctl_client *cl, int node)
{
	const char	*what;
	uint64_t	 n;

	if (cl->grep == NULL || (n = search_errors(cl->grep, &what)) == 0)
		return NULL;
	return xasprintf("grep: %s on node %d (%llu line%s): matches may be "
	    "missing", what, node, (unsigned long long)n, n == 1 ? "" : "s");
}

/* Tell a follower once that its grep hit a limit; it keeps following. */
static void
ctl_grep_tell(struct ctl_client *cl)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		*msg;

	if (cl->grep_told || (msg = ctl_grep_error(cl, cl->follow)) == NULL)
		return;
	cl->grep_told = 1;
	strbuf_adds(&sb, "{\"ok\":false,\"error\":");
	json_quote(&sb, msg);
	strbuf_addc(&sb, '}');
	ctl_send(cl, sb.buf);
	strbuf_free(&sb);
	free(msg);
}

/* A log line as {"node":N,"seq":S,"time_ms":T,"text":...}, in sb. */
static void
ctl_line_json(struct strbuf *sb, const struct line *l, int node)
{
	strbuf_addf(sb, "{\"node\":%d,\"seq\":%llu,\"time_ms\":%lld,"
	    "\"text\":", node, (unsigned long long)l->seq,
	    (long long)l->time_ms);
	json_quote(sb, l->text);
	strbuf_adds(sb, "}\n");
}

/* The index in sb of the client's next line; -1 when it has dropped out
   of the scrollback (the client is that far behind). */
static ssize_t
ctl_cursor(struct ctl_client *cl, const struct scrollback *sb)
{
	uint64_t	 d = scrollback_dropped(sb);
	size_t		 count = scrollback_count(sb);

	/* Past the end: the scrollback was cleared; find our place again. */
	if (cl->next_abs > d + count)
		cl->next_abs = d + scrollback_find_seq(sb, cl->next_seq);
	if (cl->next_abs < d)
		return -1;
	return (ssize_t)(cl->next_abs - d);
}

/* logs N has read the whole scrollback: finish, or go on following. */
static void
ctl_logs_end(struct ctl_client *cl)
{
	char	*error;

	if (cl->follow != 0) {
		ctl_grep_tell(cl);
		return;
	}
	error = ctl_grep_error(cl, cl->logs);
	cl->logs = 0;
	ctl_finish(cl, error);
	free(error);
}

/* A follower fell out of the scrollback: say so after what it has
   queued, and close it once that is read (or its slot is needed). */
static void
ctl_behind(struct ctl_client *cl)
{
	struct strbuf	 sb = STRBUF_INIT;

	strbuf_addf(&sb, "{\"ok\":false,\"error\":\"dropped: too far behind "
	    "node %d's output (past its scrollback)\"}\n", cl->follow);
	strbuf_add(&cl->out, sb.buf, sb.len);	/* past CTL_FILL: one line */
	strbuf_free(&sb);
	cl->follow = cl->logs = 0;
	cl->closing = 1;
	loop_set_events(cl->ctl->loop, cl->fd, POLLIN | POLLOUT);
	ctl_follow_update(cl->ctl);
}

/*
 * Queue the client's next lines of its node until CTL_FILL bytes wait;
 * at the end of the scrollback, finish or wait for more.
 */
static void
ctl_fill(struct ctl_client *cl)
{
	struct node		*n = cluster_node(cl->ctl->cluster, cl->logs - 1);
	const struct line	*l;
	struct line		 v;
	ssize_t			 k;
	size_t			 count = scrollback_count(n->sb), before;

	if ((k = ctl_cursor(cl, n->sb)) == -1) {
		if (cl->follow != 0) {
			ctl_behind(cl);
			return;
		}
		cl->next_abs = scrollback_dropped(n->sb);
		k = 0;		/* gone while we read: go on from what is left */
	}
	before = cl->out.len;
	for (; (size_t)k < count && cl->out.len - cl->outoff < CTL_FILL; k++) {
		l = scrollback_get(n->sb, k, &v);
		cl->next_seq = l->seq + 1;
		cl->next_abs++;
		if (ctl_wants(cl, l))
			ctl_line_json(&cl->out, l, cl->logs);
	}
	if (cl->out.len != before)
		loop_set_events(cl->ctl->loop, cl->fd, POLLIN | POLLOUT);
	if ((size_t)k == count)
		ctl_logs_end(cl);
}

/* Compile the grep pattern of a logs request; -1 after answering. */
static int
ctl_compile_grep(struct ctl_client *cl, const char *re)
{
	char	*err = NULL, *cause;

	if ((cl->grep = search_compile(re, 0, &err)) != NULL)
		return 0;
	cause = xasprintf("invalid regex: %s", err);
	ctl_finish(cl, cause);
	free(cause);
	free(err);
	return -1;
}

/* logs N [follow] [grep RE]: scrollback, then new lines if following. */
static void
ctl_do_logs(struct ctl_client *cl, const struct ctl_req *r)
{
	if (r->grep != NULL && ctl_compile_grep(cl, r->grep) == -1)
		return;
	cl->logs = r->node + 1;
	cl->follow = r->follow ? cl->logs : 0;
	cl->next_seq = 0;
	cl->next_abs = scrollback_dropped(cluster_node(cl->ctl->cluster,
	    r->node)->sb);
	ctl_fill(cl);
	if (cl->follow != 0)
		ctl_follow_update(cl->ctl);
}

/* What each verb takes after its name. */
#define CTL_ARG_NONE	0
#define CTL_ARG_NODE	1	/* N or all */
#define CTL_ARG_LOGS	2	/* one N, then [follow] [grep RE] */

static const struct ctl_verb ctl_verbs[] = {
	{ .name = "status",  .args = CTL_ARG_NONE, .run = ctl_do_status },
	{ .name = "start",   .args = CTL_ARG_NODE, .run = ctl_do_start },
	{ .name = "stop",    .args = CTL_ARG_NODE, .run = ctl_do_stop },
	{ .name = "restart", .args = CTL_ARG_NODE, .run = ctl_do_restart },
	{ .name = "pause",   .args = CTL_ARG_NODE, .run = ctl_do_pause },
	{ .name = "resume",  .args = CTL_ARG_NODE, .run = ctl_do_resume },
	{ .name = "logs",    .args = CTL_ARG_LOGS, .run = ctl_do_logs },
	{ .name = "quit",    .args = CTL_ARG_NONE, .run = ctl_do_quit },
};

/* Parse "N" or "all" at *rest: 0-based index, -1 for all, -2 on error. */
static int
ctl_node_arg(char **rest, int nnodes)
{
	char	*word = *rest, *end;
	int	 n;

	end = word + strcspn(word, " ");
	*rest = end + strspn(end, " ");
	if (end - word == 3 && strncmp(word, "all", 3) == 0)
		return -1;
	*end = '\0';
	if (parse_int(word, 1, nnodes, &n) == 0)
		return n - 1;
	return -2;
}

/* The [follow] [grep RE] of logs, at rest; -1 and *error on anything else. */
static int
ctl_parse_logs(char *rest, struct ctl_req *r, char **error)
{
	if (r->node < 0) {
		*error = xstrdup("logs needs one node number");
		return -1;
	}
	if (strncmp(rest, "follow", 6) == 0 &&
	    (rest[6] == ' ' || rest[6] == '\0')) {
		r->follow = 1;
		rest += 6;
		rest += strspn(rest, " ");
	}
	if (strncmp(rest, "grep ", 5) == 0)
		r->grep = rest + 5;
	else if (*rest != '\0') {
		*error = xstrdup("usage: logs N [follow] [grep RE]");
		return -1;
	}
	return 0;
}

int
ctl_parse(char *req, int nnodes, struct ctl_req *r, char **error)
{
	const struct ctl_verb	*v = NULL;
	struct strbuf		 sb = STRBUF_INIT;
	char			*rest;
	size_t			 k, len;

	memset(r, 0, sizeof *r);
	len = strcspn(req, " ");
	rest = req + len + strspn(req + len, " ");
	for (k = 0; k < nitems(ctl_verbs); k++) {
		if (strlen(ctl_verbs[k].name) == len &&
		    strncmp(ctl_verbs[k].name, req, len) == 0)
			v = &ctl_verbs[k];
	}
	if (v == NULL) {
		/* Echo at most a word's worth of what was sent. */
		strbuf_adds(&sb, "unknown request: ");
		strbuf_add(&sb, req, len > 64 ? 64 : len);
		*error = strbuf_detach(&sb);
		return -1;
	}
	r->verb = v->name;
	r->index = (int)(v - ctl_verbs);
	if (v->args != CTL_ARG_NONE &&
	    (r->node = ctl_node_arg(&rest, nnodes)) == -2) {
		*error = xasprintf("invalid node number: use 1-%d or all",
		    nnodes);
		return -1;
	}
	if (v->args == CTL_ARG_LOGS)
		return ctl_parse_logs(rest, r, error);
	return 0;
}

/* Answer one request line. */
static void
ctl_dispatch(struct ctl_client *cl, char *req)
{
	struct ctl_req	 r;
	char		*error = NULL;

	if (ctl_parse(req, cluster_size(cl->ctl->cluster), &r, &error) == -1) {
		ctl_finish(cl, error);
		free(error);
		return;
	}
	ctl_verbs[r.index].run(cl, &r);
}

/* Read the request line; answer it once complete. */
static void
ctl_client_read(struct ctl_client *cl)
{
	ssize_t	 n;
	char	*nl;

	n = read(cl->fd, cl->in + cl->inlen, sizeof cl->in - 1 - cl->inlen);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		ctl_client_free(cl);
		return;
	}
	if (cl->follow != 0 || cl->closing)
		return;		/* one request per connection */
	cl->inlen += n;
	cl->in[cl->inlen] = '\0';
	if ((nl = memchr(cl->in, '\n', cl->inlen)) != NULL) {
		loop_cancel_timer(cl->ctl->loop, cl->timer);
		cl->timer = 0;
		*nl = '\0';
		if (nl > cl->in && nl[-1] == '\r')
			nl[-1] = '\0';
		ctl_dispatch(cl, cl->in);
	} else if (cl->inlen == sizeof cl->in - 1)
		ctl_finish(cl, "request too long");
}

/* Write what is queued; close a finished client once drained. */
static void
ctl_client_write(struct ctl_client *cl)
{
	ssize_t	 n;

	while (cl->outoff < cl->out.len) {
		n = write(cl->fd, cl->out.buf + cl->outoff,
		    cl->out.len - cl->outoff);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n == -1) {
			ctl_client_free(cl);
			return;
		}
		cl->outoff += n;
	}
	if (cl->out.cap > CTL_KEEP_OUT)
		strbuf_free(&cl->out);		/* a big reply is done */
	else
		strbuf_reset(&cl->out);
	cl->outoff = 0;
	if (cl->closing) {
		ctl_client_free(cl);
		return;
	}
	loop_set_events(cl->ctl->loop, cl->fd, POLLIN);
	if (cl->logs != 0)
		ctl_fill(cl);	/* the next lines, as it reads */
}

static void
ctl_client_io(struct loop *loop, int fd, int revents, void *arg)
{
	struct ctl_client	*cl = arg;

	if (revents & POLLOUT) {
		ctl_client_write(cl);
		return;		/* cl may be gone */
	}
	if (revents & (POLLIN | POLLHUP | POLLERR))
		ctl_client_read(cl);
}

/* Timer: a client that never sent its request line is dropped. */
static void
ctl_client_timeout(struct loop *loop, void *arg)
{
	struct ctl_client	*cl = arg;

	cl->timer = 0;
	ctl_client_free(cl);
}

/* The client to drop when a new one needs its slot, or NULL: the
   oldest that has not sent its request, else the oldest done with its
   answer but not reading it (clients are kept newest first). */
static struct ctl_client *
ctl_idle_client(struct ctl *ctl)
{
	struct ctl_client	*cl, *idle = NULL, *done = NULL;

	for (cl = ctl->clients; cl != NULL; cl = cl->next) {
		if (cl->timer != 0)
			idle = cl;
		else if (cl->closing)
			done = cl;
	}
	return idle != NULL ? idle : done;
}

/* Accept one connection: 0, or -1 when there is none to accept (or no
   room, the listener then paused). */
static int
ctl_accept_one(struct ctl *ctl)
{
	struct ctl_client	*cl, *idle;
	int			 cfd;

	if (ctl->nclients >= ctl->max_clients) {
		if ((idle = ctl_idle_client(ctl)) == NULL) {
			ctl_pause(ctl);
			return -1;
		}
		ctl_client_free(idle);		/* its slot is needed */
	}
	cfd = accept4(ctl->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd == -1) {
		/* Out of descriptors, the listener stays readable: wait a
		   little instead of spinning on it. */
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			ctl_pause(ctl);
			if (ctl->retry == 0)
				ctl->retry = loop_add_timer(ctl->loop,
				    now_ms() + CTL_RETRY_MS, ctl_retry, ctl);
		}
		return -1;
	}
	cl = xcalloc(1, sizeof *cl);
	cl->ctl = ctl;
	cl->fd = cfd;
	cl->next = ctl->clients;
	ctl->clients = cl;
	ctl->nclients++;
	cl->timer = loop_add_timer(ctl->loop, now_ms() + CTL_REQUEST_MS,
	    ctl_client_timeout, cl);
	loop_add_fd(ctl->loop, cfd, POLLIN, ctl_client_io, cl);
	return 0;
}

/* New connections: a few a turn, so a crowd connecting at once neither
   waits a turn each nor holds the loop. */
static void
ctl_accept(struct loop *loop, int fd, int revents, void *arg)
{
	struct ctl	*ctl = arg;
	int		 k;

	for (k = 0; k < CTL_ACCEPT_TURN; k++) {
		if (ctl_accept_one(ctl) == -1)
			break;
	}
}

/* How many clients the descriptor limit leaves room for. */
static int
ctl_max_clients(const struct cluster *c)
{
	struct rlimit	 rl;
	rlim_t		 spare;

	spare = CTL_FDS_SPARE + (rlim_t)cluster_size(c) * CTL_FDS_PER_NODE;
	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur <= spare)
		return CTL_MIN_CLIENTS;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur - spare > CTL_CAP_CLIENTS)
		return CTL_CAP_CLIENTS;
	if (rl.rlim_cur - spare < CTL_MIN_CLIENTS)
		return CTL_MIN_CLIENTS;
	return (int)(rl.rlim_cur - spare);
}

struct ctl *
ctl_open(const char *path, struct loop *loop, struct cluster *c,
    void (*quit)(void *), void *arg, int *running, char **cause)
{
	struct ctl	*ctl;
	int		 fd;

	*running = 0;
	if (ctl_make_dir(path, cause) == -1)
		return NULL;
	if (ctl_check_running(path)) {
		*running = 1;
		*cause = xasprintf("a console is already running on %s", path);
		return NULL;
	}
	if ((fd = ctl_listen(path, cause)) == -1)
		return NULL;
	ctl = xcalloc(1, sizeof *ctl);
	ctl->path = xstrdup(path);
	ctl->fd = fd;
	ctl->loop = loop;
	ctl->cluster = c;
	ctl->quit = quit;
	ctl->arg = arg;
	ctl->max_clients = ctl_max_clients(c);
	loop_add_fd(loop, fd, POLLIN, ctl_accept, ctl);
	return ctl;
}

/*
 * A line of node n is in its scrollback: followers with room in their
 * queue take it now; one whose cursor fell out of the scrollback is
 * told and closed.
 */
static void
ctl_line(void *arg, struct node *n, const struct line *l)
{
	struct ctl		*ctl = arg;
	struct ctl_client	*cl, *next;

	for (cl = ctl->clients; cl != NULL; cl = next) {
		next = cl->next;
		if (cl->follow != n->spec->index || cl->closing)
			continue;
		if (cl->out.len - cl->outoff < CTL_FILL ||
		    ctl_cursor(cl, n->sb) == -1)
			ctl_fill(cl);
	}
}

static const struct cluster_events ctl_line_events = {
	.line = ctl_line,
};

/*
 * Lines are news only to followers: the cluster calls ctl_line while a
 * client follows (logs N follow), and not at all otherwise, so that a
 * flood costs nothing here when nobody follows it.
 */
static void
ctl_follow_update(struct ctl *ctl)
{
	struct ctl_client	*cl;

	for (cl = ctl->clients; cl != NULL; cl = cl->next) {
		if (cl->follow != 0)
			break;
	}
	if (cl != NULL && ctl->lines == NULL)
		ctl->lines = cluster_subscribe(ctl->cluster, &ctl_line_events,
		    ctl);
	else if (cl == NULL && ctl->lines != NULL) {
		cluster_unsubscribe(ctl->cluster, ctl->lines);
		ctl->lines = NULL;
	}
}

void
ctl_close(struct ctl *ctl)
{
	if (ctl == NULL)
		return;
	/* The last follower freed leaves the cluster's lines. */
	while (ctl->clients != NULL)
		ctl_client_free(ctl->clients);
	loop_cancel_timer(ctl->loop, ctl->retry);
	loop_del_fd(ctl->loop, ctl->fd);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

