#!/bin/sh
# The all-nodes view (a): one merged tail, each line prefixed with its
# node's name; it scrolls to the top and follows again, and with a search
# and f it shows only the matching lines of every node.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"

# lines_shown: non-empty lines above the status bar.
lines_shown() {
	ui_screen | sed '$d' | grep -c .
}

cfg=$(ui_config ui-shell 24800 24900)
ui_start 160 48 -c "$cfg"
t_check "node 4 printed its lines" ui_wait 10 "line 300 of 300"
ui_remember "$(ui_pid 1)" "$(ui_pid 2)" "$(ui_pid 3)" "$(ui_pid 4)"

ui_keys a
t_check "a: ALL in the status bar" ui_wait 5 " ALL "
t_check "a: no pane borders, one merged view" t_wait_for 5 ui_count_is 0 '┌ [0-9] uish'
t_check "a: node 4's last line, prefixed with its name" \
    ui_wait_re 5 '^uish4 +\| line 300 of 300'
t_check "a: node 1's lines come in too, prefixed" \
    ui_wait_re 5 '^uish1 +\| size [0-9]+ [0-9]+'
t_check "a: it follows node 1's new lines" t_wait_for 5 ui_last_re '^uish1 '

ui_keys g
t_check "g: the oldest line first, with a scrolled marker" ui_wait_re 5 'scrolled -[0-9]+'
t_check "g: the first line is the first hello" \
    t_wait_for 5 ui_first_re '^uish[1-4] +\| hello from uish[1-4]@'
ui_keys G
t_check "G: following again" t_wait_for 5 ui_lacks "scrolled -"

ui_keys /
ui_keys -l 'hello from'
ui_keys Enter f
for i in 1 2 3 4; do
	t_check "filter: node $i's hello is shown" \
	    ui_wait_re 5 "^uish$i +\\| hello from uish$i@127.0.0.1"
done
t_check "filter: nothing else is shown" [ "$(lines_shown)" -eq 4 ]
ui_keys f a
t_check "a again: the grid is back" ui_wait 5 "┌ 4 uish4@127.0.0.1"
t_check "a again: NORMAL mode" ui_wait 5 " NORMAL "

ui_keys q
t_check "q: nodemux exits" t_wait_for 15 ui_exited
t_check "q: exit status 0" [ "$(ui_status)" = 0 ]
ui_finish
