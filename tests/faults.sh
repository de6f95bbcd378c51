#!/bin/sh
# Fault injection (issue #12): a crowd of control clients against a
# flooding node, a stopped console, a full log disk, an endless line,
# few descriptors, a vanished terminal, a node that closes its pty.
# Each time: nothing lost, nothing left running.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

CROWD=$TOP_BUILDDIR/tests/helpers/nm-crowd
pids=$T_TMP/pids
mkdir -p "$pids"
nm_pid=

cleanup() {
	[ -n "$nm_pid" ] && kill -KILL "$nm_pid" 2>/dev/null
	t_pids_kill "$pids"
	[ -n "${mnt:-}" ] && umount "$mnt" 2>/dev/null
	return 0
}
trap cleanup EXIT

# cfg NAME NODES COMMAND [LOG_DIR]: a config of NODES shell nodes, each
# recording its pid in $pids and then running COMMAND (a template: $$
# for a literal $ before a digit or $, " and \ as they are).
cfg() {
	cmd=$(printf '%s' "$3" | sed 's/\\/\\\\/g; s/"/\\"/g')
	cat >"$T_TMP/$1.cfg" <<-EOF
	cluster = {
	  default_size = $2;
	  name_prefix = "$1";
	  host = "127.0.0.1";
	  ports = { http_base = 28100; dist_base = 28200; stride = 1; };
	  stop_timeout_ms = 2000;
	  log_dir = "${4:-}";
	};
	node = {
	  command = "echo \$\$\$\$ >$pids/\$NODE_NAME; $cmd";
	};
	EOF
}

# up NAME [ARGS...]: a headless console on config NAME, its output in
# $T_TMP/NAME.out and .err.
up() {
	n=$1; shift
	"$NODEMUX" up --headless -c "$T_TMP/$n.cfg" "$@" \
	    >"$T_TMP/$n.out" 2>"$T_TMP/$n.err" &
	nm_pid=$!
}

ctl() {
	"$NODEMUX" ctl -c "$T_TMP/$cur.cfg" "$@"
}

running() {
	[ "$(ctl status --json 2>/dev/null | grep -c '"state":"running"')" = "$1" ]
}

# down: quit the console and check it and every node are gone.
down() {
	ctl quit >/dev/null 2>&1 || kill -TERM "$nm_pid" 2>/dev/null
	t_wait_for 10 sh -c "! kill -0 $nm_pid" || kill -KILL "$nm_pid"
	wait "$nm_pid" 2>/dev/null
	nm_pid=
	sleep 0.2
	left=$(t_pids_alive "$pids")
	t_check "$cur: no node outlives the console ($left)" test -z "$left"
	t_pids_kill "$pids"
	rm -f "$pids"/*
}

# kib PID FIELD: VmRSS or VmHWM of PID, in KiB.
kib() {
	sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"
}

ms() {
	date +%s%3N
}

# --- 1. The control socket cannot be shut ------------------------------
# 300 clients (silent ones, garbage senders, followers of a flooding node
# that never read): status answers within 3 s, memory stays bounded and
# the followers are dropped.
cur=crowd
cfg crowd 2 'if [ $NODE_INDEX = 1 ]; then exec yes "flood line from $NODE_NAME: the quick brown fox jumps over the lazy dog"; else exec sleep 600; fi'
up crowd
t_wait_for 10 running 2
rss0=$(kib "$nm_pid" VmRSS)
mkfifo "$T_TMP/crowd.in"
"$CROWD" "$XDG_RUNTIME_DIR/nodemux/crowd.sock" 100 100 100 1 \
    <"$T_TMP/crowd.in" >"$T_TMP/crowd.out" 2>&1 &
crowd_pid=$!
exec 7>"$T_TMP/crowd.in"
t_wait_for 20 grep -q '^ready 300' "$T_TMP/crowd.out"
t_check "300 clients connect" grep -q '^ready 300' "$T_TMP/crowd.out" ||
    t_diag "$(cat "$T_TMP/crowd.out")"
sleep 2
worst=0
for i in 1 2 3; do
	t0=$(ms)
	ctl status >"$T_TMP/crowd.status" 2>&1
	t=$(( $(ms) - t0 ))
	[ "$t" -gt "$worst" ] && worst=$t
	grep -q '^2 ' "$T_TMP/crowd.status" || worst=99999
	sleep 1
done
t_check "ctl status answers among them within 3 s (slowest of 3: $worst ms)" \
    test "$worst" -lt 3000 || t_diag "$(cat "$T_TMP/crowd.status")"
sleep 4
hwm=$(kib "$nm_pid" VmHWM)
t_check "100 followers that never read: peak RSS ${hwm} KiB (from ${rss0}), under 64 MiB" \
    test "$hwm" -lt 65536
exec 7>&-
t_wait_for 10 grep -q '^closed' "$T_TMP/crowd.out"
closed=$(sed -n 's/^closed \([0-9]*\).*/\1/p' "$T_TMP/crowd.out")
told=$(sed -n 's/^closed.* told //p' "$T_TMP/crowd.out")
t_check "the followers were told they fell behind and closed ($told told, $closed of 300 closed)" \
    test "${told:-0}" -eq 100 -a "${closed:-0}" -ge 150
wait "$crowd_pid" 2>/dev/null
t_check "the console still answers afterwards" running 2
down

# The same with few descriptors: the silent clients give their slots up.
cur=crowd
(ulimit -n 200 && exec "$NODEMUX" up --headless -c "$T_TMP/crowd.cfg" \
    >"$T_TMP/crowd.out2" 2>"$T_TMP/crowd.err2") &
nm_pid=$!
t_wait_for 10 running 2
"$CROWD" "$XDG_RUNTIME_DIR/nodemux/crowd.sock" 200 0 0 1 \
    <"$T_TMP/crowd.in" >"$T_TMP/crowd.out" 2>&1 &
crowd_pid=$!
exec 7>"$T_TMP/crowd.in"
t_wait_for 20 grep -q '^ready 200' "$T_TMP/crowd.out"
t0=$(ms)
ctl status >"$T_TMP/crowd.status" 2>&1
t=$(( $(ms) - t0 ))
t_check "ulimit -n 200 and 200 silent clients: status answers in $t ms" \
    sh -c "test $t -lt 3000 && grep -q '^2 ' '$T_TMP/crowd.status'" ||
    t_diag "$(cat "$T_TMP/crowd.status" "$T_TMP/crowd.out")"
exec 7>&-
wait "$crowd_pid" 2>/dev/null
down

t_done
