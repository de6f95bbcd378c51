#!/bin/sh
# data/mix.cfg in the console: three nodes of a real Mix project (mix new
# --sup) started from its root; focus node 2, `i`, type Node.list() into
# its IEx prompt: it answers with the other two nodes; Ctrl-] and q end
# it all, and no node outlives the console.
. "${TOP_SRCDIR:-.}/tests/own-net.sh"
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"
. "$TOP_SRCDIR/tests/mix-lib.sh"

t_check "mix new --sup and mix compile make a project" mix_project shop
cd "$T_TMP/shop" || exit 1
ui_start 200 50 -c "$TOP_SRCDIR/data/mix.cfg" -n 3 \
    --socket "$T_TMP/mix.sock" --log-dir "$T_TMP/logs"
t_check "the three nodes are ready" ui_wait 60 "3 nodes · 3 ready" ||
    t_diag "$(ui_screen)"
ui_remember "$(ui_pid 1)" "$(ui_pid 2)" "$(ui_pid 3)"
t_check "node 2's pane shows its IEx prompt" ui_wait_re 10 'iex\(app2@[^)]+\)1>'

ui_keys 2 i
ui_keys -l 'Node.list()'
ui_keys Enter
# The answer lists app1 and app3 (in either order) on one line.
t_check "Node.list() in node 2 shows the other two" ui_wait_re 10 \
    '\[:"app[13]@[^"]+", :"app[13]@[^"]+"\]' || t_diag "$(ui_screen)"
t_check "...and not node 2 itself" sh -c \
    "! tmux -L '$UI_SOCK' capture-pane -p -t t | grep -E '\\[:\"app[0-9]@' | grep -q 'app2@'"
t_check "node 2 answered in its own pane (its log has it)" t_wait_for 5 \
    sh -c "grep -q '^\\[:\"app[13]@' '$T_TMP'/logs/app2@*.log"
ui_keys C-]
ui_keys q
t_check "q: the console exits" t_wait_for 30 ui_exited
t_check "q: exit status 0 ($(ui_status))" [ "$(ui_status)" = 0 ]
t_check "the test's epmd is stopped" mix_epmd_stop
ui_finish
