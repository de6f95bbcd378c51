#!/bin/sh
# Where the console reads its keys: with standard input not a terminal
# (nodemux up </dev/null) it reads them from /dev/tty, shows the grid,
# and q (or Ctrl-C) stops every node and leaves; with no terminal to
# open it says so and exits 1.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"

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

# No controlling terminal (setsid) and standard input not a terminal:
# nothing to read keys from, so up says so.
nodemux=$NODEMUX
NODEMUX="setsid -w $nodemux"
ui_start 160 48 -c "$cfg" '</dev/null'
NODEMUX=$nodemux
t_check "no terminal for keys: up exits" t_wait_for 10 ui_exited
t_check "no terminal for keys: exit status 1" [ "$(ui_status)" = 1 ]
t_check "no terminal for keys: it says so" grep -q \
    '^nodemux: the console needs a terminal to read keys from: /dev/tty: .* (try --headless)$' \
    "$T_TMP/stderr" || t_diag "$(cat "$T_TMP/stderr")"
: >"$T_TMP/stderr"
ui_finish
