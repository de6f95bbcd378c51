/*
 * The control socket: a running console answers one-line requests from
 * `nodemux ctl` with JSON lines.  Clients are non-blocking and served by
 * the one event loop; a follower too slow to keep up is dropped.
 */
#include "config.h"

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
#define CTL_MAX_OUT	(16 * 1024 * 1024)
#define CTL_MAX_CLIENTS	64
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
	int			 paused;	/* not accepting for now */
	uint64_t		 retry;		/* timer to accept again */
};

struct ctl_verb {
	const char	*name;
	int		 node_arg;	/* takes N or all */
	void		(*run)(struct ctl_client *, int i, char *rest);
};

static void	ctl_client_io(struct loop *, int, int, void *);
static void	ctl_accept(struct loop *, int, int, void *);

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
	if (ctl->paused && ctl->nclients < CTL_MAX_CLIENTS) {
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
	    listen(fd, 16) == -1) {
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
	free(cl);
}

/* Queue one JSON line (without its newline) for the client. */
static void
ctl_send(struct ctl_client *cl, const char *json)
{
	if (cl->out.len - cl->outoff > CTL_MAX_OUT) {
		/* A follower that does not read: give up on it. */
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
ctl_do_status(struct ctl_client *cl, int i, char *rest)
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
		strbuf_addf(&sb, ",\"pid\":%ld,\"http_port\":%d,"
		    "\"dist_port\":%d,\"restarts\":%d,\"uptime_ms\":%lld",
		    (long)n->pid, n->http_port, n->dist_port, n->restarts,
		    n->pid != 0 ? (long long)(now - n->started_ms) : 0LL);
		/* null until two samples a second apart (issue 11). */
		if (u->valid)
			strbuf_addf(&sb, ",\"cpu_pct\":%.1f,\"rss_kib\":%llu,"
			    "\"lines_per_s\":%.1f}", u->cpu_pct,
			    (unsigned long long)u->rss_kib, u->lines_per_s);
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
ctl_do_start(struct ctl_client *cl, int i, char *rest)
{
	ctl_each(cl, i, cluster_start);
}

static void
ctl_do_stop(struct ctl_client *cl, int i, char *rest)
{
	ctl_each(cl, i, cluster_stop);
}

static void
ctl_do_restart(struct ctl_client *cl, int i, char *rest)
{
	ctl_each(cl, i, cluster_restart);
}

static void
ctl_do_quit(struct ctl_client *cl, int i, char *rest)
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

/* Send one log line as {"node":N,"seq":S,"time_ms":T,"text":...}. */
static void
ctl_send_line(struct ctl_client *cl, const struct line *l, int node)
{
	struct strbuf	 sb = STRBUF_INIT;

	strbuf_addf(&sb, "{\"node\":%d,\"seq\":%llu,\"time_ms\":%lld,"
	    "\"text\":", node, (unsigned long long)l->seq,
	    (long long)l->time_ms);
	json_quote(&sb, l->text);
	strbuf_addc(&sb, '}');
	ctl_send(cl, sb.buf);
	strbuf_free(&sb);
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
ctl_do_logs(struct ctl_client *cl, int i, char *rest)
{
	struct node	*n;
	struct line	 v;
	size_t		 k, count;
	int		 follow = 0;

	if (i < 0) {
		ctl_finish(cl, "logs needs one node number");
		return;
	}
	if (strncmp(rest, "follow", 6) == 0 && (rest[6] == ' ' || rest[6] == '\0')) {
		follow = 1;
		rest += 6;
		rest += strspn(rest, " ");
	}
	if (strncmp(rest, "grep ", 5) == 0) {
		if (ctl_compile_grep(cl, rest + 5) == -1)
			return;
	} else if (*rest != '\0') {
		ctl_finish(cl, "usage: logs N [follow] [grep RE]");
		return;
	}
	n = cluster_node(cl->ctl->cluster, i);
	count = scrollback_count(n->sb);
	for (k = 0; k < count; k++) {
		if (ctl_wants(cl, scrollback_get(n->sb, k, &v)))
			ctl_send_line(cl, &v, i + 1);
	}
	if (follow)
		cl->follow = i + 1;
	else
		ctl_finish(cl, NULL);
}

static const struct ctl_verb ctl_verbs[] = {
	{ .name = "status",  .node_arg = 0, .run = ctl_do_status },
	{ .name = "start",   .node_arg = 1, .run = ctl_do_start },
	{ .name = "stop",    .node_arg = 1, .run = ctl_do_stop },
	{ .name = "restart", .node_arg = 1, .run = ctl_do_restart },
	{ .name = "logs",    .node_arg = 1, .run = ctl_do_logs },
	{ .name = "quit",    .node_arg = 0, .run = ctl_do_quit },
};

/* Parse "N" or "all" at *rest: 0-based index, -1 for all, -2 on error. */
static int
ctl_node_arg(struct ctl_client *cl, char **rest)
{
	char	*word = *rest, *end;
	int	 n;

	end = word + strcspn(word, " ");
	*rest = end + strspn(end, " ");
	if (end - word == 3 && strncmp(word, "all", 3) == 0)
		return -1;
	*end = '\0';
	if (parse_int(word, 1, cluster_size(cl->ctl->cluster), &n) == 0)
		return n - 1;
	return -2;
}

/* Answer one request line. */
static void
ctl_dispatch(struct ctl_client *cl, char *req)
{
	const struct ctl_verb	*v = NULL;
	char			*rest, *msg;
	size_t			 k, len;
	int			 i = 0;

	len = strcspn(req, " ");
	rest = req + len + strspn(req + len, " ");
	for (k = 0; k < nitems(ctl_verbs); k++) {
		if (strlen(ctl_verbs[k].name) == len &&
		    strncmp(ctl_verbs[k].name, req, len) == 0)
			v = &ctl_verbs[k];
	}
	if (v == NULL) {
		req[len] = '\0';
		msg = xasprintf("unknown request: %s", req);
		ctl_finish(cl, msg);
		free(msg);
		return;
	}
	if (v->node_arg && (i = ctl_node_arg(cl, &rest)) == -2) {
		msg = xasprintf("invalid node number: use 1-%d or all",
		    cluster_size(cl->ctl->cluster));
		ctl_finish(cl, msg);
		free(msg);
		return;
	}
	v->run(cl, i, rest);
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
	strbuf_reset(&cl->out);
	cl->outoff = 0;
	if (cl->closing) {
		ctl_client_free(cl);
		return;
	}
	loop_set_events(cl->ctl->loop, cl->fd, POLLIN);
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

/* A new connection. */
static void
ctl_accept(struct loop *loop, int fd, int revents, void *arg)
{
	struct ctl		*ctl = arg;
	struct ctl_client	*cl;
	int			 cfd;

	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd == -1) {
		/* Out of descriptors, the listener stays readable: wait a
		   little instead of spinning on it. */
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			ctl_pause(ctl);
			ctl->retry = loop_add_timer(loop, now_ms() +
			    CTL_RETRY_MS, ctl_retry, ctl);
		}
		return;
	}
	cl = xcalloc(1, sizeof *cl);
	cl->ctl = ctl;
	cl->fd = cfd;
	cl->next = ctl->clients;
	ctl->clients = cl;
	if (++ctl->nclients >= CTL_MAX_CLIENTS)
		ctl_pause(ctl);
	cl->timer = loop_add_timer(loop, now_ms() + CTL_REQUEST_MS,
	    ctl_client_timeout, cl);
	loop_add_fd(loop, cfd, POLLIN, ctl_client_io, cl);
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
	loop_add_fd(loop, fd, POLLIN, ctl_accept, ctl);
	return ctl;
}

/* Send a line to the clients that follow its node.  Not inlined, so
   that ctl_line with no client saves no registers. */
static __attribute__((noinline)) void
ctl_line_send(struct ctl *ctl, const struct node *n, const struct line *l)
{
	struct ctl_client	*cl, *next;

	for (cl = ctl->clients; cl != NULL; cl = next) {
		next = cl->next;
		if (cl->follow == n->spec->index && !cl->closing &&
		    ctl_wants(cl, l))
			ctl_send_line(cl, l, cl->follow);
	}
}

void
ctl_line(struct ctl *ctl, const struct node *n, const struct line *l)
{
	if (ctl != NULL && ctl->clients != NULL)
		ctl_line_send(ctl, n, l);
}

void
ctl_close(struct ctl *ctl)
{
	if (ctl == NULL)
		return;
	while (ctl->clients != NULL)
		ctl_client_free(ctl->clients);
	loop_cancel_timer(ctl->loop, ctl->retry);
	loop_del_fd(ctl->loop, ctl->fd);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
}

