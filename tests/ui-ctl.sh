#!/bin/sh
# The console listens on its control socket: nodemux ctl status lists its
# nodes, ctl stop changes a pane, a second console on the same socket is
# refused with exit 2, and ctl quit ends the console cleanly.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"
sock=$T_TMP/ui.sock

cfg=$(ui_config ui-shell 25000 25100)
ui_start 160 48 -c "$cfg" --socket "$sock"
t_check "the console runs" ui_wait 10 "4 nodes · 4 running"
ui_remember "$(ui_pid 1)" "$(ui_pid 2)" "$(ui_pid 3)" "$(ui_pid 4)"
t_check "it listens on --socket" t_wait_for 5 test -S "$sock"

"$NODEMUX" ctl --socket "$sock" status >"$T_TMP/status" 2>&1
t_check "ctl status answers" [ $? -eq 0 ]
t_check "ctl status lists node 3 as running" \
    grep -qE 'uish3@127.0.0.1.*running' "$T_TMP/status"
t_diag "$(cat "$T_TMP/status")"

"$NODEMUX" ctl --socket "$sock" stop 2 >/dev/null 2>&1
t_check "ctl stop 2: the console shows node 2 stopped" \
    ui_wait_re 10 '2 uish2@127.0.0.1  stopped'

# A second console on the same socket, in another tmux window.
ui_tmux new-window -d -t t "env TERM=tmux-256color $NODEMUX -c $cfg --socket $sock 2>$T_TMP/second; echo \$? >$T_TMP/rc2"
if ! t_wait_for 10 test -s "$T_TMP/rc2"; then
	# It did not refuse: end it (by pid) so that it does not linger.
	sh2=$(ui_tmux display -p -t t:1 '#{pane_pid}')
	for p in $(pgrep -P "$sh2"); do kill -TERM "$p"; done
	t_wait_for 10 test -s "$T_TMP/rc2"
fi
t_check "a second console on the same socket exits 2 ($(cat "$T_TMP/rc2"))" \
    [ "$(cat "$T_TMP/rc2")" = 2 ]
t_check "it says one is already running" grep -q "already running" "$T_TMP/second"
"$NODEMUX" ctl --socket "$sock" status >/dev/null 2>&1
t_check "the first console still answers" [ $? -eq 0 ]

"$NODEMUX" ctl --socket "$sock" quit >/dev/null 2>&1
t_check "ctl quit: the console exits" t_wait_for 15 ui_exited
t_check "ctl quit: exit status 0" [ "$(ui_status)" = 0 ]
t_check "ctl quit: the alternate screen is left" \
    [ "$(ui_tmux display -p -t t '#{alternate_on}')" = 0 ]
t_check "the socket is removed" [ ! -e "$sock" ]
ui_finish
