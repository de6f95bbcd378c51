/*
 * Unit tests of the console's pure parts: the pane grid and paging, the
 * colour mapping to what a terminal has, and the bytes interactive mode
 * sends for keys, and the uptime in titles and the table.
 */
#include "config.h"

#include <criterion/criterion.h>
#include <locale.h>
#include <string.h>

#include "../src/ui/ui-int.h"
#include "nodemux/line.h"

/* Lay out a full page of n panes in w x h and check it tiles the area. */
static int
place_page(int n, int w, int h, struct ui_grid *g, struct ui_rect *r)
{
	int	 i, j, count, area = 0;

	cr_assert_eq(ui_grid_new(g, n, w, h), 0);
	count = g->per_page;
	ui_grid_place(count, g->maxc, g->maxr, w, h, r);
	for (i = 0; i < count; i++) {
		cr_assert(r[i].w >= UI_PANE_MIN_W && r[i].h >= UI_PANE_MIN_H,
		    "pane %d is %dx%d", i, r[i].w, r[i].h);
		cr_assert(r[i].x >= 0 && r[i].y >= 0 && r[i].x + r[i].w <= w &&
		    r[i].y + r[i].h <= h);
		area += r[i].w * r[i].h;
		for (j = 0; j < i; j++)
			cr_assert(r[i].x >= r[j].x + r[j].w ||
			    r[j].x >= r[i].x + r[i].w ||
			    r[i].y >= r[j].y + r[j].h ||
			    r[j].y >= r[i].y + r[i].h, "panes %d, %d overlap",
			    i, j);
	}
	cr_assert_eq(area, w * h, "the panes cover the screen");
	return count;
}

Test(grid, four_nodes_wide_terminal_two_by_two)
{
	struct ui_grid	 g;
	struct ui_rect	 r[16];

	cr_assert_eq(place_page(4, 160, 47, &g, r), 4);
	cr_assert_eq(g.pages, 1);
	cr_assert_eq(r[0].w, 80);
	cr_assert_eq(r[1].x, 80);
	cr_assert_eq(r[2].y, r[0].h);
}

Test(grid, one_node_fills_the_screen)
{
	struct ui_grid	 g;
	struct ui_rect	 r[1];

	place_page(1, 100, 30, &g, r);
	cr_assert(r[0].w == 100 && r[0].h == 30);
}

Test(grid, three_nodes_last_row_stretches)
{
	struct ui_grid	 g;
	struct ui_rect	 r[3];

	place_page(3, 160, 47, &g, r);
	cr_assert_eq(r[2].w, 160, "the odd pane takes the whole row");
}

Test(grid, wide_terminals_get_more_columns)
{
	struct ui_grid	 g;
	struct ui_rect	 r[8];

	place_page(8, 300, 50, &g, r);
	cr_assert_eq(r[3].y, 0, "4 columns on a 300-column terminal");
	place_page(8, 120, 50, &g, r);
	cr_assert_neq(r[3].y, 0, "fewer columns on a narrow one");
}

Test(grid, twelve_nodes_in_80x24_page)
{
	struct ui_grid	 g;
	struct ui_rect	 r[16];
	int		 count;

	count = place_page(12, 80, 23, &g, r);
	cr_assert(count < 12);
	cr_assert_eq(g.pages, (12 + count - 1) / count);
	cr_assert(g.pages >= 2);
}

Test(grid, too_small)
{
	struct ui_grid	 g;

	cr_assert_eq(ui_grid_new(&g, 4, 29, 40), -1);
	cr_assert_eq(ui_grid_new(&g, 4, 100, 4), -1);
	cr_assert_eq(ui_grid_new(&g, 1, 30, 5), 0);
}

Test(colour, palette_kept_when_the_terminal_has_it)
{
	cr_assert_eq(ui_colour_map(COLOUR_DEFAULT, 256), -1);
	cr_assert_eq(ui_colour_map(COLOUR_PALETTE | 1, 8), 1);
	cr_assert_eq(ui_colour_map(COLOUR_PALETTE | 196, 256), 196);
}

Test(colour, bright_and_256_fall_back_to_nearest_basic)
{
	/* bright red on an 8-colour terminal: red */
	cr_assert_eq(ui_colour_map(COLOUR_PALETTE | 9, 8), 1);
	/* 196 is pure red: bright red with 16 colours */
	cr_assert_eq(ui_colour_map(COLOUR_PALETTE | 196, 16), 9);
	/* 21 is pure blue: xterm's blue (0000ee) is nearer than 12 */
	cr_assert_eq(ui_colour_map(COLOUR_PALETTE | 21, 16), 4);
}

Test(colour, true_colour_to_cube_and_greys)
{
	cr_assert_eq(ui_colour_nearest_256(0xff0000), 196);
	cr_assert_eq(ui_colour_nearest_256(0x000000), 16);
	cr_assert_eq(ui_colour_nearest_256(0x808080), 244);
	cr_assert_eq(ui_colour_map(COLOUR_RGB | 0x00ff00, 256), 46);
	cr_assert_eq(ui_colour_map(COLOUR_RGB | 0x00ff00, 16), 10);
	cr_assert_eq(ui_colour_map(COLOUR_RGB | 0x00ff00, 8), 2);
	cr_assert_eq(ui_colour_256_rgb(231), 0xffffffu);
	cr_assert_eq(ui_colour_256_rgb(232), 0x080808u);
}

Test(encode, keys_become_terminal_bytes)
{
	char	 buf[16];
	size_t	 n;

	n = ui_encode_key(1, KEY_UP, 0, buf, sizeof buf);
	cr_assert(n == 3 && memcmp(buf, "\033[A", 3) == 0);
	n = ui_encode_key(1, KEY_ENTER, 0, buf, sizeof buf);
	cr_assert(n == 1 && buf[0] == '\r');
	n = ui_encode_key(1, KEY_BACKSPACE, 0, buf, sizeof buf);
	cr_assert(n == 1 && buf[0] == 0x7f);
	n = ui_encode_key(0, L'\r', 0, buf, sizeof buf);
	cr_assert(n == 1 && buf[0] == '\r');
	n = ui_encode_key(0, 3, 0, buf, sizeof buf);
	cr_assert(n == 1 && buf[0] == 3, "Ctrl-C goes to the node");
	cr_assert_eq(ui_encode_key(1, KEY_MOUSE, 0, buf, sizeof buf), 0);
}

Test(encode, application_cursor_keys_when_the_program_asks)
{
	char	 buf[16];
	size_t	 n;

	n = ui_encode_key(1, KEY_UP, VT_MODE_APPCURSOR, buf, sizeof buf);
	cr_assert(n == 3 && memcmp(buf, "\033OA", 3) == 0, "DECCKM: SS3 A");
	n = ui_encode_key(1, KEY_LEFT, VT_MODE_APPCURSOR, buf, sizeof buf);
	cr_assert(n == 3 && memcmp(buf, "\033OD", 3) == 0);
	n = ui_encode_key(1, KEY_HOME, VT_MODE_APPCURSOR, buf, sizeof buf);
	cr_assert(n == 3 && memcmp(buf, "\033OH", 3) == 0);
	n = ui_encode_key(1, KEY_PPAGE, VT_MODE_APPCURSOR, buf, sizeof buf);
	cr_assert(n == 4 && memcmp(buf, "\033[5~", 4) == 0,
	    "other keys are the same in both modes");
	n = ui_encode_key(0, 'x', VT_MODE_APPCURSOR, buf, sizeof buf);
	cr_assert(n == 1 && buf[0] == 'x');
}

Test(encode, wide_characters_as_utf8)
{
	char	 buf[16];
	size_t	 n;

	cr_assert_not_null(setlocale(LC_CTYPE, "C.UTF-8"));
	n = ui_encode_key(0, 0x00e9, 0, buf, sizeof buf);
	cr_assert(n == 2 && memcmp(buf, "\xc3\xa9", 2) == 0);
	n = ui_encode_key(0, 0x4e2d, 0, buf, sizeof buf);
	cr_assert(n == 3 && memcmp(buf, "\xe4\xb8\xad", 3) == 0);
}

/* Uptimes: seconds in the first minute, then a unit that changes no
   more than once a minute (as top and ps show a process's time). */
Test(uptime, seconds_then_minutes)
{
	char	 buf[32];

	cr_assert_str_eq(ui_pane_uptime(-5, buf, sizeof buf), "0s");
	cr_assert_str_eq(ui_pane_uptime(42999, buf, sizeof buf), "42s");
	cr_assert_str_eq(ui_pane_uptime(59999, buf, sizeof buf), "59s");
	cr_assert_str_eq(ui_pane_uptime(60000, buf, sizeof buf), "1m");
	cr_assert_str_eq(ui_pane_uptime(192000, buf, sizeof buf), "3m");
	cr_assert_str_eq(ui_pane_uptime(3599999, buf, sizeof buf), "59m");
	cr_assert_str_eq(ui_pane_uptime(7500000, buf, sizeof buf), "2h05m");
	cr_assert_str_eq(ui_pane_uptime(273600000, buf, sizeof buf),
	    "3d04h");
}
