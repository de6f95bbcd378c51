#!/bin/sh
# 16 sleeping nodes in a 300x150 terminal (panes wide enough for every
# title's uptime and usage, sampled each second): over 5 s the console
# writes to its terminal only the cells of the clocks that moved on
# (digits and their unit letters), at most a few dozen bytes per clock
# and second, and wakes about once a second, not once per node.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"

cfg=$(ui_config ui-idle 24600 24700)
ui_start 300 150 -c "$cfg"
t_check "16 nodes running" ui_wait 10 "16 nodes · 16 running"
t_check "titles show their uptime and usage" ui_wait_re 5 '┌ 16 idle16@127.0.0.1  running  pid [0-9]+  http 24615  dist 24715  ↻0  [0-9]+s  cpu 0% [0-9]+[KM] 0 l/s '
for i in $(seq 16); do
	ui_remember "$(ui_pid "$i")"
done
sleep 1

# wakeups: voluntary context switches of the console so far.
wakeups() {
	awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$UI_PID/status"
}
: >"$T_TMP/out"
ui_tmux pipe-pane -O -t t "cat >>$T_TMP/out"
w0=$(wakeups)
sleep 5
w1=$(wakeups)
ui_tmux pipe-pane -t t
sleep 0.2
bytes=$(wc -c <"$T_TMP/out")
# What is left once escape sequences and control characters are gone:
# the characters drawn.
sed 's/\x1b\[[0-9;?]*[@-~]//g; s/\x1b[()][0-9A-Za-z]//g; s/\x1b[=>78]//g' \
    "$T_TMP/out" | tr -d '\000-\037' >"$T_TMP/drawn"
t_diag "wrote $bytes bytes in 5 s, drawing: $(head -c 300 "$T_TMP/drawn")"
t_check "the clocks moved on (something was written: $bytes bytes)" \
    [ "$bytes" -gt 0 ]
t_check "at most 40 bytes per clock and second ($bytes bytes for 16 clocks, 5 s)" \
    [ "$bytes" -le $((16 * 6 * 40)) ]
t_check "only clock cells were drawn (digits, d h m s, spaces)" \
    eval '! LC_ALL=C grep -q "[^0-9dhms ]" "$T_TMP/drawn"'
t_check "the console woke about once a second ($((w1 - w0)) times in 5 s)" \
    [ $((w1 - w0)) -le 10 ]
ui_keys q
t_check "q: nodemux exits 0" t_wait_for 10 ui_exited
t_check "q: exit status 0" [ "$(ui_status)" = 0 ]
ui_finish
