#!/bin/sh
# The idle console, side by side in one run: for each size in NODES,
#   1. the console (`nodemux up`) in a WxH tmux terminal with that many
#      nodes of `sleep 1000`: nodemux's CPU over SECS s once every node
#      runs (/proc/PID/schedstat, ns), its wakeups, and the bytes it
#      wrote to its terminal in that time (tmux pipe-pane);
#   2. tmux itself with the same `sleep 1000` in as many panes (tiled):
#      the tmux server's CPU over the same SECS s.
# Goal (issue 11): the console under 10 ms per 10 s at 64 sleeping nodes,
# resource sampling included.  Titles show a node's usage only when the
# pane is wide enough (then it is sampled once a second); KEYS=t shows
# the table view, which samples every node every second.
#
# Uptimes show seconds only in a node's first minute (then minutes):
# SETTLE=65 measures a console whose nodes have run past it, as most of
# the time they have.
#
# usage: bench/idle.sh [NODEMUX]   (default: ./build/nodemux)
#   env: NODES="16 64" SECS=10 W=200 H=50 KEYS= (tmux key names)
#        SETTLE=3 (seconds from the last node's start to the measure)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
nodemux=${1:-${NODEMUX:-$top/build/nodemux}}
NODES=${NODES:-16 64} SECS=${SECS:-10} W=${W:-200} H=${H:-50} KEYS=${KEYS:-}
SETTLE=${SETTLE:-3}
[ -x "$nodemux" ] || { echo "idle.sh: no nodemux at $nodemux" >&2; exit 2; }
command -v tmux >/dev/null || { echo "idle.sh: needs tmux" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/nodemux-idle.XXXXXX")
# A tmux server of its own for each run: one that is shutting down does
# not take the next run's commands.
sock=nm-idle-$$
tm() {
	tmux -L "$sock" -f /dev/null "$@"
}
# Under set -e a failing command ends an EXIT trap: this one may fail.
trap 'tm kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
export LC_ALL=C.UTF-8

# cpu_ns PID: CPU time PID has run, in ns.
cpu_ns() {
	cut -d' ' -f1 "/proc/$1/schedstat"
}
# wakeups PID: voluntary context switches of PID.
wakeups() {
	awk '/^voluntary_ctxt_switches/ { print $2 }' "/proc/$1/status"
}
# children PID: processes whose parent is PID.
children() {
	grep -l "^[0-9]* ([^)]*) [A-Z] $1 " /proc/[0-9]*/stat 2>/dev/null | wc -l
}
# ms A B: the ns from A to B as ms with three decimals.
ms() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (b - a) / 1e6 }'
}

echo "nodemux idle benchmark: $SECS s, ${W}x$H terminal${KEYS:+, keys: $KEYS}, from $SETTLE s after the start"
echo "  $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M') UTC"
printf '\n  %-6s %18s %10s %14s %18s\n' nodes "console CPU (ms)" wakeups \
    "bytes written" "tmux panes CPU (ms)"
for n in $NODES; do
	# The console.
	sock=nm-idle-$$-c$n
	cat >"$tmp/idle.cfg" <<EOF
cluster = {
  default_size = $n; max_size = 1000; name_prefix = "i";
  host = "127.0.0.1"; log_dir = "$tmp/log";
  ports = { http_base = 42000; dist_base = 43000; stride = 1;
            policy = "next-free"; };
};
node = { command = [ "sleep", "1000" ]; restart = "no"; };
EOF
	tm new-session -d -s c -x "$W" -y "$H" \
	    "exec env TERM=tmux-256color $nodemux up -c $tmp/idle.cfg --socket $tmp/ctl.sock"
	nm=$(tm display -p -t c '#{pane_pid}')
	while [ "$(children "$nm")" -lt "$n" ]; do sleep 0.1; done
	[ -n "$KEYS" ] && tm send-keys -t c $KEYS
	sleep "$SETTLE"
	: >"$tmp/out"
	tm pipe-pane -O -t c "cat >>$tmp/out"
	c0=$(cpu_ns "$nm") w0=$(wakeups "$nm")
	sleep "$SECS"
	c1=$(cpu_ns "$nm") w1=$(wakeups "$nm")
	tm pipe-pane -t c
	bytes=$(wc -c <"$tmp/out")
	tm send-keys -t c q
	i=0
	while kill -0 "$nm" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1))
	done
	tm kill-server 2>/dev/null || true

	# tmux with the same nodes in panes.
	sock=nm-idle-$$-p$n
	tm new-session -d -s p -x "$W" -y "$H" "sleep 1000"
	k=1
	while [ $k -lt "$n" ]; do
		tm split-window -t p "sleep 1000" 2>/dev/null ||
		    tm select-layout -t p tiled
		tm select-layout -t p tiled
		k=$(tm list-panes -t p | wc -l)
	done
	server=$(tm display -p -t p '#{pid}')
	sleep 2
	t0=$(cpu_ns "$server")
	sleep "$SECS"
	t1=$(cpu_ns "$server")
	tm kill-server 2>/dev/null || true

	printf '  %-6s %18s %10s %14s %18s\n' "$n" "$(ms "$c0" "$c1")" \
	    $((w1 - w0)) "$bytes" "$(ms "$t0" "$t1")"
done
