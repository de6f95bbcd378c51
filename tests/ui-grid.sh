#!/bin/sh
# The console on 4 demo nodes in a 160x48 terminal: four panes whose
# titles name the node and its ports and reach ready; x stops node 3 (its
# process group is gone), s starts it again, R restarts all; ? shows the
# keys, scrolling with j when taller than the screen; q stops every node,
# leaves the alternate screen and exits 0.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"

cfg=$(ui_config ui-demo 23400 23500)
ui_start 160 48 -c "$cfg"

t_check "status bar reaches 4 nodes · 4 ready" ui_wait 30 "4 nodes · 4 ready"
for i in 1 2 3 4; do
	title=$(ui_title $i)
	t_check "pane $i title names its node, state and ports ($title)" \
	    sh -c "echo '$title' | grep -qE '^$i uidemo$i@127.0.0.1  ready  pid [0-9]+  http 2340$((i - 1))  dist 2350$((i - 1))  ↻0  [0-9]+s$'"
	pid=$(ui_pid $i)
	ui_remember "$pid"
	t_check "pane $i pid $pid is a live process" t_alive "$pid"
done
t_check "four panes side by side, two rows" \
    [ "$(ui_screen | grep -c '┌ [0-9] uidemo')" -eq 2 ]
t_check "node output is shown in its pane" \
    ui_wait 5 "Running DemoWeb.Endpoint with Cowboy"
t_check "alternate screen in use" \
    [ "$(ui_tmux display -p -t t '#{alternate_on}')" = 1 ]
t_diag "$(ui_screen)"

# Focus node 3 and stop it.
old3=$(ui_pid 3)
ui_keys 3 x
t_check "x: node 3's title says stopped" ui_wait_re 10 '3 uidemo3@127.0.0.1  stopped  http 23402'
t_check "x: node 3's process group is gone (pid $old3)" t_wait_for 10 ui_group_gone "$old3"
t_check "x: the status bar counts it" ui_wait 5 "4 nodes · 3 ready · 1 stopped"
t_check "x: the other nodes keep running" t_alive "$(ui_pid 1)"

# Start it again: a new pid.
ui_keys s
t_check "s: node 3 is ready again" ui_wait_re 30 '3 uidemo3@127.0.0.1  ready  pid [0-9]+'
new3=$(ui_pid 3)
ui_remember "$new3"
t_check "s: with a new pid ($old3 -> $new3)" eval '[ -n "$new3" ] && [ "$new3" != "$old3" ]'

# Restart every node: all new pids, restart counts shown.
before="$(ui_pid 1) $(ui_pid 2) $(ui_pid 3) $(ui_pid 4)"
ui_keys R
t_check "R: every node restarted (↻1 on node 1 and 2)" \
    ui_wait_re 30 '1 uidemo1@127.0.0.1  ready  pid [0-9]+  http 23400  dist 23500  ↻1'
t_check "R: all four ready again" ui_wait 30 "4 nodes · 4 ready"
after="$(ui_pid 1) $(ui_pid 2) $(ui_pid 3) $(ui_pid 4)"
ui_remember $after
same=0
for p in $after; do
	case " $before " in *" $p "*) same=$((same + 1));; esac
done
t_check "R: four new pids ($before -> $after)" [ "$same" -eq 0 ]

# Help, then quit.
ui_keys '?'
t_check "? shows the keys" ui_wait 5 "nodemux keys"
t_check "?: every line fits in 160x48, the last one too" \
    ui_wait_re 5 "│ q again, Q +quit now: kill every node +│"
t_check "?: the box is as wide as its widest line" \
    ui_wait_re 5 "│ / +search every node \(PCRE2; lower case: any case\) +│"
ui_keys Escape
t_check "any key closes the help" t_wait_for 5 ui_lacks "nodemux keys"

# In 80x20 the help is taller than the screen: j scrolls it to its end,
# and it stays within its box.
ui_tmux resize-window -t t -x 80 -y 20
ui_keys '?'
t_check "80x20 ?: the help says there is more" ui_wait 5 "↓ j: more"
t_check "80x20 ?: its last line is not shown yet" ui_lacks "q again, Q"
t_check "80x20 ?: no line is written over its bottom border" \
    ui_wait_re 5 "└─+ ↓ j: more ─+┘" || t_diag "$(ui_screen | grep -E "└")"
ui_keys j j j j j j j j j j j j
t_check "80x20 j: the help scrolls to its last line" \
    ui_wait_re 5 "│ q again, Q +quit now: kill every node +│"
t_check "80x20 j: and says there is more above" ui_wait 5 "↑ k"
ui_keys Escape
t_check "80x20: any other key closes the help" \
    t_wait_for 5 ui_lacks "nodemux keys"
ui_tmux resize-window -t t -x 160 -y 48
ui_keys q
t_check "q: nodemux exits" t_wait_for 15 ui_exited
t_check "q: exit status 0" [ "$(ui_status)" = 0 ]
t_check "q: the alternate screen is left" \
    [ "$(ui_tmux display -p -t t '#{alternate_on}')" = 0 ]
for p in $after; do
	t_check "q: node pid $p is gone" t_wait_for 5 ui_group_gone "$p"
done
ui_finish
