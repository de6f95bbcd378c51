#!/bin/sh
# Pause in the console (SPEC §12): p pauses the focused node (its title
# says paused, its count stands still) and p again resumes it; P pauses
# every node, P again resumes them; q with paused nodes leaves nothing.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"

cfg=$(ui_config ui-pause 24800 24900)
ui_start 160 48 -c "$cfg"
t_check "both nodes run" ui_wait 10 "2 nodes · 2 running"
p1=$(ui_pid 1) p2=$(ui_pid 2)
ui_remember "$p1" "$p2"

ui_keys 1 p
t_check "p: node 1's title says paused" ui_wait_re 5 '1 uipz1@127.0.0.1  paused'
t_check "p: the status bar counts it" ui_wait 5 "1 paused"
t_check "p: its whole group is stopped" \
    t_wait_for 3 grep -q '^State:.*T (stopped)' "/proc/$p1/status"
t_check "p: node 2 still runs" ui_wait_re 5 '2 uipz2@127.0.0.1  running'
ui_keys p
t_check "p again: node 1 runs again" ui_wait_re 5 '1 uipz1@127.0.0.1  running'
t_check "p again: its process runs" \
    t_wait_for 3 sh -c "! grep -q '^State:.*T (stopped)' /proc/$p1/status"

ui_keys P
t_check "P: both nodes are paused" ui_wait 5 "2 nodes · 2 paused"
t_check "P: one message for both" ui_wait 5 "2 nodes paused"
ui_keys P
t_check "P again: both run again" ui_wait 5 "2 nodes · 2 running"
t_check "P again: one message for both" ui_wait 5 "2 nodes resumed"

ui_keys P
t_check "P: paused again" ui_wait 5 "2 nodes · 2 paused"
ui_keys q
t_check "q with paused nodes: nodemux exits" t_wait_for 10 ui_exited
t_check "q: exit status 0" [ "$(ui_status)" = 0 ]
ui_finish
