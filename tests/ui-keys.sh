#!/bin/sh
# Where the console reads its keys: with standard input not a terminal
# (nodemux up </dev/null) it reads them from /dev/tty, shows the grid,
# and q (or Ctrl-C) stops every node and leaves; with no terminal to
# open it says so and exits 1.  Then the keys that move the focus, on
# 12 nodes in a 4x3 grid, seen as the reversed title: arrows and h j k l
# to the neighbouring pane (none past the grid's edge), Shift-Tab back
# across the first node, 0 to node 10; PgDn scrolls back down after
# PgUp, a page at a time, until the pane follows again; r restarts the
# focused node alone (a new pid, its restart count 1).
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"
esc=$(printf '\033')

# focused: the index of every pane whose title is reversed (the focus).
focused() {
	ui_screen_e |
	    grep -oE "${esc}\[([0-9]+;)*7(;[0-9]+)*m(${esc}\[[0-9;]*m)* [0-9]+ uish" |
	    sed -E 's/.* ([0-9]+) uish$/\1/'
}

# focus_is N: node N's pane, and it alone, has the focus.
focus_is() {
	[ "$(focused)" = "$1" ]
}

# move KEY... N: type KEYS; the focus goes to node N.
move() {
	mv_from=$(focused)
	mv_keys=$1
	ui_keys "$1"
	shift
	while [ $# -gt 1 ]; do
		mv_keys="$mv_keys $1"
		ui_keys "$1"
		shift
	done
	t_check "$mv_keys from node $mv_from: node $1 has the focus" \
	    t_wait_for 5 focus_is "$1" || t_diag "focused: $(focused)"
}

# json_of N FIELD: FIELD of node N in ctl status --json.
json_of() {
	"$NODEMUX" ctl -c "$cfg" status --json |
	    sed -n "s/^{\"index\":$1,.*\"$2\":\([0-9]*\).*/\1/p"
}

# pid_of N: node N's pid, empty when it has none.
pid_of() {
	json_of "$1" pid | grep -v '^0$'
}

# marker: the count of the focused pane's scrolled marker, empty if none.
marker() {
	ui_screen | grep -o 'scrolled -[0-9]*' | head -1 | tr -dc 0-9
}

# marker_is N: the marker says scrolled -N.
marker_is() {
	[ "$(marker)" = "$1" ]
}

cfg=$(ui_config ui-shell 25200 25300)

# Standard input from /dev/null, standard output the terminal.
ui_start 160 48 -c "$cfg" '</dev/null'
t_check "</dev/null: the console shows the grid" \
    ui_wait 10 "4 nodes · 4 running" || t_diag "$(cat "$T_TMP/stderr")"
ui_remember "$(ui_pid 1)" "$(ui_pid 2)" "$(ui_pid 3)" "$(ui_pid 4)"
t_check "</dev/null: in the alternate screen" \
    [ "$(ui_tmux display -p -t t '#{alternate_on}')" = 1 ]
ui_keys 2 x
t_check "</dev/null: keys reach it (2 x stops node 2)" \
    ui_wait_re 5 '2 uish2@127.0.0.1  stopped'
ui_keys q
t_check "</dev/null: q quits" t_wait_for 15 ui_exited
t_check "</dev/null: exit status 0" [ "$(ui_status)" = 0 ]
t_check "</dev/null: the alternate screen is left" \
    [ "$(ui_tmux display -p -t t '#{alternate_on}')" = 0 ]
ui_end
ui_tmux kill-server 2>/dev/null

# Ctrl-C read from /dev/tty quits as q does.
ui_start 160 48 -c "$cfg" '</dev/null'
t_check "</dev/null again: the grid" ui_wait 10 "4 nodes · 4 running"
ui_remember "$(ui_pid 1)" "$(ui_pid 2)" "$(ui_pid 3)" "$(ui_pid 4)"
ui_keys C-c
t_check "</dev/null: Ctrl-C quits" t_wait_for 15 ui_exited
t_check "</dev/null: Ctrl-C: exit status 0" [ "$(ui_status)" = 0 ]
ui_end
ui_tmux kill-server 2>/dev/null

# refused WHAT RE: up, just started, exits 1 with one message matching
# RE; then the next console starts afresh.
refused() {
	t_check "$1: up exits" t_wait_for 10 ui_exited
	t_check "$1: exit status 1" [ "$(ui_status)" = 1 ]
	t_check "$1: it says so" grep -q "$2" "$T_TMP/stderr" ||
	    t_diag "$(cat "$T_TMP/stderr")"
	: >"$T_TMP/stderr"
	ui_tmux kill-server 2>/dev/null
}

# No controlling terminal (setsid) and standard input not a terminal:
# nothing to read keys from, so up says so.
nodemux=$NODEMUX
NODEMUX="setsid -w $nodemux"
ui_start 160 48 -c "$cfg" '</dev/null'
NODEMUX=$nodemux
refused "no terminal for keys" \
    '^nodemux: the console needs a terminal to read keys from: /dev/tty: .* (try --headless)$'

# Standard output another terminal than the controlling one, standard
# input not a terminal: the keys would come from where the console does
# not draw (and whose modes it does not set), so up says so.
ui_tmux -f /dev/null new-session -d -s other -x 80 -y 24 "sleep 60"
other=$(ui_tmux display -p -t other '#{pane_tty}')
ui_start 160 48 -c "$cfg" '</dev/null' ">$other"
refused "stdout another terminal" \
    '^nodemux: standard output is another terminal than this process.s own (/dev/tty), where the console would read its keys (try --headless)$'

# 12 nodes in 160x48: four columns, three rows, one page.
#    1  2  3  4
#    5  6  7  8
#    9 10 11 12
ui_start 160 48 -c "$cfg" -n 12
t_check "12 nodes run" ui_wait 10 "12 nodes · 12 running"
i=1
while [ $i -le 12 ]; do
	ui_remember "$(pid_of $i)"
	i=$((i + 1))
done
t_check "four panes a row" ui_has_re "┌ 1 uish1 .*┌ 2 uish2 .*┌ 3 uish3 .*┌ 4 uish4 " ||
    t_diag "$(ui_screen | grep '┌')"
t_check "node 1 has the focus at the start" t_wait_for 5 focus_is 1
move Right 2
move Down 6
move Right 7
move Down 11
move Left 10
move Up 6
move Left 5
move Up 1
move Left Up l 2	# nothing left of or above node 1
move j 6
move l 7
move j 11
move h 10
move k 6
move h 5
move k 1
move BTab 12
move BTab 11
move Tab 12
move 0 10
move j l 11	# nothing below node 10
move 4 4
move l j 8	# nothing right of node 4
move 4 4

# PgDn after PgUp: node 4 printed 300 lines.
t_check "node 4 follows its 300 lines" ui_wait 10 "line 300 of 300"
ui_keys PPage PPage
t_check "PgUp twice: a scrolled marker" ui_wait_re 5 'scrolled -[0-9]+ '
up2=$(marker)
ui_keys NPage
t_check "PgDn: half as far back as two PgUps (-$up2 -> -$((up2 / 2)))" \
    t_wait_for 5 marker_is $((up2 / 2)) || t_diag "scrolled -$(marker)"
t_check "PgDn: the last line still out of view" ui_lacks "line 300 of 300"
ui_keys NPage
t_check "PgDn again: following, the marker gone" \
    t_wait_for 5 ui_lacks "scrolled -"
t_check "PgDn again: the last line is back" ui_wait 5 "line 300 of 300"

# r restarts the focused node, zoomed so that its title is whole.
old3=$(pid_of 3) old2=$(pid_of 2) old4=$(pid_of 4)
ui_keys 3 z
t_check "3 z: node 3 zoomed, never restarted" \
    ui_wait_re 5 "3 uish3@127.0.0.1  running  pid $old3  http 25202  dist 25302  ↻0 "
ui_keys r
t_check "r: node 3's title counts a restart" \
    ui_wait_re 10 '3 uish3@127.0.0.1  running  pid [0-9]+  http 25202  dist 25302  ↻1 '
new3=$(ui_pid 3)
ui_remember "$new3"
t_check "r: node 3 has a new pid ($old3 -> $new3)" \
    eval '[ -n "$new3" ] && [ "$new3" != "$old3" ]'
t_check "r: node 3's old process group is gone" \
    t_wait_for 5 ui_group_gone "$old3"
t_check "r: ctl status counts it too" [ "$(json_of 3 restarts)" = 1 ]
t_check "r: nodes 2 and 4 keep their pids and no restart" \
    eval '[ "$(pid_of 2)" = "$old2" ] && [ "$(pid_of 4)" = "$old4" ] &&
	[ "$(json_of 2 restarts)" = 0 ] && [ "$(json_of 4 restarts)" = 0 ]'
ui_keys z q
t_check "q: nodemux exits" t_wait_for 15 ui_exited
t_check "q: exit status 0" [ "$(ui_status)" = 0 ]
ui_finish
