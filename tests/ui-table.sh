#!/bin/sh
# Titles: 5 nodes in 160x30 have no room for their usage, which goes
# before the ports do; a zoomed pane has.  The table view (t): one row
# per node with its index, name, state, host, pid, ports and usage; <
# and > pick the sort column (the chatty node first by lines per
# second); a search highlights and counts the rows with matches; Home
# selects the first row and Enter zooms its node; t again returns to
# the grid; a node restarted where nothing samples it has its usage in
# the table as it opens; at 60 columns the table gives up all but CPU and RSS of the
# usage.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"

cfg=$(ui_config ui-table 24500 24550)
ui_start 160 30 -c "$cfg"
t_check "5 nodes running" ui_wait 10 "5 nodes · 5 running"
for i in 1 2 3 4 5; do
	ui_remember "$(ui_pid $i)"
done
sleep 2.5
t_check "narrow titles give up the usage (and pid) but keep both ports" \
    eval 'ui_has_re "┌ 1 tb1@127.0.0.1  running  http 24500  dist 24550 " &&
    ui_lacks "l/s"' || t_diag "$(ui_screen | head -1)"

ui_keys t
t_check "t: TABLE in the status bar" ui_wait 5 " TABLE "
t_check "t: a heading sorted by index" t_wait_for 5 ui_first_re '^#▲ +NAME +STATE +HOST +PID +PORTS +CPU +RSS +L/S +↻ +UPTIME'
for i in 1 2 3 4 5; do
	t_check "t: a row for node $i (index, name, state, host, pid, ports)" \
	    ui_wait_re 5 "^$i +tb$i@127.0.0.1 +running +127.0.0.1 +[0-9]+ +2450$((i - 1))/2455$((i - 1)) "
done
t_check "t: rows in index order" \
    eval '[ "$(ui_screen | sed -n "2,6p" | cut -c1)" = "$(printf "1\n2\n3\n4\n5")" ]'
t_check "t: usage sampled (node 2: 0% and its RSS)" \
    ui_wait_re 5 '^2 +tb2@.* 0% +[0-9.]+[KMG] +0 '
# table_pid N: node N's pid in the table's row.
table_pid() {
	ui_screen | sed -n "s/^$1 .* 127.0.0.1  *\([0-9][0-9]*\) .*/\1/p"
}
old2=$(table_pid 2)
t_diag "$(ui_screen | head -7)"

# Sort by lines per second: eight columns to the right of #.
ui_keys '>' '>' '>' '>' '>' '>' '>' '>'
t_check ">: the heading marks L/S, biggest first" t_wait_for 5 ui_first_re 'L/S▼'
t_check ">: the chatty node 3 is the first row" \
    t_wait_for 5 eval 'ui_screen | sed -n 2p | grep -qE "^3 +tb3@"'
ui_keys '<'
t_check "<: the heading marks RSS" t_wait_for 5 ui_first_re 'RSS▼'
ui_keys '>'

# A search: the matching node's row counts its matches.
ui_keys /
ui_keys -l 'chat'
ui_keys Enter
t_check "/: the heading gains MATCHES" ui_wait 5 "MATCHES"
t_check "/: node 3's row counts its matches" \
    ui_wait_re 5 '^3 +tb3@.* [1-9][0-9]*$'
t_check "/: node 2's row has none" ui_wait_re 5 '^2 +tb2@.* 0$'
esc=$(printf '\033')
# bold_row NODE: is NODE's row drawn bold?
bold_row() {
	ui_screen_e | grep "tb$1@" | grep -qE "${esc}\\[([0-9]+;)*1[;m]"
}
t_check "/: node 3's row stands out (bold)" bold_row 3
t_check "/: node 2's row does not" eval '! bold_row 2'
t_diag "$(ui_screen | head -7)"

# Home selects the first row (node 3); Enter zooms it.
ui_keys Home
ui_keys Enter
t_check "Enter: ZOOM in the status bar" ui_wait 5 " ZOOM "
t_check "Enter: the zoomed pane is node 3's" t_wait_for 5 ui_first_re '^┌ 3 tb3@127.0.0.1  running'
t_check "Enter: its wide title shows its usage" \
    t_wait_for 5 ui_first_re '^┌ 3 tb3@127.0.0.1  running  pid [0-9]+  http 24502  dist 24552  ↻0  [0-9]+s  cpu [0-9]+% [0-9.]+[KMG] [0-9]+ l/s ' ||
    t_diag "$(ui_screen | head -1)"
ui_keys t
t_check "t from the grid: the table again" ui_wait 5 " TABLE "
ui_keys t
t_check "t again: the grid" ui_wait 5 " ZOOM "

# Node 2 restarted: its narrow title has no room for its usage, so
# nothing samples its new process until the table opens, which samples
# every node at once rather than at its next second's tick.
ui_keys z 2 r
sleep 1.5
ui_keys t
sleep 0.3
new2=$(table_pid 2)
t_check "r: node 2 runs again, a new process ($old2 -> $new2)" \
    eval '[ -n "$new2" ] && [ "$new2" != "$old2" ]'
ui_remember "$new2"
t_check "t: node 2's CPU and RSS at once" \
    ui_has_re '^2 +tb2@127.0.0.1 +running .* [0-9]+% +[0-9.]+[KMG] ' ||
    t_diag "$(ui_screen | head -7)"
ui_keys t 3 z
t_check "t, 3, z: node 3 zoomed again" ui_wait 5 " ZOOM "

# A narrow table gives up columns, but not CPU and RSS at 60.
ui_keys t
ui_tmux resize-window -t t -x 60 -y 20
t_check "60 columns: the heading keeps CPU and RSS" \
    t_wait_for 5 ui_first_re '^# +NAME +STATE +CPU +RSS *$' ||
    t_diag "$(ui_screen | head -1)"
t_check "60 columns: node 3's row shows its CPU and RSS" \
    ui_wait_re 5 '^3 +tb3@127.0.0.1 +running +[0-9]+% +[0-9.]+[KMG] *$'
ui_keys q
t_check "q: nodemux exits" t_wait_for 10 ui_exited
t_check "q: exit status 0" [ "$(ui_status)" = 0 ]
ui_finish
