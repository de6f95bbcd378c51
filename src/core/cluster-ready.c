/*
 * Readiness probes of a starting node (node.ready): a TCP port that
 * accepts, an HTTP GET that answers 2xx or 3xx, a log line, or a prompt
 * left pending on a quiet node.  Every probe is non-blocking, driven by
 * the cluster's one poll loop; the node is ready once all given pass.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/net.h"
#include "nodemux/util.h"
#include "nodemux/vt.h"

#include "cluster-int.h"

static void	cluster_ready_tcp_timer(struct loop *, void *);
static void	cluster_ready_http_timer(struct loop *, void *);

/* Has every probe of the node passed (or is none configured)? */
static int
cluster_ready_probes_ok(const struct cnode *cn)
{
	return cn->tcp_ok && cn->log_ok && cn->http_ok;
}

/* Does the node run, with every probe passed? */
int
cluster_ready_all(const struct cnode *cn)
{
	return cn->run_ok && cluster_ready_probes_ok(cn);
}

/* Has the node any readiness probe? */
static int
cluster_ready_has_probes(const struct plan_node *pn)
{
	return pn->ready_tcp_port > 0 || (pn->ready_log != NULL &&
	    *pn->ready_log != '\0') || pn->ready_http != NULL;
}

/* Is the node still waiting to be ready (also while paused so)? */
static int
cluster_ready_waiting(const struct cnode *cn)
{
	return cn->n->state == NODE_STARTING || (cn->n->state == NODE_PAUSED &&
	    cn->n->paused_from == NODE_STARTING);
}

/* The node runs and every configured probe has passed: it is ready, or
   running when it has no probe. */
void
cluster_ready_check(struct cnode *cn)
{
	if (!cluster_ready_all(cn) || cn->n->state != NODE_STARTING)
		return;
	cluster_ready_stop(cn);
	if (!cluster_ready_has_probes(cn->n->spec)) {
		cluster_fsm_fire(cn, NEV_STARTED, NULL);
		return;
	}
	cluster_msg(cn->c, cn->n, "%s ready", cluster_node_label(cn->n));
	cluster_fsm_fire(cn, NEV_READY, "ready");
}

/* The retry delay of a probe: slower once the timeout has passed. */
static int64_t
cluster_ready_retry_at(const struct cnode *cn)
{
	return now_ms() + (cn->ready_late ? CLUSTER_PROBE_SLOW_MS :
	    CLUSTER_PROBE_MS);
}

/*
 * The address to dial the node on: a node on another machine at its
 * host's address (SPEC §9), a local one where its ports were probed.
 */
static const char *
cluster_ready_host(const struct cnode *cn)
{
	const struct plan_node	*pn = cn->n->spec;
	const char		*a = cn->c->plan->bind_addr;

	if (pn->host != NULL && pn->host->ssh != NULL && pn->host_addr != NULL)
		return pn->host_addr;
	if (a == NULL || *a == '\0' || strcmp(a, "0.0.0.0") == 0)
		return "127.0.0.1";
	if (strcmp(a, "::") == 0)
		return "::1";
	return a;
}

/*
 * Start a non-blocking connect to port on the node's host.  The socket,
 * or -1; *done is set when it connected at once.
 */
static int
cluster_ready_connect(const struct cnode *cn, int port, int *done)
{
	struct addrinfo	 hints, *ai = NULL;
	const char	*host = cluster_ready_host(cn);
	char		 serv[16];
	int		 fd, saved;

	*done = 0;
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	/* A host's address may be a name: resolved here, at each try. */
	hints.ai_flags = AI_NUMERICSERV | (host_is_ip(host) ? AI_NUMERICHOST :
	    0);
	snprintf(serv, sizeof serv, "%d", port);
	if (getaddrinfo(host, serv, &hints, &ai) != 0) {
		errno = EHOSTUNREACH;
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd != -1 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		*done = 1;
	else if (fd != -1 && errno != EINPROGRESS) {
		saved = errno;
		close(fd);
		errno = saved;
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/* How the non-blocking connect on fd ended: 0 connected, or an errno. */
static int
cluster_ready_connect_error(int fd)
{
	socklen_t	 len = sizeof (int);
	int		 err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return errno;
	return err;
}

/* Close a tcp probe in flight. */
static void
cluster_ready_tcp_close(struct cnode *cn)
{
	if (cn->probe_fd == -1)
		return;
	loop_del_fd(cn->c->loop, cn->probe_fd);
	close(cn->probe_fd);
	cn->probe_fd = -1;
}

/* The tcp probe passed. */
static void
cluster_ready_tcp_ok(struct cnode *cn)
{
	cluster_ready_tcp_close(cn);
	cn->tcp_ok = 1;
	cluster_ready_check(cn);
}

/* Try the tcp probe again a little later. */
static void
cluster_ready_tcp_retry(struct cnode *cn)
{
	cluster_ready_tcp_close(cn);
	cn->probe_timer = loop_add_timer(cn->c->loop,
	    cluster_ready_retry_at(cn), cluster_ready_tcp_timer, cn);
}

/* The non-blocking connect finished: did it succeed? */
static void
cluster_ready_tcp_cb(struct loop *loop, int fd, int revents, void *arg)
{
	struct cnode	*cn = arg;

	if (cluster_ready_connect_error(fd) == 0)
		cluster_ready_tcp_ok(cn);
	else
		cluster_ready_tcp_retry(cn);
}

/* Start a non-blocking connect to the node's ready.tcp port. */
static void
cluster_ready_tcp_timer(struct loop *loop, void *arg)
{
	struct cnode	*cn = arg;
	int		 done;

	cn->probe_timer = 0;
	cn->probe_fd = cluster_ready_connect(cn, cn->n->spec->ready_tcp_port,
	    &done);
	if (done)
		cluster_ready_tcp_ok(cn);
	else if (cn->probe_fd == -1)
		cluster_ready_tcp_retry(cn);
	else
		loop_add_fd(loop, cn->probe_fd, POLLOUT, cluster_ready_tcp_cb,
		    cn);
}

/* Close an http probe in flight and cancel its timer. */
static void
cluster_ready_http_close(struct cnode *cn)
{
	loop_cancel_timer(cn->c->loop, cn->http_timer);
	cn->http_timer = 0;
	if (cn->http_fd == -1)
		return;
	loop_del_fd(cn->c->loop, cn->http_fd);
	close(cn->http_fd);
	cn->http_fd = -1;
}

/* This attempt failed (why, for the timeout message): retry later. */
static void
cluster_ready_http_retry(struct cnode *cn, const char *why)
{
	cluster_ready_http_close(cn);
	snprintf(cn->http_last, sizeof cn->http_last, "%s", why);
	cn->http_timer = loop_add_timer(cn->c->loop,
	    cluster_ready_retry_at(cn), cluster_ready_http_timer, cn);
}

/* Send the GET; the request is small enough for any fresh socket. */
static void
cluster_ready_http_send(struct cnode *cn)
{
	const char	*host = cluster_ready_host(cn);
	char		*req;
	ssize_t		 n;
	int		 v6 = strchr(host, ':') != NULL;

	req = xasprintf("GET %s HTTP/1.1\r\nHost: %s%s%s:%d\r\n"
	    "User-Agent: nodemux\r\nAccept: */*\r\nConnection: close\r\n\r\n",
	    cn->n->spec->ready_http, v6 ? "[" : "", host, v6 ? "]" : "",
	    cn->n->http_port);
	n = write(cn->http_fd, req, strlen(req));
	if (n == (ssize_t)strlen(req)) {
		cn->http_len = 0;
		loop_set_events(cn->c->loop, cn->http_fd, POLLIN);
	} else
		cluster_ready_http_retry(cn, "the request could not be sent");
	free(req);
}

/*
 * The status line is in (or the reply ended): 2xx or 3xx passes,
 * anything else is retried.
 */
static void
cluster_ready_http_answer(struct cnode *cn)
{
	char	*eol, why[sizeof cn->http_last];
	int	 code = 0, n = 0;

	cn->http_buf[cn->http_len] = '\0';
	if ((eol = strpbrk(cn->http_buf, "\r\n")) != NULL)
		*eol = '\0';
	if (sscanf(cn->http_buf, "HTTP/%*u.%*u %3d%n", &code, &n) != 1 ||
	    code < 100) {
		snprintf(why, sizeof why, "not an HTTP answer: \"%.40s\"",
		    cn->http_buf);
		cluster_ready_http_retry(cn, why);
		return;
	}
	if (code >= 200 && code < 400) {
		cluster_ready_http_close(cn);
		cn->http_ok = 1;
		cluster_ready_check(cn);
		return;
	}
	snprintf(why, sizeof why, "answered \"%.60s\"", cn->http_buf + n -
	    3);
	cluster_ready_http_retry(cn, why);
}

/* The http probe's socket: connected (send), or the answer arrives. */
static void
cluster_ready_http_cb(struct loop *loop, int fd, int revents, void *arg)
{
	struct cnode	*cn = arg;
	size_t		 room = sizeof cn->http_buf - 1 - cn->http_len;
	ssize_t		 n;
	int		 err;

	if (cn->http_len == (size_t)-1) {
		if ((err = cluster_ready_connect_error(fd)) == 0)
			cluster_ready_http_send(cn);
		else
			cluster_ready_http_retry(cn, strerror(err));
		return;
	}
	n = read(fd, cn->http_buf + cn->http_len, room);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 && cn->http_len == 0) {
		cluster_ready_http_retry(cn, "the connection closed without "
		    "an answer");
		return;
	}
	if (n > 0)
		cn->http_len += n;
	if (n <= 0 || (size_t)n == room ||
	    memchr(cn->http_buf, '\n', cn->http_len) != NULL)
		cluster_ready_http_answer(cn);
}

/* The attempt took too long: a server that accepts but never answers. */
static void
cluster_ready_http_slow(struct loop *loop, void *arg)
{
	struct cnode	*cn = arg;
	char		 why[64];

	cn->http_timer = 0;
	snprintf(why, sizeof why, "no answer in %d ms",
	    CLUSTER_HTTP_ATTEMPT_MS);
	cluster_ready_http_retry(cn, why);
}

/* Start an attempt of the http probe: connect, then GET. */
static void
cluster_ready_http_timer(struct loop *loop, void *arg)
{
	struct cnode	*cn = arg;
	int		 done;

	cn->http_timer = 0;
	cn->http_fd = cluster_ready_connect(cn, cn->n->http_port, &done);
	if (cn->http_fd == -1) {
		cluster_ready_http_retry(cn, strerror(errno));
		return;
	}
	cn->http_len = (size_t)-1;	/* connecting */
	loop_add_fd(loop, cn->http_fd, POLLOUT, cluster_ready_http_cb, cn);
	if (done)
		cluster_ready_http_send(cn);
	if (cn->http_fd != -1)
		cn->http_timer = loop_add_timer(loop, now_ms() +
		    CLUSTER_HTTP_ATTEMPT_MS, cluster_ready_http_slow, cn);
}

/* The node has been quiet: does its pending partial line match? */
static void
cluster_ready_prompt_timer(struct loop *loop, void *arg)
{
	struct cnode		*cn = arg;
	const struct line	*l;
	int64_t			 at = cn->out_ms + CLUSTER_PROMPT_QUIET_MS;

	cn->prompt_timer = 0;
	if (cn->log_ok || cn->ready_re == NULL || !cluster_ready_waiting(cn))
		return;
	if (now_ms() < at) {
		cn->prompt_timer = loop_add_timer(loop, at,
		    cluster_ready_prompt_timer, cn);
		return;
	}
	if ((l = vt_current(cn->n->vt)) != NULL &&
	    search_line(cn->ready_re, l)) {
		cn->log_ok = 1;
		cluster_ready_check(cn);
	}
}

/*
 * The node wrote something.  While ready.log waits, a partial line left
 * pending (a prompt: "iex(a1@h)1> ") is tried once the node has been
 * quiet CLUSTER_PROMPT_QUIET_MS; one timer, moved on lazily.
 */
void
cluster_ready_output(struct cnode *cn)
{
	if (cn->log_ok || cn->ready_re == NULL || !cluster_ready_waiting(cn))
		return;
	cn->out_ms = now_ms();
	if (cn->prompt_timer == 0 && vt_current(cn->n->vt) != NULL)
		cn->prompt_timer = loop_add_timer(cn->c->loop, cn->out_ms +
		    CLUSTER_PROMPT_QUIET_MS, cluster_ready_prompt_timer, cn);
}

/* ready.timeout_ms passed: say what the node is still waiting for. */
static void
cluster_ready_timeout(struct loop *loop, void *arg)
{
	struct cnode		*cn = arg;
	const struct plan_node	*pn = cn->n->spec;
	struct strbuf		 sb = STRBUF_INIT;

	cn->ready_timer = 0;
	cn->ready_late = 1;
	if (!cn->tcp_ok)
		strbuf_addf(&sb, "port %d to accept connections",
		    pn->ready_tcp_port);
	if (!cn->http_ok)
		strbuf_addf(&sb, "%sGET %s on port %d to answer 2xx or 3xx "
		    "(last try: %s)", sb.len ? " and " : "", pn->ready_http,
		    cn->n->http_port, *cn->http_last != '\0' ? cn->http_last :
		    "none yet");
	if (!cn->log_ok)
		strbuf_addf(&sb, "%sa line matching \"%s\"",
		    sb.len ? " and " : "", pn->ready_log);
	cluster_msg(cn->c, cn->n, "%s not ready after %d ms: still waiting "
	    "for %s", cluster_node_label(cn->n), pn->ready_timeout_ms, sb.buf);
	strbuf_free(&sb);
}

/*
 * Arm the node's readiness probes at spawn.  A node with none is
 * running once its transport says it runs (cluster_ready_check).
 */
void
cluster_ready_start(struct cnode *cn)
{
	const struct plan_node	*pn = cn->n->spec;
	char			*err = NULL;

	cn->ready_late = 0;
	cn->run_ok = 0;		/* until the transport says it runs */
	cn->tcp_ok = pn->ready_tcp_port <= 0;
	cn->log_ok = pn->ready_log == NULL || *pn->ready_log == '\0';
	cn->http_ok = pn->ready_http == NULL;
	*cn->http_last = '\0';
	search_free(cn->ready_re);
	cn->ready_re = NULL;
	if (!cn->log_ok &&
	    (cn->ready_re = search_compile(pn->ready_log, 0, &err)) == NULL) {
		cluster_msg(cn->c, cn->n, "%s: ready.log: %s",
		    cluster_node_label(cn->n), err);
		free(err);
	}
	if (!cn->tcp_ok)
		cn->probe_timer = loop_add_timer(cn->c->loop, now_ms(),
		    cluster_ready_tcp_timer, cn);
	if (!cn->http_ok)
		cn->http_timer = loop_add_timer(cn->c->loop, now_ms(),
		    cluster_ready_http_timer, cn);
	/* The deadline exec watches too (started_ms + timeout): this timer,
	   older, fires first, so exec's report follows the message. */
	if (!cluster_ready_probes_ok(cn) && pn->ready_timeout_ms > 0)
		cn->ready_timer = loop_add_timer(cn->c->loop,
		    cn->n->started_ms + pn->ready_timeout_ms,
		    cluster_ready_timeout, cn);
}

/* Cancel the node's probes (it is ready, or it ended). */
void
cluster_ready_stop(struct cnode *cn)
{
	loop_cancel_timer(cn->c->loop, cn->probe_timer);
	loop_cancel_timer(cn->c->loop, cn->ready_timer);
	loop_cancel_timer(cn->c->loop, cn->prompt_timer);
	cn->probe_timer = cn->ready_timer = cn->prompt_timer = 0;
	cluster_ready_tcp_close(cn);
	cluster_ready_http_close(cn);
}
