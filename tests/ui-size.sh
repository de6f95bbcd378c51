#!/bin/sh
# Pane sizes reach the nodes: a node running `stty size` in a loop
# reports its pane's inner size, the zoomed size when zoomed, and the new
# size after the terminal is resized; a terminal too small for a pane
# gets a clear screen saying so, and the grid comes back after.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"

# size_is "ROWS COLS": node 1 (the leftmost pane) last reported that size.
size_is() {
	got=$(ui_screen | grep -oE '^│size [0-9]+ [0-9]+' | tail -1 |
	    sed 's/^│size //')
	[ "$got" = "$1" ]
}

cfg=$(ui_config ui-shell 23600 23700)
# LINES and COLUMNS in the environment (a script's own variables, once
# exported) do not change the console's size: the terminal's does.
export LINES=100000 COLUMNS=7
ui_start 160 48 -c "$cfg"
unset LINES COLUMNS
t_check "node 1 runs, whatever LINES and COLUMNS say" \
    ui_wait 10 "hello from uish1@127.0.0.1"
ui_remember "$(ui_pid 1)" "$(ui_pid 2)" "$(ui_pid 3)" "$(ui_pid 4)"

# 160x48 less the status bar: 2x2 panes of 80x24 (and 80x23), so node
# 1's pty is 22x78 inside the border.
t_check "grid: node 1's pty is its pane's inner size, 22x78" \
    t_wait_for 5 size_is "22 78"
t_diag "$(ui_screen | head -4)"

ui_keys 1 z
t_check "zoom: one pane fills the screen" ui_wait 5 "ZOOM"
t_check "zoom: no other pane is drawn" t_wait_for 5 ui_count_is 1 '┌ [0-9] uish'
t_check "zoom: node 1's pty is 45x158" t_wait_for 5 size_is "45 158"

ui_tmux resize-window -t t -x 120 -y 40
t_check "resize to 120x40 while zoomed: 37x118" t_wait_for 5 size_is "37 118"

ui_keys z
t_check "unzoom: NORMAL mode again" ui_wait 5 "NORMAL"
t_check "unzoom: four panes again" t_wait_for 5 ui_count_is 4 '┌ [0-9] uish'
t_check "unzoom at 120x40: node 1 back to its pane, 18x58" \
    t_wait_for 5 size_is "18 58"

ui_tmux resize-window -t t -x 24 -y 8
t_check "24x8: terminal too small" ui_wait 5 "terminal too small"
t_check "24x8: nodemux still runs" t_alive "$UI_PID"
t_check "24x8: the status bar is cut at its edge, not written over there" \
    t_wait_for 5 eval 'ui_screen | tail -1 | grep -qE "^ NORMAL  4 nodes · [0-9] [a-z]+\$"' ||
    t_diag "$(ui_screen | tail -1)"

ui_tmux resize-window -t t -x 160 -y 48
t_check "160x48 again: the grid is back" ui_wait 5 "┌ 4 uish4@127.0.0.1"
t_check "160x48 again: node 1 is 22x78 again" t_wait_for 5 size_is "22 78"

ui_keys q
t_check "q: nodemux exits 0" t_wait_for 15 ui_exited
t_check "q: exit status 0" [ "$(ui_status)" = 0 ]
ui_finish
