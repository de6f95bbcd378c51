#!/bin/sh
# The launcher benchmark, side by side in one run:
#   1. N writers (bench/writer.c: LINES lines of 64 bytes each, as fast as
#      they can) in ptys drained by a minimal poll reader (bench/floor.c):
#      the floor;
#   2. the same writers as nodes of `nodemux up --headless >/dev/null`,
#      with log files and without: wall time, CPU (user+sys) of the reader
#      alone and with its nodes, peak RSS; and N nodes of `true`, the cost
#      of starting and stopping N nodes;
#   3. IDLE nodes running `sleep 1000` for SECS s: nodemux's CPU over
#      those seconds (/proc/PID/schedstat, ns) and its wakeups.
# Goals: headless wall time within 1.3x the floor; idle CPU under 5 ms
# per 10 s.
#
# usage: bench/launcher.sh [NODEMUX]   (default: ./build/nodemux)
#   env: N=16 LINES=100000 IDLE=64 SECS=10 ROUNDS=5
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
nodemux=${1:-${NODEMUX:-$top/build/nodemux}}
N=${N:-16} LINES=${LINES:-100000} IDLE=${IDLE:-64} SECS=${SECS:-10}
ROUNDS=${ROUNDS:-5}
[ -x "$nodemux" ] || { echo "launcher.sh: no nodemux at $nodemux" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nodemux-bench.XXXXXX")
nm_pid=
trap '[ -z "$nm_pid" ] || kill -KILL $nm_pid 2>/dev/null || true
    rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/writer" "$top/bench/writer.c"
cc -O2 -o "$tmp/floor" "$top/bench/floor.c" -lutil

# cfg FILE SIZE COMMAND...: a config of SIZE nodes running COMMAND.
cfg() {
	f=$1 size=$2; shift 2
	argv=
	for a in "$@"; do argv="$argv${argv:+, }\"$a\""; done
	cat >"$f" <<EOF
cluster = {
  default_size = $size; max_size = 1000; name_prefix = "b";
  host = "127.0.0.1"; log_dir = "$tmp/log";
  ports = { http_base = 40000; dist_base = 41000; stride = 1;
            policy = "next-free"; };
};
node = { command = [ $argv ]; restart = "no"; };
EOF
}

# ratio A B: A/B with two decimals.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'
}

cfg "$tmp/busy.cfg" "$N" "$tmp/writer" "$LINES"
cfg "$tmp/idle.cfg" "$IDLE" sleep 1000
cfg "$tmp/true.cfg" "$N" true
mb=$(awk -v n="$N" -v l="$LINES" 'BEGIN { printf "%.1f", n * l * 64 / 1e6 }')
echo "nodemux launcher benchmark: $N writers x $LINES lines of 64 bytes ($mb MB)"
cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
echo "  $cpu, $(nproc) cpus, $(uname -sr), $(date -u '+%Y-%m-%d %H:%M') UTC"

# measure NAME CMD...: run CMD once; append "wall_ms user_ms sys_ms
# maxrss_kb self_user_ms self_sys_ms" to $tmp/NAME.runs (user and sys
# with the nodes, self_* the reader alone).
measure() {
	name=$1; shift
	"$tmp/floor" time "$tmp/run" "$@" >/dev/null 2>&1 || true
	cat "$tmp/run" >>"$tmp/$name.runs"
}

# best NAME: the run of NAME with the lowest wall time.
best() {
	sort -n "$tmp/$1.runs" | head -n 1
}

# median NAME: the median wall time of NAME's runs.
median() {
	cut -d' ' -f1 "$tmp/$1.runs" | sort -n |
	    awk '{ w[NR] = $1 } END { print w[int((NR + 1) / 2)] }'
}

# paired NAME: the median over rounds of NAME's wall time over the
# floor's in the same round.  Runs of one round follow each other
# within seconds, so a machine that slows down for a while slows both.
paired() {
	paste -d' ' "$tmp/floor.runs" "$tmp/$1.runs" |
	    awk '{ print $7 / $1 }' | sort -n |
	    awk '{ r[NR] = $1 } END { printf "%.2f", (r[int((NR + 1) / 2)] + r[int(NR / 2) + 1]) / 2 }'
}

# Side by side, ROUNDS rounds; the best run of each is shown.
for round in $(seq "$ROUNDS"); do
	measure floor "$tmp/floor" "$N" "$tmp/writer" "$LINES"
	rm -rf "$tmp/log"
	measure logs "$nodemux" up --headless -c "$tmp/busy.cfg"
	measure nologs "$nodemux" up --headless --log-dir "" -c "$tmp/busy.cfg"
	measure true "$nodemux" up --headless --log-dir "" -c "$tmp/true.cfg"
done
lines=$(cat "$tmp"/log/*.log | wc -l)
set -- $(best floor) $(best logs) $(best nologs)
fw=$1
# row LABEL FLOOR LOGS NOLOGS: one row of the table.
row() {
	printf '  %-30s %12s %12s %12s\n' "$@"
}
echo
row "" "floor" "nodemux" "nodemux"
row "" "(C reader)" "(log files)" "(no logs)"
row "wall, best of $ROUNDS (ms)" "$1" "$7" "${13}"
row "wall / floor" "1.00x" "$(ratio "$7" "$fw")x" "$(ratio "${13}" "$fw")x"
fm=$(median floor)
row "wall, median (ms)" "$fm" "$(median logs)" "$(median nologs)"
row "median / floor median" "1.00x" "$(ratio "$(median logs)" "$fm")x" \
    "$(ratio "$(median nologs)" "$fm")x"
row "round by round, median" "1.00x" "$(paired logs)x" "$(paired nologs)x"
row "reader CPU user+sys (ms)" "$5+$6" "${11}+${12}" "${17}+${18}"
row "all CPU user+sys (ms)" "$2+$3" "$8+$9" "${14}+${15}"
row "peak RSS (KB)" "$4" "${10}" "${16}"
[ "$lines" -eq $((N * LINES)) ] ||
    echo "  WARNING: the log files hold $lines lines, not $((N * LINES))"
goal_wall=$(awk -v a="$7" -v b="$fw" -v p="$(paired logs)" \
    'BEGIN { printf "best %s, round by round %s", \
    a <= 1.3 * b ? "met" : "not met", p <= 1.3 ? "met" : "not met" }')
echo
set -- $(best true)
printf '  %-30s %6s ms wall, reader CPU %s+%s ms\n' \
    "start and stop $N nodes of true" "$1" "$5" "$6"

# children PID: how many processes PID has started (nodes, the guard).
children() {
	grep -l "^[0-9]* ([^)]*) [A-Z] $1 " /proc/[0-9]*/stat 2>/dev/null | wc -l
}

# Idle: wait until every node runs, then measure nodemux alone for SECS s.
t0=$(date +%s%N)
"$nodemux" up --headless --log-dir "" -c "$tmp/idle.cfg" >/dev/null 2>&1 &
nm_pid=$!
while [ "$(children $nm_pid)" -lt "$IDLE" ]; do sleep 0.05; done
t1=$(date +%s%N)
printf '  %-30s %6s ms\n' "start $IDLE idle nodes" $(((t1 - t0) / 1000000))
sleep 1
cpu0=$(cut -d' ' -f1 "/proc/$nm_pid/schedstat")
sw0=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$nm_pid/status")
sleep "$SECS"
cpu1=$(cut -d' ' -f1 "/proc/$nm_pid/schedstat")
sw1=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$nm_pid/status")
kill -TERM $nm_pid
wait $nm_pid || true
nm_pid=
printf '  %-30s %6s ms CPU over %s s, %s wakeups\n' "$IDLE idle nodes" \
    "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')" \
    "$SECS" $((sw1 - sw0))
idle_ms=$(awk -v a="$cpu0" -v b="$cpu1" -v s="$SECS" \
    'BEGIN { printf "%.3f", (b - a) / 1e6 * 10 / s }')
echo
echo "  goal: headless wall (log files) within 1.3x the floor: $goal_wall"
echo "  goal: idle CPU under 5 ms per 10 s ($idle_ms ms):" \
    "$(awk -v c="$idle_ms" 'BEGIN { print c < 5 ? "met" : "not met" }')"
