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
#   env: N=16 LINES=100000 IDLE=64 SECS=10
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
nodemux=${1:-${NODEMUX:-$top/build/nodemux}}
N=${N:-16} LINES=${LINES:-100000} IDLE=${IDLE:-64} SECS=${SECS:-10}
[ -x "$nodemux" ] || { echo "launcher.sh: no nodemux at $nodemux" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nodemux-bench.XXXXXX")
nm_pid=
trap '[ -n "$nm_pid" ] && kill -KILL $nm_pid 2>/dev/null; rm -rf "$tmp"' EXIT
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

# measure NAME CMD...: run CMD, keep the best (lowest wall) of the runs
# in $tmp/NAME as "wall_ms user_ms sys_ms maxrss_kb self_user_ms
# self_sys_ms" (user and sys with the nodes, self_* the reader alone).
measure() {
	name=$1; shift
	"$tmp/floor" time "$tmp/run" "$@" >/dev/null 2>&1 || true
	if [ ! -f "$tmp/$name" ] ||
	    [ "$(cut -d' ' -f1 "$tmp/run")" -lt "$(cut -d' ' -f1 "$tmp/$name")" ]; then
		cp "$tmp/run" "$tmp/$name"
	fi
}

# report NAME LABEL: one line of results, against the floor.
report() {
	set -- $(cat "$tmp/$1") "$2"
	printf '  %-34s %6s ms wall %5sx  cpu %5s+%-5s ms (with nodes %s+%s)  rss %s KB\n' \
	    "$7" "$1" "$(ratio "$1" "$(cut -d' ' -f1 "$tmp/floor.res")")" \
	    "$5" "$6" "$2" "$3" "$4"
}

# Side by side, three rounds; the best run of each counts.
for round in 1 2 3; do
	measure floor.res "$tmp/floor" "$N" "$tmp/writer" "$LINES"
	rm -rf "$tmp/log"
	measure logs.res "$nodemux" up --headless -c "$tmp/busy.cfg"
	measure nologs.res "$nodemux" up --headless --log-dir "" -c "$tmp/busy.cfg"
	measure true.res "$nodemux" up --headless --log-dir "" -c "$tmp/true.cfg"
done
lines=$(cat "$tmp"/log/*.log | wc -l)
report floor.res "floor (C poll reader)"
report logs.res "nodemux up --headless (log files)"
report nologs.res "nodemux up --headless (no logs)"
report true.res "nodemux: $N nodes of true (overhead)"
[ "$lines" -eq $((N * LINES)) ] ||
    echo "  WARNING: the log files hold $lines lines, not $((N * LINES))"

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
printf '  %-34s %6s ms\n' "start $IDLE idle nodes" $(((t1 - t0) / 1000000))
sleep 1
cpu0=$(cut -d' ' -f1 "/proc/$nm_pid/schedstat")
sw0=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$nm_pid/status")
sleep "$SECS"
cpu1=$(cut -d' ' -f1 "/proc/$nm_pid/schedstat")
sw1=$(awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$nm_pid/status")
kill -TERM $nm_pid
wait $nm_pid || true
nm_pid=
printf '  %-34s %6s ms cpu over %s s, %s wakeups\n' "$IDLE idle nodes" \
    "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.3f", (b - a) / 1e6 }')" \
    "$SECS" $((sw1 - sw0))
