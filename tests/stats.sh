#!/bin/sh
# Per-node resource usage (SPEC §11) through ctl status of a headless
# console: a node spinning a core shows at least 30% of one (or what the
# machine really gave it, on a loaded machine), a sleeping one about 0,
# every running node some resident memory, a chatty node its lines per
# second; the table shows the columns; nothing is left running.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

cfg=$TOP_SRCDIR/tests/data/stats.cfg
sock=$T_TMP/stats.sock
"$NODEMUX" up --headless -c "$cfg" --socket "$sock" >"$T_TMP/out" 2>&1 &
nm_pid=$!
trap 'kill -KILL $nm_pid 2>/dev/null' EXIT

ctl() {
	"$NODEMUX" ctl --socket "$sock" "$@"
}
# field N KEY: KEY of node N in $T_TMP/json.
field() {
	sed -n "s/^{\"index\":$1,.*\"$2\":\([^,}]*\).*/\1/p" "$T_TMP/json"
}
# ran_ns PID: ns PID and its descendants have run.
ran_ns() {
	ns=$(cut -d' ' -f1 "/proc/$1/schedstat" 2>/dev/null || echo 0)
	for c in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
		ns=$((ns + $(ran_ns "$c")))
	done
	echo "$ns"
}

t_check "ctl answers" t_wait_for 10 sh -c "'$NODEMUX' ctl --socket '$sock' status >/dev/null"
# A script that asks once, from a quarter of a second after the start
# on, gets the averages since the start (as ps(1) shows), not null.
sleep 0.6
ctl status --json >"$T_TMP/json"
t_check "the first status already has figures" sh -c \
    "[ '$(field 1 cpu_pct)' != null ] && [ '$(field 2 rss_kib)' != null ] &&
     [ '$(field 3 lines_per_s)' != null ]" || t_diag "$(cat "$T_TMP/json")"
t_check "...a spinning node's since its start ($(field 1 cpu_pct)%)" \
    awk -v c="$(field 1 cpu_pct)" 'BEGIN { exit !(c >= 20) }'
t_check "...a sleeping node's about 0 ($(field 2 cpu_pct)%)" \
    awk -v c="$(field 2 cpu_pct)" 'BEGIN { exit !(c <= 5) }'
p1=$(field 1 pid)
n0=$(ran_ns "$p1") t0=$(date +%s%N)
sleep 1.5
ctl status --json >"$T_TMP/json"
n1=$(ran_ns "$p1") t1=$(date +%s%N)
given=$(awk -v a="$n0" -v b="$n1" -v s="$t0" -v e="$t1" \
    'BEGIN { printf "%.0f", (b - a) / (e - s) * 100 }')
cpu1=$(field 1 cpu_pct) cpu2=$(field 2 cpu_pct)
t_diag "$(cat "$T_TMP/json")"
t_diag "node 1 was given ${given}% of a core"
t_check "a spinning node shows >= 30% of a core, or what it was given ($cpu1%, given $given%)" \
    awk -v c="$cpu1" -v g="$given" 'BEGIN { exit !(g >= 40 ? c >= 30 : c >= g - 15 && c > 0) }'
t_check "a sleeping node shows about 0 ($cpu2%)" \
    awk -v c="$cpu2" 'BEGIN { exit !(c <= 3) }'
for i in 1 2 3; do
	t_check "node $i has resident memory ($(field $i rss_kib) KiB)" \
	    [ "$(field $i rss_kib)" -gt 0 ]
done
lps=$(field 3 lines_per_s)
t_check "the chatty node writes lines every second ($lps/s)" \
    awk -v l="$lps" 'BEGIN { exit !(l >= 10 && l <= 110) }'
t_check "the quiet nodes write none" [ "$(field 2 lines_per_s)" = 0.0 ]
ctl status >"$T_TMP/table"
t_check "the table has CPU, RSS and L/S columns" \
    grep -qE '^# .*UPTIME +CPU +RSS +L/S' "$T_TMP/table"
t_check "the table shows node 2's usage" \
    grep -qE '^2 .* 0% +[0-9.]+[KMG] +0$' "$T_TMP/table" || t_diag "$(cat "$T_TMP/table")"
ctl quit >/dev/null
t_check "quit: nodemux exits" t_wait_for 10 sh -c "! kill -0 $nm_pid 2>/dev/null"
t_check "no node is left (pid $p1)" t_wait_for 5 sh -c "! kill -0 $p1 2>/dev/null"
trap - EXIT
t_done
