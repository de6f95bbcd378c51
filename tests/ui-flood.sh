#!/bin/sh
# Under a flood of output (two nodes running yes) keys still take effect
# promptly; once every node is stopped the console does not wake up;
# SIGHUP (the terminal went away) stops the nodes and ends nodemux.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"

# wakeups: context switches nodemux has made so far.
wakeups() {
	awk '/^(voluntary|nonvoluntary)_ctxt_switches/ { n += $2 } END { print n }' \
	    "/proc/$UI_PID/status"
}

# ms: milliseconds of the clock.
ms() {
	echo $(( $(date +%s%N) / 1000000 ))
}

cfg=$(ui_config ui-flood 24200 24300)
ui_start 160 48 -c "$cfg"
t_check "both nodes flood their panes" ui_wait 10 "flood line from uifl2@127.0.0.1"
ui_remember "$(ui_pid 1)" "$(ui_pid 2)"

t0=$(ms)
ui_keys z
t_check "z under the flood: ZOOM shows within 2 s" ui_wait 2 " ZOOM "
t_diag "zoom took $(( $(ms) - t0 )) ms"
ui_keys z
t_check "z again: NORMAL within 2 s" ui_wait 2 " NORMAL "
pid2=$(ui_pid 2)
t0=$(ms)
ui_keys 2 x
t_check "x under the flood: node 2 stopped within 5 s" \
    ui_wait_re 5 '2 uifl2@127.0.0.1  stopped'
t_diag "stop took $(( $(ms) - t0 )) ms"
t_check "node 2's process group is gone" t_wait_for 5 ui_group_gone "$pid2"
t_check "node 1 still floods" ui_wait_re 5 '1 uifl1@127.0.0.1  running  pid'

ui_keys X
t_check "X: every node stopped" ui_wait 10 "2 nodes · 2 stopped"
sleep 0.5
before=$(wakeups)
sleep 3
after=$(wakeups)
t_diag "context switches over 3 idle seconds: $((after - before))"
t_check "idle: at most 3 wake-ups in 3 s ($((after - before)))" \
    [ $((after - before)) -le 3 ]

ui_keys S
t_check "S: both nodes flood again" ui_wait 10 "2 nodes · 2 running"
ui_remember "$(ui_pid 1)" "$(ui_pid 2)"
kill -HUP "$UI_PID"
t_check "SIGHUP: nodemux exits" t_wait_for 15 ui_exited
t_check "SIGHUP: exit status 0" [ "$(ui_status)" = 0 ]
t_check "SIGHUP: the alternate screen is left" \
    [ "$(ui_tmux display -p -t t '#{alternate_on}')" = 0 ]
ui_finish
