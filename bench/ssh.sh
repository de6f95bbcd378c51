#!/bin/sh
# The ssh transport benchmark, side by side in one run, against two test
# hosts (network namespaces with their own sshd, tests/lib-netns.sh):
#   1. the floor: N writers (bench/writer.c, LINES lines of 64 bytes each,
#      as fast as they can), N/2 on each host, each run by a plain
#      `ssh -tt host writer >/dev/null` (one TCP connection each);
#   2. the same writers as the nodes of `nodemux up --headless >/dev/null`
#      spread over the two hosts, with log files and without: wall time,
#      and the most TCP connections each host's sshd had at once.
# Goals: nodemux within 1.3x the floor's wall time; one TCP connection per
# host.  Needs root (network namespaces), sshd, ssh and cc.
#
# usage: bench/ssh.sh [NODEMUX]   (default: ./build/nodemux)
#   env: N=16 LINES=100000 ROUNDS=3
# Run it as root; beside other runs, in namespaces of its own (HACKING.md).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
NODEMUX=${1:-${NODEMUX:-$top/build/nodemux}}
N=${N:-16} LINES=${LINES:-100000} ROUNDS=${ROUNDS:-3}
[ -x "$NODEMUX" ] || { echo "ssh.sh: no nodemux at $NODEMUX" >&2; exit 2; }
export NODEMUX
TOP_SRCDIR=$top
. "$top/tests/lib.sh"
# Logins run the machine's ~/.bashrc, as on a real host (the tests bind
# an empty one over it).
N_KEEP_BASHRC=1; export N_KEEP_BASHRC
. "$top/tests/lib-netns.sh"
n_setup 2 >/dev/null
h1=$(n_addr 1) h2=$(n_addr 2)
cc -O2 -o "$T_TMP/writer" "$top/bench/writer.c" || exit 2

# cfg FILE LOGDIR: the nodemux config of the run.
cfg() {
	cat >"$1" <<EOF
cluster = {
  max_size = 1000; name_prefix = "b"; host = "127.0.0.1"; log_dir = "$2";
  hosts = ( { name = "h1"; ssh = "root@$h1"; },
            { name = "h2"; ssh = "root@$h2"; } );
  ssh_options = [ "-F", "$N_SSHCFG" ];
  ports = { http_base = 40000; dist_base = 41000; stride = 1; };
};
node = { command = [ "$T_TMP/writer", "$LINES" ]; restart = "no"; };
EOF
}
cfg "$T_TMP/logs.cfg" "$T_TMP/log"
cfg "$T_TMP/nologs.cfg" ""

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# watch_conns: sample both hosts' established ssh connections until
# $T_TMP/stop appears; the highest count of each into $T_TMP/conns.
watch_conns() {
	m1=0 m2=0
	while [ ! -e "$T_TMP/stop" ]; do
		c1=$(ip netns exec "$(n_ns 1)" ss -Htn state established '( sport = :22 )' | wc -l)
		c2=$(ip netns exec "$(n_ns 2)" ss -Htn state established '( sport = :22 )' | wc -l)
		[ "$c1" -gt "$m1" ] && m1=$c1
		[ "$c2" -gt "$m2" ] && m2=$c2
		sleep 0.05
	done
	echo "$m1 $m2" >"$T_TMP/conns"
}

# floor: N plain ssh -tt writers, half on each host; wall ms.
floor() {
	t0=$(now_ms)
	i=1
	while [ $i -le "$N" ]; do
		a=$h1; [ $((i % 2)) -eq 0 ] && a=$h2
		NODE_INDEX=$i ssh -F "$N_SSHCFG" -tt "$a" \
		    "NODE_INDEX=$i $T_TMP/writer $LINES" >/dev/null 2>&1 </dev/null &
		i=$((i + 1))
	done
	wait
	echo $(($(now_ms) - t0))
}

# nodemux CFG: the same writers as nodes of up --headless; wall ms.
nodemux() {
	rm -f "$T_TMP/stop"
	watch_conns &
	wp=$!
	t0=$(now_ms)
	"$NODEMUX" up --headless -c "$1" -n "$N" >/dev/null 2>&1 </dev/null
	t1=$(now_ms)
	touch "$T_TMP/stop"
	wait "$wp"
	echo $((t1 - t0))
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'
}

median() {
	tr ' ' '\n' | grep . | sort -n | awk '{ w[NR] = $1 } END { print w[int((NR + 1) / 2)] }'
}

mb=$(awk -v n="$N" -v l="$LINES" 'BEGIN { printf "%.1f", n * l * 64 / 1e6 }')
echo "nodemux ssh benchmark: $N writers x $LINES lines of 64 bytes ($mb MB), $((N / 2)) on each of 2 hosts"
echo "  $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cpus, $(uname -sr), $(ssh -V 2>&1), $(date -u '+%Y-%m-%d %H:%M') UTC"
printf '%-6s %10s %10s %10s %8s %8s %10s\n' round floor_ms logs_ms nologs_ms logs/f nologs/f conns/host
F= L= G= RL= RG=
r=1
while [ $r -le "$ROUNDS" ]; do
	f=$(floor)
	l=$(nodemux "$T_TMP/logs.cfg")
	cl=$(cat "$T_TMP/conns")
	g=$(nodemux "$T_TMP/nologs.cfg")
	cg=$(cat "$T_TMP/conns")
	lines=$(cat "$T_TMP/log"/*.log 2>/dev/null | wc -l)
	[ "$lines" -eq $((N * LINES)) ] ||
	    echo "  (round $r: the log files hold $lines lines, not $((N * LINES)))"
	rm -rf "$T_TMP/log"
	printf '%-6s %10s %10s %10s %8s %8s %10s\n' "$r" "$f" "$l" "$g" \
	    "$(ratio "$l" "$f")" "$(ratio "$g" "$f")" "$(echo "$cl" | tr ' ' /),$(echo "$cg" | tr ' ' /)"
	F="$F $f" L="$L $l" G="$G $g"
	RL="$RL $(ratio "$l" "$f")" RG="$RG $(ratio "$g" "$f")"
	r=$((r + 1))
done
mf=$(echo "$F" | median) ml=$(echo "$L" | median) mg=$(echo "$G" | median)
echo "median  floor $mf ms; nodemux with logs $ml ms ($(ratio "$ml" "$mf")x), without $mg ms ($(ratio "$mg" "$mf")x)"
echo "median of each round's ratio: with logs $(echo "$RL" | median)x, without $(echo "$RG" | median)x (goal: 1.3x)"
n_teardown
rm -rf "$T_TMP"
