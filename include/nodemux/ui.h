/*
 * The console: an ncurses grid of live node panes.  Only src/ui/ includes
 * curses; the launcher core knows nothing of it.
 */
#ifndef NODEMUX_UI_H
#define NODEMUX_UI_H

#include "nodemux/opts.h"
#include "nodemux/plan.h"

/*
 * Run the console on the terminal for plan: start every node, draw, take
 * keys, until the user quits or a signal asks to; stop every node and
 * restore the terminal.  Returns the exit status (SPEC §7).
 */
int	 ui_run(struct plan *, const struct opts *);

#endif
