#!/bin/sh
# 12 nodes in an 80x24 terminal: the grid pages instead of drawing
# slivers (every pane at least 30 columns wide, `page 1/2` in the status
# bar; titles too long for a pane give up the host, not the ports); ] and [ turn pages, Tab and digits focus across pages; SIGTERM
# stops every node and restores the terminal.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"

# widths_ok: every pane's top border on the screen is at least 30 wide.
widths_ok() {
	ui_screen | grep -oE '┌[^┐]*┐' | while read -r b; do
		[ "$(printf '%s' "$b" | wc -m)" -ge 30 ] || exit 1
	done
}

cfg=$(ui_config ui-shell 24000 24100)
ui_start 80 24 -c "$cfg" -n 12
t_check "status bar: 12 nodes, page 1/2" ui_wait_re 10 '12 nodes .* page 1/2'
t_check "page 1 shows node 1" ui_wait 5 "┌ 1 uish1  "
t_check "page 1 does not show node 12" ui_lacks "12 uish12  "
t_check "no pane narrower than 30 columns" widths_ok
t_check "narrow titles keep index, name, state and both ports" \
    ui_wait_re 5 '┌ 1 uish1  [a-z]+  24000/24100 '
t_diag "$(ui_screen)"
for i in 1 2 3 4 5 6 7 8; do
	ui_remember "$(ui_pid $i)"
done

ui_keys ]
t_check "]: page 2/2" ui_wait 5 "page 2/2"
t_check "]: node 12 is shown" ui_wait 5 "┌ 12 uish12  "
t_check "]: node 1 is not" ui_lacks "┌ 1 uish1  "
t_check "page 2: no pane narrower than 30 columns" widths_ok
for i in 9 10 11 12; do
	ui_remember "$(ui_pid $i)"
done
ui_keys [
t_check "[: back to page 1/2" ui_wait 5 "page 1/2"
ui_keys 9
t_check "9 focuses node 9, turning the page" ui_wait 5 "page 2/2"
ui_keys Tab Tab Tab Tab
t_check "Tab past node 12 wraps to node 1 on page 1" ui_wait 5 "page 1/2"

kill -TERM "$UI_PID"
t_check "SIGTERM: nodemux exits" t_wait_for 15 ui_exited
t_check "SIGTERM: exit status 0" [ "$(ui_status)" = 0 ]
t_check "SIGTERM: the alternate screen is left" \
    [ "$(ui_tmux display -p -t t '#{alternate_on}')" = 0 ]
ui_finish
