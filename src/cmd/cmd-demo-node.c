/*
 * nodemux demo-node: the node of the built-in demo cluster.  It logs like
 * a Phoenix node booting and serving, really answers HTTP on HTTP_PORT and
 * stops cleanly on SIGTERM; its settings come from the environment only.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nodemux/opts.h"
#include "nodemux/util.h"

#define DEMO_MAX_CLIENTS	16
#define DEMO_REQ_MAX		4096
#define DEMO_CLIENT_MS		5000
#define DEMO_MAX_PEERS		64

/* Log levels, coloured the way Elixir's Logger colours them. */
enum demo_level {
	DEMO_DEBUG,
	DEMO_INFO,
	DEMO_NOTICE,
	DEMO_WARNING,
	DEMO_ERROR,
};

static const struct {
	const char	*name;
	const char	*sgr;	/* for the whole message; NULL: default */
	const char	*tag;	/* for the [level] tag */
} demo_levels[] = {
	[DEMO_DEBUG] =	 { .name = "debug", .sgr = "36", .tag = "36" },
	[DEMO_INFO] =	 { .name = "info", .sgr = NULL, .tag = "32" },
	[DEMO_NOTICE] =	 { .name = "notice", .sgr = NULL, .tag = "1;34" },
	[DEMO_WARNING] = { .name = "warning", .sgr = "33", .tag = "1;33" },
	[DEMO_ERROR] =	 { .name = "error", .sgr = "31", .tag = "1;31" },
};

/* Things a running node says now and then. */
static const char *demo_chatter[] = {
	"[debug] QUERY OK source=\"sessions\" db=0.4ms idle=812.3ms",
	"[debug] Replied phoenix:live_reload :ok",
	"[info] Telemetry: vm.memory.total=61.2MB run_queue=0",
	"[debug] Processing with DemoWeb.PageController.index/2",
	"[info] Cache warmed: 128 keys in 3ms",
};
static const char *demo_warnings[] = {
	"[warning] Slow query: 312ms SELECT s0.\"id\" FROM \"sessions\" AS s0",
	"[warning] Pool demo_repo: checkout took 145ms (queue_target 50ms)",
	"[warning] Presence diff lagging: 3 pending broadcasts",
};

struct demo_client {
	int		 fd;		/* -1: free slot */
	int64_t		 since_ms;
	size_t		 len;
	char		 buf[DEMO_REQ_MAX];
};

struct demo {
	const char	*name;
	int		 http_port;
	int		 dist_port;
	char		*peers[DEMO_MAX_PEERS];
	int		 npeers;
	int		 colour;
	int		 listen_fd;	/* bound at once, listening from boot */
	int		 sig_fd;
	int		 step;		/* next boot step; -1 when booted */
	int		 sub;		/* progress within the step */
	int		 listening;
	int64_t		 next_ms;	/* next boot step or chatter */
	int64_t		 crash_ms;	/* 0: never */
	int64_t		 start_ms;
	uint32_t	 rng;
	unsigned	 requests;
	int		 in_open;	/* reading console commands */
	size_t		 in_len;
	int		 in_skip;	/* in an overlong line: drop it */
	char		 in[256];
	struct demo_client clients[DEMO_MAX_CLIENTS];
};

/* A small xorshift; lifelike jitter needs nothing better. */
static uint32_t
demo_rand(struct demo *d, uint32_t bound)
{
	d->rng ^= d->rng << 13;
	d->rng ^= d->rng >> 17;
	d->rng ^= d->rng << 5;
	return bound == 0 ? 0 : d->rng % bound;
}

/* Print one log line: time, [level] tag, message, with colours if wanted. */
static void __attribute__((format(printf, 3, 4)))
demo_log(struct demo *d, enum demo_level lv, const char *fmt, ...)
{
	char		 ts[32], *msg;
	struct timespec	 tv;
	struct tm	 tm;
	va_list		 ap;

	clock_gettime(CLOCK_REALTIME, &tv);
	localtime_r(&tv.tv_sec, &tm);
	strftime(ts, sizeof ts, "%H:%M:%S", &tm);
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (!d->colour)
		printf("%s.%03ld [%s] %s\n", ts, tv.tv_nsec / 1000000L,
		    demo_levels[lv].name, msg);
	else if (demo_levels[lv].sgr == NULL)
		printf("\033[2m%s.%03ld\033[0m \033[%sm[%s]\033[0m %s\n", ts,
		    tv.tv_nsec / 1000000L, demo_levels[lv].tag,
		    demo_levels[lv].name, msg);
	else
		printf("\033[2m%s.%03ld\033[0m \033[%sm[%s] \033[0;%sm%s\033[0m\n",
		    ts, tv.tv_nsec / 1000000L, demo_levels[lv].tag,
		    demo_levels[lv].name, demo_levels[lv].sgr, msg);
	fflush(stdout);
	free(msg);
}

/* Print a canned line whose level is its "[level] " prefix. */
static void
demo_log_canned(struct demo *d, const char *s)
{
	size_t	 i, n;

	for (i = 0; i < nitems(demo_levels); i++) {
		n = strlen(demo_levels[i].name);
		if (s[0] == '[' && strncmp(s + 1, demo_levels[i].name, n) == 0 &&
		    s[n + 1] == ']') {
			demo_log(d, i, "%s", s + n + 3);
			return;
		}
	}
	demo_log(d, DEMO_INFO, "%s", s);
}

/* Read an int setting from the environment; -1 and a message when bad. */
static int
demo_env_int(const char *var, int def, long min, long max, int *out)
{
	const char	*s = getenv(var);

	*out = def;
	if (s == NULL || *s == '\0')
		return 0;
	if (parse_int(s, min, max, out) != 0) {
		nm_warn("demo-node: %s=\"%s\" is not a number in %ld-%ld", var,
		    s, min, max);
		return -1;
	}
	return 0;
}

/* Split CLUSTER_PEERS (comma-separated names) into d->peers. */
static void
demo_peers(struct demo *d)
{
	const char	*s = getenv("CLUSTER_PEERS");
	char		*copy, *p, *last = NULL;

	if (s == NULL)
		return;
	copy = xstrdup(s);
	for (p = strtok_r(copy, ", ", &last); p != NULL && d->npeers <
	    DEMO_MAX_PEERS; p = strtok_r(NULL, ", ", &last))
		d->peers[d->npeers++] = xstrdup(p);
	free(copy);
}

/*
 * Bind HTTP_PORT on every address now, so a busy port is an error at
 * once; listening starts only when the endpoint "boots", like Phoenix.
 */
static int
demo_bind(struct demo *d)
{
	struct sockaddr_in	 sin;
	int			 fd, on = 1;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		nm_warn("demo-node: socket: %s", strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	sin.sin_port = htons(d->http_port);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1) {
		nm_warn("demo-node: cannot listen on http port %d: %s",
		    d->http_port, strerror(errno));
		close(fd);
		return -1;
	}
	d->listen_fd = fd;
	return 0;
}

/* Read the environment into d; -1 after a message when it is bad. */
static int
demo_setup(struct demo *d)
{
	const char	*nc = getenv("NO_COLOR");
	int		 crash, i;

	memset(d, 0, sizeof *d);
	for (i = 0; i < DEMO_MAX_CLIENTS; i++)
		d->clients[i].fd = -1;
	d->listen_fd = d->sig_fd = -1;
	d->in_open = 1;
	d->name = getenv("NODE_NAME");
	if (d->name == NULL || *d->name == '\0')
		d->name = "demo@localhost";
	if (demo_env_int("HTTP_PORT", 4000, 1, 65535, &d->http_port) != 0 ||
	    demo_env_int("DIST_PORT", 0, 0, 65535, &d->dist_port) != 0 ||
	    demo_env_int("DEMO_CRASH_AFTER_MS", 0, 0, 86400000, &crash) != 0)
		return -1;
	d->colour = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
	d->start_ms = now_ms();
	d->crash_ms = crash > 0 ? d->start_ms + crash : 0;
	d->rng = (uint32_t)getpid() * 2654435761u ^ (uint32_t)d->start_ms;
	if (d->rng == 0)
		d->rng = 1;
	demo_peers(d);
	return demo_bind(d);
}

/* Boot step: say who we are. */
static int
demo_boot_hello(struct demo *d, int *again)
{
	demo_log(d, DEMO_INFO, "Starting demo node %s (http %d, dist %d, "
	    "%d peers)", d->name, d->http_port, d->dist_port, d->npeers);
	return 150;
}

/* Boot step: a compile progress bar rewritten in place with \r. */
static int
demo_boot_compile(struct demo *d, int *again)
{
	const int	 total = 14;
	int		 done = ++d->sub;
	char		 bar[21];

	memset(bar, ' ', 20);
	memset(bar, '=', done * 20 / total);
	bar[20] = '\0';
	printf("\rCompiling %d files (.ex) [%s] %2d/%d", total, bar, done,
	    total);
	if (done < total) {
		fflush(stdout);
		*again = 1;
		return 40 + demo_rand(d, 60);
	}
	printf("\nGenerated demo_web app\n");
	fflush(stdout);
	return 200;
}

/* Boot step: the repo is up. */
static int
demo_boot_repo(struct demo *d, int *again)
{
	demo_log(d, DEMO_INFO, "Migrations already up");
	return 300 + demo_rand(d, 300);
}

/* Boot step: the endpoint listens: from now on the port answers. */
static int
demo_boot_endpoint(struct demo *d, int *again)
{
	if (listen(d->listen_fd, 64) == -1) {
		demo_log(d, DEMO_ERROR, "Could not start DemoWeb.Endpoint: "
		    "listen on port %d: %s", d->http_port, strerror(errno));
		exit(1);
	}
	d->listening = 1;
	demo_log(d, DEMO_INFO, "Running DemoWeb.Endpoint with Cowboy using "
	    "http://0.0.0.0:%d", d->http_port);
	demo_log(d, DEMO_INFO, "Access DemoWeb.Endpoint at http://localhost:%d",
	    d->http_port);
	return 250;
}

/* Boot step: join the peers of CLUSTER_PEERS, one at a time. */
static int
demo_boot_peers(struct demo *d, int *again)
{
	if (d->npeers == 0) {
		demo_log(d, DEMO_INFO, "[libcluster:demo] no CLUSTER_PEERS: "
		    "running alone");
		return 1500;
	}
	demo_log(d, DEMO_INFO, "[libcluster:demo] connected to :\"%s\"",
	    d->peers[d->sub]);
	if (++d->sub < d->npeers) {
		*again = 1;
		return 100 + demo_rand(d, 300);
	}
	return 1500;
}

static int (*const demo_boot[])(struct demo *, int *) = {
	demo_boot_hello,
	demo_boot_compile,
	demo_boot_repo,
	demo_boot_endpoint,
	demo_boot_peers,
};

/* Steady state: a health check now and then, chatter, rare warnings. */
static int
demo_chat(struct demo *d)
{
	uint32_t	 r = demo_rand(d, 100);

	if (r < 8)
		demo_log_canned(d, demo_warnings[demo_rand(d,
		    nitems(demo_warnings))]);
	else if (r < 30)
		demo_log_canned(d, demo_chatter[demo_rand(d,
		    nitems(demo_chatter))]);
	else
		demo_log(d, DEMO_INFO, "GET /health 200 in %ums",
		    1 + demo_rand(d, 3));
	return 1500 + demo_rand(d, 2500);
}

/* The boot or chatter deadline passed: say the next thing. */
static void
demo_tick(struct demo *d)
{
	int	 again = 0, delay;

	if (d->step < 0) {
		d->next_ms = now_ms() + demo_chat(d);
		return;
	}
	delay = demo_boot[d->step](d, &again);
	if (!again) {
		d->sub = 0;
		if (++d->step == (int)nitems(demo_boot))
			d->step = -1;
	}
	d->next_ms = now_ms() + delay;
}

/* Accept every pending connection, up to the free slots. */
static void
demo_accept(struct demo *d)
{
	struct demo_client	*c;
	int			 fd, i;

	for (;;) {
		fd = accept4(d->listen_fd, NULL, NULL, SOCK_NONBLOCK |
		    SOCK_CLOEXEC);
		if (fd == -1)
			return;
		for (i = 0; i < DEMO_MAX_CLIENTS; i++) {
			if (d->clients[i].fd == -1)
				break;
		}
		if (i == DEMO_MAX_CLIENTS) {
			demo_log(d, DEMO_WARNING, "Too many connections: "
			    "refusing one");
			close(fd);
			continue;
		}
		c = &d->clients[i];
		c->fd = fd;
		c->len = 0;
		c->since_ms = now_ms();
	}
}

/* Close a client's connection and free its slot. */
static void
demo_client_close(struct demo_client *c)
{
	close(c->fd);
	c->fd = -1;
}

/* A request's headers are complete: answer 200 and log it. */
static void
demo_respond(struct demo *d, struct demo_client *c)
{
	char		 method[16] = "?", path[256] = "/", *body, *resp;
	int64_t		 uptime = now_ms() - d->start_ms;

	c->buf[c->len] = '\0';
	if (sscanf(c->buf, "%15s %255s", method, path) < 1)
		strcpy(method, "?");
	body = xasprintf("{\"node\":\"%s\",\"status\":\"ok\",\"uptime_ms\":"
	    "%lld,\"requests\":%u}\n", d->name, (long long)uptime,
	    ++d->requests);
	resp = xasprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json"
	    "\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n%s",
	    strlen(body), strcmp(method, "HEAD") == 0 ? "" : body);
	/* A small reply fits a fresh socket's buffer: no need to wait. */
	(void)!write(c->fd, resp, strlen(resp));
	demo_log(d, DEMO_INFO, "%s %s 200 in %lldms", method, path,
	    (long long)(now_ms() - c->since_ms));
	free(resp);
	free(body);
	demo_client_close(c);
}

/* Read from a client until its request headers are in. */
static void
demo_client_read(struct demo *d, struct demo_client *c)
{
	ssize_t	 n;

	n = read(c->fd, c->buf + c->len, sizeof c->buf - 1 - c->len);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		demo_client_close(c);
		return;
	}
	c->len += n;
	c->buf[c->len] = '\0';
	if (strstr(c->buf, "\r\n\r\n") != NULL ||
	    strstr(c->buf, "\n\n") != NULL || c->len == sizeof c->buf - 1)
		demo_respond(d, c);
}

/* Drop clients that have sent no complete request in time. */
static void
demo_client_expire(struct demo *d)
{
	int	 i;
	int64_t	 now = now_ms();

	for (i = 0; i < DEMO_MAX_CLIENTS; i++) {
		if (d->clients[i].fd != -1 &&
		    now - d->clients[i].since_ms >= DEMO_CLIENT_MS)
			demo_client_close(&d->clients[i]);
	}
}

/* How long poll may sleep: until the next step, crash or expiry. */
static int
demo_timeout(struct demo *d)
{
	int64_t	 when = d->next_ms, now = now_ms();
	int	 i;

	if (d->crash_ms != 0 && d->crash_ms < when)
		when = d->crash_ms;
	for (i = 0; i < DEMO_MAX_CLIENTS; i++) {
		if (d->clients[i].fd != -1 &&
		    d->clients[i].since_ms + DEMO_CLIENT_MS < when)
			when = d->clients[i].since_ms + DEMO_CLIENT_MS;
	}
	return when <= now ? 0 : (int)(when - now);
}

/* A stop signal arrived: say goodbye like a BEAM node does. */
static void __attribute__((noreturn))
demo_shutdown(struct demo *d, int signo)
{
	demo_log(d, DEMO_NOTICE, "SIG%s received - shutting down",
	    signo == SIGTERM ? "TERM" : signo == SIGINT ? "INT" : "HUP");
	demo_log(d, DEMO_INFO, "Stopped DemoWeb.Endpoint");
	exit(0);
}

/* DEMO_CRASH_AFTER_MS passed: fail the way a crashing node does. */
static void __attribute__((noreturn))
demo_crash(struct demo *d)
{
	demo_log(d, DEMO_ERROR, "GenServer DemoWeb.Worker terminating\n"
	    "** (RuntimeError) simulated crash (DEMO_CRASH_AFTER_MS)");
	exit(1);
}

/* Read the signal that woke us from the signalfd and act on it. */
static void
demo_signal(struct demo *d)
{
	struct signalfd_siginfo	 si;

	if (read(d->sig_fd, &si, sizeof si) == (ssize_t)sizeof si)
		demo_shutdown(d, (int)si.ssi_signo);
}

/* A console command typed into the node (nodemux's interactive mode). */
static void
demo_command(struct demo *d, const char *cmd)
{
	int	 i;

	if (*cmd == '\0')
		return;
	if (strcmp(cmd, "help") == 0)
		demo_log(d, DEMO_INFO, "console commands: status, peers, "
		    "crash, help");
	else if (strcmp(cmd, "status") == 0)
		demo_log(d, DEMO_INFO, "%s: up %llds, http port %d, %u "
		    "requests served", d->name, (long long)(now_ms() -
		    d->start_ms) / 1000, d->http_port, d->requests);
	else if (strcmp(cmd, "peers") == 0) {
		for (i = 0; i < d->npeers; i++)
			demo_log(d, DEMO_INFO, "peer %s", d->peers[i]);
		if (d->npeers == 0)
			demo_log(d, DEMO_INFO, "no peers");
	} else if (strcmp(cmd, "crash") == 0)
		demo_crash(d);
	else
		demo_log(d, DEMO_ERROR, "unknown command \"%s\": try help",
		    cmd);
}

/* Read console input (one read: poll said there is some); act per line. */
static void
demo_stdin(struct demo *d)
{
	ssize_t	 n;
	char	*nl;

	n = read(STDIN_FILENO, d->in + d->in_len, sizeof d->in - 1 - d->in_len);
	if (n <= 0) {
		if (n == 0 || (errno != EINTR && errno != EAGAIN))
			d->in_open = 0;
		return;
	}
	d->in_len += n;
	d->in[d->in_len] = '\0';
	while ((nl = memchr(d->in, '\n', d->in_len)) != NULL) {
		*nl = '\0';
		if (nl > d->in && nl[-1] == '\r')
			nl[-1] = '\0';
		if (!d->in_skip)
			demo_command(d, d->in);
		d->in_skip = 0;
		d->in_len -= nl + 1 - d->in;
		memmove(d->in, nl + 1, d->in_len);
	}
	if (d->in_len == sizeof d->in - 1) {
		d->in_skip = 1;		/* overlong: drop up to its newline */
		d->in_len = 0;
	}
}

/* One poll over the signals, console, listener and clients. */
static void
demo_poll(struct demo *d)
{
	struct pollfd	 pfd[3 + DEMO_MAX_CLIENTS];
	int		 slot[3 + DEMO_MAX_CLIENTS], n = 0, i;

	pfd[n].fd = d->sig_fd;
	pfd[n++].events = POLLIN;
	if (d->in_open) {
		pfd[n].fd = STDIN_FILENO;
		pfd[n++].events = POLLIN;
	}
	if (d->listening) {
		pfd[n].fd = d->listen_fd;
		pfd[n++].events = POLLIN;
	}
	for (i = 0; i < DEMO_MAX_CLIENTS; i++) {
		if (d->clients[i].fd == -1)
			continue;
		slot[n] = i;
		pfd[n].fd = d->clients[i].fd;
		pfd[n++].events = POLLIN;
	}
	if (poll(pfd, n, demo_timeout(d)) == -1)
		return;
	if (pfd[0].revents != 0)
		demo_signal(d);
	for (i = 1; i < n; i++) {
		if (pfd[i].revents == 0)
			continue;
		if (pfd[i].fd == STDIN_FILENO)
			demo_stdin(d);
		else if (pfd[i].fd == d->listen_fd)
			demo_accept(d);
		else
			demo_client_read(d, &d->clients[slot[i]]);
	}
}

int
cmd_demo_node(struct opts *o)
{
	struct demo	 d;
	sigset_t	 set;

	if (o->argc != 0) {
		nm_warn("demo-node takes no arguments (settings come from "
		    "the environment)");
		return 2;
	}
	if (demo_setup(&d) != 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	d.sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d.sig_fd == -1) {
		nm_warn("demo-node: signalfd: %s", strerror(errno));
		return 1;
	}
	d.next_ms = now_ms();
	for (;;) {
		if (d.crash_ms != 0 && now_ms() >= d.crash_ms)
			demo_crash(&d);
		if (now_ms() >= d.next_ms)
			demo_tick(&d);
		demo_client_expire(&d);
		demo_poll(&d);
	}
}
