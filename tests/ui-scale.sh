#!/bin/sh
# 1000 nodes (max_size) in the console, 200x50: the grid pages (30x5
# panes at least), ] turns the page, the table lists them, q stops every
# one and exits 0 with no node left.
. "${TOP_SRCDIR:-.}/tests/ui-lib.sh"

if ! ulimit -n 8192 2>/dev/null && [ "$(ulimit -n)" -lt 4096 ]; then
	echo "1..0 # SKIP needs 4096 descriptors (ulimit -n is $(ulimit -n))"
	exit 0
fi
cfg=$(ui_config scale-1000 16000 17000)
ui_start 200 50 -c "$cfg" --socket "$T_TMP/ctl.sock"
t_check "1000 nodes running" ui_wait 120 "1000 nodes · 1000 running" || {
	t_diag "$(ui_screen | tail -1)"
	t_diag "$("$NODEMUX" ctl --socket "$T_TMP/ctl.sock" status |
	    grep -v ' running ' | head -5)"
}
pgrep -P "$UI_PID" -x sleep >"$T_TMP/pids"
t_check "the grid pages: page 1 of many" ui_wait_re 5 'page 1/[0-9]+'
pages=$(ui_screen | tail -1 | sed -n 's/.*page 1\/\([0-9]*\).*/\1/p')
per=$(ui_screen | grep -o '┌ [0-9]* k' | wc -l)
t_check "page 1 shows node 1, not node 1000" \
    eval 'ui_has_re "┌ 1 k1[@ ]" && ui_lacks "┌ 1000 k1000"'
ui_keys '['
t_check "[: the last page ($pages) shows node 1000" \
    ui_wait 10 "page $pages/$pages"
t_check "[: node 1000's pane is there" ui_wait_re 5 "┌ 1000 k1000[@ ]"
ui_keys t
first=$(( (pages - 1) * per + 1 ))
t_check "t: the table, with the focused node's row ($first)" \
    ui_wait_re 10 "^$first +k$first@127.0.0.1 +running" || t_diag "$(ui_screen)"
t_check "t: no page in the status bar" ui_lacks "page $pages/$pages"
ui_keys End
t_check "End: the last row, node 1000" \
    ui_wait_re 5 '^1000 +k1000@127.0.0.1 +running' || t_diag "$(ui_screen)"
ui_keys q
t_check "q: nodemux exits" t_wait_for 120 ui_exited
t_check "q: exit status 0" [ "$(ui_status)" = 0 ]
left=0
for p in $(cat "$T_TMP/pids"); do
	kill -0 "$p" 2>/dev/null && left=$((left + 1))
done
t_check "no node is left running ($left of $(wc -l <"$T_TMP/pids"))" \
    [ "$left" -eq 0 ]
ui_finish
