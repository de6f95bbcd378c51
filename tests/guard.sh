#!/bin/sh
# The guard watched (issue 12): kill nodemux's guard process, and nodemux
# starts another and says so in its headless events; then SIGKILL
# nodemux: nothing it started survives, not even children that ignore
# SIGTERM and SIGHUP.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

cfg=$TOP_SRCDIR/tests/data/guard.cfg
GUARD_PIDS=$T_TMP/pids
export GUARD_PIDS
mkdir -p "$GUARD_PIDS"
nm_pid=

cleanup() {
	[ -n "$nm_pid" ] && kill -KILL "$nm_pid" 2>/dev/null
	t_pids_kill "$GUARD_PIDS"
}
trap cleanup EXIT

# guard_of PID: the pid of nodemux PID's guard process.
guard_of() {
	pgrep -P "$1" -x nodemux-guard
}

none_alive() {
	[ "$(ls "$GUARD_PIDS" | wc -l)" -eq 6 ] &&
	    [ -z "$(t_pids_alive "$GUARD_PIDS")" ]
}

started() {
	[ "$(ls "$GUARD_PIDS" | wc -l)" -eq 6 ] &&
	    [ "$(grep -c '| up$' "$T_TMP/up.out")" -eq 3 ]
}

"$NODEMUX" up --headless -c "$cfg" --log-dir "$T_TMP/logs" \
    >"$T_TMP/up.out" 2>&1 &
nm_pid=$!
t_check "three nodes and their TERM-ignoring children started" \
    t_wait_for 10 started
g1=$(guard_of "$nm_pid")
t_check "nodemux has a guard process ($g1)" test -n "$g1"

kill -KILL "$g1"
t_check "the guard's death is said in the headless events" \
    t_wait_for 5 grep -q '^nodemux *| the guard process died: a new one (pid [0-9]*) holds 3 process groups and 3 logs$' "$T_TMP/up.out"
# The new guard names itself just after its fork: wait for the name.
new_guard() {
	g2=$(guard_of "$nm_pid")
	[ -n "$g2" ] && [ "$g2" != "$g1" ]
}
g2=
t_wait_for 3 new_guard
t_check "a new guard runs ($g2)" new_guard
t_check "every node still runs" \
    sh -c "for f in '$GUARD_PIDS'/*; do kill -0 \$(cat \$f) || exit 1; done"

kill -KILL "$nm_pid"
wait "$nm_pid" 2>/dev/null
nm_pid=
t_check "SIGKILL of nodemux: every node and child is gone within 2 s" \
    t_wait_for 2 none_alive
t_diag "left: $(t_pids_alive "$GUARD_PIDS")"
# Gone, or a zombie waiting for an init that reaps slowly.
guard_gone() {
	! t_alive "$g2"
}
t_check "the new guard is gone too" t_wait_for 2 guard_gone
t_done
