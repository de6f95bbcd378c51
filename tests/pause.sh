#!/bin/sh
# Pause (SPEC §12): ctl pause|resume N|all against a headless console:
# SIGSTOP/SIGCONT to the node's whole group, state "paused" in ctl status
# and headless events, the log stops growing while paused and grows again
# after resume; quit with a paused node leaves nothing running.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

cfg=$TOP_SRCDIR/tests/data/pause.cfg
logs=$T_TMP/logs
nm_pid=
groups=

cleanup() {
	[ -n "$nm_pid" ] && kill -KILL "$nm_pid" 2>/dev/null
	for g in $groups; do kill -KILL -- "-$g" 2>/dev/null; done
}
trap cleanup EXIT

ctl() {
	"$NODEMUX" ctl -c "$cfg" "$@"
}

# field N NAME: node N's NAME from ctl status --json.
field() {
	ctl status --json | sed -n "s/^{\"index\":$1,.*\"$2\":\"\{0,1\}\([^\",]*\).*/\1/p"
}

both_running() {
	[ "$(ctl status --json | grep -c '"state":"running"')" = 2 ]
}

# lines N: how many lines node N's log holds.
lines() {
	wc -l <"$logs/pz$1@127.0.0.1.log"
}

# grows N: does node N's log grow within half a second?
grows() {
	g0=$(lines "$1")
	sleep 0.5
	[ "$(lines "$1")" -gt "$g0" ]
}

# group_empty PGID: no process is left in the group (a zombie waiting
# for an init that reaps slowly is gone).
group_empty() {
	for p in $(pgrep -g "$1"); do
		t_alive "$p" && return 1
	done
	return 0
}

# group_stopped PGID: every process of the group stopped (T), or a
# zombie its stopped parent has not reaped (it runs no more either)?
group_stopped() {
	for p in $(ps -o pid= -g "$1"); do
		grep -qE '^State:.*(T \(stopped\)|Z \(zombie\))' \
		    "/proc/$p/status" || return 1
	done
}

"$NODEMUX" up --headless -c "$cfg" --log-dir "$logs" >"$T_TMP/up.out" \
    2>"$T_TMP/up.err" &
nm_pid=$!
t_check "two counting nodes run" t_wait_for 10 both_running
g1=$(field 1 pid) g2=$(field 2 pid)
groups="$g1 $g2"
t_wait_for 5 sh -c "[ \$(ps -o pid= -g $g1 | wc -l) -ge 3 ]"
t_check "node 1's log grows" grows 1

# 1. pause 1: state paused, the whole group stopped, the log stands still.
ctl pause 1
t_check "ctl pause 1 exits 0" test $? -eq 0
t_check "ctl status says node 1 is paused" test "$(field 1 state)" = paused
t_check "the table says so too" sh -c "\"$NODEMUX\" ctl -c '$cfg' status | grep -q '^1 .* paused '"
t_check "every process of node 1's group is stopped" \
    t_wait_for 3 group_stopped "$g1"
sleep 0.2	# what was written before the stop reaches the log
n0=$(lines 1); sleep 1; n1=$(lines 1)
t_check "node 1's log holds $n0 lines, a second later $n1" test "$n0" = "$n1"
t_check "node 2 is still running and counting" sh -c "[ \"\$(\"$NODEMUX\" ctl -c '$cfg' status --json | sed -n 's/^{\"index\":2,.*\"state\":\"\([a-z]*\)\".*/\1/p')\" = running ]"
t_check "node 2's log grows meanwhile" grows 2
ctl pause 1 2>"$T_TMP/again.err"
t_check "pausing it again is refused (exit 1)" test $? -eq 1
t_check "saying it is already paused" grep -q 'already paused' "$T_TMP/again.err"

# 2. resume 1: running again, the log grows again.
ctl resume 1
t_check "ctl resume 1 exits 0" test $? -eq 0
t_check "node 1 is running again" test "$(field 1 state)" = running
t_check "node 1's log grows again after resume" grows 1
ctl resume 1 2>"$T_TMP/notp.err"
t_check "resuming a running node is refused (exit 1)" test $? -eq 1
t_check "saying it is not paused" grep -q 'not paused' "$T_TMP/notp.err"
t_check "headless events say paused and resumed" sh -c \
    "grep -q '^nodemux *| pz1 paused' '$T_TMP/up.out' && grep -q '^nodemux *| pz1 resumed' '$T_TMP/up.out'"

# 3. pause all, then quit: nothing of either node is left running.
ctl pause all >/dev/null
t_check "pause all pauses both" sh -c "[ \"\$(\"$NODEMUX\" ctl -c '$cfg' status --json | grep -c '\"state\":\"paused\"')\" = 2 ]"
# A child that exited just as its parent was stopped stays a zombie
# until the parent runs again: it runs no more than a stopped one.
t_check "every process of both groups is stopped" \
    t_wait_for 3 sh -c "for p in \$(ps -o pid= -g $g1) \$(ps -o pid= -g $g2); do grep -qE '^State:.*(T \(stopped\)|Z \(zombie\))' /proc/\$p/status || exit 1; done" ||
    t_diag "$(ps -o pid,pgid,stat,args -g "$g1,$g2")"
ctl quit >/dev/null
t_check "quit with paused nodes ends nodemux" t_wait_for 10 sh -c "! kill -0 $nm_pid"
wait "$nm_pid"
t_check "headless up exits 0 (stopped on request)" test $? -eq 0
t_check "nothing of node 1's group is left" t_wait_for 2 group_empty "$g1"
t_check "nothing of node 2's group is left" t_wait_for 2 group_empty "$g2"
t_check "the paused nodes were stopped, not lost" \
    grep -q 'pz1 stopped' "$T_TMP/up.out"
nm_pid=
t_done
