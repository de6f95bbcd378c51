#!/bin/sh
# nodemux exec (SPEC §1, §7): CMD runs once every node is ready, with the
# cluster's variables, its status becomes ours; a cluster that cannot be
# made ready is 125 with the nodes, their state and last lines; nothing
# survives either way.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

cfg=$TOP_SRCDIR/tests/data/front-exec.cfg
FRONT_PIDS=$T_TMP/pids
export FRONT_PIDS
mkdir -p "$FRONT_PIDS"
nm_pid=

# Kill whatever a failed test point may have left.
cleanup() {
	[ -n "$nm_pid" ] && kill -KILL "$nm_pid" 2>/dev/null
	t_pids_kill "$FRONT_PIDS"
}
trap cleanup EXIT

# none_alive: no node or grandchild of the last run is alive.
none_alive() {
	[ -z "$(t_pids_alive "$FRONT_PIDS")" ]
}

# 1. CMD's status, its environment, nodes ready before it runs.
cat >"$T_TMP/cmd.sh" <<'EOF'
# The CMD of exec.sh: what it sees, then how many logs say "ready".
printf 'nodes=%s\nsize=%s\nnm_nodes=%s\nhttp=%s\ndist=%s\ncookie=%s/%s\n' \
    "$CLUSTER_NODES" "$CLUSTER_SIZE" "$NODEMUX_NODES" "$NODEMUX_HTTP_PORTS" \
    "$NODEMUX_DIST_PORTS" "$NODEMUX_COOKIE" "$COOKIE"
printf 'node4=%s %s %s\n' "$NODEMUX_NODE4_NAME" "$NODEMUX_NODE4_HTTP_PORT" \
    "$NODEMUX_NODE4_DIST_PORT"
printf 'ready=%s\n' "$(grep -lx ready "$1"/*.log | wc -l)"
exit 7
EOF
FRONT_MODE=stay "$NODEMUX" exec -n 4 --log-dir "$T_TMP/logs" -c "$cfg" -- \
    sh "$T_TMP/cmd.sh" "$T_TMP/logs" >"$T_TMP/out" 2>"$T_TMP/err"
t_check "exec returns CMD's status (7)" test $? -eq 7
n="fx1@127.0.0.1,fx2@127.0.0.1,fx3@127.0.0.1,fx4@127.0.0.1"
cat >"$T_TMP/want" <<EOF
nodes=$n
size=4
nm_nodes=$n
http=27300,27301,27302,27303
dist=27400,27401,27402,27403
cookie=front_cookie/front_cookie
node4=fx4@127.0.0.1 27303 27403
ready=4
EOF
t_check "CMD sees the names, size, ports and cookie; every node was ready" \
    cmp -s "$T_TMP/want" "$T_TMP/out"
diff "$T_TMP/want" "$T_TMP/out" | t_diag "$(cat)"
t_check "node output stays off stdout (only CMD's is there)" \
    sh -c "! grep -qx ready '$T_TMP/out'"
t_check "the events go to stderr" \
    grep -q '^nodemux | all 4 nodes ready in [0-9.]*s: running sh$' "$T_TMP/err"
t_check "nothing survives exec" t_wait_for 1 none_alive

# CMD inherits the descriptors nodemux was given, nothing of its own
# (ptys, signalfd, log files).
sh -c 'ls /proc/$$/fd' >"$T_TMP/fds0" 2>/dev/null
FRONT_MODE=stay "$NODEMUX" exec -n 2 --log-dir "$T_TMP/logs" -c "$cfg" -- \
    sh -c 'ls /proc/$$/fd' >"$T_TMP/fds" 2>/dev/null
t_check "CMD gets the descriptors nodemux got, none of its own" \
    cmp -s "$T_TMP/fds0" "$T_TMP/fds"
t_diag "CMD's fds: $(tr '\n' ' ' <"$T_TMP/fds"), without nodemux: $(tr '\n' ' ' <"$T_TMP/fds0")"

# 2. CMD killed by a signal: 128 + the signal.
FRONT_MODE=stay "$NODEMUX" exec -n 2 -c "$cfg" -- sh -c 'kill -TERM $$' \
    >/dev/null 2>&1
t_check "CMD killed by SIGTERM: exit status 143" test $? -eq 143

# 3. A node that never becomes ready: 125, named, with its last lines.
rm -f "$FRONT_PIDS"/*
FRONT_MODE=slow3 "$NODEMUX" exec -c "$cfg" -- touch "$T_TMP/ran" \
    >"$T_TMP/out3" 2>"$T_TMP/err3"
t_check "a never-ready node: exit status 125" test $? -eq 125
t_check "CMD did not run" test ! -e "$T_TMP/ran"
t_check "the message names the node and its state" \
    grep -q '^  fx3@127.0.0.1: starting$' "$T_TMP/err3"
t_check "the message shows its last 5 lines" \
    sh -c "grep -c '^    | still booting [0-9]*\$' '$T_TMP/err3' | grep -qx 5"
t_check "ready nodes are not named" \
    sh -c "! grep -q 'fx1@127.0.0.1:' '$T_TMP/err3'"
t_check "never-ready: nothing survives" t_wait_for 1 none_alive
t_diag "$(cat "$T_TMP/err3")"

# 4. A node that exits before it is ready.
rm -f "$FRONT_PIDS"/*
FRONT_MODE=exit2 "$NODEMUX" exec -c "$cfg" -- true >/dev/null 2>"$T_TMP/err4"
t_check "a node exits before ready: exit status 125" test $? -eq 125
t_check "the message says how it ended and what it said" \
    sh -c "grep -q '^  fx2@127.0.0.1: exited 4\$' '$T_TMP/err4' &&
    grep -q '^    | fatal: cannot open db\$' '$T_TMP/err4'"
t_check "exited node: nothing survives" t_wait_for 1 none_alive

# 5. SIGTERM to nodemux while CMD runs goes to CMD; all stops.
rm -f "$FRONT_PIDS"/*
FRONT_MODE=stay "$NODEMUX" exec -c "$cfg" -- sh -c \
    'echo $$ >"$FRONT_PIDS/cmd"; exec sleep 100' >/dev/null 2>&1 &
nm_pid=$!
t_check "CMD started" t_wait_for 10 test -s "$FRONT_PIDS/cmd"
kill -TERM $nm_pid
wait $nm_pid
rc=$?
nm_pid=
t_check "SIGTERM is passed to CMD: exit status 143" test $rc -eq 143
t_check "SIGTERM: nothing survives" t_wait_for 1 none_alive

# 6. Usage: no CMD is 2; a CMD that does not exist is 127.
"$NODEMUX" exec -c "$cfg" >/dev/null 2>"$T_TMP/err6"
t_check "exec without CMD: exit status 2" test $? -eq 2
FRONT_MODE=stay "$NODEMUX" exec -n 1 -c "$cfg" -- /nonexistent/cmd \
    >/dev/null 2>"$T_TMP/err7"
t_check "a CMD that does not exist: exit status 127" test $? -eq 127
t_check "and it is named" grep -q 'cannot run /nonexistent/cmd' "$T_TMP/err7"

t_done
