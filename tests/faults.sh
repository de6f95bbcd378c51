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
	[ -n "${TM:-}" ] && $TM kill-server 2>/dev/null
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
# $T_TMP/NAME.out (or $UP_OUT) and .err.
up() {
	n=$1; shift
	"$NODEMUX" up --headless -c "$T_TMP/$n.cfg" "$@" \
	    >"${UP_OUT:-$T_TMP/$n.out}" 2>"$T_TMP/$n.err" &
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
# A short scrollback, so that a follower that does not read falls out of
# it soon even on a loaded machine.
sed -i 's/^  log_dir = "";/  log_dir = "";\n  scrollback_lines = 200;/' "$T_TMP/crowd.cfg"
# Under ASan, freed memory waits in a quarantine (256 MiB): keep it small
# so that RSS measures what nodemux holds.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8"
export ASAN_OPTIONS
# The output of yes is not kept: it would fill /tmp.
UP_OUT=/dev/null
up crowd
UP_OUT=
t_wait_for 10 running 2
rss0=$(kib "$nm_pid" VmRSS)
mkfifo "$T_TMP/crowd.in"
"$CROWD" "$XDG_RUNTIME_DIR/nodemux/crowd.sock" 100 100 100 1 \
    <"$T_TMP/crowd.in" >"$T_TMP/crowd-clients.out" 2>&1 &
crowd_pid=$!
exec 7>"$T_TMP/crowd.in"
t_wait_for 20 grep -q '^ready 300' "$T_TMP/crowd-clients.out"
t_check "300 clients connect" grep -q '^ready 300' "$T_TMP/crowd-clients.out" ||
    t_diag "$(cat "$T_TMP/crowd-clients.out")"
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
if t_sanitized; then
	t_ok "# SKIP RSS under ASan is the sanitizer's ($hwm KiB): checked in the normal build"
else
	t_check "100 followers that never read: peak RSS ${hwm} KiB (from ${rss0}), under 64 MiB" \
	    test "$hwm" -lt 65536
fi
exec 7>&-
t_wait_for 30 grep -q '^closed' "$T_TMP/crowd-clients.out"
closed=$(sed -n 's/^closed \([0-9]*\).*/\1/p' "$T_TMP/crowd-clients.out")
told=$(sed -n 's/^closed.* told //p' "$T_TMP/crowd-clients.out")
t_check "the followers were told they fell behind and closed ($told told, $closed of 300 closed)" \
    test "${told:-0}" -eq 100 -a "${closed:-0}" -ge 150
wait "$crowd_pid" 2>/dev/null
t_check "the console still answers afterwards" running 2
down

# The same with few descriptors: the silent clients give their slots up.
cur=crowd
(ulimit -n 200 && exec "$NODEMUX" up --headless -c "$T_TMP/crowd.cfg" \
    >/dev/null 2>"$T_TMP/crowd.err2") &
nm_pid=$!
t_wait_for 10 running 2
"$CROWD" "$XDG_RUNTIME_DIR/nodemux/crowd.sock" 200 0 0 1 \
    <"$T_TMP/crowd.in" >"$T_TMP/crowd-clients.out" 2>&1 &
crowd_pid=$!
exec 7>"$T_TMP/crowd.in"
t_wait_for 20 grep -q '^ready 200' "$T_TMP/crowd-clients.out"
t0=$(ms)
ctl status >"$T_TMP/crowd.status" 2>&1
t=$(( $(ms) - t0 ))
t_check "ulimit -n 200 and 200 silent clients: status answers in $t ms" \
    sh -c "test $t -lt 3000 && grep -q '^2 ' '$T_TMP/crowd.status'" ||
    t_diag "$(cat "$T_TMP/crowd.status" "$T_TMP/crowd-clients.out")"
exec 7>&-
wait "$crowd_pid" 2>/dev/null
down

# --- 2. The console stopped during a flood -----------------------------
# SIGSTOP for 3 s while a node writes 200,000 numbered lines: every line
# reaches the log file and the output, in order.
cur=stop
cfg stop 1 'seq 1 200000; exec sleep 600' "$T_TMP/stop-logs"
up stop
t_wait_for 10 running 1
sleep 0.3
kill -STOP "$nm_pid"
sleep 3
kill -CONT "$nm_pid"
log=$T_TMP/stop-logs/stop1@127.0.0.1.log
lines_in() {
	[ "$(wc -l <"$1" 2>/dev/null)" -ge "$2" ]
}
t_wait_for 60 lines_in "$log" 200000
seq 1 200000 >"$T_TMP/seq.want"
t_check "stopped 3 s mid-flood: the log has all 200,000 lines in order" \
    cmp -s "$T_TMP/seq.want" "$log" || t_diag "$(wc -l <"$log") lines"
t_wait_for 30 sh -c "[ \$(grep -c '^stop1 *| ' '$T_TMP/stop.out') -ge 200000 ]"
sed -n 's/^stop1 *| //p' "$T_TMP/stop.out" >"$T_TMP/stop.got"
t_check "and so has the headless output" cmp -s "$T_TMP/seq.want" "$T_TMP/stop.got" ||
    t_diag "$(wc -l <"$T_TMP/stop.got") lines"
down

# --- 3. The log directory on a full filesystem -------------------------
# A 512 KiB tmpfs, full before the nodes start: nodemux says so once per
# node, keeps the nodes running and their output showing, and writes
# the log again once there is room.
mnt=$T_TMP/full
mkdir -p "$mnt"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=512k tmpfs "$mnt" 2>/dev/null; then
	cur=full
	cfg full 2 'i=0; while :; do i=$((i+1)); echo "line $i of $NODE_NAME, some words to fill the disk"; sleep 0.01; done' "$mnt"
	dd if=/dev/zero of="$mnt/filler" bs=4k 2>/dev/null
	up full
	t_wait_for 10 running 2
	sleep 3
	said=$(grep -c 'No space left on device' "$T_TMP/full.out")
	t_check "a full disk is said once per node ($said times)" test "$said" = 2 ||
	    t_diag "$(grep '^nodemux' "$T_TMP/full.out" | head -5)"
	t_check "the nodes keep running" running 2
	n1=$(grep -c '^full1 *| line' "$T_TMP/full.out")
	sleep 1
	n2=$(grep -c '^full1 *| line' "$T_TMP/full.out")
	t_check "their output keeps showing ($n1, then $n2 lines)" test "$n2" -gt "$n1"
	rm -f "$mnt/filler"
	last=$(sed -n 's/^full1 *| line \([0-9]*\) .*/\1/p' "$T_TMP/full.out" | tail -1)
	resumed() {
		n=$(sed -n 's/^line \([0-9]*\) .*/\1/p' "$mnt/full1@127.0.0.1.log" | tail -1)
		[ -n "$n" ] && [ "$n" -gt "$last" ]
	}
	t_check "with room again the log is written again (past line $last)" \
	    t_wait_for 10 resumed
	sleep 0.5
	said=$(grep -c 'No space left on device' "$T_TMP/full.out")
	t_check "still said only once per node ($said)" test "$said" = 2
	down
	umount "$mnt" && mnt=
else
	t_ok "# SKIP a full filesystem needs root to mount a tmpfs"
fi

# --- 4. 200 MB without a newline ----------------------------------------
# Memory stays bounded (the line is cut at 4096 columns) and the next
# line arrives, on the output and in the log.
cur=long
cfg long 1 'head -c 200000000 /dev/zero | tr "\\0" x; echo; echo after the long line; exec sleep 600' "$T_TMP/long-logs"
up long
t_wait_for 10 running 1
t_wait_for 120 grep -q '^long1 *| after the long line' "$T_TMP/long.out"
t_check "the line after 200 MB without a newline arrives" \
    grep -q '^long1 *| after the long line' "$T_TMP/long.out"
t_check "the long line is shown cut, saying how much" \
    grep -q '^long1 *| xxxx*.*\[cut 199995904 bytes\]$' "$T_TMP/long.out"
# The log is written at most 50 ms after the read that showed the line.
log_has_both() {
	grep -q 'cut 199995904 bytes' "$T_TMP/long-logs/long1@127.0.0.1.log" &&
	    grep -q '^after the long line' "$T_TMP/long-logs/long1@127.0.0.1.log"
}
t_wait_for 5 log_has_both
t_check "the log has both" log_has_both
hwm=$(kib "$nm_pid" VmHWM)
if t_sanitized; then
	t_ok "# SKIP RSS under ASan is the sanitizer's ($hwm KiB): checked in the normal build"
else
	t_check "peak RSS while reading it: $hwm KiB, under 64 MiB" test "$hwm" -lt 65536
fi
down

# --- 5. Few descriptors ---------------------------------------------------
# With ulimit -n 16 not every node can have its pty and pipes: exec
# names each node that could not start and why, and exits 125.
cur=fd
cfg fd 4 'echo up; exec sleep 600' "$T_TMP/fd-logs"
sed -i 's/^node = {/node = {\n  ready = { log = "up"; timeout_ms = 5000; };/' "$T_TMP/fd.cfg"
(ulimit -n 16 && exec "$NODEMUX" exec -c "$T_TMP/fd.cfg" -- echo ran) \
    >"$T_TMP/fd.out" 2>"$T_TMP/fd.err"
rc=$?
t_check "exec with ulimit -n 16 exits 125 ($rc)" test "$rc" = 125
t_check "naming a node that could not start and why" \
    grep -qE '^  fd[1-4]@127.0.0.1: failed: .*Too many open files' "$T_TMP/fd.err" ||
    t_diag "$(cat "$T_TMP/fd.err")"
t_check "CMD never ran" sh -c "! grep -q '^ran' '$T_TMP/fd.out'"
(ulimit -n 8 && exec "$NODEMUX" exec -c "$T_TMP/fd.cfg" -- echo ran) \
    >"$T_TMP/fd.out" 2>"$T_TMP/fd.err"
rc=$?
nfail=$(grep -cE '^  fd[1-4]@127.0.0.1: failed: .*Too many open files' "$T_TMP/fd.err")
t_check "with ulimit -n 8: 125 ($rc), each of the 4 nodes named ($nfail)" \
    test "$rc" = 125 -a "$nfail" = 4 || t_diag "$(cat "$T_TMP/fd.err")"
sleep 0.3
left=$(t_pids_alive "$pids")
t_check "fd: no node outlives exec ($left)" test -z "$left"
t_pids_kill "$pids"
rm -f "$pids"/*

# --- 6. The terminal goes away under the console ----------------------
# The console in tmux while its nodes write numbered lines (each also
# noted in a side file once written); the tmux server is killed, so the
# console gets SIGHUP: it stops the nodes and exits, and each log has
# every line its node wrote, in order.
TM="tmux -L nm-faults-$$ -f /dev/null"
if command -v tmux >/dev/null 2>&1; then
	# The console (not headless) stopped for 3 s mid-flood too.
	cur=tstop
	cfg tstop 1 'seq 1 200000; exec sleep 600' "$T_TMP/tstop-logs"
	$TM new-session -d -s t -x 120 -y 30 \
	    "exec env TERM=tmux-256color $NODEMUX up -c $T_TMP/tstop.cfg 2>$T_TMP/tstop.err"
	nm_pid=$($TM display -p -t t '#{pane_pid}')
	t_wait_for 10 running 1
	sleep 0.3
	kill -STOP "$nm_pid"
	sleep 3
	kill -CONT "$nm_pid"
	log=$T_TMP/tstop-logs/tstop1@127.0.0.1.log
	t_wait_for 60 lines_in "$log" 200000
	t_check "the console stopped 3 s mid-flood: the log has all 200,000 lines in order" \
	    cmp -s "$T_TMP/seq.want" "$log" || t_diag "$(wc -l <"$log") lines"
	down
	$TM kill-server 2>/dev/null

	cur=hup
	cat >"$T_TMP/hup-node.sh" <<-'EOF'
	i=0
	while :; do
		i=$((i + 1))
		echo "$i"
		echo "$i" >>"$1"
	done
	EOF
	cfg hup 2 "sh $T_TMP/hup-node.sh $T_TMP/side-\$NODE_NAME" "$T_TMP/hup-logs"
	$TM new-session -d -s t -x 120 -y 30 \
	    "exec env TERM=tmux-256color $NODEMUX up -c $T_TMP/hup.cfg 2>$T_TMP/hup.err"
	nm_pid=$($TM display -p -t t '#{pane_pid}')
	t_wait_for 10 running 2
	sleep 2
	$TM kill-server
	t_check "SIGHUP: the console exits" t_wait_for 15 sh -c "! kill -0 $nm_pid"
	nm_pid=
	sleep 0.3
	left=$(t_pids_alive "$pids")
	t_check "hup: no node outlives the console ($left)" test -z "$left"
	for k in 1 2; do
		name=hup$k@127.0.0.1
		logf=$T_TMP/hup-logs/$name.log
		got=$(wc -l <"$logf")
		wrote=$(wc -l <"$T_TMP/side-$name")
		seq 1 "$got" >"$T_TMP/hup.want"
		t_check "node $k: its log has every line it wrote, in order ($got >= $wrote)" \
		    sh -c "cmp -s '$T_TMP/hup.want' '$logf' && test $got -ge $wrote && test $wrote -gt 100"
	done
	t_check "nothing on stderr" test ! -s "$T_TMP/hup.err" ||
	    t_diag "$(head -c 2000 "$T_TMP/hup.err")"
	t_pids_kill "$pids"
	rm -f "$pids"/*
else
	t_ok "# SKIP tmux is not installed"
fi

# --- 7. A node that closes its pty but keeps running -------------------
# End of output is not the end of the node: it stays running until it
# exits (node 1, with status 3) or is stopped (node 2).
cur=cp
cfg cp 2 'echo before; exec >/dev/null 2>&1 </dev/null; if [ $NODE_INDEX = 1 ]; then sleep 3; exit 3; fi; exec sleep 600'
up cp
t_wait_for 10 grep -q '^cp2 *| before' "$T_TMP/cp.out"
sleep 1
state_of() {
	ctl status --json | sed -n "s/^{\"index\":$1,.*\"state\":\"\([^\"]*\)\".*/\1/p"
}
t_check "with its pty closed, node 1 is still running ($(state_of 1))" \
    test "$(state_of 1)" = running
t_check "and so is node 2 ($(state_of 2))" test "$(state_of 2)" = running
exited3() {
	[ "$(state_of 1)" = "exited 3" ]
}
t_check "node 1 is 'exited 3' once its process exits" t_wait_for 10 exited3 ||
    t_diag "state: $(state_of 1)"
t_check "headless says so" grep -q '^nodemux *| cp1 exited with status 3' "$T_TMP/cp.out"
p2=$(cat "$pids/cp2@127.0.0.1")
ctl stop 2 >/dev/null 2>&1
t_check "ctl stop 2 ends node 2 though it has no pty ($(state_of 2))" \
    t_wait_for 10 sh -c "! kill -0 $p2 2>/dev/null"
t_check "every node ended: headless up ends" \
    t_wait_for 10 sh -c "! kill -0 $nm_pid 2>/dev/null"
wait "$nm_pid"
rc=$?
t_check "with status 1, as node 1 exited 3 ($rc)" test "$rc" = 1
down

# --- 8. A costly grep ------------------------------------------------------
# ctl logs --grep with a pattern that takes seconds on a 4096-column line
# (a try of 2^14 paths at each of its 4096 positions, each under the
# match limit):
# a match error naming the node, exit 1, not a silent "no match".
cur=grep
cfg grep 1 'printf "a%.0s" $$(seq 4096); echo xb; echo done; exec sleep 600'
up grep
t_wait_for 10 grep -q '^grep1 *| done' "$T_TMP/grep.out"
t0=$(ms)
ctl logs 1 --grep '(?:(?:a|a){1,14}b)' >"$T_TMP/grep.got" 2>"$T_TMP/grep.err"
rc=$? t=$(( $(ms) - t0 ))
t_check "ctl logs --grep hitting a limit exits 1 ($rc) within 3 s ($t ms)" \
    test "$rc" = 1 -a "$t" -lt 3000
t_check "saying which limit, on which node" \
    grep -q 'grep: .*limit.* on node 1 (1 line): matches may be missing' "$T_TMP/grep.err" ||
    t_diag "$(cat "$T_TMP/grep.err")"
ctl logs 1 --grep '^done$' >"$T_TMP/grep.got" 2>"$T_TMP/grep.err"
t_check "an ordinary grep on the same node still answers 0 ($?)" \
    sh -c "grep -qx done '$T_TMP/grep.got' && test ! -s '$T_TMP/grep.err'"
down

t_done
