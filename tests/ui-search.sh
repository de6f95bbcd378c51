#!/bin/sh
# Search across every node: / sets a PCRE2 pattern, matches are
# highlighted in every pane and counted per node in the status bar, n
# and N move across nodes, f filters, an invalid pattern shows PCRE2's
# message and changes nothing, Up in the prompt recalls older patterns.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"
esc=$(printf '\033')

# highlighted N TEXT: TEXT is shown reversed (a match) N times.
highlighted() {
	[ "$(ui_screen_e | grep -oE "${esc}\\[[0-9;]*7m(${esc}\\[[0-9;]*m)*$2" |
	    wc -l)" -eq "$1" ]
}

# zoomed_on I...: zoom shows one of nodes I... alone (w says which), then
# zoom back.  A loaded machine may take seconds for a frame: a zoom left
# on would toggle every later check the wrong way, so each waits up to
# 15 s; the whole screen is waited for, as a capture may fall between
# two writes of one frame.
zoomed_now() {
	ui_has " ZOOM " && ui_count_is 1 "┌ $1 uish$1@" &&
	    ui_count_is 1 '┌ [0-9] uish'
}
# zoomed_any I...: zoom shows one of nodes I... alone; w says which.
zoomed_any() {
	for w in "$@"; do
		zoomed_now "$w" && return 0
	done
	w=
	return 1
}
zoomed_on() {
	ui_keys z
	t_wait_for 15 zoomed_any "$@"
	rc=$?
	[ $rc -eq 0 ] || t_diag "$(ui_screen)"
	ui_keys z
	ui_wait 15 " NORMAL "
	return $rc
}

cfg=$(ui_config ui-shell 24400 24500)
ui_start 160 48 -c "$cfg"
t_check "node 4 printed its lines" ui_wait 10 "line 300 of 300"
ui_remember "$(ui_pid 1)" "$(ui_pid 2)" "$(ui_pid 3)" "$(ui_pid 4)"

# A pattern that nodes 2 and 3 match once, in lines that stay in view.
ui_keys /
ui_keys -l 'hello from uish[23]'
t_check "/ opens a prompt in the status bar" ui_wait 5 "/hello from uish[23]"
ui_keys Enter
t_check "counts per node in the status bar" \
    ui_wait 5 "/hello from uish[23]  n1:0 n2:1 n3:1 n4:0"
t_check "the match is highlighted in panes 2 and 3" \
    t_wait_for 5 highlighted 2 "hello from uish[23]"

# n goes to the older match: nodes 2 and 3 print their line as they
# start, in either order (an ASan build starting slowly has shown both).
ui_keys n
t_check "n: the first match is node 2's or 3's" zoomed_on 2 3
first=$w
other=$((5 - ${first:-2}))
ui_keys n
t_check "n again: the other one's (node $other)" zoomed_on "$other"
ui_keys N
t_check "N: back to the first (node $first)" zoomed_on "$first"
ui_keys N
t_check "N before the first: wraps to node $other" zoomed_on "$other"
t_check "wrapping says so" ui_wait 5 "search wrapped"

# A regex with many matches in one node; smart case: lower case is
# case-insensitive.
ui_keys /
ui_keys -l 'LINE 29[0-9]'
ui_keys Enter
t_check "upper case: case-sensitive, no match" ui_wait 5 "n1:0 n2:0 n3:0 n4:0"
ui_keys /
ui_keys -l 'line 29[0-9]'
ui_keys Enter
t_check "a regex counts 10 matches in node 4" ui_wait 5 "n1:0 n2:0 n3:0 n4:10"
t_check "node 4's matches are highlighted" t_wait_for 5 highlighted 10 "line 29[0-9]"

ui_keys f
t_check "f: node 4's pane says how many lines are hidden" \
    ui_wait 5 "filter: 291 hidden"
t_check "f: a line that does not match is hidden" ui_lacks "line 288 of 300"
t_check "f: the matching ones stay" ui_wait 5 "line 290 of 300"
t_check "f: node 1's pane shows none of its lines" ui_lacks "hello from uish1"
ui_keys f
t_check "f again: everything is back" ui_wait 5 "line 288 of 300"

# An invalid pattern: PCRE2's message, the search unchanged.
ui_keys /
ui_keys -l 'line ('
ui_keys Enter
t_check "invalid pattern: PCRE2's message with the offset" \
    ui_wait 5 "missing closing parenthesis at offset 6"
t_check "invalid pattern: the previous search stays" \
    ui_wait 5 "/line 29[0-9]  n1:0 n2:0 n3:0 n4:10"

# Line editing: backspace, Ctrl-W (a word), Ctrl-U (everything).
ui_keys /
ui_keys -l 'abc def'
ui_keys C-w Z
t_check "Ctrl-W erases the last word" ui_wait_re 5 ' /abc Z$'
ui_keys BSpace BSpace Q
t_check "backspace erases a character" ui_wait_re 5 ' /abcQ$'
ui_keys C-u R
t_check "Ctrl-U erases everything" ui_wait_re 5 ' /R$'
ui_keys Escape

# History: Up recalls older patterns, Esc cancels.
ui_keys / Up Up
t_check "Up Up in the prompt: the pattern before last" \
    ui_wait_re 5 ' /line 29\[0-9\]$'
ui_keys Escape
t_check "Esc closes the prompt, the search stays" \
    ui_wait 5 "/line 29[0-9]  n1:0"

# New output is counted as it arrives: node 4 echoes what it reads.
ui_keys 4 i
ui_keys -l 'line 299 again'
ui_keys Enter C-]
t_check "node 4 got the line" ui_wait 5 "got: line 299 again"
# Two new lines match: the pty's echo of what was typed, and the reply.
t_check "new matching lines are counted (10 + 2)" ui_wait 5 "n4:12"
t_diag "$(ui_screen | tail -1)"

ui_keys q
t_check "q: nodemux exits" t_wait_for 15 ui_exited
t_check "q: exit status 0" [ "$(ui_status)" = 0 ]
ui_finish
