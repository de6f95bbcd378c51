/*
 * The status bar at the bottom: the mode, the cluster summary
 * ("4 nodes · 3 ready · 1 exited"), the page, and either the latest
 * message or short key hints.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "ui-int.h"
#include "nodemux/util.h"

/* The words of the summary, in the order they are shown. */
static const struct {
	enum node_state	 state;
	const char	*word;
} ui_status_words[] = {
	{ .state = NODE_READY, .word = "ready" },
	{ .state = NODE_RUNNING, .word = "running" },
	{ .state = NODE_STARTING, .word = "starting" },
	{ .state = NODE_PAUSED, .word = "paused" },
	{ .state = NODE_STOPPING, .word = "stopping" },
	{ .state = NODE_BACKOFF, .word = "backoff" },
	{ .state = NODE_STOPPED, .word = "stopped" },
	{ .state = NODE_EXITED, .word = "exited" },
	{ .state = NODE_KILLED, .word = "killed" },
	{ .state = NODE_FAILED, .word = "failed" },
	{ .state = NODE_LOST, .word = "lost" },
};

/* "4 nodes · 3 ready · 1 exited": how many nodes are in each state. */
char *
ui_status_summary(struct cluster *cl)
{
	struct strbuf	 sb = STRBUF_INIT;
	int		 i, j, count, size = cluster_size(cl);

	strbuf_addf(&sb, "%d node%s", size, size == 1 ? "" : "s");
	for (j = 0; j < (int)nitems(ui_status_words); j++) {
		count = 0;
		for (i = 0; i < size; i++) {
			if (cluster_node(cl, i)->state == ui_status_words[j].state)
				count++;
		}
		if (count > 0)
			strbuf_addf(&sb, " \xc2\xb7 %d %s", count,
			    ui_status_words[j].word);
	}
	return strbuf_detach(&sb);
}

/* The mode word shown at the left of the bar. */
static const char *
ui_status_mode(const struct ui *ui)
{
	if (ui->quitting)
		return "QUIT";
	if (ui->mode == UI_INTERACTIVE)
		return "INTERACTIVE";
	if (ui->view == &ui_view_grid && ui->zoom)
		return "ZOOM";
	return ui->view->mode;
}

/* Nodes with a process still running. */
static int
ui_status_alive(struct ui *ui)
{
	int	 i, alive = 0;

	for (i = 0; i < ui->n; i++) {
		if (ui->panes[i].node->pid != 0)
			alive++;
	}
	return alive;
}

/* What the right part of the bar says: a message, or hints. */
static char *
ui_status_note(struct ui *ui)
{
	int	 alive;

	if (ui->quitting) {
		alive = ui_status_alive(ui);
		return xasprintf("stopping %d node%s\xe2\x80\xa6 (q again or Q: "
		    "force)", alive, alive == 1 ? "" : "s");
	}
	if (ui->prompt)
		return xasprintf("/%s", ui->pbuf.len > 0 ? ui->pbuf.buf : "");
	if (ui->msg != NULL && now_ms() < ui->msg_until)
		return xstrdup(ui->msg);
	if (ui->mode == UI_INTERACTIVE)
		return xasprintf("keys go to node %d; Ctrl-] returns",
		    ui->focus + 1);
	return xstrdup("? help  q quit  z zoom  i type  s/x/r start/stop/"
	    "restart  S/X/R all");
}

/*
 * Add s to the bar at column *x, cut at the screen's edge.  The column
 * is counted here, not read back from curses: a window's cursor stays
 * on its last cell once that is written, and what came after would be
 * written over it.
 */
static void
ui_status_add(WINDOW *w, int width, int *x, const char *s)
{
	wchar_t	*ws;
	size_t	 n = strlen(s) + 1, i;
	int	 cw;

	if (*x >= width)
		return;
	ws = xcalloc(n, sizeof *ws);
	if (mbstowcs(ws, s, n) == (size_t)-1) {
		free(ws);
		return;
	}
	for (i = 0; ws[i] != L'\0'; i++) {
		cw = wcwidth(ws[i]);
		if (cw < 0)
			cw = 1;
		if (*x + cw > width)
			break;
		*x += cw;
	}
	if (ws[i] != L'\0')
		*x = width;	/* cut: nothing more fits after it */
	if (i > 0)
		waddnwstr(w, ws, (int)i);
	free(ws);
}

/* Draw the status bar and queue it for the next doupdate. */
void
ui_status_draw(struct ui *ui)
{
	WINDOW	*w = ui->status;
	attr_t	 a;
	int	 pair;
	char	*s;
	int	 x = 0;

	ui->status_dirty = 0;
	if (w == NULL)
		return;
	a = ui_colour_role(UI_ROLE_BAR, &pair);
	wbkgdset(w, ' ' | a);
	werase(w);
	wmove(w, 0, 0);
	a = ui_colour_role(UI_ROLE_MODE, &pair);
	wattr_set(w, a, (short)pair, &pair);
	s = xasprintf(" %s ", ui_status_mode(ui));
	ui_status_add(w, ui->width, &x, s);
	free(s);
	a = ui_colour_role(UI_ROLE_BAR, &pair);
	wattr_set(w, a, (short)pair, &pair);
	s = ui_status_summary(ui->cl);
	ui_status_add(w, ui->width, &x, " ");
	ui_status_add(w, ui->width, &x, s);
	free(s);
	if (ui->lay.pages > 1 && !ui->zoom && !ui->too_small &&
	    ui->view == &ui_view_grid) {
		s = xasprintf("  page %d/%d", ui->page + 1, ui->lay.pages);
		ui_status_add(w, ui->width, &x, s);
		free(s);
	}
	if (!ui->prompt && (s = ui_search_status(ui)) != NULL) {
		ui_status_add(w, ui->width, &x, "  ");
		ui_status_add(w, ui->width, &x, s);
		free(s);
	}
	s = ui_status_note(ui);
	ui_status_add(w, ui->width, &x, "  ");
	ui_status_add(w, ui->width, &x, s);
	free(s);
	if (ui->prompt) {
		/* The prompt's cursor. */
		wattr_set(w, A_NORMAL, 0, NULL);
		ui_status_add(w, ui->width, &x, " ");
	}
	wnoutrefresh(w);
}
