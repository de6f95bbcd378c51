#!/bin/sh
# data/mix.cfg on a real Mix project the test makes (mix new --sup):
# nodemux exec -n 3, started from the project's root with the config
# elsewhere, runs a checker that proves every node runs the project's
# application with PORT=HTTP_PORT, sees the other two, and listens on its
# own DIST_PORT; log files go under the project.  Nothing outlives it.
. "${TOP_SRCDIR:-.}/tests/own-net.sh"
. "${TOP_SRCDIR:-.}/tests/lib.sh"
. "$TOP_SRCDIR/tests/mix-lib.sh"

trap 'epmd -kill >/dev/null 2>&1' EXIT
t_check "mix new --sup and mix compile make a project" mix_project shop
proj=$T_TMP/shop

out=$T_TMP/out
(cd "$proj" && CHECK_APP=shop "$NODEMUX" exec -c "$TOP_SRCDIR/data/mix.cfg" \
    -n 3 -- escript "$TOP_SRCDIR/tests/data/front-checker.escript") \
    >"$out" 2>&1
rc=$?
t_check "exec -n 3 of the mesh checker exits 0 (rc=$rc)" [ "$rc" -eq 0 ] ||
    t_diag "$(cat "$out")"
t_check "every node runs the app with PORT=HTTP_PORT" \
    sh -c "[ \$(grep -c '^ok: app[1-3]@.* runs shop with PORT=\"40[0-2]0\"' '$out') -eq 3 ]"
t_check "every node sees the other two" \
    sh -c "[ \$(grep -c '^ok: app[1-3]@.* sees \\[' '$out') -eq 3 ]"
t_check "each node listens on its own DIST_PORT" \
    sh -c "[ \$(grep -c '^ok: .* listens on dist port 91[0-2]0' '$out') -eq 3 ]"
# (IEx may have printed its prompt before the line: no ^.)
t_check "ready once the app ran and every peer was connected" sh -c \
    "grep -Eq 'shop started on app2@[^ ]+, connected to all 2 peers\$' '$proj'/log/nodemux/app2@*.log"
t_check "the log files are in the project (START_DIR), not beside the config" \
    sh -c "ls '$proj'/log/nodemux/app3@*.log >/dev/null"
t_check "no node left running" t_wait_for 10 mix_none_alive

# Outside a Mix project the nodes fail, and exec says so (not a hang).
mkdir "$T_TMP/empty"
(cd "$T_TMP/empty" && "$NODEMUX" exec -c "$TOP_SRCDIR/data/mix.cfg" -n 1 \
    --log-dir "$T_TMP/empty-logs" -- true) >"$out" 2>&1
rc=$?
t_check "outside a Mix project: exec exits 125 (rc=$rc)" [ "$rc" -eq 125 ]
t_check "...naming the node that exited" grep -Eq 'app1@[^ ]+: exited 1' "$out"
t_check "...whose log has mix's own message" sh -c "grep -q \
    'must be executed in a directory with a mix.exs file' \
    '$T_TMP'/empty-logs/app1@*.log" || t_diag "$(cat "$out")"
t_check "no node left running" t_wait_for 10 mix_none_alive

t_check "the test's epmd is stopped" mix_epmd_stop
t_done
