# Helpers for the console's tests: run nodemux in a private tmux server,
# type at it, read its screen.  Source it after setting nothing; call
# ui_start first and ui_finish last (it also checks no node survives).
. "${TOP_SRCDIR:-.}/tests/lib.sh"
command -v tmux >/dev/null 2>&1 || { echo "1..0 # SKIP tmux not installed"; exit 0; }

LC_ALL=C.UTF-8
export LC_ALL
UI_SOCK=nm-$(basename "$0" .sh)-$$
UI_NODE_PIDS=
UI_PID=

# ui_tmux ARGS...: tmux on this test's own server.
ui_tmux() {
	tmux -u -L "$UI_SOCK" -f "$T_TMP/tmux.conf" "$@"
}

# ui_config NAME HTTP DIST: tests/data/NAME.cfg with @NODEMUX@, @TOP@
# (the source tree) and the port bases @HTTP@ and @DIST@ replaced (each
# test its own, as tests run in parallel), copied to $T_TMP; prints the
# copy's path.
ui_config() {
	sed "s|@NODEMUX@|$NODEMUX|g; s|@TOP@|$TOP_SRCDIR|g; s|@HTTP@|$2|g;
	    s|@DIST@|$3|g" "$TOP_SRCDIR/tests/data/$1.cfg" >"$T_TMP/$1.cfg"
	echo "$T_TMP/$1.cfg"
}

# ui_start WIDTH HEIGHT ARGS...: nodemux ARGS in a WIDTHxHEIGHT terminal
# (TERM=$UI_TERM, tmux-256color by default).
ui_start() {
	w=$1 h=$2; shift 2
	cat >"$T_TMP/tmux.conf" <<-EOF
	set -g remain-on-exit on
	set -g status off
	set -g default-terminal tmux-256color
	EOF
	printf '%s ' "$@" >"$T_TMP/args"
	rm -f "$T_TMP/rc"
	ui_tmux new-session -d -s t -x "$w" -y "$h" \
	    "env TERM=${UI_TERM:-tmux-256color} $NODEMUX $(cat "$T_TMP/args") 2>>$T_TMP/stderr; echo \$? >$T_TMP/rc"
	sh_pid=$(ui_tmux display -p -t t '#{pane_pid}')
	t_wait_for 5 pgrep -P "$sh_pid" >/dev/null
	UI_PID=$(pgrep -P "$sh_pid" | head -1)
	trap ui_cleanup EXIT
	trap 'ui_cleanup; exit 1' INT TERM HUP
}

# ui_screen: the screen as text.  ui_screen_e: with SGR sequences.
ui_screen() {
	ui_tmux capture-pane -p -t t
}
ui_screen_e() {
	ui_tmux capture-pane -p -e -t t
}

# ui_has TEXT: is TEXT (fixed string) on the screen?
ui_has() {
	ui_screen | grep -qF -- "$1"
}

# ui_lacks TEXT: is TEXT nowhere on the screen?
ui_lacks() {
	! ui_has "$1"
}

# ui_has_re RE: does an extended regex match a line of the screen?
ui_has_re() {
	ui_screen | grep -qE -- "$1"
}

# ui_count_is N RE: RE (extended) occurs exactly N times on the screen.
ui_count_is() {
	[ "$(ui_screen | grep -oE -- "$2" | wc -l)" -eq "$1" ]
}

# ui_first_re RE: the screen's first line matches RE.
ui_first_re() {
	ui_screen | head -1 | grep -qE -- "$1"
}

# ui_last_re RE: the last line with text above the status bar matches RE.
ui_last_re() {
	ui_screen | sed '$d' | grep . | tail -1 | grep -qE -- "$1"
}

# ui_wait SECONDS TEXT: wait until TEXT is on the screen.
ui_wait() {
	t_wait_for "$1" ui_has "$2"
}

# ui_wait_re SECONDS RE: wait until RE matches a line of the screen.
ui_wait_re() {
	t_wait_for "$1" ui_has_re "$2"
}

# ui_keys KEYS...: type at the console (tmux send-keys names).
ui_keys() {
	ui_tmux send-keys -t t "$@"
}

# ui_title INDEX: the title of node INDEX as shown (up to its border).
ui_title() {
	ui_screen | grep -oE "[┌─] $1 [^ ]+@[^ ]+  [^─┐]*" | head -1 |
	    sed 's/^[┌─] //; s/ *$//'
}

# ui_pid INDEX: the pid in node INDEX's title, empty when none.
ui_pid() {
	ui_title "$1" | sed -n 's/.*  pid \([0-9][0-9]*\).*/\1/p'
}

# ui_remember PID...: node pids that must be gone at the end.
ui_remember() {
	UI_NODE_PIDS="$UI_NODE_PIDS $*"
}

# ui_group_gone PID: no process is left in process group PID.
ui_group_gone() {
	! pgrep -g "$1" >/dev/null 2>&1 && ! t_alive "$1"
}

# ui_exited: has nodemux ended?  Its status is then in $T_TMP/rc.
ui_exited() {
	[ -s "$T_TMP/rc" ]
}

# ui_status: nodemux's exit status.
ui_status() {
	cat "$T_TMP/rc"
}

# ui_end: make sure nodemux has ended (SIGTERM, then SIGKILL).
ui_end() {
	if [ -n "$UI_PID" ] && t_alive "$UI_PID"; then
		kill -TERM "$UI_PID" 2>/dev/null
		t_wait_for 10 ui_exited || kill -KILL "$UI_PID" 2>/dev/null
	fi
}

# ui_cleanup: end nodemux, the tmux server and any node left over.
ui_cleanup() {
	ui_end
	ui_tmux kill-server 2>/dev/null
	for p in $UI_NODE_PIDS; do
		kill -KILL -"$p" 2>/dev/null
	done
}

# ui_finish: check every remembered node is gone, clean up, end the TAP.
ui_finish() {
	ui_end
	survivors=
	for p in $UI_NODE_PIDS; do
		t_wait_for 5 ui_group_gone "$p" || survivors="$survivors $p"
	done
	ui_cleanup
	trap - EXIT INT TERM HUP
	t_check "no node outlives the console (survivors:${survivors:- none})" \
	    [ -z "$survivors" ]
	t_check "nodemux wrote nothing to stderr" [ ! -s "$T_TMP/stderr" ]
	[ -s "$T_TMP/stderr" ] && t_diag "$(head -c 4000 "$T_TMP/stderr")"
	t_done
}
