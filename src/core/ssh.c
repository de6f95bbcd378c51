/*
 * One OpenSSH master per host, as Ansible's ssh connection does: started
 * in the background (ssh -M -N), its socket in a private 0700 directory,
 * BatchMode so a missing key fails instead of prompting, the user's
 * ~/.ssh/config still read.  The master says it is up through
 * LocalCommand on its output pipe, which also carries ssh's own error
 * messages; every other call (a node's session, a signal, a port list)
 * goes through its socket, so a host costs one TCP connection and one
 * login.
 */
#include "config.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/guard.h"
#include "nodemux/loop.h"
#include "nodemux/plan.h"
#include "nodemux/proc.h"
#include "nodemux/ssh.h"
#include "nodemux/util.h"

#define SSH_UP_LINE	"nodemux-master-up"
#define SSH_OUT_MAX	4096	/* of the master's own words kept */
#define SSH_STOP_MS	2000	/* for a master to leave at SIGTERM */
#define SSH_HELPERS_MS	2000	/* for calls in flight before it does */

struct ssh_watch {
	void	(*fn)(void *);
	void	*arg;
};

struct ssh_host {
	const struct plan_host	*ph;
	const struct plan	*plan;
	struct loop		*loop;
	struct guard		*guard;
	int			 refs;
	enum ssh_state		 state;
	int			 was_up;	/* up at least once */
	char			*label;		/* "h1 (root@host)" */
	char			*ctl;		/* ControlPath */
	pid_t			 pid;		/* the master, 0 when none */
	int			 out;		/* its output pipe, or -1 */
	struct strbuf		 buf;		/* a partial line of it */
	char			*why;		/* its last words */
	struct ssh_watch	*watch;
	size_t			 nwatch;
	int			 closing; /* no reference left: its master
					    goes once its calls are done */
	uint64_t		 close_timer;
	struct ssh_host		*next;
};

/* A call in the background (a signal, a port list, a group id). */
struct ssh_call {
	pid_t		 pid;
	struct ssh_host	*h;	/* NULL once h is gone */
};

static struct ssh_host	*ssh_hosts;
static char		*ssh_dir;	/* the private directory */
static int		 ssh_seq;	/* names sockets in it */
static struct ssh_call	*ssh_helpers;	/* background calls to reap */
static size_t		 ssh_nhelpers;
static struct loop	*ssh_sigloop;	/* where ssh_sigchld is added */

/* A master sent SIGTERM, reaped from the loop (SIGKILL at its deadline). */
struct ssh_gone {
	pid_t		 pid;
	struct guard	*guard;
	int64_t		 deadline;
};
static struct ssh_gone	*ssh_gones;
static size_t		 ssh_ngones;
static uint64_t		 ssh_gone_timer;
/* Hosts that were up once: a node restarted after its connection was
   lost outlives the host's record (freed with its last node). */
static const struct plan_host **ssh_been_up;
static size_t		 ssh_nbeen_up;

/* Remember that ph was up, or ask whether it was. */
static int
ssh_been(const struct plan_host *ph, int add)
{
	size_t	 i;

	for (i = 0; i < ssh_nbeen_up; i++) {
		if (ssh_been_up[i] == ph)
			return 1;
	}
	if (add) {
		ssh_been_up = xreallocarray(ssh_been_up, ssh_nbeen_up + 1,
		    sizeof *ssh_been_up);
		ssh_been_up[ssh_nbeen_up++] = ph;
	}
	return 0;
}

/* The private directory of control sockets: made once, 0700. */
static const char *
ssh_dir_get(char **cause)
{
	const char	*run = getenv("XDG_RUNTIME_DIR");
	char		*base, *tmpl;
	struct stat	 st;

	if (ssh_dir != NULL)
		return ssh_dir;
	if (run != NULL && *run == '/')
		base = xasprintf("%s/nodemux", run);
	else
		base = xasprintf("/tmp/nodemux-%ld", (long)getuid());
	if ((mkdir(base, 0700) == -1 && errno != EEXIST) ||
	    lstat(base, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != getuid() || (st.st_mode & 077) != 0) {
		*cause = xasprintf("%s is not a private directory of this user",
		    base);
		free(base);
		return NULL;
	}
	tmpl = xasprintf("%s/ssh-XXXXXX", base);
	free(base);
	if (mkdtemp(tmpl) == NULL) {
		*cause = xasprintf("%s: %s", tmpl, strerror(errno));
		free(tmpl);
		return NULL;
	}
	ssh_dir = tmpl;
	return ssh_dir;
}

/* The connection to ph if one exists, or NULL. */
static struct ssh_host *
ssh_host_find(const struct plan_host *ph)
{
	struct ssh_host	*h;

	for (h = ssh_hosts; h != NULL; h = h->next) {
		if (h->ph == ph)
			return h;
	}
	return NULL;
}

struct ssh_host *
ssh_host_get(const struct plan *plan, const struct plan_host *ph,
    struct loop *loop, struct guard *guard)
{
	struct ssh_host	*h;
	const char	*dir;
	char		*cause = NULL;

	if ((h = ssh_host_find(ph)) != NULL) {
		if (h->closing) {	/* wanted again before it went */
			h->closing = 0;
			loop_cancel_timer(h->loop, h->close_timer);
			h->close_timer = 0;
		}
		h->refs++;
		return h;
	}
	h = xcalloc(1, sizeof *h);
	h->ph = ph;
	h->plan = plan;
	h->loop = loop;
	h->guard = guard;
	h->refs = 1;
	h->out = -1;
	h->was_up = ssh_been(ph, 0);
	h->label = xasprintf("%s (%s)", ph->name, ph->ssh);
	if ((dir = ssh_dir_get(&cause)) != NULL)
		h->ctl = xasprintf("%s/%d", dir, ++ssh_seq);
	else {
		h->ctl = xstrdup("/");
		h->state = SSH_FAILED;
		h->why = cause;
	}
	h->next = ssh_hosts;
	ssh_hosts = h;
	return h;
}

enum ssh_state
ssh_host_state(const struct ssh_host *h)
{
	return h->state;
}

int
ssh_host_was_up(const struct ssh_host *h)
{
	return h->was_up;
}

const char *
ssh_host_label(const struct ssh_host *h)
{
	return h->label;
}

const char *
ssh_host_why(const struct ssh_host *h)
{
	return h->why != NULL ? h->why : "no connection";
}

void
ssh_host_watch(struct ssh_host *h, void (*fn)(void *), void *arg)
{
	h->watch = xreallocarray(h->watch, h->nwatch + 1, sizeof *h->watch);
	h->watch[h->nwatch].fn = fn;
	h->watch[h->nwatch++].arg = arg;
}

void
ssh_host_unwatch(struct ssh_host *h, void *arg)
{
	size_t	 i;

	for (i = 0; i < h->nwatch; i++) {
		if (h->watch[i].arg == arg) {
			h->watch[i] = h->watch[--h->nwatch];
			return;
		}
	}
}

/* The state changed: tell every watcher once (each may free h). */
static void
ssh_host_notify(struct ssh_host *h)
{
	struct ssh_watch	*w = h->watch;
	size_t			 i, n = h->nwatch;

	h->watch = NULL;
	h->nwatch = 0;
	for (i = 0; i < n; i++)
		w[i].fn(w[i].arg);
	free(w);
}

/* Append "-o" opt to argv at *n. */
static void
ssh_opt(char **argv, size_t *n, const char *opt)
{
	argv[(*n)++] = xstrdup("-o");
	argv[(*n)++] = xstrdup(opt);
}

/*
 * The common part of every ssh call: ours first (ssh takes the first
 * value of an option, so these win), then ssh_options, then defaults the
 * user may override; the port; the destination.  room: argv slots the
 * caller adds after.
 */
static char **
ssh_host_base(const struct ssh_host *h, const char *const *ours, size_t room,
    size_t *np)
{
	char *const	*user = h->plan->ssh_options;
	char		**argv;
	size_t		 i, n = 0;

	argv = xcalloc(24 + strv_len(user) + room, sizeof *argv);
	argv[n++] = xstrdup("ssh");
	argv[n++] = xstrdup("-S");
	argv[n++] = xstrdup(h->ctl);
	ssh_opt(argv, &n, "BatchMode=yes");
	for (i = 0; ours[i] != NULL; i++)
		ssh_opt(argv, &n, ours[i]);
	for (i = 0; user != NULL && user[i] != NULL; i++)
		argv[n++] = xstrdup(user[i]);
	ssh_opt(argv, &n, "ConnectTimeout=10");
	ssh_opt(argv, &n, "ServerAliveInterval=5");
	ssh_opt(argv, &n, "ServerAliveCountMax=3");
	if (h->ph->port != 0) {
		argv[n++] = xstrdup("-p");
		argv[n++] = xasprintf("%d", h->ph->port);
	}
	argv[n++] = xstrdup(h->ph->ssh);
	*np = n;
	return argv;
}

char **
ssh_host_argv(const struct ssh_host *h, int tty, char *const *args)
{
	static const char *const ours[] = { "ControlMaster=no",
	    "LogLevel=ERROR", NULL };
	struct strbuf	 sb = STRBUF_INIT;
	char		**argv;
	size_t		 n, i;

	argv = ssh_host_base(h, ours, 4, &n);
	memmove(argv + 2, argv + 1, (n - 1) * sizeof *argv);
	argv[1] = xstrdup(tty ? "-tt" : "-T");
	n++;
	argv[n++] = xstrdup("--");
	/* The login shell joins and reads what follows: one quoted line. */
	strbuf_adds(&sb, "exec /bin/sh -c ");
	shell_quote_single(&sb, ssh_wrap_text);
	strbuf_adds(&sb, " nodemux");
	for (i = 0; args[i] != NULL; i++) {
		strbuf_addc(&sb, ' ');
		shell_quote_single(&sb, args[i]);
	}
	argv[n++] = strbuf_detach(&sb);
	return argv;
}

/* In a child: default SIGPIPE, nothing blocked, die with nodemux. */
static void
ssh_child_setup(void)
{
	sigset_t	 none;

	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/*
 * Fork argv with stdin from /dev/null and stdout, stderr to out (or
 * /dev/null when out is -1), in a process group of its own.  The pid, or
 * -1 with errno.
 */
static pid_t
ssh_fork(char *const *argv, int out)
{
	sigset_t	 all, old;
	pid_t		 pid;
	int		 null, error;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		ssh_child_setup();
		null = open("/dev/null", O_RDWR);
		if (out == -1)
			out = null;
		if (null == -1 || dup2(null, 0) == -1 || dup2(out, 1) == -1 ||
		    dup2(out, 2) == -1)
			_exit(127);
		close_range(3, ~0U, 0);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	error = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid > 0)
		setpgid(pid, pid);	/* whichever of us comes first */
	errno = error;
	return pid;
}

static void	ssh_host_buf(struct ssh_host *, const char *, size_t);

/* A line of the master's output: "up", or its own words. */
static void
ssh_host_line(struct ssh_host *h, const char *line)
{
	if (strcmp(line, SSH_UP_LINE) == 0) {
		if (h->state == SSH_CONNECTING) {
			h->state = SSH_UP;
			h->was_up = 1;
			ssh_been(h->ph, 1);
			ssh_host_notify(h);
		}
		return;
	}
	if (*line == '\0')
		return;
	free(h->why);
	h->why = xstrdup(line);
}

/* The master ended (its pipe's EOF): failed, or a lost connection. */
static void
ssh_host_ended(struct ssh_host *h)
{
	loop_del_fd(h->loop, h->out);
	close(h->out);
	h->out = -1;
	if (h->buf.len != 0)
		ssh_host_line(h, h->buf.buf);
	strbuf_free(&h->buf);
	if (h->why == NULL)
		h->why = xstrdup(h->state == SSH_UP ? "the connection ended" :
		    "ssh ended without a word");
	h->state = h->state == SSH_UP ? SSH_DOWN : SSH_FAILED;
	ssh_reap();
	ssh_host_notify(h);
}

/* The master's output: lines of its own, until EOF. */
static void
ssh_host_read(struct loop *loop, int fd, int revents, void *arg)
{
	struct ssh_host	*h = arg;
	char		 b[512];
	ssize_t		 r;

	r = read(fd, b, sizeof b);
	if (r == -1 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		ssh_host_ended(h);
		return;
	}
	ssh_host_buf(h, b, r);
}

/* Take r bytes of the master's output: whole lines are said. */
static void
ssh_host_buf(struct ssh_host *h, const char *b, size_t r)
{
	char	*nl, *line;

	if (h->buf.len + r < SSH_OUT_MAX)
		strbuf_add(&h->buf, b, r);
	while (h->buf.len != 0 && (nl = memchr(h->buf.buf, '\n',
	    h->buf.len)) != NULL) {
		line = xstrndup(h->buf.buf, nl - h->buf.buf);
		line[strcspn(line, "\r")] = '\0';
		memmove(h->buf.buf, nl + 1, h->buf.len - (nl + 1 - h->buf.buf));
		h->buf.len -= nl + 1 - h->buf.buf;
		h->buf.buf[h->buf.len] = '\0';
		ssh_host_line(h, line);
		free(line);
	}
}

/* Say why the master could not start, as if it had. */
static void
ssh_host_fail(struct ssh_host *h, char *why)
{
	free(h->why);
	h->why = why;
	h->state = SSH_FAILED;
	ssh_host_notify(h);
}

void
ssh_host_connect(struct ssh_host *h)
{
	static const char *const ours[] = { "ControlMaster=yes",
	    "ControlPersist=no", "PermitLocalCommand=yes",
	    "LocalCommand=echo " SSH_UP_LINE, NULL };
	char		**argv;
	size_t		 n;
	int		 p[2];

	if (h->state == SSH_CONNECTING || h->state == SSH_UP)
		return;
	ssh_reap();
	if (ssh_dir == NULL) {
		ssh_host_notify(h);	/* still no private directory */
		return;
	}
	free(h->why);
	h->why = NULL;
	argv = ssh_host_base(h, ours, 2, &n);
	memmove(argv + 3, argv + 1, (n - 1) * sizeof *argv);
	argv[1] = xstrdup("-M");
	argv[2] = xstrdup("-N");
	if (pipe2(p, O_CLOEXEC) == -1) {
		strv_free(argv);
		ssh_host_fail(h, xasprintf("pipe: %s", strerror(errno)));
		return;
	}
	h->pid = ssh_fork(argv, p[1]);
	strv_free(argv);
	close(p[1]);
	if (h->pid == -1) {
		h->pid = 0;
		close(p[0]);
		ssh_host_fail(h, xasprintf("fork: %s", strerror(errno)));
		return;
	}
	guard_add(h->guard, h->pid);
	fd_set_nonblock(p[0]);
	h->out = p[0];
	h->state = SSH_CONNECTING;
	loop_add_fd(h->loop, h->out, POLLIN, ssh_host_read, h);
}

/* Collect the masters that have left since they were told to. */
static void
ssh_gones_reap(void)
{
	size_t	 i;
	pid_t	 r;

	for (i = 0; i < ssh_ngones; i++) {
		r = waitpid(ssh_gones[i].pid, NULL, WNOHANG);
		if (r == 0 || (r == -1 && errno == EINTR))
			continue;
		guard_del(ssh_gones[i].guard, ssh_gones[i].pid);
		ssh_gones[i--] = ssh_gones[--ssh_ngones];
	}
}

static void	ssh_sigchld(struct loop *, int, void *);
static void	ssh_sig_update(struct loop *);

/* A master past its deadline: SIGKILL (reaped at its SIGCHLD). */
static void
ssh_gone_timer_fn(struct loop *loop, void *arg)
{
	int64_t	 now = now_ms(), next = 0;
	size_t	 i;

	ssh_gone_timer = 0;
	for (i = 0; i < ssh_ngones; i++) {
		if (now >= ssh_gones[i].deadline)
			kill(-ssh_gones[i].pid, SIGKILL);
		else if (next == 0 || ssh_gones[i].deadline < next)
			next = ssh_gones[i].deadline;
	}
	if (next != 0)
		ssh_gone_timer = loop_add_timer(loop, next, ssh_gone_timer_fn,
		    NULL);
}

/*
 * Stop the master: SIGTERM now, its exit collected from the loop (it
 * stays guarded until then), SIGKILL if it has not left in SSH_STOP_MS.
 * Nothing here waits for it; ssh_flush does, before the loop goes.
 */
static void
ssh_host_stop(struct ssh_host *h)
{
	if (h->out != -1) {
		loop_del_fd(h->loop, h->out);
		close(h->out);
		h->out = -1;
	}
	if (h->pid == 0)
		return;
	kill(-h->pid, SIGTERM);
	ssh_gones = xreallocarray(ssh_gones, ssh_ngones + 1,
	    sizeof *ssh_gones);
	ssh_gones[ssh_ngones].pid = h->pid;
	ssh_gones[ssh_ngones].guard = h->guard;
	ssh_gones[ssh_ngones++].deadline = now_ms() + SSH_STOP_MS;
	h->pid = 0;
	ssh_gones_reap();
	if (ssh_ngones != 0) {
		if (ssh_gone_timer == 0)
			ssh_gone_timer = loop_add_timer(h->loop,
			    now_ms() + SSH_STOP_MS, ssh_gone_timer_fn, NULL);
		ssh_sig_update(h->loop);
	}
}

/* Calls of h still in flight. */
static size_t
ssh_host_calls(const struct ssh_host *h)
{
	size_t	 i, n = 0;

	for (i = 0; i < ssh_nhelpers; i++)
		n += ssh_helpers[i].h == h;
	return n;
}

/* Stop h's master and forget h; its calls still in flight are killed. */
static void
ssh_host_close(struct ssh_host *h)
{
	struct ssh_host	**pp;
	size_t		 i;

	loop_cancel_timer(h->loop, h->close_timer);
	for (i = 0; i < ssh_nhelpers; i++) {
		if (ssh_helpers[i].h == h) {
			kill(-ssh_helpers[i].pid, SIGKILL);
			ssh_helpers[i].h = NULL;
		}
	}
	ssh_host_stop(h);
	for (pp = &ssh_hosts; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == h) {
			*pp = h->next;
			break;
		}
	}
	if (ssh_dir != NULL)
		unlink(h->ctl);
	strbuf_free(&h->buf);
	free(h->watch);
	free(h->label);
	free(h->ctl);
	free(h->why);
	free(h);
	ssh_reap();
	if (ssh_hosts == NULL && ssh_dir != NULL && ssh_nhelpers == 0) {
		rmdir(ssh_dir);
		free(ssh_dir);
		ssh_dir = NULL;
	}
}

/* A closing host whose calls took too long: it goes now. */
static void
ssh_host_close_timer(struct loop *loop, void *arg)
{
	struct ssh_host	*h = arg;

	h->close_timer = 0;
	ssh_host_close(h);
	ssh_sig_update(loop);
}

/* Hosts closing: the first one with no call left, or NULL. */
static struct ssh_host *
ssh_host_done(void)
{
	struct ssh_host	*h;

	for (h = ssh_hosts; h != NULL; h = h->next) {
		if (h->closing && ssh_host_calls(h) == 0)
			return h;
	}
	return NULL;
}

/* The first host closing, or NULL. */
static struct ssh_host *
ssh_host_closing(void)
{
	struct ssh_host	*h;

	for (h = ssh_hosts; h != NULL && !h->closing; h = h->next)
		continue;
	return h;
}

/* Watch SIGCHLD while a host is closing or a master leaving, only then. */
static void
ssh_sig_update(struct loop *loop)
{
	struct ssh_host	*h = ssh_host_closing();

	if ((h != NULL || ssh_ngones != 0) && ssh_sigloop == NULL) {
		ssh_sigloop = loop;
		loop_add_signal(ssh_sigloop, SIGCHLD, ssh_sigchld, NULL);
	} else if (h == NULL && ssh_ngones == 0 && ssh_sigloop != NULL) {
		loop_del_signal(ssh_sigloop, SIGCHLD, ssh_sigchld, NULL);
		ssh_sigloop = NULL;
		if (ssh_gone_timer != 0)
			loop_cancel_timer(loop, ssh_gone_timer);
		ssh_gone_timer = 0;
	}
}

/* A child ended: a closing host whose last call it was goes; a master
   that left is collected. */
static void
ssh_sigchld(struct loop *loop, int signo, void *arg)
{
	struct ssh_host	*h;

	ssh_reap();
	while ((h = ssh_host_done()) != NULL)
		ssh_host_close(h);
	ssh_sig_update(loop);
}

/*
 * The last reference: the master goes, but not before the calls in
 * flight to the host are done (a stop or a SIGKILL on its way), which
 * the loop waits for (SSH_HELPERS_MS at most); ssh_flush ends the wait.
 */
void
ssh_host_put(struct ssh_host *h)
{
	if (h == NULL || --h->refs > 0)
		return;
	ssh_reap();
	if (h->state != SSH_UP || ssh_host_calls(h) == 0) {
		ssh_host_close(h);
		return;
	}
	h->closing = 1;
	h->close_timer = loop_add_timer(h->loop, now_ms() + SSH_HELPERS_MS,
	    ssh_host_close_timer, h);
	ssh_sig_update(h->loop);
}

void
ssh_flush(void)
{
	struct ssh_host	*h;
	int64_t		 deadline = now_ms() + SSH_HELPERS_MS;

	for (;;) {
		ssh_reap();
		while ((h = ssh_host_done()) != NULL)
			ssh_host_close(h);
		if ((h = ssh_host_closing()) == NULL)
			break;
		if (now_ms() >= deadline) {
			ssh_host_close(h);
			continue;
		}
		poll(NULL, 0, 10);
	}
	/* The masters told to leave: SIGKILL past their deadline. */
	for (ssh_gones_reap(); ssh_ngones != 0; ssh_gones_reap()) {
		if (now_ms() >= ssh_gones[0].deadline) {
			kill(-ssh_gones[0].pid, SIGKILL);
			while (waitpid(ssh_gones[0].pid, NULL, 0) == -1 &&
			    errno == EINTR)
				continue;
			continue;	/* reaped: guard_del follows */
		}
		poll(NULL, 0, 10);
	}
	free(ssh_gones);
	ssh_gones = NULL;
	if (ssh_sigloop != NULL) {
		loop_del_signal(ssh_sigloop, SIGCHLD, ssh_sigchld, NULL);
		if (ssh_gone_timer != 0)
			loop_cancel_timer(ssh_sigloop, ssh_gone_timer);
		ssh_sigloop = NULL;
	}
	ssh_gone_timer = 0;
}

void
ssh_reap(void)
{
	struct ssh_host	*h;
	size_t		 i;
	pid_t		 r;

	for (i = 0; i < ssh_nhelpers; i++) {
		r = waitpid(ssh_helpers[i].pid, NULL, WNOHANG);
		if (r == 0 || (r == -1 && errno == EINTR))
			continue;
		ssh_helpers[i--] = ssh_helpers[--ssh_nhelpers];
	}
	for (h = ssh_hosts; h != NULL; h = h->next) {
		if (h->pid == 0 || h->out != -1)
			continue;	/* none, or its EOF is still to come */
		r = waitpid(h->pid, NULL, WNOHANG);
		if (r == h->pid || (r == -1 && errno == ECHILD)) {
			guard_del(h->guard, h->pid);
			h->pid = 0;
		}
	}
	ssh_gones_reap();
}

pid_t
ssh_host_spawn(struct ssh_host *h, char *const *args, int *out)
{
	char	**argv;
	pid_t	 pid;
	int	 p[2] = { -1, -1 };

	if (h->state != SSH_UP)
		return -1;
	if (out != NULL && pipe2(p, O_CLOEXEC) == -1)
		return -1;
	argv = ssh_host_argv(h, 0, args);
	pid = ssh_fork(argv, p[1]);
	strv_free(argv);
	if (p[1] != -1)
		close(p[1]);
	if (pid == -1) {
		if (p[0] != -1)
			close(p[0]);
		return -1;
	}
	ssh_helpers = xreallocarray(ssh_helpers, ssh_nhelpers + 1,
	    sizeof *ssh_helpers);
	ssh_helpers[ssh_nhelpers].pid = pid;
	ssh_helpers[ssh_nhelpers++].h = h;
	if (out != NULL) {
		fd_set_nonblock(p[0]);
		*out = p[0];
	}
	return pid;
}

void
ssh_call_cancel(pid_t pid)
{
	size_t	 i;

	for (i = 0; i < ssh_nhelpers; i++) {
		if (ssh_helpers[i].pid == pid) {
			kill(-pid, SIGKILL);
			return;
		}
	}
}

/* Read fd to EOF into sb until deadline; 0, or -1 when time ran out. */
static int
ssh_read_all(int fd, struct strbuf *sb, int64_t deadline)
{
	struct pollfd	 pfd = { .fd = fd, .events = POLLIN };
	char		 b[4096];
	ssize_t		 r;
	int64_t		 left;

	for (;;) {
		if ((left = deadline - now_ms()) <= 0)
			return -1;
		if (poll(&pfd, 1, (int)left) == -1 && errno != EINTR)
			return -1;
		r = read(fd, b, sizeof b);
		if (r == 0)
			return 0;
		if (r > 0 && sb->len < 1024 * 1024)
			strbuf_add(sb, b, r);
		else if (r == -1 && errno != EINTR && errno != EAGAIN)
			return -1;
	}
}

/* Run argv, its output to *out, waiting at most timeout_ms: its exit
   status, or -1 and *cause naming label. */
static int
ssh_run_argv(char **argv, const char *label, int timeout_ms, char **out,
    char **cause)
{
	struct strbuf	 sb = STRBUF_INIT;
	pid_t		 pid;
	int		 p[2], st, late;

	*out = NULL;
	if (pipe2(p, O_CLOEXEC) == -1) {
		*cause = xasprintf("pipe: %s", strerror(errno));
		return -1;
	}
	pid = ssh_fork(argv, p[1]);
	close(p[1]);
	if (pid == -1) {
		*cause = xasprintf("fork: %s", strerror(errno));
		close(p[0]);
		return -1;
	}
	fd_set_nonblock(p[0]);
	late = ssh_read_all(p[0], &sb, now_ms() + timeout_ms);
	close(p[0]);
	if (late)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		continue;
	if (late) {
		*cause = xasprintf("%s: no answer in %d ms", label, timeout_ms);
		strbuf_free(&sb);
		return -1;
	}
	*out = strbuf_detach(&sb);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int
ssh_run(const struct plan *plan, const struct plan_host *ph,
    char *const *args, int timeout_ms, char **out, char **cause)
{
	struct ssh_host	 h;
	char		**argv;
	int		 rc;

	memset(&h, 0, sizeof h);
	h.plan = plan;
	h.ph = ph;
	h.ctl = (char *)"none";		/* no master: a connection of its own */
	h.label = xasprintf("%s (%s)", ph->name, ph->ssh);
	argv = ssh_host_argv(&h, 0, args);
	rc = ssh_run_argv(argv, h.label, timeout_ms, out, cause);
	strv_free(argv);
	free(h.label);
	return rc;
}

/* The wrapper's arguments for node pn: run KEY SIG SECONDS CWD NENV
   ENV... ARGV... */
char **
ssh_run_args(const struct plan *plan, const struct plan_node *pn,
    const char *key)
{
	char	**args, b[16];
	size_t	 n = 0, i, nenv = strv_len(pn->env), nargv = strv_len(pn->argv);

	args = xcalloc(6 + nenv + nargv + 1, sizeof *args);
	args[n++] = xstrdup("run");
	args[n++] = xstrdup(key);
	args[n++] = xstrdup(proc_signame(plan->stop_signal, b, sizeof b));
	args[n++] = xasprintf("%d", (plan->stop_timeout_ms + 999) / 1000);
	args[n++] = xstrdup(pn->cwd);
	args[n++] = xasprintf("%zu", nenv);
	for (i = 0; i < nenv; i++)
		args[n++] = xstrdup(pn->env[i]);
	for (i = 0; i < nargv; i++)
		args[n++] = xstrdup(pn->argv[i]);
	return args;
}

char **
ssh_node_argv(const struct plan *plan, const struct plan_node *pn)
{
	struct ssh_host	 h;
	char		**args, **argv, *key;

	memset(&h, 0, sizeof h);
	h.plan = plan;
	h.ph = pn->host;
	h.ctl = (char *)"none";		/* a connection of its own */
	key = ssh_node_key(plan, pn);
	args = ssh_run_args(plan, pn, key);
	argv = ssh_host_argv(&h, 1, args);
	strv_free(args);
	free(key);
	return argv;
}

char *
ssh_node_key(const struct plan *plan, const struct plan_node *pn)
{
	char	*key, *p;

	key = xasprintf("%s.%s", plan->config_name, pn->sname);
	for (p = key; *p != '\0'; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			*p = '_';
	}
	return key;
}

int
ssh_gate(char **path, int *fd, char **cause)
{
	const char	*dir;

	if ((dir = ssh_dir_get(cause)) == NULL)
		return -1;
	*path = xasprintf("%s/g%d", dir, ++ssh_seq);
	if (mkfifo(*path, 0600) == -1 ||
	    (*fd = open(*path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1) {
		*cause = xasprintf("%s: %s", *path, strerror(errno));
		unlink(*path);
		free(*path);
		*path = NULL;
		return -1;
	}
	return 0;
}

int
ssh_host_gone(struct ssh_host *h)
{
	char	 b[512];
	ssize_t	 r;

	if (h->state != SSH_UP)
		return 1;
	if (h->pid == 0 || waitpid(h->pid, NULL, WNOHANG) != h->pid)
		return 0;
	guard_del(h->guard, h->pid);
	h->pid = 0;
	/* Its last words are in the pipe: read them now, not next turn. */
	while (h->out != -1 && (r = read(h->out, b, sizeof b)) > 0)
		ssh_host_buf(h, b, r);
	return 1;
}
