/*
 * Search across every node: the / prompt (line editing, history), the
 * compiled pattern and its running match count per node, n / N jumping
 * to the next match in arrival order, and f, the filter.
 */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ui-int.h"
#include "nodemux/screen.h"
#include "nodemux/search.h"
#include "nodemux/util.h"

#define UI_CTRL(c)	((c) & 0x1f)

/* A dropped line no longer counts (scrollback_on_drop). */
static void
ui_search_dropped(void *arg, const struct line *l)
{
	struct ui_pane	*p = arg;
	struct ui	*ui = p->ui;
	size_t		 n;

	if (ui->search == NULL)
		return;
	n = search_count_line(ui->search, l);
	p->matches = p->matches > n ? p->matches - n : 0;
	if (search_line(ui->search, l) && p->matching > 0) {
		p->matching--;
		if (l->seq <= p->cleared && p->matching_before > 0)
			p->matching_before--;
	}
}

/* Matching on pane p's node hit a limit: say so, never a silent miss. */
static void
ui_search_check(struct ui *ui, struct ui_pane *p)
{
	const char	*what;

	if (search_errors(ui->search, &what) == 0)
		return;
	ui_set_message(ui, "/%s: %s on node %d: matches may be missing",
	    search_pattern(ui->search), what, p->node->spec->index);
	search_clear_errors(ui->search);
}

/* Use s (owned from now on) as the search, or none; count the matches. */
static void
ui_search_set(struct ui *ui, struct search *s)
{
	struct ui_pane	*p;
	int		 i;

	if (ui->search != NULL)
		search_free(ui->search);
	ui->search = s;
	ui->mark_seq = 0;
	for (i = 0; i < ui->n; i++) {
		p = &ui->panes[i];
		if (s != NULL)
			search_clear_errors(s);
		p->matches = s != NULL ?
		    search_count_scrollback(s, p->node->sb) : 0;
		p->matching = p->matching_before = 0;
		if (s != NULL) {
			p->matching_before = search_lines_range(s,
			    p->node->sb, 0, ui_pane_first(p));
			p->matching = p->matching_before + search_lines_range(s,
			    p->node->sb, ui_pane_first(p), SIZE_MAX);
		}
		if (s != NULL)
			ui_search_check(ui, p);
		scrollback_on_drop(p->node->sb, ui_search_dropped, p);
	}
	if (s == NULL)
		ui->filter = 0;
	ui_redraw(ui);
}

/* A new line of node i: count its matches. */
void
ui_search_line(struct ui *ui, struct ui_pane *p, const struct line *l)
{
	if (ui->search == NULL)
		return;
	search_clear_errors(ui->search);
	p->matches += search_count_line(ui->search, l);
	if (search_line(ui->search, l))
		p->matching++;
	ui_search_check(ui, p);
}

/* Keep the pattern in the history (newest last, no repeats). */
static void
ui_search_remember(struct ui *ui, const char *pattern)
{
	int	 i;

	for (i = 0; i < ui->nhist; i++) {
		if (strcmp(ui->hist[i], pattern) == 0) {
			free(ui->hist[i]);
			memmove(&ui->hist[i], &ui->hist[i + 1],
			    (ui->nhist - i - 1) * sizeof *ui->hist);
			ui->nhist--;
			break;
		}
	}
	if (ui->nhist == UI_HISTORY) {
		free(ui->hist[0]);
		memmove(&ui->hist[0], &ui->hist[1],
		    (UI_HISTORY - 1) * sizeof *ui->hist);
		ui->nhist--;
	}
	ui->hist[ui->nhist++] = xstrdup(pattern);
}

/* Enter: compile the prompt; an invalid pattern changes nothing. */
static void
ui_search_apply(struct ui *ui)
{
	struct search	*s;
	char		*err = NULL;

	ui->prompt = 0;
	ui->msg_until = 0;	/* an earlier pattern's error is stale now */
	if (ui->pbuf.len == 0) {
		ui_search_set(ui, NULL);
		return;
	}
	ui_search_remember(ui, ui->pbuf.buf);
	s = search_compile(ui->pbuf.buf, SEARCH_SMARTCASE, &err);
	if (s == NULL) {
		ui_set_message(ui, "/%s: %s", ui->pbuf.buf, err);
		free(err);
		return;
	}
	ui_search_set(ui, s);
}

/* Cut the prompt back by one character, or by a word (Ctrl-W). */
static void
ui_search_erase(struct strbuf *sb, int word)
{
	size_t	 n = sb->len;

	if (!word) {
		while (n > 0 && (sb->buf[n - 1] & 0xc0) == 0x80)
			n--;
		if (n > 0)
			n--;
	} else {
		while (n > 0 && sb->buf[n - 1] == ' ')
			n--;
		while (n > 0 && sb->buf[n - 1] != ' ')
			n--;
	}
	sb->len = n;
	if (sb->buf != NULL)
		sb->buf[n] = '\0';
}

/* Up and down in the prompt: older and newer patterns. */
static void
ui_search_history(struct ui *ui, int step)
{
	int	 h = ui->hpos + step;

	if (h < 0 || h > ui->nhist)
		return;
	ui->hpos = h;
	strbuf_reset(&ui->pbuf);
	if (h < ui->nhist)
		strbuf_adds(&ui->pbuf, ui->hist[h]);
}

/* /: open the prompt. */
void
ui_search_open(struct ui *ui)
{
	ui->prompt = 1;
	ui->hpos = ui->nhist;
	strbuf_reset(&ui->pbuf);
	ui->status_dirty = 1;
}

/* A key while the prompt is open. */
void
ui_search_key(struct ui *ui, int is_key, wint_t wc)
{
	char	 buf[MB_LEN_MAX];
	size_t	 n;

	ui->status_dirty = 1;
	if (is_key && wc == KEY_UP)
		ui_search_history(ui, -1);
	else if (is_key && wc == KEY_DOWN)
		ui_search_history(ui, 1);
	else if ((is_key && wc == KEY_BACKSPACE) || (!is_key && (wc == 0x7f ||
	    wc == UI_CTRL('h'))))
		ui_search_erase(&ui->pbuf, 0);
	else if (!is_key && wc == UI_CTRL('w'))
		ui_search_erase(&ui->pbuf, 1);
	else if (!is_key && wc == UI_CTRL('u'))
		strbuf_reset(&ui->pbuf);
	else if (!is_key && (wc == 0x1b || wc == UI_CTRL('c')))
		ui->prompt = 0;
	else if ((is_key && wc == KEY_ENTER) || (!is_key && (wc == '\r' ||
	    wc == '\n')))
		ui_search_apply(ui);
	else if (!is_key && wc >= 0x20 && ui->pbuf.len < 1024 &&
	    (n = ui_encode_key(0, wc, 0, buf, sizeof buf)) > 0)
		strbuf_add(&ui->pbuf, buf, n);
}

/*
 * The next (previous) match from the mark that its pane shows: earlier
 * versions of lines a program rewrote on its screen are passed over,
 * as the panes, the filter and the all-nodes view leave them out.
 * search_next's answer (0 when only hidden lines match).
 */
static int
ui_search_next(struct ui *ui, struct scrollback **sbs, int backward,
    struct search_hit *hit)
{
	uint64_t	 seq = ui->mark_seq, first = 0;
	int		 rc, wrapped = 0;

	for (;;) {
		rc = search_next(ui->search, sbs, ui->n, seq, backward ?
		    SEARCH_BACKWARD : SEARCH_FORWARD, hit);
		if (rc == 0)
			return 0;
		if (rc == 2)
			wrapped = 1;
		if (!screen_hides(ui->panes[hit->which].node->screen,
		    hit->seq))
			return wrapped ? 2 : 1;
		if (first == 0)
			first = hit->seq;
		else if (hit->seq == first)
			return 0;	/* round and back: all hidden */
		seq = hit->seq;
	}
}

/* n / N: focus the next (previous) matching line across the nodes. */
void
ui_search_jump(struct ui *ui, int backward)
{
	struct scrollback	**sbs;
	struct search_hit	  hit;
	int			  i, rc;

	if (ui->search == NULL) {
		ui_set_message(ui, "no search: / sets one");
		return;
	}
	sbs = xcalloc(ui->n, sizeof *sbs);
	for (i = 0; i < ui->n; i++)
		sbs[i] = ui->panes[i].node->sb;
	rc = ui_search_next(ui, sbs, backward, &hit);
	free(sbs);
	if (rc == 0) {
		ui_set_message(ui, "/%s: no match", search_pattern(ui->search));
		return;
	}
	if (rc == 2 && ui->mark_seq != 0)
		ui_set_message(ui, "search wrapped");
	ui->mark_seq = hit.seq;
	ui_layout_focus(ui, (int)hit.which);
	/* The pane shows it when the grid comes back; the view now. */
	ui_pane_reveal(ui, &ui->panes[hit.which], &hit);
	ui->view->show(ui, &hit);
	ui_redraw(ui);
}

/* f: show only matching lines, or everything again. */
void
ui_search_filter(struct ui *ui)
{
	if (ui->search == NULL) {
		ui_set_message(ui, "no search: / sets one, then f filters");
		return;
	}
	ui->filter = !ui->filter;
	ui_redraw(ui);
}

/* "/timeout  n1:3 n2:0" for the status bar; NULL without a search. */
char *
ui_search_status(struct ui *ui)
{
	struct strbuf	 sb = STRBUF_INIT;
	int		 i;

	if (ui->search == NULL)
		return NULL;
	strbuf_addf(&sb, "/%s%s ", search_pattern(ui->search),
	    ui->filter ? " [filter]" : "");
	for (i = 0; i < ui->n; i++)
		strbuf_addf(&sb, " n%d:%llu", i + 1,
		    (unsigned long long)ui->panes[i].matches);
	return strbuf_detach(&sb);
}

/* Free the search, the prompt and the history. */
void
ui_search_free(struct ui *ui)
{
	int	 i;

	if (ui->search != NULL)
		search_free(ui->search);
	ui->search = NULL;
	for (i = 0; i < ui->nhist; i++)
		free(ui->hist[i]);
	ui->nhist = 0;
	strbuf_free(&ui->pbuf);
}
