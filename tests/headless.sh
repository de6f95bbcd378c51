#!/bin/sh
# nodemux up --headless (SPEC §6): prefixed, padded lines, nodemux's
# events, the exit status, colours only on a terminal, stops on SIGTERM
# with nothing left behind, leaves nothing behind when SIGKILLed, keeps
# reading nodes when stdout is too slow, and under ports.policy "strict"
# does not find a node's own ports busy when it restarts.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

cfg=$TOP_SRCDIR/tests/data/front-headless.cfg
FRONT_PIDS=$T_TMP/pids
export FRONT_PIDS
mkdir -p "$FRONT_PIDS"
nm_pid=

sp_pids=

# Kill whatever a failed test point may have left, then report it.
cleanup() {
	[ -n "$nm_pid" ] && kill -KILL "$nm_pid" 2>/dev/null
	t_pids_kill "$FRONT_PIDS"
	for p in $sp_pids; do kill -KILL "$p" 2>/dev/null; done
}
trap cleanup EXIT

# survivors: print the pids of test nodes still alive.
survivors() {
	t_pids_alive "$FRONT_PIDS"
}

# none_alive: no node or grandchild of the last run is alive.
none_alive() {
	[ -z "$(survivors)" ]
}

# has_line FILE TEXT: FILE has the exact line TEXT.
has_line() {
	grep -qxF -- "$2" "$1"
}

# 1. Three nodes that exit 0.
out=$T_TMP/ok.out
FRONT_MODE=ok "$NODEMUX" up --headless -c "$cfg" >"$out" 2>"$T_TMP/ok.err"
t_check "all nodes exit 0: exit status 0" test $? -eq 0
t_check "node lines are prefixed by the padded name" \
    has_line "$out" "fr1     | hello from fr1@127.0.0.1"
t_check "every node's lines are there" \
    sh -c "grep -c '^fr[123]     | red and plain [123]\$' '$out' | grep -qx 3"
t_check "nodemux's events are lines of their own" \
    has_line "$out" "nodemux | fr2 exited with status 0"
t_check "a node's own lines keep their order" \
    sh -c "grep '^fr2 ' '$out' | head -1 | grep -q 'hello from fr2'"
if grep -q "$(printf '\033')" "$out"; then
	t_fail "no colour when stdout is not a terminal"
else
	t_ok "no colour when stdout is not a terminal"
fi

# 2. up without --headless, stdout not a terminal: the same.
FRONT_MODE=ok "$NODEMUX" up -c "$cfg" >"$T_TMP/up.out" 2>&1
t_check "up with stdout not a terminal is headless" \
    has_line "$T_TMP/up.out" "fr3     | hello from fr3@127.0.0.1"

# 3. One node exits 3: status 1, and the event says so.
FRONT_MODE=fail2 "$NODEMUX" up --headless -c "$cfg" >"$T_TMP/fail.out" 2>&1
t_check "a node exits 3: exit status 1" test $? -eq 1
t_check "the event names the node and its status" \
    has_line "$T_TMP/fail.out" "nodemux | fr2 exited with status 3"

# 4. Colours on a terminal (through script(1)): the names and the nodes'
# own SGR; none with NO_COLOR.
if command -v script >/dev/null 2>&1; then
	FRONT_MODE=ok script -qec "'$NODEMUX' up --headless -c '$cfg'" \
	    /dev/null >"$T_TMP/tty.out" 2>&1
	esc=$(printf '\033')
	t_check "on a terminal the name is coloured" \
	    grep -q "${esc}\[36mfr1    ${esc}\[0m | hello" "$T_TMP/tty.out"
	t_check "on a terminal a node's own colours are kept" \
	    grep -q "${esc}\[0;31mred${esc}\[0m and plain" "$T_TMP/tty.out"
	FRONT_MODE=ok NO_COLOR=1 script -qec "'$NODEMUX' up --headless -c '$cfg'" \
	    /dev/null >"$T_TMP/nocolor.out" 2>&1
	if grep -q "$esc" "$T_TMP/nocolor.out"; then
		t_fail "NO_COLOR: no colour on a terminal"
	else
		t_ok "NO_COLOR: no colour on a terminal"
	fi
else
	for d in "the name is coloured" "own colours are kept" "NO_COLOR"; do
		t_ok "# SKIP script(1) missing: $d"
	done
fi

# 5. SIGTERM to nodemux: every node and grandchild stops, status 0.
rm -f "$FRONT_PIDS"/*
FRONT_MODE=stay "$NODEMUX" up --headless -c "$cfg" >"$T_TMP/term.out" 2>&1 &
nm_pid=$!
t_check "stay: three nodes and their children started" \
    t_wait_for 10 sh -c "[ \$(ls '$FRONT_PIDS' | wc -l) -eq 6 ] && \
    [ \$(grep -c '| ready\$' '$T_TMP/term.out') -eq 3 ]"
kill -TERM $nm_pid
wait $nm_pid
rc=$?
nm_pid=
t_check "SIGTERM: nodes stopped on request: exit status 0" test $rc -eq 0
t_check "SIGTERM: the stop is said" \
    grep -q '^nodemux | SIGTERM: stopping all nodes' "$T_TMP/term.out"
t_check "SIGTERM: no node or grandchild survives" none_alive
t_diag "survivors: $(survivors)"

# 6. SIGKILL to nodemux: nothing left within 2 s.
rm -f "$FRONT_PIDS"/*
FRONT_MODE=stay "$NODEMUX" up --headless -c "$cfg" >"$T_TMP/kill.out" 2>&1 &
nm_pid=$!
t_check "stay again: three nodes and their children started" \
    t_wait_for 10 sh -c "[ \$(ls '$FRONT_PIDS' | wc -l) -eq 6 ]"
kill -KILL $nm_pid
wait $nm_pid 2>/dev/null
nm_pid=
t_check "SIGKILL: every node and grandchild gone within 2 s" \
    t_wait_for 2 none_alive
t_diag "survivors: $(survivors)"

# 6a. SIGKILL in the middle of a flood: the log file still gets every
# line nodemux had read (its queue is written out by the guard), in
# order, none twice.  What headless printed was read, so the log holds
# at least up to the last line printed.
rm -f "$FRONT_PIDS"/*
FRONT_MODE=flood "$NODEMUX" up --headless -n 1 --log-dir "$T_TMP/klogs" \
    -c "$cfg" >"$T_TMP/flood.out" 2>&1 &
nm_pid=$!
t_check "flood: lines arrive" t_wait_for 10 \
    sh -c "[ \$(grep -c ' flood ' '$T_TMP/flood.out') -gt 50000 ]"
kill -KILL $nm_pid
wait $nm_pid 2>/dev/null
nm_pid=
t_check "flood: the node is gone within 2 s" t_wait_for 2 none_alive
# (The last line printed may be cut short by the kill: take the one
# before it.)
last=$(sed -n 's/^fr1 *| 1 flood \([0-9]*\)$/\1/p' "$T_TMP/flood.out" |
    tail -n 2 | head -n 1)
klog=$T_TMP/klogs/fr1@127.0.0.1.log
# log_upto: the log is lines 0, 1, 2... with nothing missing or twice,
# up to at least the last line printed.
log_upto() {
	awk -v last="$last" '$3 != NR - 1 { bad = 1 }
	    END { exit !(!bad && NR - 1 >= last) }' "$klog"
}
t_check "SIGKILL: the log holds every line printed, in order, none twice" \
    t_wait_for 2 log_upto
t_diag "last printed $last, log has $(wc -l <"$klog") lines"

# 6b. SIGHUP stops like SIGTERM; with nodes that ignore SIGTERM, a
# second signal kills them at once instead of after stop_timeout_ms.
rm -f "$FRONT_PIDS"/*
FRONT_MODE=deaf "$NODEMUX" up --headless -c "$cfg" >"$T_TMP/deaf.out" 2>&1 &
nm_pid=$!
t_check "deaf: three nodes started" t_wait_for 10 sh -c \
    "[ \$(grep -c '| ready\$' '$T_TMP/deaf.out') -eq 3 ]"
kill -HUP $nm_pid
t_check "SIGHUP: the stop is said" t_wait_for 2 \
    grep -q '^nodemux | SIGHUP: stopping all nodes' "$T_TMP/deaf.out"
t0=$(date +%s%N)
kill -INT $nm_pid
wait $nm_pid
t1=$(date +%s%N)
nm_pid=
t_check "a second signal: killing is said" \
    grep -q '^nodemux | SIGINT again: killing all nodes' "$T_TMP/deaf.out"
t_check "a second signal kills at once (well before stop_timeout_ms)" \
    test $(((t1 - t0) / 1000000)) -lt 1000
t_diag "second signal to exit: $(((t1 - t0) / 1000000)) ms"
t_check "deaf: nothing survives" t_wait_for 1 none_alive

# 6c. The reader goes away while the nodes are quiet (| head -1):
# nodemux notices, stops them all and exits.
rm -f "$FRONT_PIDS"/*
t0=$(date +%s%N)
FRONT_MODE=stay timeout 10 "$NODEMUX" up --headless -c "$cfg" 2>/dev/null |
    head -1 >"$T_TMP/head.out"
t1=$(date +%s%N)
t_check "a reader that goes away ends nodemux at once (not after 10 s)" \
    test -s "$T_TMP/head.out" -a $(((t1 - t0) / 1000000)) -lt 5000
t_check "reader gone: nothing survives" t_wait_for 2 none_alive

# 7. stdout that nobody reads for a while: nodes still run to the end
# (their log files fill up meanwhile), the oldest lines are dropped with
# a note, and the newest arrive.
rm -f "$FRONT_PIDS"/*
logs=$T_TMP/logs
mkfifo "$T_TMP/fifo"
(exec 3<"$T_TMP/fifo"; sleep 4; cat <&3 >"$T_TMP/slow.out") &
reader=$!
FRONT_MODE=chatty "$NODEMUX" up --headless --log-dir "$logs" -c "$cfg" \
    >"$T_TMP/fifo" 2>"$T_TMP/slow.err" &
nm_pid=$!
# All three write 20000 lines while stdout is not read at all.
t_check "slow stdout: the nodes are read to the end anyway" \
    t_wait_for 3 sh -c "cat '$logs'/fr*.log | grep -c ' line ' | grep -qx 60000"
wait $nm_pid
rc=$?
nm_pid=
wait $reader
t_check "slow stdout: exit status 0" test $rc -eq 0
t_check "slow stdout: the drop is said" \
    grep -q '^nodemux | dropped [0-9]* lines (stdout too slow)$' "$T_TMP/slow.out"
t_check "slow stdout: the newest lines arrive" \
    grep -q '^fr[123]     | [123] line 19999 ' "$T_TMP/slow.out"
t_check "slow stdout: nodemux's own events are never dropped" \
    sh -c "grep -c '^nodemux | fr[123] exited with status 0\$' '$T_TMP/slow.out' | grep -qx 3"
t_check "slow stdout: the log files hold every line" \
    sh -c "grep -c ' line ' '$logs/fr2@127.0.0.1.log' | grep -qx 20000"
shown=$(grep -c '^fr[123]     | [123] line ' "$T_TMP/slow.out")
dropped=$(sed -n 's/^nodemux | dropped \([0-9]*\) lines.*/\1/p' "$T_TMP/slow.out" |
    awk '{ n += $1 } END { print n + 0 }')
t_diag "$shown lines shown, $dropped dropped"
t_check "slow stdout: lines shown and dropped add up to 60000" \
    test $((shown + dropped)) -eq 60000

# 8. ports.policy "strict": a node's own ports, held by its previous run
# until the restart, are not busy to it.  Two demo nodes that listen on
# their http port and are ready once it answers; ctl restart 1 brings
# node 1 back, ready on the same ports, with no "busy" anywhere.
cat >"$T_TMP/strict.cfg" <<EOF
cluster = { default_size = 2; name_prefix = "sp"; host = "127.0.0.1";
  ports = { http_base = 28300; dist_base = 28400; stride = 1;
    policy = "strict"; };
  stop_timeout_ms = 3000; log_dir = ""; };
node = { command = [ "$NODEMUX", "demo-node" ];
  ready = { tcp = "\${HTTP_PORT}"; timeout_ms = 20000; };
  restart = "no"; };
EOF
# sp_status N: node N's line of ctl status --json.
sp_status() {
	"$NODEMUX" ctl -c "$T_TMP/strict.cfg" status --json |
	    grep "^{\"index\":$1,"
}
# sp_pid N: node N's pid, empty when it has none.
sp_pid() {
	sp_status "$1" | sed -n 's/.*"pid":\([1-9][0-9]*\),.*/\1/p'
}
# sp_readies N: how many times node N was said to be ready.
sp_readies() {
	grep -c "^nodemux | sp$1 ready\$" "$T_TMP/strict.out"
}
sp_both_ready() {
	[ "$(sp_readies 1)" -eq 1 ] && [ "$(sp_readies 2)" -eq 1 ]
}
sp_ready_again() {
	[ "$(sp_readies 1)" -eq 2 ]
}
# sp_listens PID: PID listens on 28300.
sp_listens() {
	ss -Hltnp 'sport = :28300' | grep -q "pid=$1,"
}
"$NODEMUX" up --headless -c "$T_TMP/strict.cfg" >"$T_TMP/strict.out" \
    2>"$T_TMP/strict.err" &
nm_pid=$!
t_check "strict: both nodes ready" t_wait_for 30 sp_both_ready ||
    t_diag "$(grep '^nodemux' "$T_TMP/strict.out")"
old1=$(sp_pid 1) old2=$(sp_pid 2)
sp_pids="$old1 $old2"
t_check "strict: node 1 ($old1) listens on its http port" \
    t_wait_for 5 sp_listens "$old1"
"$NODEMUX" ctl -c "$T_TMP/strict.cfg" restart 1 >/dev/null
t_check "strict, ctl restart 1: node 1 is ready again" \
    t_wait_for 30 sp_ready_again ||
    t_diag "$(grep '^nodemux' "$T_TMP/strict.out")"
new1=$(sp_pid 1)
sp_pids="$sp_pids $new1"
t_check "strict, restart: node 1 is a new process ($old1 -> $new1)" \
    eval '[ -n "$new1" ] && [ "$new1" != "$old1" ]'
t_check "strict, restart: ready on the same ports" eval 'sp_status 1 |
    grep -q "\"state\":\"ready\",.*\"http_port\":28300,\"dist_port\":28400,\"restarts\":1,"' ||
    t_diag "$(sp_status 1)"
t_check "strict, restart: the new process listens there" \
    t_wait_for 5 sp_listens "$new1"
t_check "strict, restart: node 2 kept running" test "$(sp_pid 2)" = "$old2"
t_check "strict, restart: no port was busy" \
    eval '! grep -q busy "$T_TMP/strict.out" "$T_TMP/strict.err"' ||
    t_diag "$(grep busy "$T_TMP/strict.out" "$T_TMP/strict.err")"
t_check "strict, restart: no node failed" \
    eval '! grep -q "^nodemux | sp[12] failed" "$T_TMP/strict.out"'
kill -TERM $nm_pid
wait $nm_pid
rc=$?
nm_pid=
t_check "strict: SIGTERM, exit status 0 (rc=$rc)" test $rc -eq 0
left=
for p in $sp_pids; do t_alive "$p" && left="$left $p"; done
t_check "strict: no node outlives nodemux ($left)" test -z "$left"
t_check "strict: nothing on stderr" test ! -s "$T_TMP/strict.err"

t_done
