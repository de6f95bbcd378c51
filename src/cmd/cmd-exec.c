/*
 * nodemux exec: start the cluster, wait until every node is ready, run
 * CMD with the cluster's variables, stop the cluster and exit with CMD's
 * status; 125 when the cluster could not be made ready (SPEC §1, §7).
 * With -n 3,5,8, that cycle once per size, then a summary (SPEC §10).
 */
#include "config.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/cluster.h"
#include "nodemux/headless.h"
#include "nodemux/opts.h"
#include "nodemux/runtime.h"
#include "nodemux/util.h"

#define EXEC_NOT_READY		125
#define EXEC_LAST_LINES		5

enum exec_phase {
	EXEC_WAITING,		/* for every node to be ready */
	EXEC_RUNNING,		/* CMD runs */
	EXEC_STOPPING,		/* the cluster is being stopped */
};

/* How one exec cycle went: a row of the size matrix's summary. */
struct exec_run {
	int			 size;
	int			 status;	/* the exit status to give */
	int			 not_ready;	/* the cluster never was */
	int			 interrupted;	/* a signal asked to stop */
	int64_t			 ms;		/* how long it all took */
};

struct exec {
	struct opts		*opts;
	struct plan		*plan;
	struct runtime		*rt;
	struct loop		*loop;		/* the runtime's */
	struct cluster		*cluster;	/* the runtime's */
	struct headless		*out;		/* events, on stderr */
	enum exec_phase		 phase;
	uint64_t		 check_timer;	/* 0: none pending */
	int64_t			 start_ms;
	pid_t			 pid;		/* CMD; 0 when not running */
	int			 status;	/* the exit status to give */
	int			 not_ready;
	int			 interrupted;
	struct strbuf		 report;	/* why the cluster is not ready */
};

/*
 * Has node n given up on becoming ready (ended, failed, waiting to
 * restart, or past its ready.timeout_ms)?  *next is lowered to the
 * deadline of a node still starting.
 */
static int
exec_node_lost(const struct node *n, int64_t *next)
{
	int64_t	 deadline;

	switch (n->state) {
	case NODE_STARTING:
		if (n->spec->ready_timeout_ms <= 0)
			return 0;
		deadline = n->started_ms + n->spec->ready_timeout_ms;
		if (now_ms() >= deadline)
			return 1;
		if (*next == 0 || deadline < *next)
			*next = deadline;
		return 0;
	case NODE_STOPPED:
	case NODE_STOPPING:
	case NODE_EXITED:
	case NODE_KILLED:
	case NODE_FAILED:
	case NODE_BACKOFF:
	case NODE_LOST:
		return 1;
	default:
		return 0;
	}
}

/* Add node n's state and its last lines to the report. */
static void
exec_report_node(struct exec *e, struct node *n)
{
	const struct line	*l;
	struct line		 v;
	char			 state[256];
	size_t			 count, i;

	strbuf_addf(&e->report, "  %s: %s\n", n->spec->name,
	    node_state_str(n, state, sizeof state));
	count = n->sb != NULL ? scrollback_count(n->sb) : 0;
	i = count > EXEC_LAST_LINES ? count - EXEC_LAST_LINES : 0;
	for (; i < count; i++) {
		l = scrollback_get(n->sb, i, &v);
		strbuf_addf(&e->report, "    | %s\n", l->text);
	}
	if (n->vt != NULL && (l = vt_current(n->vt)) != NULL)
		strbuf_addf(&e->report, "    | %s\n", l->text);
	if (count == 0 && (n->vt == NULL || vt_current(n->vt) == NULL))
		strbuf_adds(&e->report, "    (no output)\n");
}

/* Stop the cluster; the loop ends once every node is gone. */
static void
exec_stop(struct exec *e)
{
	e->phase = EXEC_STOPPING;
	runtime_quit(e->rt, NULL, 0);
}

/* The cluster cannot be made ready: note who and why, then stop it. */
static void
exec_not_ready(struct exec *e)
{
	struct node	*n;
	int		 i;

	strbuf_adds(&e->report, "cluster not ready; nodes not ready:\n");
	for (i = 0; i < cluster_size(e->cluster); i++) {
		n = cluster_node(e->cluster, i);
		if (n->state != NODE_READY && n->state != NODE_RUNNING)
			exec_report_node(e, n);
	}
	e->status = EXEC_NOT_READY;
	e->not_ready = 1;
	exec_stop(e);
}

/* Add "NAME=value" to the vector v of n entries. */
static void __attribute__((format(printf, 3, 4)))
exec_var(char ***v, size_t *n, const char *fmt, ...)
{
	va_list	 ap;

	*v = xreallocarray(*v, *n + 2, sizeof **v);
	va_start(ap, fmt);
	(*v)[(*n)++] = xvasprintf(fmt, ap);
	va_end(ap);
	(*v)[*n] = NULL;
}

/*
 * The variables CMD gets: the cluster's names and ports (as the nodes
 * really use them: next-free may have moved some), in index order.
 */
static char **
exec_vars(struct exec *e)
{
	struct strbuf	 names = STRBUF_INIT, http = STRBUF_INIT;
	struct strbuf	 dist = STRBUF_INIT;
	struct node	*n;
	char		**v = NULL;
	size_t		 nv = 0;
	int		 i, size = cluster_size(e->cluster);

	for (i = 0; i < size; i++) {
		n = cluster_node(e->cluster, i);
		strbuf_addf(&names, "%s%s", i ? "," : "", n->spec->name);
		strbuf_addf(&http, "%s%d", i ? "," : "", n->http_port);
		strbuf_addf(&dist, "%s%d", i ? "," : "", n->dist_port);
		exec_var(&v, &nv, "NODEMUX_NODE%d_NAME=%s", i + 1,
		    n->spec->name);
		exec_var(&v, &nv, "NODEMUX_NODE%d_HTTP_PORT=%d", i + 1,
		    n->http_port);
		exec_var(&v, &nv, "NODEMUX_NODE%d_DIST_PORT=%d", i + 1,
		    n->dist_port);
	}
	exec_var(&v, &nv, "CLUSTER_NODES=%s", names.buf ? names.buf : "");
	exec_var(&v, &nv, "NODEMUX_NODES=%s", names.buf ? names.buf : "");
	exec_var(&v, &nv, "CLUSTER_SIZE=%d", size);
	exec_var(&v, &nv, "NODEMUX_HTTP_PORTS=%s", http.buf ? http.buf : "");
	exec_var(&v, &nv, "NODEMUX_DIST_PORTS=%s", dist.buf ? dist.buf : "");
	exec_var(&v, &nv, "NODEMUX_COOKIE=%s", e->plan->cookie);
	exec_var(&v, &nv, "COOKIE=%s", e->plan->cookie);
	strbuf_free(&names);
	strbuf_free(&http);
	strbuf_free(&dist);
	return v;
}

/* In the child: a clean signal state, the variables, then CMD. */
static void __attribute__((noreturn))
exec_child(struct exec *e, char **vars)
{
	sigset_t	 none;
	int		 sig;

	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (; *vars != NULL; vars++)
		putenv(*vars);
	execvp(e->opts->argv[0], e->opts->argv);
	fprintf(stderr, "nodemux: exec: cannot run %s: %s\n",
	    e->opts->argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* Every node is ready: run CMD in our process group (Ctrl-C reaches it). */
static void
exec_run_cmd(struct exec *e)
{
	char	**vars = exec_vars(e);
	pid_t	  pid;

	headless_message(e->out, "all %d nodes ready in %.1fs: running %s",
	    cluster_size(e->cluster), (now_ms() - e->start_ms) / 1000.0,
	    e->opts->argv[0]);
	headless_flush(e->out);
	cluster_flush_logs(e->cluster);	/* CMD may read them */
	pid = fork();
	if (pid == 0)
		exec_child(e, vars);
	strv_free(vars);
	if (pid == -1) {
		strbuf_addf(&e->report, "cannot run %s: fork: %s\n",
		    e->opts->argv[0], strerror(errno));
		e->status = 1;
		exec_stop(e);
		return;
	}
	e->pid = pid;
	e->phase = EXEC_RUNNING;
}

/*
 * Timer: see where the wait stands once the current event is over, and
 * look again when the first node still starting runs out of time.
 */
static void
exec_check(struct loop *loop, void *arg)
{
	struct exec	*e = arg;
	int64_t		 next = 0;
	int		 i;

	loop_cancel_timer(e->loop, e->check_timer);
	e->check_timer = 0;
	if (e->phase != EXEC_WAITING)
		return;
	for (i = 0; i < cluster_size(e->cluster); i++) {
		if (exec_node_lost(cluster_node(e->cluster, i), &next)) {
			exec_not_ready(e);
			return;
		}
	}
	if (cluster_all_ready(e->cluster))
		exec_run_cmd(e);
	else if (next != 0)
		e->check_timer = loop_add_timer(e->loop, next, exec_check, e);
}

/* Event: a node's state changed; look at the wait from the loop. */
static void
exec_state(void *arg, struct node *n, const struct node_change *ch)
{
	struct exec	*e = arg;

	if (e->phase != EXEC_WAITING)
		return;
	loop_cancel_timer(e->loop, e->check_timer);
	e->check_timer = loop_add_timer(e->loop, now_ms(), exec_check, e);
}

/* Event: nodemux's own message, to stderr. */
static void
exec_message(void *arg, struct node *n, const char *msg)
{
	struct exec	*e = arg;

	headless_message(e->out, "%s", msg);
}

/* SIGCHLD: has CMD ended?  Then stop the cluster. */
static void
exec_sigchld(struct loop *loop, int signo, void *arg)
{
	struct exec	*e = arg;
	int		 st;
	pid_t		 pid;

	if (e->pid == 0)
		return;
	pid = waitpid(e->pid, &st, WNOHANG);
	if (pid != e->pid)
		return;
	e->pid = 0;
	if (WIFSIGNALED(st))
		e->status = 128 + WTERMSIG(st);
	else
		e->status = WEXITSTATUS(st);
	headless_message(e->out, "%s exited with status %d: stopping all "
	    "nodes", e->opts->argv[0], e->status);
	exec_stop(e);
}

/*
 * SIGINT, SIGTERM, SIGHUP.  While CMD runs, Ctrl-C reaches it through
 * the terminal (we share its process group), so SIGINT is left to it;
 * SIGTERM and SIGHUP are passed on.  Otherwise: stop everything (a
 * second signal kills).
 */
static int
exec_quit(void *arg, const char *why, int signo, int before)
{
	struct exec	*e = arg;

	if (signo == 0)
		return 1;	/* exec_stop */
	e->interrupted = 1;
	if (e->phase == EXEC_RUNNING) {
		if (signo != SIGINT)
			kill(e->pid, signo);
		return 0;
	}
	if (e->phase == EXEC_WAITING) {
		e->status = 128 + signo;
		strbuf_addf(&e->report, "interrupted (%s) before the cluster "
		    "was ready\n", strsignal(signo));
	}
	e->phase = EXEC_STOPPING;
	return 1;
}

static const struct cluster_events exec_events = {
	.state = exec_state,
	.message = exec_message,
};

static const struct runtime_hooks exec_hooks = {
	.quit = exec_quit,
};

/* Set up the runtime, the event output and CMD's reaper for e. */
static void
exec_setup(struct exec *e)
{
	struct headless_opts	 ho = { .fd = STDERR_FILENO };

	e->rt = runtime_new(e->plan, &exec_events, &exec_hooks, e);
	e->loop = runtime_loop(e->rt);
	e->cluster = runtime_cluster(e->rt);
	ho.colour = isatty(STDERR_FILENO) && !e->opts->no_color;
	e->out = headless_new(e->loop, e->plan, &ho);
	loop_add_signal(e->loop, SIGCHLD, exec_sigchld, e);
}

/*
 * One exec cycle over plan: start the cluster, wait for it to be ready,
 * run CMD, stop the cluster; say why when it was not ready.  Fills r:
 * CMD's status, or 125 when the cluster could not be made ready.
 */
static void
exec_cycle(struct opts *o, struct plan *plan, struct exec_run *r)
{
	struct exec	 e;

	memset(&e, 0, sizeof e);
	e.opts = o;
	e.plan = plan;
	e.start_ms = now_ms();
	exec_setup(&e);
	cluster_start_all(e.cluster);
	exec_check(e.loop, &e);
	loop_run(e.loop);
	headless_free(e.out, 1000);
	loop_del_signal(e.loop, SIGCHLD, exec_sigchld, &e);
	runtime_free(e.rt);
	if (e.report.len != 0) {
		/* Lines on purpose, each a node's state or one of its last
		   lines (parsed output: no control characters), so not
		   through nm_warn, which makes one line. */
		fprintf(stderr, "nodemux: exec: %s", e.report.buf);
	}
	strbuf_free(&e.report);
	r->size = plan->size;
	r->status = e.status;
	r->not_ready = e.not_ready;
	r->interrupted = e.interrupted;
	r->ms = now_ms() - e.start_ms;
}

/* The size matrix's summary on stderr: one row per size. */
static void
exec_summary(const struct exec_run *runs, int n)
{
	char	 result[32];
	int	 i;

	fprintf(stderr, "nodemux | size matrix:\nnodemux |   %4s  %-9s  %7s\n",
	    "size", "result", "seconds");
	for (i = 0; i < n; i++) {
		if (runs[i].ms < 0)
			snprintf(result, sizeof result, "not run");
		else if (runs[i].not_ready)
			snprintf(result, sizeof result, "not ready");
		else
			snprintf(result, sizeof result, "%d", runs[i].status);
		fprintf(stderr, "nodemux |   %4d  %-9s  ", runs[i].size, result);
		if (runs[i].ms < 0)
			fprintf(stderr, "%7s\n", "-");
		else
			fprintf(stderr, "%7.1f\n", runs[i].ms / 1000.0);
	}
}

/*
 * -n 3,5,8: every size's plan first (a size the config refuses is a
 * usage error before anything runs), then one cycle per size, in order;
 * a signal ends the matrix.  0 if every run exited 0, else the first
 * failing run's status.
 */
static int
exec_matrix(struct opts *o)
{
	struct plan	*plans[OPTS_SIZES_MAX];
	struct exec_run	 runs[OPTS_SIZES_MAX];
	int		 i, n = o->nsizes, status = 0, stop = 0;

	for (i = 0; i < n; i++) {
		o->plan.size = o->sizes[i];
		if ((plans[i] = opts_plan(o)) == NULL) {
			while (i-- > 0)
				plan_free(plans[i]);
			return 2;
		}
	}
	for (i = 0; i < n; i++) {
		runs[i].size = o->sizes[i];
		runs[i].ms = -1;
		if (!stop) {
			fprintf(stderr, "nodemux | size matrix: run %d of %d, "
			    "%d nodes\n", i + 1, n, o->sizes[i]);
			exec_cycle(o, plans[i], &runs[i]);
			stop = runs[i].interrupted;
			if (status == 0)
				status = runs[i].status;
		}
		plan_free(plans[i]);
	}
	exec_summary(runs, n);
	return status;
}

int
cmd_exec(struct opts *o)
{
	struct plan	*plan;
	struct exec_run	 r;

	if (o->argc == 0) {
		nm_warn("exec: no command: nodemux exec [OPTIONS] -- CMD "
		    "[ARG...]");
		return 2;
	}
	if (o->nsizes != 0)
		return exec_matrix(o);
	if ((plan = opts_plan(o)) == NULL)
		return 2;
	exec_cycle(o, plan, &r);
	plan_free(plan);
	return r.status;
}
