/*
 * The launcher with real processes in real ptys: output kept intact
 * under load, stop escalation, process groups, the guard, restart
 * policy, readiness, exec failures and idleness.  Every test checks that
 * no process it started survives.
 */
#include "config.h"

#include <criterion/criterion.h>

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/cluster.h"
#include "nodemux/plan.h"
#include "nodemux/util.h"

#include "testlib.h"

/* A line read back from a scrollback (a view into it). */
static struct line sbv;

/* A hung test must not spin for ever: SIGALRM ends it, the guard kills
   its nodes.  (Not Criterion's .timeout, which leaks in Criterion.) */
#define TEST_ALARM_S	60

#define MAXPIDS	256

struct th {
	int		 marker_at;	/* node 1 lines when node 2 said
					   "marker" */
	int		 node1_lines;
	struct plan	*plan;
	struct loop	*loop;
	struct cluster	*c;
	struct strbuf	 msgs;		/* every message, one a line */
	int		 done;
	int		 lines;
	pid_t		 pids[MAXPIDS];	/* every pid seen */
	int		 npids;
	int64_t		 spawned[16];	/* started_ms of node 1's runs */
	int		 nspawned;
	int		 (*until)(struct th *);
	char		 dir[64];
	struct strbuf	 trans;		/* node 1: "prev>next:event|cause" */
};

static void
ev_line(void *arg, struct node *n, const struct line *l)
{
	struct th	*th = arg;

	th->lines++;
	if (n->spec->index == 1)
		th->node1_lines++;
	else if (strcmp(l->text, "marker") == 0)
		th->marker_at = th->node1_lines;
}

static void
ev_state(void *arg, struct node *n, const struct node_change *ch)
{
	struct th	*th = arg;
	int		 i;

	if (ch != NULL && n->spec->index == 1)
		strbuf_addf(&th->trans, "%s>%s:%s|%s\n",
		    node_state_name(ch->prev), node_state_name(n->state),
		    node_event_name(ch->event), ch->cause ? ch->cause : "");
	if (n->pid == 0)
		return;
	for (i = 0; i < th->npids; i++) {
		if (th->pids[i] == n->pid)
			return;
	}
	if (th->npids < MAXPIDS)
		th->pids[th->npids++] = n->pid;
	if (n->spec->index == 1 && th->nspawned < 16)
		th->spawned[th->nspawned++] = n->started_ms;
}

static void
ev_message(void *arg, struct node *n, const char *msg)
{
	struct th	*th = arg;

	strbuf_addf(&th->msgs, "%s\n", msg);
}

static void
ev_done(void *arg)
{
	struct th	*th = arg;

	th->done++;
}

static const struct cluster_events th_events = {
	.line = ev_line,
	.state = ev_state,
	.message = ev_message,
	.done = ev_done,
};

/* A plan of size nodes running argv (NULL-terminated, copied). */
static struct plan *
tplan(int size, char *const *argv, const char *logdir)
{
	struct plan	*p = xcalloc(1, sizeof *p);
	struct plan_node *pn;
	int		 i, j;

	p->size = size;
	p->host = xstrdup("127.0.0.1");
	p->bind_addr = xstrdup("127.0.0.1");
	p->log_dir = xstrdup(logdir ? logdir : "");
	p->stop_signal = SIGTERM;
	p->stop_timeout_ms = 5000;
	p->scrollback_lines = 1000;
	p->restart = PLAN_RESTART_NO;
	p->max_restarts = 5;
	p->backoff_ms = 100;
	p->port_policy = PLAN_PORTS_STRICT;
	p->nodes = xcalloc(size, sizeof *p->nodes);
	for (i = 0; i < size; i++) {
		pn = &p->nodes[i];
		pn->index = i + 1;
		pn->name = xasprintf("tnode%d@127.0.0.1", i + 1);
		pn->sname = xasprintf("tnode%d", i + 1);
		for (j = 0; argv[j] != NULL; j++)
			continue;
		pn->argv = xcalloc(j + 1, sizeof *pn->argv);
		for (j = 0; argv[j] != NULL; j++)
			pn->argv[j] = xstrdup(argv[j]);
		pn->cwd = xstrdup("/tmp");
		pn->env = xcalloc(2, sizeof *pn->env);
		pn->env[0] = xasprintf("NODE_INDEX=%d", i + 1);
		if (logdir != NULL)
			pn->log_path = xasprintf("%s/%s.log", logdir, pn->name);
	}
	return p;
}

static void
tplan_free(struct plan *p)
{
	int	 i;

	for (i = 0; i < p->size; i++) {
		free(p->nodes[i].name);
		free(p->nodes[i].sname);
		strv_free(p->nodes[i].argv);
		strv_free(p->nodes[i].env);
		free(p->nodes[i].cwd);
		free(p->nodes[i].log_path);
		free(p->nodes[i].ready_log);
	}
	free(p->nodes);
	free(p->host);
	free(p->bind_addr);
	free(p->log_dir);
	free(p);
}

/* A harness over a plan; the cluster starts nothing yet. */
static void
th_init(struct th *th, struct plan *p)
{
	memset(th, 0, sizeof *th);
	alarm(TEST_ALARM_S);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	th->plan = p;
	th->loop = loop_new();
	th->c = cluster_new(p, th->loop, &th_events, th);
	cr_assert_not_null(th->c);
	strbuf_adds(&th->msgs, "");
	strbuf_adds(&th->trans, "");
}

/* Stop the loop once th->until says so. */
static void
th_hook(struct loop *loop, void *arg)
{
	struct th	*th = arg;

	if (th->until != NULL && th->until(th))
		loop_stop(loop);
}

static void
th_timeout(struct loop *loop, void *arg)
{
	loop_stop(loop);
}

/* Run the loop until pred holds or ms pass; does pred hold? */
static int
th_run(struct th *th, int (*pred)(struct th *), int ms)
{
	uint64_t	 t;

	th->until = pred;
	loop_set_before_sleep(th->loop, th_hook, th);
	t = loop_add_timer(th->loop, now_ms() + ms, th_timeout, th);
	loop_run(th->loop);
	loop_cancel_timer(th->loop, t);
	return pred(th);
}

static int until_done(struct th *th) { return th->done > 0; }
static int until_lines(struct th *th) { return th->lines > 0; }
static int until_three_lines(struct th *th) { return th->lines >= 3; }
static int never(struct th *th) { return 0; }

/* Node i's state as shown. */
static const char *
th_state(struct th *th, int i)
{
	static char	 buf[256];

	return node_state_str(cluster_node(th->c, i), buf, sizeof buf);
}

/* No pid seen may survive; free everything. */
static void
th_finish(struct th *th, int check)
{
	int	 i, alive = 0;

	for (i = 0; check && i < th->npids; i++) {
		if (!gone_within(th->pids[i], 1000)) {
			cr_log_error("pid %ld survived", (long)th->pids[i]);
			alive++;
		}
	}
	cluster_free(th->c);
	loop_free(th->loop);
	tplan_free(th->plan);
	strbuf_free(&th->msgs);
	strbuf_free(&th->trans);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		continue;
	cr_assert_eq(alive, 0, "%d processes outlived their cluster", alive);
}

/* How many times c occurs in s. */
static int
strcount(const char *s, char c)
{
	int	 n = 0;

	for (; *s != '\0'; s++)
		n += *s == c;
	return n;
}

/* Does the message log hold s? */
static int
th_said(struct th *th, const char *s)
{
	return strstr(th->msgs.buf, s) != NULL;
}

Test(cluster, sixteen_flooding_nodes_lose_nothing)
{
	char		 dir[] = "/tmp/nm-flood.XXXXXX", *argv[] = { NM_HELPER,
			    "flood", "x", "20000", NULL };
	char		 path[256], line[256], want[128];
	struct th	 th;
	int64_t		 t0;
	long		 n;
	FILE		*f;
	int		 i;

	cr_assert_not_null(mkdtemp(dir));
	th_init(&th, tplan(16, argv, dir));
	for (i = 0; i < 16; i++) {
		free(th.plan->nodes[i].argv[2]);
		th.plan->nodes[i].argv[2] = xasprintf("writer%02d", i + 1);
	}
	t0 = now_ms();
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_done, 50000), "done fired");
	cr_log_info("16 x 20000 lines of 64 bytes in %lld ms, %d loop turns",
	    (long long)(now_ms() - t0), (int)loop_turns(th.loop));
	cr_assert_eq(th.lines, 16 * 20000, "lines seen: %d", th.lines);
	for (i = 0; i < 16; i++) {
		cr_assert_str_eq(th_state(&th, i), "exited 0");
		snprintf(path, sizeof path, "%s/tnode%d@127.0.0.1.log", dir,
		    i + 1);
		cr_assert_not_null(f = fopen(path, "r"), "%s", path);
		for (n = 0; fgets(line, sizeof line, f) != NULL; n++) {
			snprintf(want, sizeof want, "writer%02d     %09ld %s\n",
			    i + 1, n, "abcdefghijklmnopqrstuvwxyz0123456789ABCD");
			cr_assert_str_eq(line, want, "%s line %ld", path, n + 1);
		}
		fclose(f);
		cr_assert_eq(n, 20000, "%s has %ld lines", path, n);
		unlink(path);
	}
	rmdir(dir);
	cr_assert(th_said(&th, "tnode16 exited with status 0\n"), "%s",
	    th.msgs.buf);
	th_finish(&th, 1);
}

Test(cluster, node_ignoring_sigterm_is_killed_after_the_timeout)
{
	char		*argv[] = { NM_HELPER, "ignore-term", NULL };
	struct th	 th;
	int64_t		 t0, took;
	char		*cause = NULL;

	th_init(&th, tplan(1, argv, NULL));
	th.plan->stop_timeout_ms = 400;
	cr_assert_eq(cluster_start(th.c, 0, &cause), 0);
	cr_assert(th_run(&th, until_lines, 5000));
	cr_assert_str_eq(th_state(&th, 0), "running");
	cr_assert_eq(cluster_start(th.c, 0, &cause), -1);
	cr_assert_str_eq(cause, "already running");
	free(cause);
	t0 = now_ms();
	cr_assert_eq(cluster_stop(th.c, 0, &cause), 0);
	cr_assert_str_eq(th_state(&th, 0), "stopping");
	cr_assert(th_run(&th, until_done, 5000));
	took = now_ms() - t0;
	cr_assert_geq(took, 400, "killed after %lld ms", (long long)took);
	cr_assert_lt(took, 1400, "killed after %lld ms", (long long)took);
	cr_assert_str_eq(th_state(&th, 0), "stopped");
	cr_assert(th_said(&th, "tnode1 did not stop within 400 ms: SIGKILL\n"
	    "tnode1 stopped (killed by SIGKILL)\n"), "%s", th.msgs.buf);
	th_finish(&th, 1);
}

Test(cluster, second_stop_kills_at_once)
{
	char		*argv[] = { NM_HELPER, "ignore-term", NULL };
	struct th	 th;
	int64_t		 t0;
	char		*cause = NULL;

	th_init(&th, tplan(2, argv, NULL));
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_lines, 5000));
	usleep(100000);
	t0 = now_ms();
	cluster_shutdown(th.c);
	th_run(&th, never, 100);
	cr_assert_str_eq(th_state(&th, 0), "stopping", "TERM is ignored");
	cluster_shutdown(th.c);
	cr_assert(th_run(&th, until_done, 3000));
	cr_assert_lt(now_ms() - t0, 1000, "not the 5 s stop timeout");
	cr_assert_str_eq(th_state(&th, 1), "stopped");
	cr_assert_eq(cluster_start(th.c, 0, &cause), -1);
	free(cause);
	th_finish(&th, 1);
}

Test(cluster, stop_leaves_no_grandchild_behind)
{
	char		 file[] = "/tmp/nm-gc.XXXXXX";
	char		*argv[] = { NM_HELPER, "grandchild", file, NULL };
	struct th	 th;
	char		*cause = NULL;
	long		 gc = 0;
	FILE		*f;
	int		 fd;

	cr_assert_neq(fd = mkstemp(file), -1);
	close(fd);
	th_init(&th, tplan(1, argv, NULL));
	th.plan->stop_timeout_ms = 300;
	cluster_start(th.c, 0, &cause);
	cr_assert(th_run(&th, until_lines, 5000));
	cr_assert_not_null(f = fopen(file, "r"));
	cr_assert_eq(fscanf(f, "%ld", &gc), 1);
	fclose(f);
	unlink(file);
	th.pids[th.npids++] = gc;
	cr_assert(!gone(gc));
	cluster_stop(th.c, 0, &cause);
	cr_assert(th_run(&th, until_done, 5000));
	cr_assert_str_eq(th_state(&th, 0), "stopped");
	/* The leader died of TERM; the grandchild, which ignores TERM and
	   HUP, was killed with the rest of the group. */
	cr_assert(th_said(&th, "tnode1 stopped (killed by SIGTERM)\n"), "%s",
	    th.msgs.buf);
	th_finish(&th, 1);
}

Test(cluster, node_exit_takes_its_leftover_children)
{
	char		*argv[] = { "/bin/sh", "-c", "sleep 30 & echo bg $!; "
			    "exit 4", NULL };
	struct th	 th;
	const struct scrollback *sb;
	long		 bg = 0;
	int64_t		 t0 = now_ms();

	th_init(&th, tplan(1, argv, NULL));
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_done, 5000));
	sb = cluster_node(th.c, 0)->sb;
	cr_assert_eq(sscanf(scrollback_get(sb, 0, &sbv)->text, "bg %ld", &bg), 1);
	th.pids[th.npids++] = bg;
	cr_assert_str_eq(th_state(&th, 0), "exited 4");
	cr_assert_lt(now_ms() - t0, 2500, "the pty was not held for ever");
	/* sleep held the pty from inside the group: not "outside". */
	cr_assert(!th_said(&th, "outside its group"), "%s", th.msgs.buf);
	cr_assert(!th_said(&th, "held by"), "%s", th.msgs.buf);
	th_finish(&th, 1);
}

Test(cluster, a_terminal_held_from_outside_the_group_is_said_and_closed)
{
	char		*argv[] = { "/bin/sh", "-c", "setsid sleep 30 & "
			    "sleep 0.2; echo bg $!; exit 4", NULL };
	struct th	 th;
	const struct scrollback *sb;
	long		 bg = 0;

	th_init(&th, tplan(1, argv, NULL));
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_done, 8000));
	sb = cluster_node(th.c, 0)->sb;
	cr_assert_eq(sscanf(scrollback_get(sb, 0, &sbv)->text, "bg %ld", &bg), 1);
	cr_assert(th_said(&th, "tnode1: its terminal is held by a process "
	    "outside its group (setsid?): closed"), "%s", th.msgs.buf);
	cr_assert_str_eq(th_state(&th, 0), "exited 4");
	/* It left the group: the test, not the launcher, ends it. */
	kill(bg, SIGKILL);
	th_finish(&th, 1);
}

static int until_guard_news(struct th *th)
{
	return th_said(th, "the guard process died");
}

/*
 * A stand-in nodemux: a cluster of 3, its pids reported, then wait.
 * With watch, report the guard's pid too, run the loop until the guard
 * dies and is replaced, report 1 if the news was said (0 if not), and
 * wait.
 */
static void __attribute__((noreturn))
guarded_nodemux_watch(int out, int watch)
{
	char		 file[64];
	char		*argv[] = { NM_HELPER, "grandchild", file, NULL };
	struct th	 th;
	FILE		*f;
	pid_t		 pid;
	int		 i;

	th_init(&th, tplan(3, argv, NULL));
	for (i = 0; i < 3; i++) {
		snprintf(file, sizeof file, "/tmp/nm-guard-%ld-%d",
		    (long)getpid(), i);
		free(th.plan->nodes[i].argv[2]);
		th.plan->nodes[i].argv[2] = xstrdup(file);
	}
	cluster_start_all(th.c);
	if (!th_run(&th, until_three_lines, 5000))
		_exit(11);
	for (i = 0; i < 3; i++) {
		pid = cluster_node(th.c, i)->pid;
		(void)!write(out, &pid, sizeof pid);
		snprintf(file, sizeof file, "/tmp/nm-guard-%ld-%d",
		    (long)getpid(), i);
		if ((f = fopen(file, "r")) == NULL || fscanf(f, "%d", &pid) != 1)
			_exit(12);
		fclose(f);
		unlink(file);
		(void)!write(out, &pid, sizeof pid);
	}
	if (watch) {
		pid = cluster_guard_pid(th.c);
		(void)!write(out, &pid, sizeof pid);
		pid = th_run(&th, until_guard_news, 5000) &&
		    th_said(&th, "a new one (pid ") &&
		    th_said(&th, "holds 3 process groups");
		(void)!write(out, &pid, sizeof pid);
	}
	for (;;)
		pause();
}

static void __attribute__((noreturn))
guarded_nodemux(int out)
{
	guarded_nodemux_watch(out, 0);
}

Test(cluster, sigkill_of_nodemux_leaves_no_node_behind)
{
	pid_t	 parent, pids[6];
	int	 p[2], i, survivors = 0;
	int64_t	 t0, end;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	cr_assert_eq(pipe(p), 0);
	if ((parent = fork()) == 0) {
		close(p[0]);
		guarded_nodemux(p[1]);
	}
	close(p[1]);
	for (i = 0; i < 6; i++) {
		if (read(p[0], &pids[i], sizeof pids[i]) == sizeof pids[i])
			continue;
		kill(parent, SIGKILL);
		waitpid(parent, NULL, 0);
		cr_assert_fail("the cluster did not report its pids");
	}
	for (i = 0; i < 6; i++)
		cr_assert(!gone(pids[i]));
	t0 = now_ms();
	kill(parent, SIGKILL);
	waitpid(parent, NULL, 0);
	end = t0 + 2000;
	for (i = 0; i < 6; i++) {
		while (!gone(pids[i]) && now_ms() < end)
			usleep(10000);
		if (!gone(pids[i])) {
			cr_log_error("pid %ld survived", (long)pids[i]);
			kill(pids[i], SIGKILL);
			survivors++;
		}
	}
	cr_log_info("nodes gone %lld ms after SIGKILL",
	    (long long)(now_ms() - t0));
	while (waitpid(-1, NULL, WNOHANG) > 0)
		continue;
	cr_assert_eq(survivors, 0);
}

Test(cluster, on_failure_restarts_with_doubling_backoff_up_to_max)
{
	char		*argv[] = { NM_HELPER, "exit", "1", "0", NULL };
	struct th	 th;
	int64_t		 gap;
	int		 i;

	th_init(&th, tplan(1, argv, NULL));
	th.plan->restart = PLAN_RESTART_ON_FAILURE;
	th.plan->max_restarts = 3;
	th.plan->backoff_ms = 100;
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_done, 5000), "%s", th.msgs.buf);
	cr_assert_eq(th.nspawned, 4, "1 start + 3 restarts");
	cr_assert_eq(cluster_node(th.c, 0)->restarts, 3);
	for (i = 1; i < 4; i++) {
		gap = th.spawned[i] - th.spawned[i - 1];
		cr_assert_geq(gap, 100 << (i - 1), "gap %d: %lld", i,
		    (long long)gap);
		cr_assert_lt(gap, (100 << (i - 1)) + 250, "gap %d: %lld", i,
		    (long long)gap);
	}
	cr_assert(th_said(&th, "tnode1 exited with status 1\n"
	    "tnode1 restarting in 0.1s (1/3)\n"), "%s", th.msgs.buf);
	cr_assert(th_said(&th, "restarting in 0.2s (2/3)\n"));
	cr_assert(th_said(&th, "restarting in 0.4s (3/3)\n"));
	cr_assert(th_said(&th, "tnode1 not restarted: 3 restarts already\n"));
	cr_assert_str_eq(th_state(&th, 0), "exited 1");
	th_finish(&th, 1);
}

Test(cluster, backoff_state_and_on_failure_leaves_clean_exits)
{
	char		*argv[] = { "/bin/sh", "-c", "exit $((NODE_INDEX - 1))",
			    NULL };
	struct th	 th;
	char		*cause = NULL;

	th_init(&th, tplan(2, argv, NULL));
	th.plan->restart = PLAN_RESTART_ON_FAILURE;
	th.plan->max_restarts = 2;
	th.plan->backoff_ms = 1000;
	cluster_start_all(th.c);
	th_run(&th, never, 300);
	cr_assert_str_eq(th_state(&th, 0), "exited 0", "clean exit: no restart");
	cr_assert_str_eq(th_state(&th, 1), "backoff 1s (1/2)");
	cr_assert_eq(th.done, 0, "a restart is due");
	cr_assert_eq(cluster_stop(th.c, 1, &cause), 0);
	cr_assert_str_eq(th_state(&th, 1), "stopped");
	cr_assert(th_run(&th, until_done, 2000));
	th_finish(&th, 1);
}

Test(cluster, restart_always_and_by_request)
{
	char		*argv[] = { NM_HELPER, "sleep", NULL };
	struct th	 th;
	char		*cause = NULL;
	pid_t		 first;

	th_init(&th, tplan(1, argv, NULL));
	th.plan->restart = PLAN_RESTART_ALWAYS;
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_lines, 5000));
	first = cluster_node(th.c, 0)->pid;
	th.lines = 0;
	cr_assert_eq(cluster_restart(th.c, 0, &cause), 0);
	cr_assert(th_run(&th, until_lines, 5000));
	cr_assert(th_said(&th, "tnode1 stopped (killed by SIGTERM)\n"
	    "tnode1 restarting\n"), "%s", th.msgs.buf);
	cr_assert_neq(cluster_node(th.c, 0)->pid, first);
	cr_assert(gone(first));
	cr_assert_eq(cluster_node(th.c, 0)->restarts, 1);
	cr_assert_str_eq(th_state(&th, 0), "running");
	/* Killed from outside: "always" brings it back. */
	kill(cluster_node(th.c, 0)->pid, SIGKILL);
	th_run(&th, never, 50);
	cr_assert_str_eq(th_state(&th, 0), "backoff 1s (1/5)");
	cr_assert(th_said(&th, "tnode1 killed by SIGKILL\n"), "%s",
	    th.msgs.buf);
	th.lines = 0;
	cr_assert(th_run(&th, until_lines, 5000));
	cr_assert_eq(cluster_node(th.c, 0)->restarts, 2);
	cluster_shutdown(th.c);
	cr_assert(th_run(&th, until_done, 5000));
	cr_assert_str_eq(th_state(&th, 0), "stopped");
	th_finish(&th, 1);
}

/* A port nobody listens on right now. */
static int
free_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	int			 s = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s, (struct sockaddr *)&sin, sizeof sin), 0);
	getsockname(s, (struct sockaddr *)&sin, &len);
	port = ntohs(sin.sin_port);
	close(s);
	return port;
}

static int
until_ready(struct th *th)
{
	return cluster_all_ready(th->c);
}

Test(cluster, ready_when_the_tcp_port_accepts)
{
	char		*argv[] = { NM_HELPER, "listen", "0", "400", NULL };
	struct th	 th;
	int64_t		 t0;
	int		 port = free_port();

	th_init(&th, tplan(1, argv, NULL));
	free(th.plan->nodes[0].argv[2]);
	th.plan->nodes[0].argv[2] = xasprintf("%d", port);
	th.plan->nodes[0].ready_tcp_port = port;
	t0 = now_ms();
	cluster_start_all(th.c);
	cr_assert_str_eq(th_state(&th, 0), "starting");
	cr_assert(th_run(&th, until_ready, 5000), "%s", th.msgs.buf);
	cr_assert_geq(now_ms() - t0, 400);
	cr_assert_lt(now_ms() - t0, 1000);
	cr_assert_str_eq(th_state(&th, 0), "ready");
	cr_assert(th_said(&th, "tnode1 ready\n"));
	cluster_shutdown(th.c);
	cr_assert(th_run(&th, until_done, 5000));
	th_finish(&th, 1);
}

Test(cluster, ready_when_the_log_matches_and_timeout_is_said)
{
	char		*argv[] = { NM_HELPER, "log", "300", "Running web with "
			    "Cowboy on port 4000", NULL };
	struct th	 th;
	int64_t		 t0;

	th_init(&th, tplan(2, argv, NULL));
	th.plan->nodes[0].ready_log = xstrdup("Running .* with Cowboy");
	th.plan->nodes[1].ready_log = xstrdup("never (printed)");
	th.plan->nodes[1].ready_timeout_ms = 500;
	t0 = now_ms();
	cluster_start_all(th.c);
	th_run(&th, never, 900);
	cr_assert_str_eq(th_state(&th, 0), "ready");
	cr_assert_str_eq(th_state(&th, 1), "starting");
	cr_assert_eq(cluster_all_ready(th.c), 0);
	cr_assert(th_said(&th, "tnode1 ready\n"));
	cr_assert(th_said(&th, "tnode2 not ready after 500 ms: still "
	    "waiting for a line matching \"never (printed)\"\n"), "%s",
	    th.msgs.buf);
	cr_assert_gt(now_ms() - t0, 300);
	cluster_shutdown(th.c);
	cr_assert(th_run(&th, until_done, 5000));
	th_finish(&th, 1);
}

/* The line a node is ready by, in the middle of many plain lines that
   arrive in one read (the parser hands them over together). */
Test(cluster, ready_line_among_many_in_one_read)
{
	char		*argv[] = { "/bin/sh", "-c", "i=0; s=; "
			    "while [ $i -lt 100 ]; do s=\"$s line $i\n\"; "
			    "i=$((i + 1)); done; printf \"$s Listening now\n$s\"; "
			    "exec sleep 30", NULL };
	struct th	 th;

	th_init(&th, tplan(1, argv, NULL));
	th.plan->nodes[0].ready_log = xstrdup("^ Listening now$");
	th.plan->nodes[0].ready_timeout_ms = 3000;
	cluster_start_all(th.c);
	th_run(&th, never, 1000);
	cr_assert_str_eq(th_state(&th, 0), "ready", "%s", th.msgs.buf);
	cr_assert_eq(scrollback_count(cluster_node(th.c, 0)->sb), 201);
	cluster_shutdown(th.c);
	cr_assert(th_run(&th, until_done, 5000));
	th_finish(&th, 1);
}

Test(cluster, exec_failure_shows_the_reason)
{
	char		*argv[] = { "/nonexistent/prog", "x", NULL };
	struct th	 th;

	th_init(&th, tplan(2, argv, NULL));
	free(th.plan->nodes[1].argv[0]);
	th.plan->nodes[1].argv[0] = xstrdup("/bin/true");
	free(th.plan->nodes[1].cwd);
	th.plan->nodes[1].cwd = xstrdup("/nonexistent/dir");
	cluster_start_all(th.c);
	/* The exec is not waited for: the failure comes through the loop. */
	cr_assert(th_run(&th, until_done, 2000), "done: nothing will run");
	cr_assert_str_eq(th_state(&th, 0),
	    "failed: cannot run /nonexistent/prog: No such file or directory");
	cr_assert_str_eq(th_state(&th, 1),
	    "failed: cwd /nonexistent/dir: No such file or directory");
	cr_assert(th_said(&th, "tnode1 failed: cannot run /nonexistent/prog: "
	    "No such file or directory\n"), "%s", th.msgs.buf);
	/* It never ran, so it never counted as running. */
	cr_assert_str_eq(th.trans.buf, "stopped>starting:spawn|\n"
	    "starting>failed:fail|tnode1 failed: cannot run /nonexistent/prog: "
	    "No such file or directory\n");
	th_finish(&th, 1);
}

Test(cluster, strict_port_busy_names_the_port_and_holder)
{
	char			*argv[] = { NM_HELPER, "sleep", NULL };
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof sin;
	struct th		 th;
	char			*want;
	int			 s;

	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s, (struct sockaddr *)&sin, sizeof sin), 0);
	cr_assert_eq(listen(s, 1), 0);
	getsockname(s, (struct sockaddr *)&sin, &len);
	th_init(&th, tplan(1, argv, NULL));
	th.plan->nodes[0].http_port = ntohs(sin.sin_port);
	cluster_start_all(th.c);
	want = xasprintf("failed: http port %d of node tnode1@127.0.0.1 is "
	    "busy", ntohs(sin.sin_port));
	cr_assert(strncmp(th_state(&th, 0), want, strlen(want)) == 0,
	    "%s", th_state(&th, 0));
	cr_assert_eq(cluster_node(th.c, 0)->pid, 0);
	free(want);
	close(s);
	th_finish(&th, 1);
}

Test(cluster, output_written_just_before_exit_is_kept)
{
	char		 dir[] = "/tmp/nm-last.XXXXXX", path[256], buf[8192];
	char		*argv[] = { NM_HELPER, "lastwords", NULL };
	struct th	 th;
	const struct scrollback *sb;
	size_t		 n;
	FILE		*f;
	int		 i, round;

	cr_assert_not_null(mkdtemp(dir));
	for (round = 0; round < 5; round++) {
		th_init(&th, tplan(8, argv, dir));
		cluster_start_all(th.c);
		cr_assert(th_run(&th, until_done, 5000));
		for (i = 0; i < 8; i++) {
			cr_assert_str_eq(th_state(&th, i), "exited 3");
			sb = cluster_node(th.c, i)->sb;
			cr_assert_eq(scrollback_count(sb), 101);
			cr_assert_str_eq(scrollback_get(sb, 100, &sbv)->text,
			    "the very last words");
			snprintf(path, sizeof path, "%s/tnode%d@127.0.0.1.log",
			    dir, i + 1);
			cr_assert_not_null(f = fopen(path, "r"));
			n = fread(buf, 1, sizeof buf - 1, f);
			buf[n] = '\0';
			fclose(f);
			unlink(path);
			cr_assert(strstr(buf, "line 99 before exit\nthe very "
			    "last words\n") != NULL, "%s", buf);
		}
		th_finish(&th, 1);
	}
	rmdir(dir);
}

Test(cluster, idle_nodes_do_not_wake_the_loop)
{
	char		*argv[] = { NM_HELPER, "sleep", NULL };
	struct th	 th;
	uint64_t	 t0;

	th_init(&th, tplan(8, argv, NULL));
	cluster_start_all(th.c);
	th_run(&th, never, 300);
	cr_assert_eq(th.lines, 8);
	t0 = loop_turns(th.loop);
	th_run(&th, never, 1000);
	cr_log_info("%llu loop turns in 1 s with 8 idle nodes",
	    (unsigned long long)(loop_turns(th.loop) - t0));
	cr_assert_leq(loop_turns(th.loop) - t0, 3);
	cluster_shutdown(th.c);
	cr_assert(th_run(&th, until_done, 5000));
	th_finish(&th, 1);
}

static int
until_size(struct th *th)
{
	const struct scrollback	*sb = cluster_node(th->c, 0)->sb;
	size_t			 i;

	for (i = 0; i < scrollback_count(sb); i++) {
		if (strstr(scrollback_get(sb, i, &sbv)->text, "size=") != NULL)
			return 1;
	}
	return 0;
}

static int
until_counted(struct th *th)
{
	const struct scrollback	*sb = cluster_node(th->c, 0)->sb;

	return scrollback_count(sb) >= 2;
}

Test(cluster, a_paste_larger_than_the_pty_buffer_arrives_whole)
{
	char		*argv[] = { "/bin/sh", "-c", "stty raw -echo; echo go; "
			    "head -c 300000 | wc -c", NULL };
	struct th	 th;
	const struct scrollback *sb;
	char		*big = xmalloc(300000);

	memset(big, 'x', 300000);
	th_init(&th, tplan(1, argv, NULL));
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_lines, 5000));
	/* Far more than the pty takes at once: queued, not cut short. */
	cr_assert_eq(cluster_write(th.c, 0, big, 100000), 100000);
	cr_assert_eq(cluster_write(th.c, 0, big, 200000), 200000);
	cr_assert(th_run(&th, until_counted, 10000));
	sb = cluster_node(th.c, 0)->sb;
	cr_assert_str_eq(scrollback_get(sb, 1, &sbv)->text, "300000");
	cr_assert(th_run(&th, until_done, 5000));
	free(big);
	th_finish(&th, 1);
}

Test(cluster, resize_and_write_reach_the_node)
{
	char		*argv[] = { NM_HELPER, "winch", NULL };
	char		*argv2[] = { "/bin/sh", "-c", "read x; echo got $x", NULL };
	struct th	 th;
	const struct scrollback *sb;

	th_init(&th, tplan(1, argv, NULL));
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_lines, 5000));
	cluster_resize(th.c, 0, 30, 100);
	cr_assert(th_run(&th, until_size, 5000));
	sb = cluster_node(th.c, 0)->sb;
	cr_assert_str_eq(scrollback_get(sb, scrollback_count(sb) - 1, &sbv)->text,
	    "size=100x30");
	cluster_shutdown(th.c);
	cr_assert(th_run(&th, until_done, 5000));
	th_finish(&th, 1);

	th_init(&th, tplan(1, argv2, NULL));
	cluster_start_all(th.c);
	cr_assert_eq(cluster_write(th.c, 0, "hello\r", 6), 6);
	cr_assert(th_run(&th, until_done, 5000));
	sb = cluster_node(th.c, 0)->sb;
	cr_assert_str_eq(scrollback_get(sb, scrollback_count(sb) - 1, &sbv)->text,
	    "got hello");
	cr_assert_eq(cluster_write(th.c, 0, "x", 1), -1, "no pty any more");
	th_finish(&th, 1);
}

/* Has node 2 said "marker" and node 1 ended? */
static int
until_marker_and_flood_over(struct th *th)
{
	return th->marker_at != 0 &&
	    cluster_node(th->c, 0)->state == NODE_EXITED;
}

Test(cluster, a_flooding_node_does_not_starve_a_quiet_one)
{
	char		*argv[] = { NM_HELPER, "flood", "chatty", "400000", NULL };
	struct th	 th;
	char		*cause = NULL;

	th_init(&th, tplan(2, argv, NULL));
	strv_free(th.plan->nodes[1].argv);
	th.plan->nodes[1].argv = xcalloc(5, sizeof (char *));
	th.plan->nodes[1].argv[0] = xstrdup(NM_HELPER);
	th.plan->nodes[1].argv[1] = xstrdup("log");
	th.plan->nodes[1].argv[2] = xstrdup("100");
	th.plan->nodes[1].argv[3] = xstrdup("marker");
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_marker_and_flood_over, 30000));
	cr_log_info("node 2's marker came after %d of node 1's 400000 lines",
	    th.marker_at);
	cr_assert_gt(th.marker_at, 0, "the marker arrived");
	cr_assert_lt(th.marker_at, 400000, "the marker arrived during the "
	    "flood, not after it");
	cr_assert_eq(th.node1_lines, 400000);
	cr_assert_eq(cluster_stop(th.c, 1, &cause), 0);
	cr_assert(th_run(&th, until_done, 5000));
	th_finish(&th, 1);
}

Test(cluster, other_children_of_the_process_are_left_to_their_parent)
{
	char		*argv[] = { "/bin/sh", "-c", "sleep 0.3", NULL };
	struct th	 th;
	pid_t		 mine;
	int		 st = 0;

	th_init(&th, tplan(2, argv, NULL));
	if ((mine = fork()) == 0)
		_exit(42);
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_done, 5000));
	/* The cluster reaped its nodes, not this child (exec's CMD). */
	cr_assert_eq(waitpid(mine, &st, 0), mine);
	cr_assert_eq(WEXITSTATUS(st), 42);
	th_finish(&th, 1);
}

Test(cluster, next_free_moves_a_node_off_a_busy_port)
{
	char			 dir[] = "/tmp/nm-nf.XXXXXX", cfg[256], *cause = NULL;
	struct plan_opts	 po = { .size = -1, .config = cfg };
	struct sockaddr_in	 sin;
	const struct scrollback	*sb;
	struct plan		*plan;
	struct loop		*loop;
	struct th		 th;
	FILE			*f;
	int			 base = free_port(), s;
	char			*want;

	/* A config on ports free right now, then the first one taken. */
	cr_assert_not_null(mkdtemp(dir));
	snprintf(cfg, sizeof cfg, "%s/nf.cfg", dir);
	cr_assert_not_null(f = fopen(cfg, "w"));
	fprintf(f, "cluster = { default_size = 2; name_prefix = \"nf\";\n"
	    "  host = \"127.0.0.1\"; log_dir = \"\";\n"
	    "  ports = { http_base = %d; dist_base = %d; stride = 2;\n"
	    "    policy = \"next-free\"; }; };\n"
	    "node = { command = \"echo http=${HTTP_PORT} dist=${DIST_PORT}\"; "
	    "};\n", base, base + 100);
	fclose(f);
	unsetenv("CLUSTER_SIZE");
	unsetenv("NODEMUX_PROFILE");
	plan = plan_load(&po, &cause);
	cr_assert_not_null(plan, "%s", cause);
	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(base);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_eq(bind(s, (struct sockaddr *)&sin, sizeof sin), 0);
	cr_assert_eq(listen(s, 1), 0);

	memset(&th, 0, sizeof th);
	strbuf_adds(&th.msgs, "");
	th.plan = plan;
	th.loop = loop = loop_new();
	th.c = cluster_new(plan, loop, &th_events, &th);
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_done, 5000));
	/* base+1 is free, and no other node holds it (node 2: base+2). */
	want = xasprintf("nf1 http port %d is busy: using %d\n", base,
	    base + 1);
	cr_assert(th_said(&th, want), "%s", th.msgs.buf);
	free(want);
	cr_assert_eq(cluster_node(th.c, 0)->http_port, base + 1);
	sb = cluster_node(th.c, 0)->sb;
	want = xasprintf("http=%d dist=%d", base + 1, base + 100);
	cr_assert_str_eq(scrollback_get(sb, 0, &sbv)->text, want,
	    "the command was expanded again");
	free(want);
	cluster_free(th.c);
	loop_free(loop);
	plan_free(plan);
	strbuf_free(&th.msgs);
	strbuf_free(&th.trans);
	close(s);
	unlink(cfg);
	rmdir(dir);
}

/* Has node 1 been restarted twice by policy? */
static int
until_second_backoff(struct th *th)
{
	return th->nspawned >= 3;
}

Test(cluster, a_node_up_for_ten_seconds_starts_its_backoff_afresh)
{
	char		 dir[] = "/tmp/nm-stable.XXXXXX", *script;
	char		*argv[] = { "/bin/sh", "-c", "", NULL };
	struct th	 th;
	char		*cause = NULL;

	/* Run 1 fails at once, run 2 after 10.2 s of uptime. */
	cr_assert_not_null(mkdtemp(dir));
	script = xasprintf("n=$(cat %s/runs 2>/dev/null || echo 0); "
	    "echo $((n + 1)) >%s/runs; [ $n -ge 1 ] && sleep 10.2; exit 1",
	    dir, dir);
	th_init(&th, tplan(1, argv, NULL));
	free(th.plan->nodes[0].argv[2]);
	th.plan->nodes[0].argv[2] = script;
	th.plan->restart = PLAN_RESTART_ON_FAILURE;
	th.plan->max_restarts = 2;
	th.plan->backoff_ms = 100;
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_second_backoff, 15000), "%s",
	    th.msgs.buf);
	cr_assert(th_said(&th, "tnode1 restarting in 0.1s (1/2)\n"
	    "tnode1 exited with status 1\ntnode1 restarting in 0.1s (1/2)\n"),
	    "not 0.2s (2/2): %s", th.msgs.buf);
	cr_assert_eq(cluster_stop(th.c, 0, &cause), 0);
	cr_assert(th_run(&th, until_done, 5000), "%s", th.msgs.buf);
	th_finish(&th, 1);
	script = xasprintf("%s/runs", dir);
	unlink(script);
	free(script);
	rmdir(dir);
}

Test(cluster, state_events_carry_the_state_before_and_the_cause)
{
	char		*argv[] = { NM_HELPER, "exit", "3", "100", NULL };
	struct th	 th;

	th_init(&th, tplan(1, argv, NULL));
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_done, 5000));
	cr_assert_str_eq(th.trans.buf,
	    "stopped>starting:spawn|\n"
	    "starting>running:started|\n"
	    "running>exited:exit|tnode1 exited with status 3\n");
	th_finish(&th, 1);
}

Test(cluster, a_stopped_node_ends_stopped_and_refuses_a_second_stop)
{
	char		*argv[] = { NM_HELPER, "sleep", NULL };
	struct th	 th;
	char		*cause = NULL;

	th_init(&th, tplan(1, argv, NULL));
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_lines, 5000));
	cr_assert_eq(cluster_stop(th.c, 0, &cause), 0);
	cr_assert(th_run(&th, until_done, 5000));
	cr_assert_str_eq(th.trans.buf,
	    "stopped>starting:spawn|\n"
	    "starting>running:started|\n"
	    "running>stopping:stop|stop requested\n"
	    "stopping>stopped:killed|tnode1 stopped (killed by SIGTERM)\n");
	/* Refused: nothing runs, nothing changes, nobody is told. */
	cr_assert_eq(cluster_stop(th.c, 0, &cause), -1);
	cr_assert_str_eq(cause, "not running");
	free(cause);
	cr_assert_str_eq(th_state(&th, 0), "stopped");
	cr_assert_eq(strcount(th.trans.buf, '\n'), 4);
	th_finish(&th, 1);
}

Test(cluster, a_status_reaped_elsewhere_is_not_called_exit_status_0)
{
	char		*argv[] = { NM_HELPER, "exit", "7", "50", NULL };
	struct th	 th;
	pid_t		 pid;

	th_init(&th, tplan(1, argv, NULL));
	cluster_start_all(th.c);
	pid = cluster_node(th.c, 0)->pid;
	cr_assert_gt(pid, 0);
	/* Someone else collects the status before the launcher can. */
	cr_assert_eq(waitpid(pid, NULL, 0), pid);
	cr_assert(th_run(&th, until_done, 5000), "%s", th.msgs.buf);
	cr_assert(!th_said(&th, "status 0"), "%s", th.msgs.buf);
	cr_assert(th_said(&th, "tnode1 ended: its exit status could not be "
	    "read"), "%s", th.msgs.buf);
	cr_assert_str_eq(th_state(&th, 0), "lost: its exit status could not "
	    "be read (collected elsewhere)");
	th_finish(&th, 1);
}

/* A second subscriber: counts what it is told, may leave after a line. */
struct sub2 {
	struct cluster		*c;
	struct cluster_sub	*sub;
	int			 lines, states, messages, done;
	int			 leave_after;	/* lines; 0: never */
	enum node_state		 last_prev;
};

static void
sub2_line(void *arg, struct node *n, const struct line *l)
{
	struct sub2	*s = arg;

	if (++s->lines == s->leave_after)
		cluster_unsubscribe(s->c, s->sub);
}

static void
sub2_state(void *arg, struct node *n, const struct node_change *ch)
{
	struct sub2	*s = arg;

	if (ch != NULL) {
		s->states++;
		s->last_prev = ch->prev;
	}
}

static void
sub2_message(void *arg, struct node *n, const char *msg)
{
	((struct sub2 *)arg)->messages++;
}

static void
sub2_done(void *arg)
{
	((struct sub2 *)arg)->done++;
}

static const struct cluster_events sub2_events = {
	.line = sub2_line,
	.state = sub2_state,
	.message = sub2_message,
	.done = sub2_done,
};

Test(cluster, every_subscriber_is_told_and_one_may_leave_mid_event)
{
	char		*argv[] = { NM_HELPER, "flood", "n", "20", NULL };
	struct th	 th;
	struct sub2	 a, b;

	th_init(&th, tplan(1, argv, NULL));
	memset(&a, 0, sizeof a);
	memset(&b, 0, sizeof b);
	a.c = b.c = th.c;
	a.sub = cluster_subscribe(th.c, &sub2_events, &a);
	b.sub = cluster_subscribe(th.c, &sub2_events, &b);
	b.leave_after = 5;
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_done, 5000));
	/* The first subscriber (the harness) and a saw everything. */
	cr_assert_eq(th.lines, 20);
	cr_assert_eq(a.lines, 20);
	cr_assert_eq(a.states, 3, "spawn, started, then exit");
	cr_assert_eq(a.last_prev, NODE_RUNNING);
	cr_assert_eq(a.messages, 1, "exited with status 0");
	cr_assert_eq(a.done, 1);
	/* b left inside its fifth line: told nothing after.  Its exec
	   report (EOF before any output, polled first) said it runs. */
	cr_assert_eq(b.lines, 5);
	cr_assert_eq(b.states, 2);
	cr_assert_eq(b.messages, 0);
	cr_assert_eq(b.done, 0);
	th_finish(&th, 1);
}

static int until_ten_lines(struct th *th) { return th->lines >= 10; }

Test(cluster, a_paused_node_writes_nothing_and_stops_cleanly)
{
	char		*argv[] = { "/bin/sh", "-c", "i=0; while :; do "
	    "i=$((i+1)); echo $i; sleep 0.02; done", NULL };
	struct th	 th;
	char		*cause = NULL;
	int		 at;
	int64_t		 t0;

	th_init(&th, tplan(1, argv, NULL));
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_three_lines, 5000));
	cr_assert_eq(cluster_pause(th.c, 0, &cause), 0);
	cr_assert_str_eq(th_state(&th, 0), "paused");
	cr_assert(th_said(&th, "tnode1 paused\n"));
	th_run(&th, never, 200);	/* what was on its way arrives */
	at = th.lines;
	th_run(&th, never, 500);
	cr_assert_eq(th.lines, at, "paused, yet %d lines came", th.lines - at);
	cr_assert_eq(cluster_pause(th.c, 0, &cause), -1);
	cr_assert_str_eq(cause, "already paused");
	free(cause);
	cause = NULL;
	cr_assert_eq(cluster_resume(th.c, 0, &cause), 0);
	cr_assert_str_eq(th_state(&th, 0), "running");
	th.lines = 0;
	cr_assert(th_run(&th, until_ten_lines, 5000), "it counts again");
	cr_assert_eq(cluster_resume(th.c, 0, &cause), -1);
	cr_assert_str_eq(cause, "not paused");
	free(cause);
	cause = NULL;
	/* Paused, then stopped: resumed to act on SIGTERM at once, well
	   before stop_timeout_ms (5 s) would SIGKILL it. */
	cr_assert_eq(cluster_pause(th.c, 0, &cause), 0);
	t0 = now_ms();
	cr_assert_eq(cluster_stop(th.c, 0, &cause), 0);
	cr_assert(th_run(&th, until_done, 5000));
	cr_assert_lt(now_ms() - t0, 2000);
	cr_assert(th_said(&th, "tnode1 stopped (killed by SIGTERM)"), "%s",
	    th.msgs.buf);
	cr_assert(strstr(th.trans.buf, "paused>stopping:stop|") != NULL, "%s",
	    th.trans.buf);
	th_finish(&th, 1);
}

Test(cluster, a_killed_guard_is_replaced_and_sigkill_still_leaves_nothing)
{
	pid_t	 parent, pids[6], gp, said;
	int	 p[2], i, survivors = 0;
	int64_t	 end;

	prctl(PR_SET_CHILD_SUBREAPER, 1);
	cr_assert_eq(pipe(p), 0);
	if ((parent = fork()) == 0) {
		close(p[0]);
		guarded_nodemux_watch(p[1], 1);
	}
	close(p[1]);
	for (i = 0; i < 6; i++) {
		if (read(p[0], &pids[i], sizeof pids[i]) == sizeof pids[i])
			continue;
		kill(parent, SIGKILL);
		waitpid(parent, NULL, 0);
		cr_assert_fail("the cluster did not report its pids");
	}
	cr_assert_eq(read(p[0], &gp, sizeof gp), sizeof gp);
	/* The guard dies; the launcher notices and starts another. */
	kill(gp, SIGKILL);
	cr_assert_eq(read(p[0], &said, sizeof said), sizeof said);
	cr_assert_eq(said, 1, "the launcher said it replaced the guard");
	for (i = 0; i < 6; i++)
		cr_assert(!gone(pids[i]));
	/* Then nodemux is SIGKILLed: the TERM-ignoring grandchildren (odd
	   indices) must go too, which only a guard does. */
	kill(parent, SIGKILL);
	waitpid(parent, NULL, 0);
	end = now_ms() + 2000;
	for (i = 0; i < 6; i++) {
		while (!gone(pids[i]) && now_ms() < end)
			usleep(10000);
		if (!gone(pids[i])) {
			cr_log_error("pid %ld survived", (long)pids[i]);
			kill(pids[i], SIGKILL);
			survivors++;
		}
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		continue;
	cr_assert_eq(survivors, 0);
}

Test(cluster, a_node_stopped_as_soon_as_started_stops_at_once)
{
	char		*argv[] = { NM_HELPER, "sleep", NULL };
	struct th	 th;
	char		*cause = NULL;
	int64_t		 t0;
	int		 i;

	/* The spawn does not wait for the exec: the stop may come before
	   the child has made its process group. */
	th_init(&th, tplan(4, argv, NULL));
	t0 = now_ms();
	for (i = 0; i < 4; i++) {
		cr_assert_eq(cluster_start(th.c, i, &cause), 0);
		cr_assert_eq(cluster_stop(th.c, i, &cause), 0);
	}
	cr_assert(th_run(&th, until_done, 5000), "%s", th.msgs.buf);
	cr_assert_lt(now_ms() - t0, 2000, "stopped by SIGTERM, not by the "
	    "SIGKILL 5 s later: %s", th.msgs.buf);
	cr_assert(!th_said(&th, "did not stop"), "%s", th.msgs.buf);
	th_finish(&th, 1);
}

static int until_node1_runs(struct th *th)
{
	return cluster_node(th->c, 0)->pid != 0;
}

/*
 * A next-free plan of 2 nodes from a config in dir: node 1's http port
 * base, node 2's base + 500, dist ports from base + 2000.  Ports
 * base..base+busy-1 are made busy (listening sockets in s).
 */
static struct plan *
nf_plan(char *dir, int base, int *s, int busy)
{
	char			 cfg[256], *cause = NULL;
	struct plan_opts	 po = { .size = -1, .config = cfg };
	struct sockaddr_in	 sin;
	struct plan		*plan;
	FILE			*f;
	int			 i;

	cr_assert_not_null(mkdtemp(dir));
	snprintf(cfg, sizeof cfg, "%s/nf.cfg", dir);
	cr_assert_not_null(f = fopen(cfg, "w"));
	fprintf(f, "cluster = { default_size = 2; name_prefix = \"tnode\";\n"
	    "  host = \"127.0.0.1\"; log_dir = \"\";\n"
	    "  ports = { http_base = %d; dist_base = %d; stride = 500;\n"
	    "    policy = \"next-free\"; }; };\n"
	    "node = { command = \"exec %s sleep\"; };\n", base, base + 2000,
	    NM_HELPER);
	fclose(f);
	unsetenv("CLUSTER_SIZE");
	unsetenv("NODEMUX_PROFILE");
	plan = plan_load(&po, &cause);
	cr_assert_not_null(plan, "%s", cause);
	unlink(cfg);
	rmdir(dir);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < busy; i++) {
		s[i] = socket(AF_INET, SOCK_STREAM, 0);
		sin.sin_port = htons(base + i);
		cr_assert_eq(bind(s[i], (struct sockaddr *)&sin, sizeof sin), 0,
		    "port %d: %s", base + i, strerror(errno));
		cr_assert_eq(listen(s[i], 1), 0);
	}
	return plan;
}

/* A harness over a plan_load plan (freed with plan_free). */
static void
nf_finish(struct th *th, int *s, int busy)
{
	struct plan	*plan = th->plan;
	int		 i;

	for (i = 0; i < busy; i++)
		close(s[i]);
	th->plan = NULL;
	cluster_free(th->c);
	th->c = NULL;
	plan_free(plan);
}

Test(cluster, next_free_scans_a_long_busy_range_a_bounded_part_per_turn)
{
	char		 dir[] = "/tmp/nm-nfs.XXXXXX";
	struct th	 th;
	int		 base = 29000, busy = 150, s[150], alive = 0;
	uint64_t	 turns;
	pid_t		 pids[2];
	char		*want;

	th_init(&th, nf_plan(dir, base, s, busy));
	turns = loop_turns(th.loop);
	cluster_start_all(th.c);
	/* Node 2 is not held up by node 1's scan, which is not over: it is
	   spawned (running once its exec report is read). */
	cr_assert_str_eq(th_state(&th, 1), "starting");
	cr_assert_neq(cluster_node(th.c, 1)->pid, 0);
	cr_assert_eq(cluster_node(th.c, 0)->pid, 0);
	cr_assert(th_run(&th, until_node1_runs, 5000), "%s", th.msgs.buf);
	cr_assert_geq(loop_turns(th.loop) - turns, 2,
	    "150 probes take at least three turns of 64");
	cr_assert_eq(cluster_node(th.c, 0)->http_port, base + busy);
	want = xasprintf("tnode1 http port %d is busy: using %d\n", base,
	    base + busy);
	cr_assert(th_said(&th, want), "%s", th.msgs.buf);
	free(want);
	pids[0] = cluster_node(th.c, 0)->pid;
	pids[1] = cluster_node(th.c, 1)->pid;
	cluster_stop_all(th.c);
	cr_assert(th_run(&th, until_done, 5000));
	nf_finish(&th, s, busy);
	alive = !gone_within(pids[0], 1000) + !gone_within(pids[1], 1000);
	loop_free(th.loop);
	strbuf_free(&th.msgs);
	strbuf_free(&th.trans);
	cr_assert_eq(alive, 0);
}

Test(cluster, a_node_stopped_during_its_port_scan_never_starts)
{
	char		 dir[] = "/tmp/nm-nfs.XXXXXX";
	struct th	 th;
	int		 base = 30000, busy = 100, s[100];
	char		*cause = NULL;
	pid_t		 p2;

	th_init(&th, nf_plan(dir, base, s, busy));
	cluster_start_all(th.c);
	cr_assert_eq(cluster_start(th.c, 0, &cause), -1, "its start is under "
	    "way");
	free(cause);
	cr_assert_eq(cluster_stop(th.c, 0, &cause), 0);
	p2 = cluster_node(th.c, 1)->pid;
	cr_assert_eq(cluster_stop(th.c, 1, &cause), 0);
	cr_assert(th_run(&th, until_done, 3000), "%s", th.msgs.buf);
	th_run(&th, never, 200);
	cr_assert_eq(cluster_node(th.c, 0)->pid, 0, "it never started");
	cr_assert_str_eq(th_state(&th, 0), "stopped");
	cr_assert(th_said(&th, "tnode1 not started\n"), "%s", th.msgs.buf);
	nf_finish(&th, s, busy);
	loop_free(th.loop);
	strbuf_free(&th.msgs);
	strbuf_free(&th.trans);
	cr_assert(gone_within(p2, 1000));
}

/* Subscribers added from inside a line callback, past the array's room. */
struct grow {
	struct cluster		*c;
	struct cluster_sub	*sub[6];
	int			 lines[6];
	int			 grown;
};

static struct grow *grow_of[6];

static void
grow_count(void *arg, struct node *n, const struct line *l)
{
	int	 *k = arg, i = *k;

	if (++grow_of[i]->lines[i] == 3 && i == 4)
		cluster_unsubscribe(grow_of[i]->c, grow_of[i]->sub[i]);
}

static int grow_idx[6] = { 0, 1, 2, 3, 4, 5 };

static void
grow_line(void *arg, struct node *n, const struct line *l)
{
	struct grow			*g = arg;
	static const struct cluster_events ev = { .line = grow_count };
	int				 i;

	if (g->grown++)
		return;
	for (i = 0; i < 6; i++) {
		grow_of[i] = g;
		g->sub[i] = cluster_subscribe(g->c, &ev, &grow_idx[i]);
	}
}

Test(cluster, subscribers_added_inside_a_line_start_with_the_next_one)
{
	char		*argv[] = { NM_HELPER, "flood", "n", "20", NULL };
	static const struct cluster_events ev = { .line = grow_line };
	struct th	 th;
	struct grow	 g;
	int		 i;

	th_init(&th, tplan(1, argv, NULL));
	memset(&g, 0, sizeof g);
	g.c = th.c;
	cluster_subscribe(th.c, &ev, &g);
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_done, 5000));
	cr_assert_eq(th.lines, 20);
	for (i = 0; i < 6; i++) {
		cr_assert_eq(g.lines[i], i == 4 ? 3 : 19, "subscriber %d: %d "
		    "lines", i, g.lines[i]);
	}
	th_finish(&th, 1);
}

Test(cluster, a_failure_that_comes_through_the_transport_is_retried_by_policy)
{
	char		*argv[] = { "/nonexistent/prog", NULL };
	struct th	 th;

	/* A host out of reach fails the same way: it may be back by the
	   next try, so the policy applies, up to max_restarts. */
	th_init(&th, tplan(1, argv, NULL));
	th.plan->restart = PLAN_RESTART_ON_FAILURE;
	th.plan->max_restarts = 2;
	th.plan->backoff_ms = 50;
	cluster_start_all(th.c);
	cr_assert(th_run(&th, until_done, 5000), "%s", th.msgs.buf);
	cr_assert(th_said(&th, "tnode1 failed: cannot run /nonexistent/prog: "
	    "No such file or directory\ntnode1 restarting in 0.1s (1/2)\n"),
	    "%s", th.msgs.buf);
	cr_assert(th_said(&th, "tnode1 not restarted: 2 restarts already\n"),
	    "%s", th.msgs.buf);
	cr_assert_str_eq(th_state(&th, 0), "failed: cannot run "
	    "/nonexistent/prog: No such file or directory");
	th_finish(&th, 1);
}
