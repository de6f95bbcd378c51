#!/bin/sh
# Panes of nodes whose output addresses the cursor (tests/data/
# ui-screen-node.sh): top zoomed shows its summary and header; a
# cursor-up progress ends showing its final lines only, in the pane, the
# all-nodes view, n / N and the filter; the alternate
# screen shows while it is on and leaves only the lines before and after
# it, in the pane and in the log file; interactive mode sends application
# cursor keys and bracketed paste when asked for; vi draws its ~ column,
# redraws at a new size when zoomed, takes typed text and writes the file.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"
esc=$(printf '\033')

for p in top vi; do
	command -v $p >/dev/null 2>&1 ||
	    { t_fail "$p is installed (./bootstrap check installs it)"; t_done; exit 1; }
done

cfg=$(ui_config ui-screen 24300 24400)
sed -i "s|@TMP@|$T_TMP|g" "$cfg"
log3=$T_TMP/logs/uiscr3@127.0.0.1.log

# rows_re RE: how many rows of the screen match RE (extended).
rows_re() {
	ui_screen | grep -cE -- "$1"
}

# at_least N RE: at least N rows of the screen match RE.
at_least() {
	[ "$(rows_re "$2")" -ge "$1" ]
}

# cursor_at_start: the zoomed pane's first cell is reversed (the cursor).
cursor_at_start() {
	ui_screen_e | sed -n 2p | grep -qE "│${esc}\[(0;)?7m"
}

# log3_is TEXT: node 3's log file holds exactly TEXT (lines).
log3_is() {
	[ "$(cat "$log3" 2>/dev/null)" = "$1" ]
}

ui_start 160 48 -c "$cfg"
t_check "the four nodes run" ui_wait 10 " 4 uiscr4@"
ui_remember "$(ui_pid 1)" "$(ui_pid 2)" "$(ui_pid 3)" "$(ui_pid 4)"

# Cursor-up progress: ESC[3A then ESC[2K and a line, 20 times.
t_check "progress: the program ends its progress" ui_wait 10 "progress ends"
t_check "progress: each task shows once" t_wait_for 5 ui_count_is 1 'task A [0-9]+%'
t_check "progress: at its final state" t_wait_for 5 ui_count_is 3 'task [ABC] 100%'
t_check "progress: no earlier state is left" t_wait_for 5 ui_count_is 0 'task [ABC] [0-9]?[0-9]%'
t_check "progress: the lines around it stay" ui_wait 5 "progress begins"

# What the pane hides (the first version of each rewritten line, still
# in the scrollback) the all-nodes view, n / N and the filter hide too.
ui_keys a
t_check "a: the all-nodes view" ui_wait 5 " ALL "
t_check "a: the progress's final lines" ui_wait 5 "task C 100%"
t_check "a: each task once" t_wait_for 5 ui_count_is 1 'task A [0-9]+%'
t_check "a: no earlier state of a task" \
    t_wait_for 5 ui_count_is 0 'task [ABC] [0-9]?[0-9]%' || t_diag "$(ui_screen | grep task)"
ui_keys a /
ui_keys -l 'task A 0%'
ui_keys Enter n
t_check "n: the hidden first version is no match" \
    ui_wait 5 "/task A 0%: no match"
ui_keys /
ui_keys -l 'task A'
ui_keys Enter f a
t_check "f in the all-nodes view" ui_wait 5 " ALL "
t_check "f in the all-nodes view: the final version" \
    ui_wait 5 "task A 100%"
t_check "f in the all-nodes view: only it" t_wait_for 5 ui_count_is 1 'task A [0-9]+%'
ui_keys a f /
ui_keys Enter
t_check "an empty pattern ends the search" t_wait_for 5 ui_lacks "/task A"

# The alternate screen: shown while on, nothing of it left after.
t_check "alternate screen: its text shows" ui_wait 10 "ALT-TEXT 5"
t_check "alternate screen: addressed text is where it was put" \
    ui_wait_re 5 "│ {19}ALT-CORNER"
t_check "alternate screen: the line before it is not shown meanwhile" \
    ui_lacks "before the alternate screen"
touch "$T_TMP/node3.txt.leave"
t_check "alternate screen left: the line after it shows" \
    ui_wait 10 "after the alternate screen"
t_check "alternate screen left: the line before it is back" \
    ui_wait 5 "before the alternate screen"
t_check "alternate screen left: none of its text is left" ui_lacks "ALT-"
t_check "alternate screen left: the log holds the lines before and after" \
    t_wait_for 5 log3_is "before the alternate screen
after the alternate screen"

# Interactive mode sends what a terminal would: node 2 asked for
# application cursor keys and bracketed paste.
ui_keys 2 i
t_check "interactive mode on node 2" ui_wait 5 "typing to this node"
ui_keys Up Enter
t_check "DECCKM: Up is sent as ESC O A" ui_wait 5 "got: ^[OA"
ui_tmux set-buffer pasted
ui_tmux paste-buffer -p -t t
ui_keys Enter
t_check "bracketed paste: the paste comes between the markers" \
    ui_wait 5 "got: ^[[200~pasted^[[201~"
ui_keys C-]
t_check "Ctrl-] returns to NORMAL" t_wait_for 5 ui_lacks "typing to this node"

# vi draws a column of ~ down its pane (21 rows of 22: its status below).
t_check "vi: its ~ column is drawn" t_wait_for 10 at_least 19 '│~ +│$'

# top zoomed: the summary rows and the column header are there.
ui_keys 1 z
t_check "top zoomed: the summary (Tasks:)" ui_wait 10 "Tasks:"
# top writes its screen in several pieces: each part is waited for.
t_check "top zoomed: the memory summary" ui_wait_re 10 "(MiB|KiB) Mem" ||
    t_diag "$(ui_screen | head -12)"
t_check "top zoomed: the column header" ui_wait_re 10 "PID +USER +PR +NI"
ui_keys z

# vi zoomed: redrawn at the new size (45 rows inside: 43 or more ~).
ui_keys 4 z
t_check "vi zoomed: redrawn at the new size" t_wait_for 10 at_least 40 '^│~ '
ui_keys i
t_check "interactive mode" ui_wait 5 "typing to this node"
t_check "interactive: vi's cursor shows, reversed, on its first cell" \
    t_wait_for 5 cursor_at_start
ui_keys i "hello from vi" Escape
ui_keys ":wq" Enter
t_check "vi: :wq wrote the text typed" \
    t_wait_for 10 grep -qx "hello from vi" "$T_TMP/node4.txt"
t_check "vi ended: node 4 exited" ui_wait 10 "exited 0"
t_check "vi ended: nothing of its screen was left" t_wait_for 5 ui_lacks "~ "
ui_keys z q
t_check "q: nodemux exits" t_wait_for 15 ui_exited
t_check "q: exit status 0" [ "$(ui_status)" = 0 ]
ui_finish
