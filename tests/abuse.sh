#!/bin/sh
# Abuse: a hostile user's command lines, configs, environment, nodes,
# control clients and terminal sizes.  Each must end in a clear message
# and a defined exit status, never a crash, a hang, lost lines or a
# process left behind.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

ABUSE_NODE=$TOP_SRCDIR/tests/data/abuse-node.sh
ABUSE_PIDS=$T_TMP/pids
export ABUSE_NODE ABUSE_PIDS
mkdir -p "$ABUSE_PIDS"
cfg=$TOP_SRCDIR/tests/data/abuse-node.cfg
nm_pid=
TM="tmux -L nm-abuse-$$ -f /dev/null"

# Kill whatever a failed test point may have left.
cleanup() {
	[ -n "$nm_pid" ] && kill -KILL "$nm_pid" 2>/dev/null
	$TM kill-server 2>/dev/null
	t_pids_kill "$ABUSE_PIDS"
}
trap cleanup EXIT

# survivors: the recorded node pids still alive.
survivors() {
	t_pids_alive "$ABUSE_PIDS"
}

# none_alive: no process any node started is alive; forget them.
none_alive() {
	t_wait_for 5 test -z "$(survivors)" || return 1
	rm -f "$ABUSE_PIDS"/*
}

# fails RC TEXT ARGS...: nodemux ARGS ends within 10 s with status RC
# and TEXT (fixed) in its stderr; nothing on stderr looks like a crash.
fails() {
	f_rc=$1 f_text=$2; shift 2
	timeout 10 "$NODEMUX" "$@" </dev/null >"$T_TMP/out" 2>"$T_TMP/err"
	f_got=$?
	if [ "$f_got" -ne "$f_rc" ] || ! grep -qF -- "$f_text" "$T_TMP/err" ||
	    grep -qE 'Sanitizer|runtime error|Segmentation' "$T_TMP/err"; then
		t_diag "nodemux $*: status $f_got, wanted $f_rc and: $f_text"
		t_diag "$(head -c 600 "$T_TMP/err")"
		return 1
	fi
}

# --- the command line ---------------------------------------------------
t_check "-n -1: use 1 or more, exit 2" \
    fails 2 "invalid cluster size '-1': use 1 or more" plan -n -1
t_check "-n 99999999999: too large, exit 2" \
    fails 2 "invalid cluster size '99999999999': too large" plan -n 99999999999
t_check "-n '': not a number, exit 2" \
    fails 2 "invalid cluster size '': not a number" plan -n ''
# one_line_err: the message is one line (then the usage line), with
# no escape character: a value it quotes comes escaped.
one_line_err() {
	[ "$(grep -c '^nodemux: ' "$T_TMP/err")" = 1 ] &&
	    [ "$(wc -l <"$T_TMP/err")" -le 2 ] &&
	    ! grep -q "$(printf '\033')" "$T_TMP/err"
}
t_check "-n with a newline and an escape: one line, both escaped" \
    eval 'fails 2 "invalid cluster size '"'"'1\\n\\x1b[31m2'"'"': not a number" \
    plan -n "$(printf "1\n\033[31m2")" && one_line_err'
t_check "ctl logs without N: says it takes one node" \
    fails 2 "ctl logs: needs N, one node" ctl logs
t_check "ctl logs all: says it takes one node" \
    fails 2 "ctl logs: needs N, one node" ctl logs all 2
t_check "ctl stop without N: N or all" fails 2 "ctl stop: needs N or all" ctl stop
t_check "ctl with a request of two lines: one line, escaped" \
    eval 'fails 2 "ctl: unknown request: stat\\nus" ctl "$(printf "stat\nus")" &&
    one_line_err'
t_check "-n 0: the config's range, exit 2" \
    fails 2 "invalid cluster size 0: use 1-" plan -n 0
t_check "-n with no value: says it needs one" \
    fails 2 "option -n needs a value" plan -n
t_check "--json for env: names the option" \
    fails 2 "option --json is not valid for env" env 1 --json
t_check "an unknown option is named" fails 2 "unknown option --frobnicate" \
    plan --frobnicate
t_check "an operand after -- for plan is refused" \
    fails 2 "unexpected argument" plan -- -n 3
t_check "an unknown command of 100 KB: exit 2" fails 2 "unknown command" \
    "$(head -c 100000 /dev/zero | tr '\0' a)"
t_check "a 100 KB config name: exit 2, says it cannot read it" \
    fails 2 "cannot read config" plan -c "$(head -c 100000 /dev/zero | tr '\0' b)"
# full_help: --help into a full disk fails, saying so.
full_help() {
	! "$NODEMUX" --help >/dev/full 2>"$T_TMP/err" &&
	    grep -q 'cannot write to stdout' "$T_TMP/err"
}
if [ -w /dev/full ]; then
	t_check "--help to a full disk: exit 1 with a message" full_help
fi
long=$T_TMP/$(head -c 150 /dev/zero | tr '\0' s).sock
t_check "up --socket too long for a socket: exit 2 before any node starts" \
    fails 2 "--socket: socket path too long" up --headless -c "$cfg" \
    --socket "$long"
t_check "... and no node was started" [ -z "$(ls -A "$ABUSE_PIDS")" ]

# --- the environment ----------------------------------------------------
# size_env SIZE ARGS...: fails ARGS with CLUSTER_SIZE=SIZE.
size_env() {
	(CLUSTER_SIZE=$1; export CLUSTER_SIZE; shift; fails "$@")
}
t_check "CLUSTER_SIZE=99999999999999: out of range, exit 2" \
    size_env 99999999999999 2 "99999999999999: out of range (from CLUSTER_SIZE)" plan
t_check "CLUSTER_SIZE=abc: not a number, exit 2" \
    size_env abc 2 "abc: not a number (from CLUSTER_SIZE)" plan
config_env() {
	(NODEMUX_CONFIG=$1; export NODEMUX_CONFIG; shift; fails "$@")
}
t_check "NODEMUX_CONFIG pointing nowhere: exit 2 naming it" \
    config_env /nonexistent/x.cfg 2 "cannot read config /nonexistent/x.cfg" plan
# bare_plan: plan one node with no HOME and no XDG variables.
bare_plan() {
	env -u HOME -u XDG_CONFIG_HOME -u XDG_RUNTIME_DIR "$NODEMUX" plan -n 1 \
	    >/dev/null 2>&1
}
t_check "no HOME, no XDG: the built-in demo still plans" bare_plan

# --- config files -------------------------------------------------------
printf 'node = { command = "true"; };\ncluster = { cookie = "a\0b"; };\n' \
    >"$T_TMP/nul.cfg"
t_check "a NUL byte in a config: exit 2 naming the line" \
    fails 2 "nul.cfg:2: a NUL byte" plan -c "$T_TMP/nul.cfg"
mkdir -p "$T_TMP/inc"
printf 'cluster = { host = "127.0.0.1"; };\n@include "part.cfg"\n' \
    >"$T_TMP/inc/main.cfg"
printf 'node = {\n  command = "echo a\0; echo b";\n};\n' >"$T_TMP/inc/part.cfg"
t_check "a NUL byte in an @include'd file: exit 2 naming that file's line" \
    fails 2 "inc/part.cfg:2: a NUL byte" plan -c "$T_TMP/inc/main.cfg"
# A key's error in an @include'd file names that file and its line,
# as a path from where nodemux runs, not the including config's name.
mkdir -p "$T_TMP/inc/sub"
printf '# keys\n@include "sub/keys.cfg"\nnode = { command = "true"; };\n' \
    >"$T_TMP/inc/keys.cfg"
printf '\n\n\ncluster = { cookie = 5; };\n' >"$T_TMP/inc/sub/keys.cfg"
t_check "a bad key in an @include'd file: that file's name and line" \
    fails 2 "$T_TMP/inc/sub/keys.cfg:4: cluster.cookie: expected a string" \
    plan -c "$T_TMP/inc/keys.cfg"
printf '\n\ncluster = { default_size = 12; max_size = 10; };\n' \
    >"$T_TMP/inc/sub/keys.cfg"
t_check "a default size out of range in an @include'd file: FILE:LINE" \
    fails 2 "$T_TMP/inc/sub/keys.cfg:3: invalid cluster size 12: use 1-10 (from cluster.default_size)" \
    plan -c "$T_TMP/inc/keys.cfg"
printf '\ncluster = { hosts = (\n  { ssh = "x"; },\n  { ssh = "u@x"; } ); };\n' \
    >"$T_TMP/inc/sub/keys.cfg"
t_check "two hosts of one name in an @include'd file: their own lines" \
    fails 2 "sub/keys.cfg:4: cluster.hosts: two hosts are named \"x\" (lines 3 and 4)" \
    plan -c "$T_TMP/inc/keys.cfg"
printf 'cluster = { };\n\nnode = {\n  cwd = "/";\n};\n' >"$T_TMP/inc/nocmd.cfg"
t_check "a node group without a command: its line" \
    fails 2 "nocmd.cfg:3: node.command is missing" plan -c "$T_TMP/inc/nocmd.cfg"
t_check "a NUL byte in an @include'd file, the config named from its directory" \
    eval '(cd "$T_TMP" && fails 2 "nodemux: inc/part.cfg:2: a NUL byte" \
    plan -c inc/main.cfg)'
printf '@include ""\n' >"$T_TMP/inc/empty-name.cfg"
t_check "@include \"\" in a config named without a directory: exit 2, not flex's" \
    eval '(cd "$T_TMP/inc" && fails 2 "empty-name.cfg:1: cannot include .: not a regular file" \
    plan -c empty-name.cfg)'
printf '@include "/dev/zero"\n' >"$T_TMP/inc/zero.cfg"
t_check "@include of /dev/zero: exit 2, not a hang" \
    fails 2 "zero.cfg:1: cannot include /dev/zero: not a regular file" \
    plan -c "$T_TMP/inc/zero.cfg"
# libconfig's scanner has no rule for a backslash before anything but \
# or ": it echoes it to stdout and drops it, so "\." names the
# directory, which it reads until its scanner exits the process.
# Refused first, nothing on stdout.
printf '@include "\\."\n' >"$T_TMP/inc/dot.cfg"
t_check "@include \"\\.\": exit 2, clear, nothing on stdout" \
    eval 'fails 2 "dot.cfg:1: @include: a backslash in the file name escapes only" \
    plan -c "$T_TMP/inc/dot.cfg" && [ ! -s "$T_TMP/out" ]'
printf '@include "part\n.cfg"\n' >"$T_TMP/inc/open.cfg"
t_check "an @include name that does not end on its line: exit 2" \
    fails 2 "open.cfg:1: @include: the file name must end" \
    plan -c "$T_TMP/inc/open.cfg"
# A file that includes itself 8 times: each file is checked once, not
# 8^10 times before libconfig refuses the nesting.
printf 'cluster = { host = "127.0.0.1"; };\n@include "self.cfg"\n' \
    >"$T_TMP/inc/loop.cfg"
for i in 1 2 3 4 5 6 7 8; do
	echo '@include "self.cfg"'
done >"$T_TMP/inc/self.cfg"
t_check "a file that includes itself 8 times: exit 2 at once, not a hang" \
    fails 2 "self.cfg:1: include file nesting too deep" \
    plan -c "$T_TMP/inc/loop.cfg"
head -c 4000 /dev/urandom | tr -d '\0' >"$T_TMP/garbage.cfg"
t_check "binary garbage as config: exit 2 with FILE:LINE" \
    fails 2 "garbage.cfg:" plan -c "$T_TMP/garbage.cfg"
i=0; : >"$T_TMP/deep.cfg"
while [ $i -lt 3000 ]; do printf 'a = {' ; i=$((i + 1)); done >"$T_TMP/deep.cfg"
t_check "groups nested 3000 deep: exit 2, no crash" \
    fails 2 "deep.cfg:" plan -c "$T_TMP/deep.cfg"
t_check "a directory as config: exit 2" fails 2 "not a regular file" \
    plan -c "$T_TMP"
: >"$T_TMP/empty.cfg"
t_check "an empty config: exit 2, says node.command is missing" \
    fails 2 "node.command is missing" plan -c "$T_TMP/empty.cfg"
echo 'profiles = { dev = 3; }; node = { command = "true"; };' >"$T_TMP/p.cfg"
t_check "a profile that is not a group: exit 2 naming it" \
    fails 2 "p.cfg:1: profiles.dev: expected a group" plan -c "$T_TMP/p.cfg"
echo 'node = { command = "echo ${"; };' >"$T_TMP/t1.cfg"
t_check "a template ending in \${: exit 2" fails 2 "t1.cfg:1: node.command: unterminated" \
    plan -c "$T_TMP/t1.cfg"
echo 'cluster = { name_prefix = "${NODE_NAME}"; }; node = { command = "true"; };' \
    >"$T_TMP/t2.cfg"
t_check "\${NODE_NAME} inside name_prefix: exit 2, no recursion" \
    fails 2 "t2.cfg:1: cluster.name_prefix" plan -c "$T_TMP/t2.cfg"
echo 'node = { command = "true"; env = { X-Y = "1"; }; };' >"$T_TMP/e.cfg"
t_check "env with a non-identifier name: exit 2 naming it" \
    fails 2 "e.cfg:1: node.env.X-Y: not a valid environment variable name" \
    plan -c "$T_TMP/e.cfg"
echo 'cluster = { max_size = 1000; ports = { http_base = 60000; stride = 1000; }; };
node = { command = "true"; };' >"$T_TMP/o.cfg"
t_check "ports past 65535: exit 2 naming node and port" \
    fails 2 "http port 66000 of node 7" plan -c "$T_TMP/o.cfg" -n 10
for p in 1023 65536; do
	echo "cluster = { ports = { http_base = $p; }; }; node = { command = \"true\"; };" \
	    >"$T_TMP/port.cfg"
	t_check "http_base = $p: out of range, exit 2" \
	    fails 2 "port.cfg:1: cluster.ports.http_base: $p is out of range" \
	    plan -c "$T_TMP/port.cfg"
done
i=0; { printf 'node = { command = ['; while [ $i -lt 10000 ]; do
	printf '"a%d", ' $i; i=$((i + 1)); done; printf '"end" ]; };\n'; } >"$T_TMP/big.cfg"
t_check "a 10000-word command: planned whole" \
    sh -c '"$NODEMUX" plan --json -n 1 -c "$1" | grep -q "\"a9999\",\"end\""' \
    - "$T_TMP/big.cfg"

# --- nodes --------------------------------------------------------------
# up_mode MODE N [ARGS...]: headless up of N nodes misbehaving as MODE in
# the background (nm_pid); output in $T_TMP/MODE.out, logs in
# $T_TMP/log-MODE, status in $T_TMP/MODE.rc once it ends.
up_mode() {
	um_mode=$1 um_n=$2; shift 2
	rm -f "$T_TMP/$um_mode.rc"
	(ABUSE_MODE=$um_mode; export ABUSE_MODE
	 exec "$NODEMUX" up --headless -c "$cfg" -n "$um_n" \
	    --log-dir "$T_TMP/log-$um_mode" --socket "$T_TMP/$um_mode.sock" \
	    "$@" >"$T_TMP/$um_mode.out" 2>&1 </dev/null) &
	nm_pid=$!
}

# ended MODE SECONDS: nodemux ended within SECONDS; its status in $rc.
ended() {
	if t_wait_for "$2" eval '! t_alive $nm_pid'; then
		wait "$nm_pid"; rc=$?; nm_pid=
		return 0
	fi
	t_diag "$1: nodemux still runs after $2 s"
	t_diag "$(tail -c 600 "$T_TMP/$1.out")"
	return 1
}

for m in longline garbage escape; do
	up_mode $m 1
	t_check "$m: nodemux ends when the node does, status 0" \
	    eval 'ended $m 20 && [ "$rc" -eq 0 ]' ||
	    t_diag "status $rc; $(tail -c 600 "$T_TMP/$m.out")"
	end=$(echo $m | tr a-z A-Z)
	t_check "$m: the line after it is shown" \
	    grep -qE "^ab1 +\| END-$end\$" "$T_TMP/$m.out"
	t_check "$m: the line after it is in the log file" \
	    grep -qx "END-$end" "$T_TMP/log-$m/ab1@127.0.0.1.log"
	t_check "$m: nothing left behind" none_alive
done
t_check "longline: the 10 MB line is cut in the log, not dropped" \
    grep -q '…\[cut 99[0-9]* bytes\]$' "$T_TMP/log-longline/ab1@127.0.0.1.log"

up_mode forker 2
t_check "forker: nodemux ends when both nodes have exited" \
    eval 'ended forker 10 && [ "$rc" -eq 0 ]'
t_check "forker: the children they left are killed" none_alive

up_mode closeout 2
t_wait_for 5 grep -q 'closing output' "$T_TMP/closeout.out"
sleep 0.5
t_check "closeout: a node that closed its output still runs" \
    t_alive "$(cat "$ABUSE_PIDS"/closeout.1.node)"
kill -TERM "$nm_pid"
t_check "closeout: SIGTERM stops it; nodemux exits 0 within 5 s" \
    eval 'ended closeout 5 && [ "$rc" -eq 0 ]'
t_check "closeout: nothing left behind" none_alive

up_mode stubborn 2
t_wait_for 5 grep -q 'ignoring SIGTERM' "$T_TMP/stubborn.out"
kill -TERM "$nm_pid"
t_check "stubborn: nodes ignoring SIGTERM are killed; exit within 5 s" \
    eval 'ended stubborn 5 && [ "$rc" -eq 0 ]'
t_check "stubborn: nodemux says it used SIGKILL" \
    grep -q 'did not stop within 1000 ms: SIGKILL' "$T_TMP/stubborn.out"
t_check "stubborn: nothing left behind" none_alive

# A child that setsid()s leaves the node's group and session: as the
# manual says, it is no node and is left alone (like epmd -daemon); it
# holds the node's terminal, yet the stop must not hang on it.
up_mode setsid 1
t_wait_for 5 test -s "$ABUSE_PIDS/escaped"
kill -TERM "$nm_pid"
t_check "setsid: the node stops within 5 s although its terminal is held" \
    eval 'ended setsid 5 && [ "$rc" -eq 0 ]'
esc=$(cat "$ABUSE_PIDS/escaped" 2>/dev/null)
t_alive "$esc" && t_diag "setsid: the escaped pid $esc is left alone (documented)"
[ -n "$esc" ] && kill -KILL "$esc" 2>/dev/null
rm -f "$ABUSE_PIDS/escaped"
t_check "setsid: nothing of the node's own group left behind" none_alive
t_check "setsid: the stop is reported once, without a contradiction" \
    eval '! grep -q "did not stop" "$T_TMP/setsid.out" &&
	  grep -q "held by a process outside its group" "$T_TMP/setsid.out"'

# stdout closed: nothing must take fd 1 (a log file, the guard's socket)
# and receive the node lines; the console runs on, the logs get it all.
(ABUSE_MODE=tick; export ABUSE_MODE
 exec "$NODEMUX" up --headless -c "$cfg" -n 2 --log-dir "$T_TMP/log-closed" \
    --socket "$T_TMP/closed.sock" >&- 2>"$T_TMP/closed.err" </dev/null) &
nm_pid=$!
sleep 2
t_check "stdout closed: the console still runs after 2 s" t_alive "$nm_pid"
kill -TERM "$nm_pid"
t_check "stdout closed: SIGTERM ends it, status 0" \
    eval 'ended closed 5 && [ "$rc" -eq 0 ]'
t_check "stdout closed: node 1's log has only its own lines" \
    sh -c 'grep -c . "$1" | grep -qv "^[0-3]$" && ! grep -qv "^tick 1$" "$1"' \
    - "$T_TMP/log-closed/ab1@127.0.0.1.log"
t_check "stdout closed: nothing left behind" none_alive

# --- the control socket -------------------------------------------------
up_mode tick 2
sock=$T_TMP/tick.sock
t_wait_for 10 "$NODEMUX" ctl --socket "$sock" status >/dev/null
t_check "ctl stop 99: exit 1, says which numbers exist" \
    fails 1 "invalid node number" ctl --socket "$sock" stop 99
t_check "ctl logs --grep with an invalid regex: says where" \
    fails 1 "missing closing parenthesis at offset 1" ctl --socket "$sock" \
    logs 1 --grep '('
t_check "ctl: a 10 KB request is refused as too long" \
    fails 1 "request too long" ctl --socket "$sock" logs 1 \
    --grep "$(head -c 10000 /dev/zero | tr '\0' r)"
if command -v python3 >/dev/null 2>&1; then
	# 60 clients that connect and never send (the console takes 64 at
	# once), one that sends binary garbage and one that sends no
	# newline: the console still answers.
	python3 -c '
import socket, sys, time
idle = []
for i in range(60):
    s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); idle.append(s)
g = socket.socket(socket.AF_UNIX); g.connect(sys.argv[1])
g.sendall(bytes(range(11, 256)) + b"\x00\x01\n"); g.settimeout(5)
print(g.recv(4096).decode("utf-8", "replace"), end="")
h = socket.socket(socket.AF_UNIX); h.connect(sys.argv[1]); h.sendall(b"status")
time.sleep(float(sys.argv[2]))
' "$sock" 3 >"$T_TMP/garbage-answer" 2>&1 &
	py=$!
	sleep 1
	t_check "ctl: status answers while 60 clients sit idle" \
	    sh -c '"$NODEMUX" ctl --socket "$1" status | grep -q "ab2@127.0.0.1"' \
	    - "$sock"
	wait $py
	t_check "ctl: a garbage request gets an error line" \
	    grep -q '"ok":false' "$T_TMP/garbage-answer"
	grep -q '"ok":false' "$T_TMP/garbage-answer" ||
	    t_diag "$(head -c 1000 "$T_TMP/garbage-answer")"
	t_check "ctl: the console survived it all" t_alive "$nm_pid"
fi
"$NODEMUX" ctl --socket "$sock" quit >/dev/null 2>&1
t_check "ctl quit: the console ends, status 0" \
    eval 'ended tick 5 && [ "$rc" -eq 0 ]'
t_check "ctl: nothing left behind" none_alive

# --- the console in a terminal ------------------------------------------
if ! command -v tmux >/dev/null 2>&1; then
	t_diag "tmux not installed: the console's part skipped"
	t_done
	exit $?
fi
LC_ALL=C.UTF-8; export LC_ALL
screen() { $TM capture-pane -p -t t; }
on_screen() { screen | grep -qF -- "$1"; }
$TM new-session -d -s t -x 1 -y 1 "env ABUSE_MODE=tick TERM=tmux-256color \
    $NODEMUX -c $cfg -n 16 --socket $T_TMP/tui.sock 2>$T_TMP/tui.err; \
    echo \$? >$T_TMP/tui.rc; sleep 60"
nm_pid=$(pgrep -P "$($TM display -p -t t '#{pane_pid}')" -f "$cfg" | head -1)
t_check "1x1 terminal: the console starts 16 nodes" \
    t_wait_for 10 test -f "$ABUSE_PIDS/tick.16.node"
for s in 10x3 29x5 1x1 2x60 300x2 200x60 1x1 80x24; do
	$TM resize-window -t t -x "${s%x*}" -y "${s#*x}"
	sleep 0.05
done
i=0
while [ $i -lt 30 ]; do
	$TM resize-window -t t -x $((i * 7 % 230 + 1)) -y $((i * 5 % 70 + 1))
	i=$((i + 1))
done
$TM resize-window -t t -x 200 -y 60
t_check "after 40 resizes down to 1x1: still running" t_alive "$nm_pid"
t_check "200x60 again: the grid is back with node 16" \
    t_wait_for 5 on_screen "16 ab16@127.0.0.1"
$TM send-keys -t t / '(' Enter
t_check "invalid regex: PCRE2's message and offset in the status bar" \
    t_wait_for 5 on_screen "/(: missing closing parenthesis at offset 1"
$TM send-keys -t t / 'tick' Enter
t_check "a valid search after it counts matches" t_wait_for 5 on_screen "n16:"
# The error would stay for seconds: it must be gone with the new count.
t_check "... and the earlier pattern's error is gone at once" \
    eval '! on_screen "missing closing parenthesis"'

$TM send-keys -t t q
t_check "q: the console exits 0" \
    eval 't_wait_for 15 test -s "$T_TMP/tui.rc" && [ "$(cat "$T_TMP/tui.rc")" = 0 ]'
t_check "the console wrote nothing to stderr" [ ! -s "$T_TMP/tui.err" ]
[ -s "$T_TMP/tui.err" ] && t_diag "$(head -c 2000 "$T_TMP/tui.err")"
nm_pid=
t_check "console: nothing left behind" none_alive
$TM kill-server 2>/dev/null
t_done
