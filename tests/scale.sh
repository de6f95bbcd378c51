#!/bin/sh
# 1000 nodes (max_size), headless, each with its log file (the guard
# takes 1000 logs and 1000 groups): every one starts and runs, SIGTERM
# stops them all, nodemux exits 0 and no node is left running.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

if ! ulimit -n 8192 2>/dev/null && [ "$(ulimit -n)" -lt 4096 ]; then
	echo "1..0 # SKIP needs 4096 descriptors (ulimit -n is $(ulimit -n))"
	exit 0
fi
sed "s|@HTTP@|13000|; s|@DIST@|14000|; s|log_dir = \"\"|log_dir = \"$T_TMP/log\"|" \
    "$TOP_SRCDIR/tests/data/scale-1000.cfg" >"$T_TMP/scale.cfg"
"$NODEMUX" up --headless -c "$T_TMP/scale.cfg" >"$T_TMP/out" 2>&1 &
nm_pid=$!
trap 'kill -KILL $nm_pid 2>/dev/null; pkill -KILL -P $nm_pid 2>/dev/null' EXIT

# running: how many of nodemux's children run sleep.
running() {
	pgrep -c -P "$nm_pid" -x sleep
}
t_check "1000 nodes start and run" t_wait_for 120 eval '[ "$(running)" -eq 1000 ]' ||
    t_diag "$(running) running; $(tail -3 "$T_TMP/out")"
pgrep -P "$nm_pid" -x sleep >"$T_TMP/pids"
t_check "a log file for each" [ "$(ls "$T_TMP/log" | wc -l)" -eq 1000 ]
kill -TERM "$nm_pid"
t_check "SIGTERM: nodemux exits" t_wait_for 60 sh -c "! kill -0 $nm_pid 2>/dev/null" || {
	pkill -KILL -P "$nm_pid"	# stuck (the guard too): no hang here
	kill -KILL "$nm_pid"
}
wait "$nm_pid"
rc=$?
t_check "SIGTERM: exit status 0 or 1, not a crash ($rc)" [ "$rc" -le 1 ]
t_check "SIGTERM: every node's stop is reported" \
    [ "$(grep -c 'k[0-9]* stopped' "$T_TMP/out")" -eq 1000 ]
left=0
for p in $(cat "$T_TMP/pids"); do
	kill -0 "$p" 2>/dev/null && left=$((left + 1))
done
t_check "no node is left running ($left of 1000)" [ "$left" -eq 0 ]
trap - EXIT
t_done
