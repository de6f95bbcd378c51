#!/bin/sh
# Many nodes, side by side in one run, for each N in NODES:
#   floor     N writers (bench/writer.c: LINES lines of 64 bytes) in ptys
#             drained by the smallest poll reader (bench/floor.c);
#   keep      the same reader keeping what it reads, the least any
#             reader with nodemux's duties does: each pty's bytes
#             written to a file in 64 KiB writes (LOGS=0: not) and
#             copied into a ring of 10,000 x 64 bytes (FLOOR_KEEP);
#   lines     the same reader keeping lines, the least any reader that
#             keeps lines does: split at \n, \r and trailing spaces
#             dropped, each line to the log (the same bytes as
#             nodemux's log files) and into a 64-byte ring slot
#             (FLOOR_LINES);
#   headless  the same writers as nodes of `nodemux up --headless
#             >/dev/null` with log files (LOGS=0: without);
#   console   the same in the console (`nodemux up` in a WxH tmux
#             terminal), until its log files hold what the headless
#             run's did (LOGS=0: until ctl status says every node has
#             exited, looked at every 200 ms);
# wall time, the ratio to the floor, nodemux's peak RSS (VmHWM) against
# the text its scrollbacks hold (N x min(LINES, 10000) x 64 bytes) and
# the memory goal of issue 11 (1.25 x text + 8 MiB); then the time to
# start N nodes of `sleep` (headless).
#
# usage: bench/scale.sh [NODEMUX]   (default: ./build/nodemux)
#   env: NODES="64 256" LINES=10000 W=200 H=50 LOGS=1 (0: no log files)
#        ROUNDS=1 (more: every run that many times, then the median of
#        each round's ratio to its own floor, and of headless's and the
#        console's to the same round's lines floor)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
nodemux=${1:-${NODEMUX:-$top/build/nodemux}}
NODES=${NODES:-64 256} LINES=${LINES:-10000} W=${W:-200} H=${H:-50}
LOGS=${LOGS:-1} ROUNDS=${ROUNDS:-1}
# The line count is ours: nodemux, tmux and the nodes must not take
# LINES for a terminal height.
lines=$LINES; unset LINES; LINES=$lines
[ -x "$nodemux" ] || { echo "scale.sh: no nodemux at $nodemux" >&2; exit 2; }
command -v tmux >/dev/null || { echo "scale.sh: needs tmux" >&2; exit 2; }
ulimit -n 8192 2>/dev/null || true

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nodemux-scale.XXXXXX")
sock=nm-scale-$$
nm_pid=
# Under set -e a failing command ends an EXIT trap: each one may fail.
trap '[ -z "$nm_pid" ] || kill -KILL $nm_pid 2>/dev/null || true
    tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/writer" "$top/bench/writer.c"
cc -O2 -o "$tmp/floor" "$top/bench/floor.c" -lutil
export LC_ALL=C.UTF-8

logdir=$tmp/log
[ "$LOGS" = 0 ] && logdir=

# cfg FILE SIZE COMMAND...: a config of SIZE nodes running COMMAND.
cfg() {
	f=$1 size=$2; shift 2
	argv=
	for a in "$@"; do argv="$argv${argv:+, }\"$a\""; done
	cat >"$f" <<EOF
cluster = {
  default_size = $size; max_size = 1000; name_prefix = "b";
  host = "127.0.0.1"; log_dir = "$logdir";
  ports = { http_base = 40000; dist_base = 41000; stride = 1;
            policy = "next-free"; };
};
node = { command = [ $argv ]; restart = "no"; };
EOF
}
ms() {
	echo $(($(date +%s%N) / 1000000))
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'
}
median() {
	tr ' ' '\n' | grep . | sort -n | awk '{ w[NR] = $1 } END {
	    printf "%.2f", NR % 2 ? w[(NR + 1) / 2] : (w[NR / 2] + w[NR / 2 + 1]) / 2 }'
}

echo "nodemux scale benchmark: $LINES lines of 64 bytes per node"
echo "  $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M') UTC"
printf '\n  %-5s %-9s %9s %7s %10s %10s %6s %s\n' nodes run "wall ms" \
    "/floor" "RSS MiB" "text MiB" "RSS/t" "goal (1.25 t + 8 MiB)"
for n in $NODES; do
	held=$((LINES < 10000 ? LINES : 10000))
	text=$(awk -v n="$n" -v l="$held" 'BEGIN { printf "%.1f", n * l * 64 / 1048576 }')
	goal=$(awk -v t="$text" 'BEGIN { printf "%.1f", 1.25 * t + 8 }')
	cfg "$tmp/busy.cfg" "$n" "$tmp/writer" "$LINES"
	# row RUN WALL FLOOR RSS_KB
	row() {
		rss=$(awk -v k="$4" 'BEGIN { printf "%.1f", k / 1024 }')
		met=$(awk -v r="$rss" -v g="$goal" 'BEGIN { print r <= g ? "met" : "not met" }')
		printf '  %-5s %-9s %9s %7s %10s %10s %6s %s\n' "$n" "$1" "$2" \
		    "$(ratio "$2" "$3")x" "$rss" "$text" \
		    "$(ratio "$rss" "$text")" "${5:-$goal $met}"
	}

	R=1 RH= RC= RK= RL= LH= LC=
	while [ "$R" -le "$ROUNDS" ]; do
		[ "$ROUNDS" -gt 1 ] && echo "  round $R"
		"$tmp/floor" time "$tmp/run" "$tmp/floor" "$n" "$tmp/writer" "$LINES" >/dev/null 2>&1
		set -- $(cat "$tmp/run")
		floor=$1
		row floor "$1" "$floor" "$4" "-"

		rm -rf "$tmp/keep" && mkdir "$tmp/keep"
		kdir=$tmp/keep
		[ "$LOGS" = 0 ] && kdir=-
		FLOOR_KEEP_LINES=$held FLOOR_KEEP=$kdir "$tmp/floor" time "$tmp/run" \
		    "$tmp/floor" "$n" "$tmp/writer" "$LINES" >/dev/null 2>&1
		set -- $(cat "$tmp/run")
		RK="$RK $(ratio "$1" "$floor")"
		row keep "$1" "$floor" "$4" "-"
		rm -rf "$tmp/keep" && mkdir "$tmp/keep"

		FLOOR_LINES=1 FLOOR_KEEP_LINES=$held FLOOR_KEEP=$kdir \
		    "$tmp/floor" time "$tmp/run" "$tmp/floor" "$n" \
		    "$tmp/writer" "$LINES" >/dev/null 2>&1
		set -- $(cat "$tmp/run")
		RL="$RL $(ratio "$1" "$floor")"
		lw=$1
		row lines "$1" "$floor" "$4" "-"
		rm -rf "$tmp/keep"

		rm -rf "$tmp/log"
		"$tmp/floor" time "$tmp/run" "$nodemux" up --headless -c "$tmp/busy.cfg" >/dev/null 2>&1
		set -- $(cat "$tmp/run")
		hw=$1
		row headless "$1" "$floor" "$4"

		# What the headless run's log files held, the console's will.
		bytes=0
		[ "$LOGS" != 0 ] && bytes=$(cat "$tmp"/log/*.log | wc -c)
		rm -rf "$tmp/log"
		t0=$(ms)
		tmux -L "$sock" -f /dev/null new-session -d -s c -x "$W" -y "$H" \
		    "exec env TERM=tmux-256color $nodemux up -c $tmp/busy.cfg --socket $tmp/ctl.sock"
		nm_pid=$(tmux -L "$sock" display -p -t c '#{pane_pid}')
		# Timed to the moment its log files are whole (every byte read,
		# parsed, held and written), looked at every 5 ms; without log
		# files, to the first ctl status that has every node exited (every
		# 200 ms: it adds up to that).
		t1=
		if [ "$bytes" -gt 0 ]; then
			t1=$("$tmp/floor" bytes "$bytes" "$tmp/log") || {
				echo "scale.sh: the console's log files stay short" >&2
				exit 1
			}
		fi
		until "$nodemux" ctl --socket "$tmp/ctl.sock" status --json 2>/dev/null |
		    grep -c '"state":"exited 0"' | grep -qx "$n"; do
			kill -0 "$nm_pid" 2>/dev/null || {
				echo "scale.sh: the console ended before its nodes" >&2
				exit 1
			}
			sleep 0.2	# each status samples every node's /proc
		done
		[ -n "$t1" ] || t1=$(ms)
		hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$nm_pid/status")
		"$nodemux" ctl --socket "$tmp/ctl.sock" quit >/dev/null 2>&1 || true
		while kill -0 "$nm_pid" 2>/dev/null; do sleep 0.05; done
		nm_pid=
		tmux -L "$sock" kill-server 2>/dev/null || true
		row console $((t1 - t0)) "$floor" "$hwm"
		if [ "$LOGS" != 0 ]; then
			lines=$(cat "$tmp"/log/*.log | wc -l)
			[ "$lines" -eq $((n * LINES)) ] ||
			    echo "  WARNING: the console's log files hold $lines lines, not $((n * LINES))"
		fi
		RH="$RH $(ratio "$hw" "$floor")"
		RC="$RC $(ratio $((t1 - t0)) "$floor")"
		LH="$LH $(ratio "$hw" "$lw")"
		LC="$LC $(ratio $((t1 - t0)) "$lw")"
		R=$((R + 1))
	done
	if [ "$ROUNDS" -gt 1 ]; then
		printf '  %-5s median of each round%ss ratio: keep %sx, lines %sx, headless %sx, console %sx (goal 1.3x)\n' \
		    "$n" "'" "$(echo "$RK" | median)" "$(echo "$RL" | median)" \
		    "$(echo "$RH" | median)" "$(echo "$RC" | median)"
		printf '  %-5s the same against the lines floor: headless %sx, console %sx\n' \
		    "$n" "$(echo "$LH" | median)" "$(echo "$LC" | median)"
	fi
done

# Start N sleeping nodes (headless): until every one runs.
echo
for n in $NODES; do
	cfg "$tmp/idle.cfg" "$n" sleep 1000
	t0=$(ms)
	"$nodemux" up --headless --log-dir "" -c "$tmp/idle.cfg" >/dev/null 2>&1 &
	nm_pid=$!
	while [ "$(pgrep -c -P "$nm_pid" -x sleep)" -lt "$n" ]; do sleep 0.02; done
	t1=$(ms)
	cpu=$(cut -d' ' -f1 "/proc/$nm_pid/schedstat")
	kill -TERM "$nm_pid"
	wait "$nm_pid" || true
	nm_pid=
	printf '  start %4s sleeping nodes: %6s ms wall, nodemux CPU %s ms (goal for 256: 1000 ms)\n' \
	    "$n" $((t1 - t0)) $((cpu / 1000000))
done
