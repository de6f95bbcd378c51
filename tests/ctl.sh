#!/bin/sh
# The control socket (SPEC §8): nodemux ctl against a headless console:
# status, stop/start/restart, logs with grep and follow, quit; one console
# per socket, stale sockets replaced, no console means exit 1; without
# XDG_RUNTIME_DIR the socket is /tmp/nodemux-<uid>/<name>.sock.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

cfg=$TOP_SRCDIR/tests/data/ctl.cfg
sock=$XDG_RUNTIME_DIR/nodemux/ctl.sock
nm_pid=
pids=$T_TMP/pids
: >"$pids"

# The fallback socket directory, removed at the end only if this test
# made it (section 10).
fb_dir=/tmp/nodemux-$(id -u)
fb_made=

cleanup() {
	[ -n "$nm_pid" ] && kill -KILL "$nm_pid" 2>/dev/null
	for p in $(cat "$pids" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	[ -n "$fb_made" ] && rm -f "$fb_sock" && rmdir "$fb_dir" 2>/dev/null
}
trap cleanup EXIT

ctl() {
	"$NODEMUX" ctl -c "$cfg" "$@"
}

# pid_of N: node N's pid from ctl status --json (recorded for cleanup).
pid_of() {
	p=$(ctl status --json | sed -n "s/^{\"index\":$1,.*\"pid\":\([0-9]*\),.*/\1/p")
	[ -n "$p" ] && [ "$p" != 0 ] && echo "$p" >>"$pids"
	echo "$p"
}

state_of() {
	ctl status --json | sed -n "s/^{\"index\":$1,.*\"state\":\"\([^\"]*\)\".*/\1/p"
}

all_running() {
	[ "$(ctl status --json | grep -c '"state":"running"')" = 3 ]
}

start_console() {
	"$NODEMUX" up --headless -c "$cfg" >"$T_TMP/up.out" 2>"$T_TMP/up.err" &
	nm_pid=$!
	t_wait_for 10 all_running
}

# 1. No console: exit 1 naming the socket.
ctl status >"$T_TMP/none.out" 2>"$T_TMP/none.err"
t_check "ctl without a console exits 1" test $? -eq 1
t_check "and names the socket it tried" grep -qF "$sock" "$T_TMP/none.err"

long=$T_TMP/$(head -c 120 /dev/zero | tr '\0' x).sock
"$NODEMUX" ctl --socket "$long" status 2>"$T_TMP/long.err"
t_check "a socket path too long exits 1" test $? -eq 1
t_check "saying it is too long" grep -q "socket path too long" "$T_TMP/long.err"

# 2. A console answers status.
start_console
t_check "a headless console answers status" all_running
ctl status >"$T_TMP/status.out"
t_check "status is a table with a header and a row per node" \
    sh -c "grep -c '^[123]   ct[123]@127.0.0.1 *running' '$T_TMP/status.out' | grep -qx 3 &&
	   head -1 '$T_TMP/status.out' | grep -q '^#   NAME *STATE *PID *HTTP *DIST'"
t_check "status rows show each node's ports" \
    grep -q '^2   ct2@127.0.0.1 *running *[0-9]* *27401 *27501 ' "$T_TMP/status.out"
mode=$(stat -c %a "$sock" 2>/dev/null)
t_check "the socket is 0600 (is $mode)" test "$mode" = 600
mode=$(stat -c %a "$(dirname "$sock")")
t_check "its directory is 0700 (is $mode)" test "$mode" = 700

# 3. A second console on the same socket is refused with 2.
"$NODEMUX" up --headless -c "$cfg" >/dev/null 2>"$T_TMP/second.err"
t_check "a second console on the same socket exits 2" test $? -eq 2
t_check "saying one is already running" grep -q "already running" "$T_TMP/second.err"

# 4. stop N: the node stops and its process is gone; start N: a new pid.
p2=$(pid_of 2)
ctl stop 2
t_check "ctl stop 2 stops node 2" t_wait_for 5 sh -c "[ \"\$(\"$NODEMUX\" ctl -c '$cfg' status --json | grep -c '\"index\":2,.*\"state\":\"stopped\"')\" = 1 ]"
t_check "node 2's process is gone" sh -c "! kill -0 $p2 2>/dev/null"
t_check "a stopped node's pid is null, not 0" sh -c "\"$NODEMUX\" ctl -c '$cfg' \
    status --json | grep -q '^{\"index\":2,.*\"pid\":null,'"
t_check "...and - in the table, its uptime too" sh -c "\"$NODEMUX\" ctl -c '$cfg' status |
    grep -qE '^2 +[^ ]+ +stopped +- +[0-9]+ +[0-9]+ +[0-9]+ +- '"
t_check "the other nodes still run" test "$(state_of 1)" = running
ctl start 2
t_wait_for 5 sh -c "[ \"\$(\"$NODEMUX\" ctl -c '$cfg' status --json | grep -c '\"state\":\"running\"')\" = 3 ]"
n2=$(pid_of 2)
t_check "ctl start 2 runs it again with a new pid ($p2 -> $n2)" \
    sh -c "[ -n '$n2' ] && [ '$n2' != '$p2' ]"

# 5. restart all: every node gets a new pid.
o1=$(pid_of 1) o3=$(pid_of 3)
ctl restart all
t_wait_for 5 sh -c "[ \"\$(\"$NODEMUX\" ctl -c '$cfg' status --json | grep '\"state\":\"running\"' | grep -vc '\"pid\":\\($o1\\|$n2\\|$o3\\),')\" = 3 ]"
t_check "restart all gives every node a new pid" \
    sh -c "[ '$(pid_of 1)' != '$o1' ] && [ '$(pid_of 3)' != '$o3' ]"

# 6. Errors are reported with exit 1.
ctl start 7 2>"$T_TMP/bad.err"
t_check "an invalid node number exits 1" test $? -eq 1
t_check "naming the valid range" grep -q "use 1-3 or all" "$T_TMP/bad.err"
ctl logs 1 --grep '(' 2>"$T_TMP/re.err"
t_check "an invalid --grep exits 1 with PCRE2's message" \
    sh -c "[ $? -eq 1 ] && grep -q 'missing closing parenthesis at offset 1' '$T_TMP/re.err'"

big=$(head -c 10000 /dev/zero | tr '\0' a)
ctl logs 1 --grep "$big" >/dev/null 2>"$T_TMP/big.err"
t_check "a 10 KB request exits 1, not by SIGPIPE" test $? -eq 1
t_check "saying the request is too long" grep -q "request too long" "$T_TMP/big.err"

# quit_ended WHAT PIDS: after WHAT, the console ends and none of the
# node pids PIDS is left.
quit_ended() {
	t_check "$1 ends the console" \
	    t_wait_for 10 sh -c "! kill -0 $nm_pid 2>/dev/null"
	wait "$nm_pid" 2>/dev/null
	nm_pid=
	alive=
	for p in $2; do t_alive "$p" && alive="$alive $p"; done
	t_check "$1: no node survives ($alive)" test -z "$alive"
}

# 7. logs: the scrollback, filtered; follow gets new lines.
ctl logs 3 >"$T_TMP/logs.out"
t_check "logs 3 prints node 3's scrollback" grep -qx "hello from ct3@127.0.0.1" "$T_TMP/logs.out"
ctl logs 3 --grep '^hello' >"$T_TMP/grep.out"
only_matching() {
	[ -s "$1" ] && ! grep -qvx 'hello from ct3@127.0.0.1' "$1"
}
t_check "logs --grep keeps only matching lines" only_matching "$T_TMP/grep.out"
ctl logs 1 -f >"$T_TMP/follow.out" &
fpid=$!
sleep 1.5
kill "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null
before=$(ctl logs 1 | grep -c '^tick')
t_check "logs -f keeps printing new lines" \
    sh -c "[ \$(grep -c '^tick' '$T_TMP/follow.out') -ge 3 ]"

# 8. quit: every node stops, nodemux exits, the socket is gone.
all=$(ctl status --json | sed -n 's/.*"pid":\([0-9]*\),.*/\1/p')
ctl quit
quit_ended "ctl quit" "$all"
t_check "the socket is removed" test ! -e "$sock"

# 9. A stale socket (its console was SIGKILLed) is replaced.
start_console
kill -KILL "$nm_pid"
wait "$nm_pid" 2>/dev/null
nm_pid=
t_check "a killed console leaves its socket behind" test -S "$sock"
sleep 2	# the guard kills the nodes
start_console
t_check "a new console replaces the stale socket and answers" all_running
ctl quit >/dev/null
t_wait_for 10 sh -c "! kill -0 $nm_pid 2>/dev/null"
t_check "no stderr from nodemux" test ! -s "$T_TMP/up.err"

# 10. Without XDG_RUNTIME_DIR the socket is /tmp/nodemux-<uid>/<name>.sock,
# the name the config's file name (one of this run's own, so that no
# other console answers there), "demo" for the built-in demo.
[ -d "$fb_dir" ] || fb_made=1
fb_cfg=$T_TMP/ctlfb$$.cfg
fb_sock=$fb_dir/ctlfb$$.sock
cp "$cfg" "$fb_cfg"
# fb_ctl ARGS...: ctl without XDG_RUNTIME_DIR.
fb_ctl() {
	env -u XDG_RUNTIME_DIR "$NODEMUX" ctl -c "$fb_cfg" "$@"
}
fb_running() {
	[ "$(fb_ctl status --json | grep -c '"state":"running"')" = 3 ]
}
env -u XDG_RUNTIME_DIR "$NODEMUX" up --headless -c "$fb_cfg" \
    >"$T_TMP/fb.out" 2>"$T_TMP/fb.err" &
nm_pid=$!
t_check "no XDG_RUNTIME_DIR: ctl status finds the console" \
    t_wait_for 10 fb_running || t_diag "$(cat "$T_TMP/fb.err")"
fb_all=$(fb_ctl status --json | sed -n 's/.*"pid":\([1-9][0-9]*\),.*/\1/p')
echo "$fb_all" >>"$pids"
t_check "its socket is $fb_sock" test -S "$fb_sock"
mode=$(stat -c %a "$fb_dir")
[ -n "$fb_made" ] &&
    t_check "the directory it made is 0700 (is $mode)" test "$mode" = 700
ctl status >/dev/null 2>&1
t_check "with XDG_RUNTIME_DIR set, ctl looks there and finds none" \
    test $? -eq 1
(cd "$T_TMP" && env -u XDG_RUNTIME_DIR "$NODEMUX" ctl status \
    >/dev/null 2>"$T_TMP/demo.err")
t_check "the built-in demo's socket is $fb_dir/demo.sock" \
    grep -qF "$fb_dir/demo.sock" "$T_TMP/demo.err" ||
    t_diag "$(cat "$T_TMP/demo.err")"
fb_ctl quit >/dev/null
quit_ended "no XDG_RUNTIME_DIR: ctl quit" "$fb_all"
t_check "its socket is removed" test ! -e "$fb_sock"
t_check "no stderr from nodemux" test ! -s "$T_TMP/fb.err"
[ -n "$fb_made" ] && rmdir "$fb_dir" 2>/dev/null
fb_made=
t_done
