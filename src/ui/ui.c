/*
 * The console's glue: set the terminal up, start the cluster, turn the
 * launcher's events and the keyboard into dirty panes, draw them once
 * per loop turn at a capped frame rate, and always restore the terminal.
 */
#include "config.h"

#include <sys/ioctl.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ui-int.h"
#include "nodemux/ui.h"
#include "nodemux/util.h"

/* Ask for everything to be drawn again at the next frame. */
void
ui_redraw(struct ui *ui)
{
	ui->full = 1;
}

/* Redraw the status bar when the message runs out. */
static void
ui_message_timer(struct loop *loop, void *arg)
{
	struct ui	*ui = arg;

	ui->msg_timer = 0;
	ui->status_dirty = 1;
}

/* Show a message in the status bar for a few seconds. */
void
ui_set_message(struct ui *ui, const char *fmt, ...)
{
	va_list	 ap;

	free(ui->msg);
	va_start(ap, fmt);
	ui->msg = xvasprintf(fmt, ap);
	va_end(ap);
	ui->msg_until = now_ms() + UI_MESSAGE_MS;
	ui->status_dirty = 1;
	if (ui->msg_timer != 0)
		loop_cancel_timer(ui->loop, ui->msg_timer);
	ui->msg_timer = loop_add_timer(ui->loop, ui->msg_until + 1,
	    ui_message_timer, ui);
}

/*
 * q: stop every node, then leave once they are gone (the runtime ends
 * the loop).  Asked again, or forced, every node is killed at once.
 */
void
ui_quit(struct ui *ui, int force)
{
	runtime_quit(ui->rt, "q", force);
}

/* A stop was asked (q, a signal, ctl quit): the bar says QUIT. */
static int
ui_quit_hook(void *arg, const char *why, int signo, int before)
{
	struct ui	*ui = arg;

	ui->quitting = before + 1;
	ui->mode = UI_NORMAL;
	ui->status_dirty = 1;
	return 1;
}

/* The pane of node n. */
static struct ui_pane *
ui_pane_of(struct ui *ui, struct node *n)
{
	int	 i = n->spec->index - 1;

	if (i < 0 || i >= ui->n)
		i = 0;
	return &ui->panes[i];
}

/* A completed line: a pane not following keeps its place. */
static void
ui_event_line(void *arg, struct node *n, const struct line *l)
{
	struct ui	*ui = arg;
	struct ui_pane	*p = ui_pane_of(ui, n);

	ui_search_line(ui, p, l);
	if (ui->view->line != NULL)
		ui->view->line(ui, p, l);
	if (p->scroll > 0 && (!ui->filter || search_line(ui->search, l)))
		p->scroll++;
	p->dirty = 1;
	if (ui->search != NULL)
		ui->status_dirty = ui->view_dirty = 1;
}

/* Output arrived: the partial line may have changed. */
static void
ui_event_output(void *arg, struct node *n)
{
	ui_pane_of(arg, n)->dirty = 1;
}

/* A node changed state: its title, the summary, maybe the mode. */
static void
ui_event_state(void *arg, struct node *n, const struct node_change *ch)
{
	struct ui	*ui = arg;
	struct ui_pane	*p = ui_pane_of(ui, n);

	p->dirty = 1;
	p->title_stale = 1;
	ui->status_dirty = 1;
	ui->view_dirty = 1;
	if (n->pid == 0 && ui->mode == UI_INTERACTIVE && p->index == ui->focus) {
		ui->mode = UI_NORMAL;
		ui_set_message(ui, "node %d ended: back to NORMAL", p->index + 1);
	}
}

/* The launcher's own news goes to the status bar. */
static void
ui_event_message(void *arg, struct node *n, const char *msg)
{
	ui_set_message(arg, "%s", msg);
}

/* Every node is gone: leave if quitting, else say so. */
static void
ui_event_done(void *arg)
{
	struct ui	*ui = arg;

	if (ui->quitting)
		return;		/* the runtime ends the loop */
	ui->ended = 1;
	ui_set_message(ui, "every node has ended: s or S starts, q quits");
}

static const struct cluster_events ui_events = {
	.output = ui_event_output,
	.state = ui_event_state,
	.message = ui_event_message,
	.done = ui_event_done,
};

static const struct cluster_events ui_line_events = {
	.line = ui_event_line,
};

/*
 * Lines are news to the console only while something takes them one by
 * one: a search (its counts, the filter), a view with a line hook (the
 * merged tail), a pane scrolled back (it keeps its place).  Otherwise a
 * pane draws its newest lines from the scrollback when the output event
 * marks it, and a flood's lines cost the console nothing each.  Called
 * after whatever may change those (keys, a resize, a frame's layout)
 * before the turn's staged output is parsed.
 */
void
ui_lines_follow(struct ui *ui)
{
	int	 i, want;

	want = ui->search != NULL || ui->view->line != NULL;
	for (i = 0; !want && i < ui->n; i++)
		want = ui->panes[i].scroll > 0;
	if (want && ui->lines == NULL)
		ui->lines = cluster_subscribe(ui->cl, &ui_line_events, ui);
	else if (!want && ui->lines != NULL) {
		cluster_unsubscribe(ui->cl, ui->lines);
		ui->lines = NULL;
	}
}

static const struct runtime_hooks ui_hooks = {
	.quit = ui_quit_hook,
};

/* Take the terminal's new size and lay the panes out again. */
static void
ui_resize(struct ui *ui)
{
	struct winsize	 ws;
	int		 h, w;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 &&
	    ws.ws_col > 0 && (ws.ws_row != LINES || ws.ws_col != COLS))
		resizeterm(ws.ws_row, ws.ws_col);
	getmaxyx(stdscr, h, w);
	if (h == ui->height && w == ui->width)
		return;
	ui->height = h;
	ui->width = w;
	ui->relayout = 1;
	ui_redraw(ui);
}

/* The keyboard and the mouse: everything waiting, then back to the loop. */
static void
ui_input(struct loop *loop, int fd, int revents, void *arg)
{
	struct ui	*ui = arg;
	wint_t		 wc;
	int		 r;

	while ((r = wget_wch(stdscr, &wc)) != ERR) {
		if (r == KEY_CODE_YES && wc == KEY_RESIZE)
			ui_resize(ui);
		else
			ui_keys_handle(ui, r == KEY_CODE_YES, wc);
		ui->key_ms = now_ms();
	}
	ui_lines_follow(ui);
	if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
		/* The terminal is gone: nobody to draw for. */
		loop_del_fd(loop, fd);
		if (!ui->quitting)
			ui_quit(ui, 0);
	}
}

/* SIGWINCH resizes (the runtime takes SIGINT, SIGTERM and SIGHUP). */
static void
ui_signal(struct loop *loop, int signo, void *arg)
{
	struct ui	*ui = arg;

	ui->key_ms = now_ms();
	ui_resize(ui);
	ui_lines_follow(ui);
}

static void	ui_arm_tick(struct ui *, int64_t);

/* Once a second while the view shows clocks or usages. */
static void
ui_tick(struct loop *loop, void *arg)
{
	struct ui	*ui = arg;
	int64_t		 now = now_ms();

	ui->tick_timer = 0;
	if (ui->view->tick != NULL)
		ui->view->tick(ui, now);
	ui_arm_tick(ui, now);
}

/*
 * One timer for every clock, on whole seconds since the console started:
 * 64 uptimes that each change at their own millisecond would otherwise
 * wake the console 64 times a second.  None when no clock is shown.
 */
static void
ui_arm_tick(struct ui *ui, int64_t now)
{
	int64_t	 at;

	if (ui->tick_timer != 0 || !ui->view->ticks(ui))
		return;
	at = ui->start_ms + ((now - ui->start_ms) / 1000 + 1) * 1000;
	ui->tick_timer = loop_add_timer(ui->loop, at, ui_tick, ui);
}

/* Draw one frame: what is dirty, each window queued, one doupdate. */
static void
ui_frame(struct ui *ui, int64_t now)
{
	int	 i;

	if (ui->relayout) {
		ui_layout_apply(ui);
		ui->full = 1;
	}
	if (ui->full) {
		/* stdscr stays blank and untouched, so reading keys
		   through it never paints over the panes. */
		werase(stdscr);
		wnoutrefresh(stdscr);
		for (i = 0; i < ui->n; i++)
			ui->panes[i].dirty = 1;
		ui->status_dirty = 1;
		ui->view_dirty = 1;
		ui->view_blank = 1;
		ui->full = 0;
	}
	if (ui->too_small)
		ui_help_too_small(ui);
	else
		ui->view->draw(ui, now);
	ui_lines_follow(ui);	/* drawing may have scrolled a pane down */
	if (ui->status_dirty)
		ui_status_draw(ui);
	if (ui->show_help)
		ui_help_draw(ui);
	doupdate();
	ui->last_frame_ms = now;
	ui->frame_lines = cluster_lines(ui->cl);
	ui_arm_tick(ui, now);
}

/* Is there anything to draw? */
static int
ui_wants_frame(const struct ui *ui)
{
	int	 i;

	if (ui->relayout || ui->full || ui->status_dirty)
		return 1;
	if (ui->view->full && ui->view_dirty)
		return 1;
	for (i = 0; i < ui->n; i++) {
		if ((ui->panes[i].dirty || ui->panes[i].title_dirty) &&
		    ui->panes[i].win != NULL)
			return 1;
	}
	return 0;
}

/* The frame timer: the hook after it draws. */
static void
ui_frame_timer(struct loop *loop, void *arg)
{
	struct ui	*ui = arg;

	ui->frame_timer = 0;
}

/*
 * Before the loop sleeps: draw if something changed, but no sooner than
 * UI_FRAME_MS after the last frame, UI_FLOOD_FRAME_MS in a flood (a timer
 * brings the loop back then).
 */
static void
ui_before_sleep(struct loop *loop, void *arg)
{
	struct ui	*ui = arg;
	int64_t		 now, gap = UI_FRAME_MS;

	if (!ui_wants_frame(ui))
		return;
	now = now_ms();
	if (now - ui->key_ms >= UI_KEY_FRAMES_MS &&
	    cluster_lines(ui->cl) - ui->frame_lines > UI_FLOOD_LINES)
		gap = UI_FLOOD_FRAME_MS;
	if (now - ui->last_frame_ms < gap) {
		/* A key after a flood's timer was set brings it closer. */
		if (ui->frame_timer != 0 &&
		    ui->frame_due > ui->last_frame_ms + gap) {
			loop_cancel_timer(loop, ui->frame_timer);
			ui->frame_timer = 0;
		}
		if (ui->frame_timer == 0) {
			ui->frame_due = ui->last_frame_ms + gap;
			ui->frame_timer = loop_add_timer(loop, ui->frame_due,
			    ui_frame_timer, ui);
		}
		return;
	}
	ui_frame(ui, now);
}

/*
 * Where keys come from: standard input, or the controlling terminal when
 * that is not a terminal (nodemux up </dev/null, or at the end of a
 * pipe), as less and tmux do.  -1 and *cause when there is none.
 */
static int
ui_screen_input(struct ui *ui, char **cause)
{
	int	 fd;

	if (isatty(STDIN_FILENO)) {
		ui->in = stdin;
		return 0;
	}
	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC)) == -1) {
		*cause = xasprintf("the console needs a terminal to read keys "
		    "from: /dev/tty: %s (try --headless)", strerror(errno));
		return -1;
	}
	/* Keys come from where the console draws, whose modes it sets:
	   standard output must be this session's terminal, /dev/tty. */
	if (tcgetsid(STDOUT_FILENO) != getsid(0)) {
		*cause = xstrdup("standard output is another terminal than "
		    "this process's own (/dev/tty), where the console would "
		    "read its keys (try --headless)");
		close(fd);
		return -1;
	}
	if ((ui->tty = fdopen(fd, "r")) == NULL) {
		*cause = xasprintf("/dev/tty: %s", strerror(errno));
		close(fd);
		return -1;
	}
	ui->in = ui->tty;
	return 0;
}

/* Put the terminal in the console's modes; -1 and *cause on failure. */
static int
ui_screen_start(struct ui *ui, SCREEN **sp, char **cause)
{
	const char	*term = getenv("TERM");

	if (!isatty(STDOUT_FILENO)) {
		*cause = xstrdup("the console needs a terminal (try --headless)");
		return -1;
	}
	if (ui_screen_input(ui, cause) != 0)
		return -1;
	/* The size is the terminal's own (TIOCGWINSZ, again on SIGWINCH),
	   never $LINES or $COLUMNS: exported by a shell or a script, they
	   are stale at the first resize, or not a size at all. */
	use_env(FALSE);
	use_tioctl(TRUE);
	if ((*sp = newterm(NULL, stdout, ui->in)) == NULL) {
		*cause = xasprintf("cannot use the terminal (TERM=%s)",
		    term != NULL ? term : "");
		if (ui->tty != NULL)
			fclose(ui->tty);
		ui->tty = ui->in = NULL;
		return -1;
	}
	set_escdelay(25);
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
	    | BUTTON5_PRESSED
#endif
	    , NULL);
	mouseinterval(0);
	ui_colour_init(!ui->opts->no_color);
	getmaxyx(stdscr, ui->height, ui->width);
	return 0;
}

/* Give the terminal back as it was: windows gone, modes reset. */
static void
ui_screen_end(struct ui *ui, SCREEN *sp)
{
	int	 i;

	for (i = 0; i < ui->n; i++) {
		if (ui->panes[i].win != NULL)
			delwin(ui->panes[i].win);
		ui->panes[i].win = NULL;
	}
	if (ui->status != NULL)
		delwin(ui->status);
	if (ui->overlay != NULL)
		delwin(ui->overlay);
	if (ui->viewwin != NULL)
		delwin(ui->viewwin);
	ui->status = ui->overlay = ui->viewwin = NULL;
	ui_screen_paste(0);
	endwin();
	delscreen(sp);
	if (ui->tty != NULL)
		fclose(ui->tty);
	ui->tty = ui->in = NULL;
}

/* Watch the keyboard and the window size. */
static int
ui_watch(struct ui *ui)
{
	if (loop_add_signal(ui->loop, SIGWINCH, ui_signal, ui) != 0)
		return -1;
	if (loop_add_fd(ui->loop, fileno(ui->in), POLLIN, ui_input, ui) != 0)
		return -1;
	loop_set_before_sleep(ui->loop, ui_before_sleep, ui);
	return 0;
}

/* One pane per node of the cluster. */
static void
ui_panes_new(struct ui *ui)
{
	int	 i;

	ui->n = cluster_size(ui->cl);
	ui->panes = xcalloc(ui->n, sizeof *ui->panes);
	for (i = 0; i < ui->n; i++) {
		ui->panes[i].ui = ui;
		ui->panes[i].node = cluster_node(ui->cl, i);
		ui->panes[i].index = i;
	}
}

/*
 * Listen on the control socket (--socket, else the config's default).
 * -1 when another console already answers there; any other failure only
 * costs the socket, and *cause says why.
 */
static int
ui_ctl_open(struct ui *ui, char **cause)
{
	char	*path;
	int	 rc, running;

	if (ui->opts->socket != NULL)
		path = xstrdup(ui->opts->socket);
	else
		path = ctl_default_path(ui->plan->config_name);
	rc = runtime_ctl(ui->rt, path, &running, cause);
	free(path);
	return rc == -1 && running ? -1 : 0;
}

/* Run the console until quit; the terminal is restored before returning. */
static int
ui_main(struct ui *ui)
{
	SCREEN	*sp;
	char	*cause = NULL, *ctl_cause = NULL;
	int	 rc;

	if (ui_ctl_open(ui, &ctl_cause) != 0) {
		nm_warn("%s (use --socket for another)", ctl_cause);
		free(ctl_cause);
		return 2;
	}
	if (ui_screen_start(ui, &sp, &cause) != 0) {
		nm_warn("%s", cause);
		free(cause);
		free(ctl_cause);
		return 1;
	}
	if (ctl_cause != NULL) {
		ui_set_message(ui, "no control socket: %s", ctl_cause);
		free(ctl_cause);
	}
	if (ui_watch(ui) != 0) {
		ui_screen_end(ui, sp);
		nm_warn("cannot watch the terminal and signals");
		return 1;
	}
	/* Lay out now so that nodes start with their panes' sizes. */
	ui_layout_apply(ui);
	ui->full = 1;
	ui->start_ms = now_ms();
	rc = runtime_run(ui->rt);
	ui_screen_end(ui, sp);
	if (rc != 0) {
		nm_warn("event loop failed");
		return 1;
	}
	return 0;
}

int
ui_run(struct plan *plan, const struct opts *opts)
{
	struct ui	 ui;
	int		 rc, i;

	memset(&ui, 0, sizeof ui);
	ui.plan = plan;
	ui.opts = opts;
	ui.view = &ui_view_grid;
	ui.rt = runtime_new(plan, &ui_events, &ui_hooks, &ui);
	ui.loop = runtime_loop(ui.rt);
	ui.cl = runtime_cluster(ui.rt);
	ui_panes_new(&ui);
	ui_lines_follow(&ui);
	rc = ui_main(&ui);
	loop_del_signal(ui.loop, SIGWINCH, ui_signal, &ui);
	runtime_free(ui.rt);
	ui_search_free(&ui);
	for (i = 0; i < ui.n; i++)
		free(ui.panes[i].title);
	free(ui.panes);
	free(ui.msg);
	return rc;
}
