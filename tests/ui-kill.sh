#!/bin/sh
# Nodes that ignore SIGTERM: x leaves a node stopping, x again kills it
# at once; q shows "stopping N nodes…" while they hold out, and Q kills
# them and leaves.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"

cfg=$(ui_config ui-stubborn 24600 24700)
ui_start 160 48 -c "$cfg"
t_check "both nodes run" ui_wait 10 "2 nodes · 2 running"
p1=$(ui_pid 1) p2=$(ui_pid 2)
ui_remember "$p1" "$p2"

ui_keys 1 x
t_check "x: node 1 is stopping" ui_wait_re 5 '1 uist1@127.0.0.1  stopping'
sleep 1
t_check "x: it ignores SIGTERM and keeps stopping" \
    ui_wait_re 5 '1 uist1@127.0.0.1  stopping'
ui_keys x
t_check "x again: node 1 is stopped at once" \
    ui_wait_re 5 '1 uist1@127.0.0.1  stopped'
t_check "x again: the status bar says it took SIGKILL" \
    ui_wait 5 "killed by SIGKILL"
t_check "x again: its process group is gone" t_wait_for 5 ui_group_gone "$p1"

ui_keys q
t_check "q: the status bar says it is stopping 1 node" \
    ui_wait 5 "stopping 1 node"
sleep 1
t_check "q: nodemux waits for the node" t_alive "$UI_PID"
ui_keys Q
t_check "Q: nodemux exits at once" t_wait_for 5 ui_exited
t_check "Q: exit status 0" [ "$(ui_status)" = 0 ]
t_check "Q: node 2 was killed" t_wait_for 5 ui_group_gone "$p2"
ui_finish
