/*
 * Keys: the table of bindings of the normal mode and what each does, the
 * mouse, and the interactive mode, where keys become the bytes a terminal
 * would send and go to the focused node's pty.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui-int.h"
#include "nodemux/util.h"

#define UI_CTRL(c)	((c) & 0x1f)

/* Which nodes the start, stop and restart keys act on. */
enum {
	UI_ACT_START,
	UI_ACT_STOP,
	UI_ACT_RESTART,
};

struct ui_key {
	int	 key;		/* a character, or a KEY_* code when is_key */
	int	 is_key;
	void	(*fn)(struct ui *, int arg);
	int	 arg;
};

static void	ui_keys_next(struct ui *, int);
static void	ui_keys_number(struct ui *, int);
static void	ui_keys_zoom(struct ui *, int);
static void	ui_keys_one(struct ui *, int);
static void	ui_keys_all(struct ui *, int);
static void	ui_keys_pause(struct ui *, int);
static void	ui_keys_pause_all(struct ui *, int);
static void	ui_keys_scroll(struct ui *, int);
static void	ui_keys_page(struct ui *, int);
static void	ui_keys_interactive(struct ui *, int);
static void	ui_keys_clear(struct ui *, int);
static void	ui_keys_help(struct ui *, int);
static void	ui_keys_quit(struct ui *, int);
static void	ui_keys_refresh(struct ui *, int);
static void	ui_keys_search(struct ui *, int);
static void	ui_keys_view(struct ui *, int);

static const struct ui_key ui_keys_normal[] = {
	{ .key = '\t', .fn = ui_keys_next, .arg = 1 },
	{ .key = KEY_BTAB, .is_key = 1, .fn = ui_keys_next, .arg = -1 },
	{ .key = '1', .fn = ui_keys_number, .arg = 0 },
	{ .key = '2', .fn = ui_keys_number, .arg = 1 },
	{ .key = '3', .fn = ui_keys_number, .arg = 2 },
	{ .key = '4', .fn = ui_keys_number, .arg = 3 },
	{ .key = '5', .fn = ui_keys_number, .arg = 4 },
	{ .key = '6', .fn = ui_keys_number, .arg = 5 },
	{ .key = '7', .fn = ui_keys_number, .arg = 6 },
	{ .key = '8', .fn = ui_keys_number, .arg = 7 },
	{ .key = '9', .fn = ui_keys_number, .arg = 8 },
	{ .key = '0', .fn = ui_keys_number, .arg = 9 },
	{ .key = 'z', .fn = ui_keys_zoom },
	{ .key = '\r', .fn = ui_keys_zoom },
	{ .key = '\n', .fn = ui_keys_zoom },
	{ .key = KEY_ENTER, .is_key = 1, .fn = ui_keys_zoom },
	{ .key = 's', .fn = ui_keys_one, .arg = UI_ACT_START },
	{ .key = 'x', .fn = ui_keys_one, .arg = UI_ACT_STOP },
	{ .key = 'r', .fn = ui_keys_one, .arg = UI_ACT_RESTART },
	{ .key = 'S', .fn = ui_keys_all, .arg = UI_ACT_START },
	{ .key = 'X', .fn = ui_keys_all, .arg = UI_ACT_STOP },
	{ .key = 'R', .fn = ui_keys_all, .arg = UI_ACT_RESTART },
	{ .key = 'p', .fn = ui_keys_pause },
	{ .key = 'P', .fn = ui_keys_pause_all },
	{ .key = KEY_PPAGE, .is_key = 1, .fn = ui_keys_scroll,
	  .arg = UI_SCROLL_PAGE_UP },
	{ .key = KEY_NPAGE, .is_key = 1, .fn = ui_keys_scroll,
	  .arg = UI_SCROLL_PAGE_DOWN },
	{ .key = UI_CTRL('u'), .fn = ui_keys_scroll, .arg = UI_SCROLL_HALF_UP },
	{ .key = UI_CTRL('d'), .fn = ui_keys_scroll,
	  .arg = UI_SCROLL_HALF_DOWN },
	{ .key = KEY_HOME, .is_key = 1, .fn = ui_keys_scroll,
	  .arg = UI_SCROLL_TOP },
	{ .key = 'g', .fn = ui_keys_scroll, .arg = UI_SCROLL_TOP },
	{ .key = KEY_END, .is_key = 1, .fn = ui_keys_scroll,
	  .arg = UI_SCROLL_FOLLOW },
	{ .key = 'G', .fn = ui_keys_scroll, .arg = UI_SCROLL_FOLLOW },
	{ .key = '[', .fn = ui_keys_page, .arg = -1 },
	{ .key = ']', .fn = ui_keys_page, .arg = 1 },
	{ .key = 'i', .fn = ui_keys_interactive },
	{ .key = 'c', .fn = ui_keys_clear },
	{ .key = '?', .fn = ui_keys_help },
	{ .key = 'q', .fn = ui_keys_quit, .arg = 0 },
	{ .key = 'Q', .fn = ui_keys_quit, .arg = 1 },
	{ .key = UI_CTRL('c'), .fn = ui_keys_quit, .arg = 0 },
	{ .key = UI_CTRL('l'), .fn = ui_keys_refresh },
	{ .key = '/', .fn = ui_keys_search, .arg = '/' },
	{ .key = 'n', .fn = ui_keys_search, .arg = 'n' },
	{ .key = 'N', .fn = ui_keys_search, .arg = 'N' },
	{ .key = 'f', .fn = ui_keys_search, .arg = 'f' },
	{ .key = 'a', .fn = ui_keys_view, .arg = 'a' },
	{ .key = 't', .fn = ui_keys_view, .arg = 't' },
};

/* Focus the next (or previous) node, across pages. */
static void
ui_keys_next(struct ui *ui, int step)
{
	ui_layout_focus(ui, (ui->focus + step + ui->n) % ui->n);
}

/* Focus node i (0-based) if there is one. */
static void
ui_keys_number(struct ui *ui, int i)
{
	if (i >= ui->n) {
		ui_set_message(ui, "no node %d: the cluster has %d", i + 1,
		    ui->n);
		return;
	}
	ui_layout_focus(ui, i);
}

/* Zoom the focused node to the whole screen, or back (to the grid from
   any view). */
static void
ui_keys_zoom(struct ui *ui, int arg)
{
	ui->zoom = ui->view != &ui_view_grid ? 1 : !ui->zoom;
	ui_view_set(ui, &ui_view_grid);
	ui->relayout = 1;
}

/* Start, stop or restart node i; a refusal becomes a message. */
static void
ui_keys_act(struct ui *ui, int i, int act)
{
	char	*cause = NULL;
	int	 rc;

	if (act == UI_ACT_STOP && ui->panes[i].node->state == NODE_STOPPING)
		ui_set_message(ui, "node %d: killing (SIGKILL)", i + 1);
	if (act == UI_ACT_START)
		rc = cluster_start(ui->cl, i, &cause);
	else if (act == UI_ACT_STOP)
		rc = cluster_stop(ui->cl, i, &cause);
	else
		rc = cluster_restart(ui->cl, i, &cause);
	if (rc != 0) {
		ui_set_message(ui, "node %d: %s", i + 1,
		    cause != NULL ? cause : "refused");
		free(cause);
	}
	ui->panes[i].dirty = 1;
	ui->status_dirty = 1;
}

/* s, x, r: the focused node. */
static void
ui_keys_one(struct ui *ui, int act)
{
	ui_keys_act(ui, ui->focus, act);
}

/* S, X, R: every node. */
static void
ui_keys_all(struct ui *ui, int act)
{
	int	 i;

	if (act == UI_ACT_START)
		cluster_start_all(ui->cl);
	else if (act == UI_ACT_STOP)
		cluster_stop_all(ui->cl);
	else
		cluster_restart_all(ui->cl);
	for (i = 0; i < ui->n; i++)
		ui->panes[i].dirty = 1;
	ui->status_dirty = 1;
}

/* p: pause the focused node, or resume it when paused. */
static void
ui_keys_pause(struct ui *ui, int arg)
{
	struct node	*n = ui->panes[ui->focus].node;
	char		*cause = NULL;
	int		 rc;

	if (n->state == NODE_PAUSED)
		rc = cluster_resume(ui->cl, ui->focus, &cause);
	else
		rc = cluster_pause(ui->cl, ui->focus, &cause);
	if (rc != 0) {
		ui_set_message(ui, "node %d: %s", ui->focus + 1, cause);
		free(cause);
	}
}

/* P: pause every running node; when none runs unpaused, resume all. */
static void
ui_keys_pause_all(struct ui *ui, int arg)
{
	int	 changed, i, paused = 0;

	changed = cluster_pause_all(ui->cl);
	if (changed == 0) {
		ui_set_message(ui, "no node to pause or resume");
		return;
	}
	for (i = 0; i < ui->n; i++)
		paused += ui->panes[i].node->state == NODE_PAUSED;
	/* One message for them all, not the last node's alone. */
	if (changed > 1)
		ui_set_message(ui, "%d nodes %s", changed, paused > 0 ?
		    "paused" : "resumed");
}

/* The scroll keys: what they scroll is the view's business. */
static void
ui_keys_scroll(struct ui *ui, int how)
{
	ui->view->page(ui, (enum ui_scroll)how);
}

/* Turn to the next or previous page, focusing its first node. */
static void
ui_keys_page(struct ui *ui, int step)
{
	int	 page;

	if (ui->lay.pages < 2 || ui->zoom)
		return;
	page = (ui->page + step + ui->lay.pages) % ui->lay.pages;
	ui_layout_focus(ui, page * ui->lay.per_page);
}

/* Keys go to the focused node until Ctrl-]. */
static void
ui_keys_interactive(struct ui *ui, int arg)
{
	struct ui_pane	*p = &ui->panes[ui->focus];

	if (p->node->pid == 0) {
		ui_set_message(ui, "node %d is not running", ui->focus + 1);
		return;
	}
	ui->mode = UI_INTERACTIVE;
	p->scroll = 0;
	p->dirty = 1;
	ui->status_dirty = 1;
}

/*
 * Clear the focused pane: it shows only lines that come after this one.
 * The node's scrollback keeps every line (ctl logs, search, the
 * all-nodes view, and the log file still have them).
 */
static void
ui_keys_clear(struct ui *ui, int arg)
{
	struct ui_pane		*p = &ui->panes[ui->focus];
	size_t			 count = scrollback_count(p->node->sb);

	if (count > 0) {
		p->cleared = scrollback_seq(p->node->sb, count - 1);
		p->matching_before = p->matching;
	}
	p->scroll = 0;
	p->dirty = 1;
}

/* Show the keys. */
static void
ui_keys_help(struct ui *ui, int arg)
{
	ui->show_help = 1;
	ui->help_top = 0;
	ui_redraw(ui);
}

/* q: stop every node and leave; Q or q again: kill them now. */
static void
ui_keys_quit(struct ui *ui, int force)
{
	ui_quit(ui, force);
}

/* Ctrl-L: draw everything again. */
static void
ui_keys_refresh(struct ui *ui, int arg)
{
	ui_redraw(ui);
	clearok(curscr, TRUE);
}

/* / opens the search prompt, n and N jump, f filters. */
static void
ui_keys_search(struct ui *ui, int key)
{
	if (key == '/')
		ui_search_open(ui);
	else if (key == 'f')
		ui_search_filter(ui);
	else
		ui_search_jump(ui, key == 'N');
}

/* a: the all-nodes view, t: the table; again: back to the grid. */
static void
ui_keys_view(struct ui *ui, int key)
{
	ui_view_toggle(ui, key == 'a' ? &ui_view_all : &ui_view_table);
}

/* A key in interactive mode: to the node, except Ctrl-] and the mouse. */
static void
ui_keys_send(struct ui *ui, int is_key, wint_t wc)
{
	char	 buf[32];
	size_t	 n;

	if (!is_key && wc == UI_CTRL(']')) {
		ui->mode = UI_NORMAL;
		ui->status_dirty = 1;
		ui->panes[ui->focus].dirty = 1;
		return;
	}
	if (is_key && wc == KEY_MOUSE) {
		ui_keys_mouse(ui);
		return;
	}
	if ((n = ui_encode_key(is_key, wc,
	    ui_screen_modes(ui->panes[ui->focus].node), buf, sizeof buf)) == 0)
		return;
	if (cluster_write(ui->cl, ui->focus, buf, n) < 0)
		ui_set_message(ui, "node %d is not running; Ctrl-] returns",
		    ui->focus + 1);
}

/* Clicks focus a pane; the wheel scrolls the pane under it. */
void
ui_keys_mouse(struct ui *ui)
{
	MEVENT	 ev;
	int	 i;

	if (getmouse(&ev) != OK)
		return;
	i = ui_layout_hit(ui, ev.y, ev.x);
	if (i == -1)
		return;
	if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)) {
		if (ui->mode == UI_INTERACTIVE && i != ui->focus)
			ui->mode = UI_NORMAL;
		ui_layout_focus(ui, i);
	}
	if (ev.bstate & BUTTON4_PRESSED)
		ui_pane_scroll(ui, &ui->panes[i], 3);
#ifdef BUTTON5_PRESSED
	if (ev.bstate & BUTTON5_PRESSED)
		ui_pane_scroll(ui, &ui->panes[i], -3);
#endif
}

/* Act on one key read from the terminal (is_key: a KEY_* code). */
void
ui_keys_handle(struct ui *ui, int is_key, wint_t wc)
{
	size_t	 i;

	if (ui->show_help) {
		if (ui_help_key(ui, is_key, wc))
			return;
		ui->show_help = 0;
		ui_redraw(ui);
		if (!(is_key && wc == KEY_MOUSE))
			return;
	}
	if (ui->mode == UI_INTERACTIVE) {
		ui_keys_send(ui, is_key, wc);
		return;
	}
	if (ui->prompt) {
		ui_search_key(ui, is_key, wc);
		return;
	}
	if (is_key && wc == KEY_MOUSE) {
		ui_keys_mouse(ui);
		return;
	}
	if (ui->view->key != NULL && ui->view->key(ui, is_key, wc)) {
		ui->status_dirty = 1;
		return;
	}
	for (i = 0; i < nitems(ui_keys_normal); i++) {
		if (ui_keys_normal[i].key == (int)wc &&
		    ui_keys_normal[i].is_key == is_key) {
			ui_keys_normal[i].fn(ui, ui_keys_normal[i].arg);
			ui->status_dirty = 1;
			return;
		}
	}
}
