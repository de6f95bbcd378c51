/*
 * The console's own declarations, shared by the files of src/ui/ only:
 * the console state, the pane grid, drawing, keys and colours.
 */
#ifndef NODEMUX_UI_INT_H
#define NODEMUX_UI_INT_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#include "nodemux/cluster.h"
#include "nodemux/ctl.h"
#include "nodemux/runtime.h"
#include "nodemux/opts.h"
#include "nodemux/plan.h"
#include "nodemux/search.h"
#include "nodemux/util.h"

/* The smallest pane worth drawing, border included (30x5: 3 lines). */
#define UI_PANE_MIN_W	30
#define UI_PANE_MIN_H	5
/* Frames are at least this far apart (about 60 per second)... */
#define UI_FRAME_MS	16
/* ...or this far (20 a second) while the nodes print more than
   UI_FLOOD_LINES lines between two frames and no key (or resize) came in
   the last UI_KEY_FRAMES_MS: each frame of a flood redraws every pane it
   touches, for ncurses and the terminal to compare and parse again,
   faster than anyone reads, while what a key changes, and a node's echo
   of what is typed to it, shows at once. */
#define UI_FLOOD_FRAME_MS	50
#define UI_FLOOD_LINES		256
#define UI_KEY_FRAMES_MS	500
/* Search patterns remembered for the prompt's history. */
#define UI_HISTORY	32
/* How long a message stays in the status bar. */
#define UI_MESSAGE_MS	5000

struct ui_rect {
	int	y, x, h, w;
};

/* How the panes are spread over the screen and its pages. */
struct ui_grid {
	int	per_page;	/* panes on a full page */
	int	pages;
	int	maxc, maxr;	/* columns and rows that fit at minimum size */
};

enum ui_mode {
	UI_NORMAL,
	UI_INTERACTIVE,
};

/* Where the lines of a pane (or the all-nodes view) go as they are drawn. */
struct ui_pane_cursor {
	WINDOW	*win;
	int	 y0, x0;	/* the inside's top left */
	int	 rows, cols;	/* the inside's size */
	int	 row;		/* row of the current line's start */
	int	 skip;		/* rows of the first line cut off above */
	struct search *search;	/* highlight its matches, or NULL */
	int	 filter;	/* show only lines that match it */
	uint64_t mark_seq;	/* the line n / N went to */
	const struct screen *screen; /* hides the lines it took over */
};

struct ui;
struct ui_pane;

/* What the scroll keys do. */
enum ui_scroll {
	UI_SCROLL_PAGE_UP,
	UI_SCROLL_PAGE_DOWN,
	UI_SCROLL_HALF_UP,
	UI_SCROLL_HALF_DOWN,
	UI_SCROLL_TOP,
	UI_SCROLL_FOLLOW,
};

/*
 * A view: what the screen above the status bar shows (the grid of panes,
 * the all-nodes tail, the table).  Switching views, drawing, keys,
 * scrolling, new lines and search hits go through these entries, so a
 * new view is one more of them, not a branch in every file.
 */
struct ui_view {
	const char	*mode;		/* the status bar's mode word */
	int		 full;		/* draws into ui->viewwin, the whole
					   screen above the bar (no panes) */
	/* Draw what is dirty and queue it (wnoutrefresh). */
	void		(*draw)(struct ui *, int64_t now);
	/* A key the view takes before the common bindings: 1 if taken. */
	int		(*key)(struct ui *, int is_key, wint_t wc);
	/* PgUp, PgDn, C-u, C-d, Home, End. */
	void		(*page)(struct ui *, enum ui_scroll);
	/* A completed line of pane p's node; NULL: nothing to do (a view
	   with a line hook takes every line while shown, which costs a
	   flood's every line: ui_lines_follow).  With a search, a line
	   marks a full view dirty anyway (its counts may change). */
	void		(*line)(struct ui *, struct ui_pane *,
			    const struct line *);
	/* n / N landed on a line: show it. */
	void		(*show)(struct ui *, const struct search_hit *);
	/* Once a second while ticks() says so: clocks and usages. */
	int		(*ticks)(const struct ui *);
	void		(*tick)(struct ui *, int64_t now);
};
extern const struct ui_view ui_view_grid, ui_view_all, ui_view_table;

#define UI_PANE_CLOCK	0x1
#define UI_PANE_USAGE	0x2

struct ui_pane {
	struct ui	*ui;
	struct node	*node;
	int		 index;		/* 0-based */
	WINDOW		*win;		/* NULL when not on screen */
	struct ui_rect	 rect;		/* where it goes on its page */
	int		 dirty;
	int		 title_dirty;	/* only the title's text changed */
	char		*title;		/* the title as last drawn */
#define UI_PANE_TITLE_KEY 8
	int64_t		 title_key[UI_PANE_TITLE_KEY]; /* what it was made of */
	int		 title_stale;	/* the node changed since */
	int		 title_clock;	/* UI_PANE_CLOCK: it shows a clock
					   (uptime); UI_PANE_USAGE: the
					   node's usage, sampled each tick */
	size_t		 scroll;	/* lines above the bottom; 0 follows */
	uint64_t	 cleared;	/* c: lines up to this seq are not
					   shown (the scrollback keeps them) */
	int		 rows, cols;	/* pty size last given */
	uint64_t	 matches;	/* of the search, in the scrollback */
	size_t		 matching;	/* lines with a match */
	size_t		 matching_before; /* ...of them up to c's mark */
};

struct ui {
	struct plan		*plan;
	const struct opts	*opts;
	struct runtime		*rt;		/* loop, cluster, signals, ctl */
	struct loop		*loop;		/* the runtime's */
	struct cluster		*cl;		/* the runtime's */
	struct cluster_sub	*lines;		/* while lines are news:
						   ui_lines_follow */
	FILE			*in;		/* keys come from it */
	FILE			*tty;		/* /dev/tty, opened when
						   stdin is not a terminal */
	int			 n;
	struct ui_pane		*panes;
	WINDOW			*status;
	WINDOW			*overlay;	/* help or "too small" */
	int			 width, height;
	struct ui_grid	 lay;
	int			 too_small;
	int			 page;
	int			 focus;
	int			 zoom;
	enum ui_mode		 mode;
	int			 show_help;
	int			 help_top;	/* its first line shown */
	int			 quitting;	/* shutdowns asked for */
	int			 ended;		/* every node has ended */
	char			*msg;
	int64_t			 msg_until;
	uint64_t		 msg_timer;
	int			 relayout;	/* windows must be rebuilt */
	int			 status_dirty;
	int			 full;		/* everything must be drawn */
	int64_t			 last_frame_ms;
	uint64_t		 frame_lines;	/* cluster_lines() then */
	int64_t			 key_ms;	/* last key or resize */
	uint64_t		 frame_timer;
	int64_t			 frame_due;	/* frame_timer's */
	uint64_t		 tick_timer;	/* the titles' clock */
	int64_t			 start_ms;	/* when the console started */
	int			 colour;
	struct search		*search;	/* NULL: none */
	int			 filter;	/* f: only matching lines */
	uint64_t		 mark_seq;	/* line n / N went to */
	int			 prompt;	/* the / prompt is open */
	struct strbuf		 pbuf;		/* what it holds */
	char			*hist[UI_HISTORY];
	int			 nhist;
	int			 hpos;
	const struct ui_view	*view;		/* never NULL */
	WINDOW			*viewwin;	/* a full view's window */
	int			 view_dirty;	/* the full view must be drawn */
	int			 view_blank;	/* its window is new or must be
						   cleared: draw all of it */
	size_t			 all_scroll;	/* a: lines below the view */
	int			 table_sort;	/* t: the column sorted by */
	int			 table_top;	/* t: the first row shown */
};

/* ui.c */
void	 ui_redraw(struct ui *);
void	 ui_lines_follow(struct ui *);
void	 ui_set_message(struct ui *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 ui_quit(struct ui *, int force);

/* ui-grid.c */
int	 ui_grid_new(struct ui_grid *, int n, int w, int h);
void	 ui_grid_place(int count, int maxc, int maxr, int w, int h,
	    struct ui_rect *);

/* ui-layout.c */
void	 ui_layout_apply(struct ui *);
int	 ui_layout_page_of(const struct ui *, int i);
void	 ui_layout_focus(struct ui *, int i);
int	 ui_layout_neighbour(const struct ui *, int dy, int dx);
int	 ui_layout_hit(const struct ui *, int y, int x);

/* ui-pane.c */
void	 ui_pane_draw(struct ui *, struct ui_pane *);
int	 ui_pane_walk(struct ui_pane_cursor *, const struct line *, int draw);
int	 ui_pane_inner(const struct ui_pane *, int *rows, int *cols);
size_t	 ui_pane_first(const struct ui_pane *);
void	 ui_pane_scroll(struct ui *, struct ui_pane *, long delta);
void	 ui_pane_reveal(struct ui *, struct ui_pane *,
	    const struct search_hit *);
char	*ui_pane_title(const struct node *, int64_t now, int width,
	    int *clock);
int	 ui_pane_title_changed(struct ui_pane *, int64_t now);
void	 ui_pane_draw_title(struct ui *, struct ui_pane *, int64_t now);
char	*ui_pane_uptime(int64_t ms, char *buf, size_t len);

/* ui-screen.c */
int	 ui_screen_draw(struct ui_pane *, struct ui_pane_cursor *);
size_t	 ui_screen_tail(struct ui_pane *, const struct line **, size_t max);
void	 ui_screen_cursor(struct ui *, struct ui_pane *,
	    struct ui_pane_cursor *);
unsigned ui_screen_modes(struct node *);
void	 ui_screen_paste(int on);
void	 ui_screen_focused(struct ui *, struct ui_pane *);

/* ui-status.c */
void	 ui_status_draw(struct ui *);
char	*ui_status_summary(struct cluster *);

/* ui-keys.c */
void	 ui_keys_handle(struct ui *, int is_key, wint_t wc);
void	 ui_keys_mouse(struct ui *);

/* ui-encode.c */
size_t	 ui_encode_key(int is_key, wint_t wc, unsigned modes, char *buf,
	    size_t len);

/* ui-search.c */
void	 ui_search_open(struct ui *);
void	 ui_search_key(struct ui *, int is_key, wint_t wc);
void	 ui_search_line(struct ui *, struct ui_pane *, const struct line *);
void	 ui_search_jump(struct ui *, int backward);
void	 ui_search_filter(struct ui *);
char	*ui_search_status(struct ui *);
void	 ui_search_free(struct ui *);

/* ui-view.c: switching views, and the grid's view */
void	 ui_view_set(struct ui *, const struct ui_view *);
void	 ui_view_toggle(struct ui *, const struct ui_view *);
int	 ui_view_rows(const struct ui *);

/* ui-help.c */
void	 ui_help_draw(struct ui *);
int	 ui_help_key(struct ui *, int is_key, wint_t wc);
void	 ui_help_too_small(struct ui *);

/* ui-colour.c */
void	 ui_colour_init(int enable);
int	 ui_colour_pair(uint32_t fg, uint32_t bg);
attr_t	 ui_colour_attrs(uint16_t flags);
uint32_t ui_colour_256_rgb(int n);
int	 ui_colour_nearest_256(uint32_t rgb);
int	 ui_colour_nearest_16(uint32_t rgb, int ncolours);
int	 ui_colour_map(uint32_t c, int ncolours);

/* Colours of the console's own parts. */
enum ui_role {
	UI_ROLE_GOOD,		/* ready, running */
	UI_ROLE_WAIT,		/* starting, stopping, backoff */
	UI_ROLE_BAD,		/* exited, killed, failed */
	UI_ROLE_IDLE,		/* stopped */
	UI_ROLE_FOCUS,		/* the focused border */
	UI_ROLE_BAR,		/* the status bar */
	UI_ROLE_MODE,		/* the mode in the status bar */
};
attr_t	 ui_colour_role(enum ui_role, int *pair);
enum ui_role ui_colour_state_role(enum node_state);

#endif
