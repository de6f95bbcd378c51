#!/bin/sh
# What panes show: a node's colours (16, 256 and true colour mapped to
# the terminal), wide characters, a \r progress bar as one line; the
# focused pane scrolls back with a marker, keeps its place while its node
# prints on, and follows again, clears (and a filter then starts at the
# clear), and takes keys in interactive mode.  An 8-colour terminal gets the nearest
# colours; --no-color drops them.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"
esc=$(printf '\033')

# has_e TEXT: the screen with its SGR sequences contains TEXT.
has_e() {
	ui_screen_e | grep -qF -- "$1"
}

# lacks_e TEXT: it does not.
lacks_e() {
	! has_e "$1"
}

# mouse_at BYTE X Y: an X10 mouse report: BYTE is 32 + the button code
# (32 press, 35 release, 96 wheel up), X and Y the cell, from 1.
mouse_at() {
	ui_keys -l "$(printf '\033[M%b%b%b' "\\0$(printf %o "$1")" \
	    "\\0$(printf %o $(($2 + 32)))" "\\0$(printf %o $(($3 + 32)))")"
}

cfg=$(ui_config ui-shell 23800 23900)
ui_start 160 48 -c "$cfg"
t_check "node 2 printed its colours" ui_wait 10 "RED-TEXT plain BOLD-GREEN"
ui_remember "$(ui_pid 1)" "$(ui_pid 2)" "$(ui_pid 3)" "$(ui_pid 4)"
t_check "red (SGR 31) is shown red" has_e "${esc}[31m${esc}[49mRED-TEXT"
t_check "bold green is bold and green" has_e "${esc}[1m${esc}[32mBOLD-GREEN"
t_check "256-colour orange is kept" has_e "${esc}[38;5;208mORANGE"
t_check "true-colour blue maps to the nearest of 256 (21)" \
    has_e "${esc}[38;5;21mTRUEBLUE"
t_check "node 2 printed whole coloured lines" \
    ui_wait 10 "after the wrapped line"
t_check "a whole line in one colour (magenta) is magenta" \
    has_e "${esc}[35m${esc}[49mALL-MAGENTA-LINE"
t_check "a whole line on blue is on blue" has_e "${esc}[44mON-BLUE-LINE"
t_check "a whole line in 256-colour orange is orange" \
    has_e "${esc}[38;5;208m${esc}[49mALL-ORANGE-LINE"
t_check "a line of 150 columns wraps whole in its pane" \
    [ "$(ui_screen | tr -cd '#' | wc -c)" = 150 ]
t_check "the line after it starts below it" \
    ui_has_re "│after the wrapped line"
t_check "wide characters take their two columns" ui_wait 5 "wide: 中文 end "
t_check "a CR progress bar ends as one line" ui_wait 10 "progress finished"
t_check "the progress bar's line shows its last state" \
    t_wait_for 5 ui_count_is 1 'progress 100%'
t_check "no earlier state of the bar is left" t_wait_for 5 ui_count_is 0 'progress [0-9]?[0-9]%'

# Scrolling node 4's 300 lines.
t_check "node 4 printed 300 lines, following" ui_wait 10 "line 300 of 300"
mouse_at 96 86 30
t_check "wheel up over node 4's pane: scrolled -3" ui_wait 5 "scrolled -3 "
ui_keys 4 G
t_check "G: following again" t_wait_for 5 ui_lacks "scrolled -"
ui_keys 4 PPage
t_check "PgUp: a scrolled marker" ui_wait_re 5 'scrolled -[0-9]+ '
t_check "PgUp: the last line is out of view" t_wait_for 5 ui_lacks "line 300 of 300"
ui_keys g
t_check "g: the first line is at the top" ui_wait 5 "line 1 of 300 "
ui_keys C-d
t_check "Ctrl-D: scrolls back down half a page" t_wait_for 5 ui_lacks "line 1 of 300 "
ui_keys G
t_check "G: follows again, marker gone" t_wait_for 5 ui_lacks "scrolled -"
t_check "G: the last line is back" ui_wait 5 "line 300 of 300"

# Interactive: keys go to node 4, which echoes lines.
ui_keys i
t_check "i: INTERACTIVE in the status bar" ui_wait 5 " INTERACTIVE "
t_check "i: the pane says keys go to it" ui_wait 5 "typing to this node: Ctrl-]"
ui_keys -l 'hello node x'
ui_keys Enter
t_check "typed line reaches the node" ui_wait 5 "got: hello node x"
t_check "x typed in interactive mode does not stop the node" \
    ui_wait_re 5 '4 uish4@127.0.0.1  running  pid'
ui_keys C-]
t_check "Ctrl-]: NORMAL again" ui_wait 5 " NORMAL "
t_check "Ctrl-]: the pane no longer says so" ui_lacks "typing to this node"

# A click focuses the pane under it: x then stops that node.
mouse_at 32 10 30
mouse_at 35 10 30
ui_keys x
t_check "click on node 3's pane, x: node 3 stops" \
    ui_wait_re 5 '3 uish3@127.0.0.1  stopped'
ui_keys 4

# Clear: the pane shows only what comes after; the node keeps its lines.
ui_keys c
t_check "c: node 4's pane is cleared" t_wait_for 5 ui_lacks "line 300 of 300"
t_check "c: other panes keep theirs" ui_wait 5 "RED-TEXT"
"$NODEMUX" ctl -c "$cfg" logs 4 >"$T_TMP/logs4" 2>&1
t_check "c: ctl logs 4 still has every line" \
    eval 'grep -q "line 1 of 300" "$T_TMP/logs4" && grep -q "line 300 of 300" "$T_TMP/logs4"'
ui_keys i
ui_keys -l 'after the clear'
ui_keys Enter C-]
t_check "c: new output shows in the cleared pane" ui_wait 5 "got: after the clear"
t_check "c: without the lines before it" ui_lacks "line 299 of 300"
ui_keys /
ui_keys -l 'line 299 of'
ui_keys Enter
t_check "c: a search still counts the cleared lines" \
    ui_wait_re 5 '/line 299 of .* n4:1' || t_diag "$(ui_screen | tail -3)"
ui_keys n
t_check "c: n brings a cleared match back into the pane" \
    ui_wait 5 "line 299 of 300"

# Filter after a clear: scrolled to the top, the pane shows the oldest
# matching line after the mark, not an empty pane above it.
ui_keys c
t_check "c again: node 4's pane is cleared" t_wait_for 5 ui_lacks "line 299 of 300"
# More matching lines after the mark than the pane has rows (each comes
# twice: the terminal's echo of the typed line, then the node's "got:").
# One line at a time, each once the node has answered the one before:
# typed all at once, the echo and the answers interleave mid-line.
ui_keys i
i=10
while [ $i -lt 40 ]; do
	ui_keys -l "new line $i"
	ui_keys Enter
	ui_wait 5 "got: new line $i" || break
	i=$((i + 1))
done
ui_keys C-]
t_check "c: 30 new lines after the mark" ui_wait 5 "got: new line 39"
ui_keys /
ui_keys -l 'line'
ui_keys Enter f
t_check "f: filter on" ui_wait 5 "[filter]"
ui_keys g
t_check "f, c, g: the top shows the first match after the mark" \
    ui_wait_re 5 "│(got: )?new line 10 " || t_diag "$(ui_screen | sed -n '24,48p')"
t_check "f, c, g: and the next one below it" \
    ui_wait_re 5 "│(got: )?new line 11 " || t_diag "$(ui_screen | sed -n '24,48p')"
t_check "f, c, g: not the cleared lines" ui_lacks "line 1 of 300"
t_check "f, c: the count hidden is of the lines after the mark (all match)" \
    ui_wait_re 5 "filter: 0 hidden ─+ scrolled -" ||
    t_diag "$(ui_screen | grep 'filter:')"
ui_keys f G
t_check "f again: unfiltered" t_wait_for 5 ui_lacks "[filter]"

# Scrolled back, a pane keeps its place while its node prints on: node 1
# prints a line every 0.2 s, so the count of lines below the view grows.
# marker_over N: the scrolled marker counts more than N lines.
marker_over() {
	n=$(ui_screen | grep -o 'scrolled -[0-9]*' | head -1 | tr -dc 0-9)
	[ -n "$n" ] && [ "$n" -gt "$1" ]
}
ui_keys / Enter
t_check "an empty search ends the search" t_wait_for 5 ui_lacks "/line"
ui_keys 1 C-u
t_check "node 1, C-u: scrolled back" ui_wait_re 5 'scrolled -[0-9]+ '
below=$(ui_screen | grep -o 'scrolled -[0-9]*' | head -1 | tr -dc 0-9)
t_check "scrolled back: node 1's new lines leave the view where it is" \
    t_wait_for 5 marker_over $((below + 3))
ui_keys G
t_check "G: node 1 follows again" t_wait_for 5 ui_lacks "scrolled -"
ui_keys q
t_check "q: nodemux exits" t_wait_for 30 ui_exited
t_check "q: exit status 0" [ "$(ui_status)" = 0 ]
ui_end
ui_tmux kill-server 2>/dev/null

# An 8-colour terminal: 256 and true colours become the nearest of 8.
UI_TERM=screen
ui_start 160 48 -c "$cfg"
t_check "8 colours: node 2's text is shown" ui_wait 30 "RED-TEXT plain"
ui_remember "$(ui_pid 1)" "$(ui_pid 2)" "$(ui_pid 3)" "$(ui_pid 4)"
t_check "8 colours: red stays red" has_e "${esc}[31m${esc}[49mRED-TEXT"
t_check "8 colours: orange (208) becomes yellow" has_e "${esc}[33mORANGE"
t_check "8 colours: node 2's whole lines are shown" \
    ui_wait 10 "after the wrapped line"
t_check "8 colours: a whole orange line becomes yellow" \
    has_e "${esc}[33m${esc}[49mALL-ORANGE-LINE"
t_check "8 colours: true-colour blue becomes blue" has_e "${esc}[34mTRUEBLUE"
t_check "8 colours: no 256-colour sequence" lacks_e "${esc}[38;5;"
ui_keys q
t_check "q: nodemux exits" t_wait_for 30 ui_exited
t_check "q: exit status 0" [ "$(ui_status)" = 0 ]
ui_end
ui_tmux kill-server 2>/dev/null
UI_TERM=

# --no-color: the same text, no colour.
ui_start 160 48 -c "$cfg" --no-color
t_check "--no-color: node 2's text is shown" ui_wait 30 "RED-TEXT plain"
ui_remember "$(ui_pid 1)" "$(ui_pid 2)" "$(ui_pid 3)" "$(ui_pid 4)"
t_check "--no-color: no red" lacks_e "${esc}[31m"
t_check "--no-color: a whole magenta line is shown, not magenta" \
    ui_wait 10 "ALL-MAGENTA-LINE"
t_check "--no-color: no magenta" lacks_e "${esc}[35m"
t_check "--no-color: no 256 colours" lacks_e "${esc}[38;5;"
ui_keys q
t_check "q: nodemux exits" t_wait_for 30 ui_exited
t_check "q: exit status 0" [ "$(ui_status)" = 0 ]
ui_finish
