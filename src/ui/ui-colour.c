/*
 * Colours: node output carries 16, 256 and true colours (line.h); map
 * each to the nearest the terminal has and hand out colour pairs lazily
 * (ncurses' alloc_pair keeps the cache and reuses the oldest when full).
 */
#include "config.h"

#include <stdlib.h>

#include "ui-int.h"
#include "nodemux/line.h"

static int	ui_colour_on;
static int	ui_colour_count;	/* colours to map to */
static int	ui_colour_direct;	/* colour numbers are RGB values */

/* The classic 16 (xterm's values). */
static const uint32_t ui_colour_16[16] = {
	0x000000, 0xcd0000, 0x00cd00, 0xcdcd00, 0x0000ee, 0xcd00cd,
	0x00cdcd, 0xe5e5e5, 0x7f7f7f, 0xff0000, 0x00ff00, 0xffff00,
	0x5c5cff, 0xff00ff, 0x00ffff, 0xffffff,
};

/* The six levels of each axis of the 256-colour cube. */
static const int ui_colour_cube[6] = { 0, 95, 135, 175, 215, 255 };

/*
 * Start colours when enable is set and the terminal has them.  Direct
 * colour terminals (more than 256 colours) take RGB values as numbers.
 */
void
ui_colour_init(int enable)
{
	ui_colour_on = 0;
	if (!enable || !has_colors() || start_color() == ERR)
		return;
	use_default_colors();
	ui_colour_on = 1;
	ui_colour_count = COLORS;
	ui_colour_direct = COLORS > 256;
}

/* The RGB value of palette entry n (0-255) as xterm shows it. */
uint32_t
ui_colour_256_rgb(int n)
{
	int	 r, g, b, v;

	if (n < 16)
		return ui_colour_16[n < 0 ? 0 : n];
	if (n >= 232) {
		v = 8 + 10 * (n - 232);
		return (uint32_t)(v << 16 | v << 8 | v);
	}
	n -= 16;
	r = ui_colour_cube[n / 36];
	g = ui_colour_cube[(n / 6) % 6];
	b = ui_colour_cube[n % 6];
	return (uint32_t)(r << 16 | g << 8 | b);
}

/* Squared distance between two RGB values. */
static long
ui_colour_dist(uint32_t a, uint32_t b)
{
	long	 dr, dg, db;

	dr = (long)(a >> 16 & 0xff) - (long)(b >> 16 & 0xff);
	dg = (long)(a >> 8 & 0xff) - (long)(b >> 8 & 0xff);
	db = (long)(a & 0xff) - (long)(b & 0xff);
	return dr * dr + dg * dg + db * db;
}

/* The cube level nearest to v (0-255). */
static int
ui_colour_level(int v)
{
	if (v < 48)
		return 0;
	if (v < 115)
		return 1;
	return (v - 35) / 40;
}

/* The palette entry (16-255) nearest to rgb: the cube or the greys. */
int
ui_colour_nearest_256(uint32_t rgb)
{
	int	 r, g, b, cube, grey, avg;

	r = ui_colour_level(rgb >> 16 & 0xff);
	g = ui_colour_level(rgb >> 8 & 0xff);
	b = ui_colour_level(rgb & 0xff);
	cube = 16 + 36 * r + 6 * g + b;
	avg = (int)(((rgb >> 16 & 0xff) + (rgb >> 8 & 0xff) + (rgb & 0xff)) / 3);
	grey = avg > 238 ? 23 : (avg < 8 ? 0 : (avg - 3) / 10);
	grey += 232;
	if (ui_colour_dist(rgb, ui_colour_256_rgb(grey)) <
	    ui_colour_dist(rgb, ui_colour_256_rgb(cube)))
		return grey;
	return cube;
}

/* The entry among the first ncolours (8 or 16) nearest to rgb. */
int
ui_colour_nearest_16(uint32_t rgb, int ncolours)
{
	int	 i, best = 0;
	long	 d, best_d = -1;

	if (ncolours > 16)
		ncolours = 16;
	for (i = 0; i < ncolours; i++) {
		d = ui_colour_dist(rgb, ui_colour_16[i]);
		if (best_d < 0 || d < best_d) {
			best = i;
			best_d = d;
		}
	}
	return best;
}

/*
 * The curses colour for c on a terminal of ncolours colours: -1 for the
 * default, the entry itself when the terminal has it, else the nearest.
 */
int
ui_colour_map(uint32_t c, int ncolours)
{
	uint32_t	 v = COLOUR_VALUE(c);

	switch (COLOUR_KIND(c)) {
	case COLOUR_PALETTE:
		if (v > 255)
			return -1;
		if ((int)v < ncolours && ncolours <= 256)
			return (int)v;
		if (ncolours > 256)
			return v < 8 ? (int)v : (int)ui_colour_256_rgb(v);
		return ui_colour_nearest_16(ui_colour_256_rgb(v), ncolours);
	case COLOUR_RGB:
		if (ncolours > 256)
			return (int)v;
		if (ncolours >= 256)
			return ui_colour_nearest_256(v);
		return ui_colour_nearest_16(v, ncolours);
	}
	return -1;
}

/* A colour pair for fg on bg (line.h colours); 0 without colours. */
int
ui_colour_pair(uint32_t fg, uint32_t bg)
{
	int	 f, b, pair;

	if (!ui_colour_on)
		return 0;
	f = ui_colour_map(fg, ui_colour_direct ? 0x1000000 : ui_colour_count);
	b = ui_colour_map(bg, ui_colour_direct ? 0x1000000 : ui_colour_count);
	if (f == -1 && b == -1)
		return 0;
	pair = alloc_pair(f, b);
	return pair < 0 ? 0 : pair;
}

/* The curses attributes for SGR flags (line.h). */
attr_t
ui_colour_attrs(uint16_t flags)
{
	attr_t	 a = A_NORMAL;

	if (flags & ATTR_BOLD)
		a |= A_BOLD;
	if (flags & ATTR_DIM)
		a |= A_DIM;
	if (flags & ATTR_ITALIC)
		a |= A_ITALIC;
	if (flags & ATTR_UNDERLINE)
		a |= A_UNDERLINE;
	if (flags & ATTR_BLINK)
		a |= A_BLINK;
	if (flags & ATTR_REVERSE)
		a |= A_REVERSE;
	if (flags & ATTR_INVISIBLE)
		a |= A_INVIS;
	return a;
}

/* What a role looks like: attributes, and its pair in *pair. */
static const struct {
	uint32_t	 fg;
	attr_t		 attrs;
	attr_t		 mono;		/* without colours */
} ui_colour_roles[] = {
	[UI_ROLE_GOOD] = { .fg = COLOUR_PALETTE | 2, .mono = A_BOLD },
	[UI_ROLE_WAIT] = { .fg = COLOUR_PALETTE | 3, .mono = A_NORMAL },
	[UI_ROLE_BAD] = { .fg = COLOUR_PALETTE | 1, .attrs = A_BOLD,
	    .mono = A_BOLD | A_UNDERLINE },
	[UI_ROLE_IDLE] = { .attrs = A_DIM, .mono = A_DIM },
	[UI_ROLE_FOCUS] = { .fg = COLOUR_PALETTE | 6, .attrs = A_BOLD,
	    .mono = A_BOLD },
	[UI_ROLE_BAR] = { .attrs = A_REVERSE, .mono = A_REVERSE },
	[UI_ROLE_MODE] = { .fg = COLOUR_PALETTE | 6,
	    .attrs = A_REVERSE | A_BOLD, .mono = A_BOLD },
};

/* The attributes of role, with its colour pair in *pair. */
attr_t
ui_colour_role(enum ui_role role, int *pair)
{
	*pair = 0;
	if (!ui_colour_on)
		return ui_colour_roles[role].mono;
	if (ui_colour_roles[role].fg != COLOUR_DEFAULT)
		*pair = ui_colour_pair(ui_colour_roles[role].fg, COLOUR_DEFAULT);
	return ui_colour_roles[role].attrs;
}

/* The role colouring a node in state s. */
enum ui_role
ui_colour_state_role(enum node_state s)
{
	switch (s) {
	case NODE_READY:
	case NODE_RUNNING:
		return UI_ROLE_GOOD;
	case NODE_STARTING:
	case NODE_STOPPING:
	case NODE_BACKOFF:
	case NODE_PAUSED:
		return UI_ROLE_WAIT;
	case NODE_EXITED:
	case NODE_KILLED:
	case NODE_FAILED:
	case NODE_LOST:
		return UI_ROLE_BAD;
	case NODE_STOPPED:
		break;
	}
	return UI_ROLE_IDLE;
}
