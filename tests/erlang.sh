#!/bin/sh
# A real Erlang cluster: nodemux exec -c data/erlang.cfg -n 5 runs an
# escript that proves every node sees the other four and that epmd has
# each on its own DIST_PORT, in the default profile (on this machine's own
# host name, as a new user runs it) and in the test profile; then the same
# for data/elixir.cfg with 3 nodes; and the size matrix (exec -n 2,5,10)
# on erlang.cfg's default profile.  Skipped only when erl (or elixir) is
# missing.
. "${TOP_SRCDIR:-.}/tests/own-net.sh"
. "${TOP_SRCDIR:-.}/tests/lib.sh"

checker=$TOP_SRCDIR/tests/data/front-checker.escript

# beam_pids: pids of BEAM nodes of the test clusters.
beam_pids() {
	pgrep -f 'beam.*-name (erl|ex|erltest|extest)[0-9]+@' 2>/dev/null
}

# none_alive: no BEAM of the test clusters is left.
none_alive() {
	[ -z "$(beam_pids)" ]
}

# mesh CFG PROFILE N NAME: run the checker on an N-node cluster of CFG in
# PROFILE ("" for the default one).
mesh() {
	out=$T_TMP/$4.out
	"$NODEMUX" exec -c "$TOP_SRCDIR/data/$1" ${2:+-p "$2"} -n "$3" \
	    --log-dir "$T_TMP/$4-logs" -- escript "$checker" >"$out" 2>&1
	rc=$?
	t_check "$4: exec of the checker on $3 nodes exits 0" test $rc -eq 0
	t_check "$4: every node sees the other $(($3 - 1))" \
	    sh -c "[ \$(grep -c '^ok: .* sees \\[' '$out') -eq $3 ]"
	t_check "$4: each node listens on its own DIST_PORT" \
	    sh -c "[ \$(grep -c '^ok: .* listens on dist port' '$out') -eq $3 ]"
	t_check "$4: no node left running" t_wait_for 5 none_alive
	[ $rc -eq 0 ] || t_diag "$(cat "$out")"
}

# plan_host CFG: the host the default profile of CFG names nodes on.
plan_host() {
	"$NODEMUX" plan --json -c "$TOP_SRCDIR/data/$1" -n 1 |
	    sed -n 's/^{.*"size":1,"host":"\([^"]*\)".*/\1/p'
}

# default_host CFG NAME: the checker's nodes of the run NAME are on the
# host plan gives, a name Erlang's -name takes: an IP or a dotted name.
default_host() {
	h=$(plan_host "$1")
	t_check "$2: plan's host '$h' has a dot or is an IP" \
	    sh -c "case '$h' in *.*|*:*) true;; *) false;; esac"
	t_check "$2: the nodes are named on it" \
	    grep -Fq "ok: ${2%%-*}1@$h sees" "$T_TMP/$2.out"
}

# epmd_port: a TCP port nothing listens on, for the test's own epmd.
epmd_port() {
	p=$((20000 + $$ % 20000))
	while ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; do
		p=$((p + 1))
	done
	echo $p
}

# epmd_stop: stop the test's epmd (nothing is registered with it by now).
epmd_stop() {
	epmd -kill >/dev/null 2>&1
	t_wait_for 2 sh -c '! epmd -names >/dev/null 2>&1'
}

# epmd_started: start the test's epmd and wait until it answers.
epmd_started() {
	epmd -daemon 2>/dev/null
	t_wait_for 5 sh -c 'epmd -names >/dev/null 2>&1'
}

if ! command -v erl >/dev/null 2>&1 || ! command -v escript >/dev/null 2>&1; then
	t_ok "# SKIP erl not installed (apt-get install erlang-nox)"
	t_done
	exit
fi

# An epmd of the test's own, on a port of its own (the nodes, the checker
# and erl's epmd -names all follow ERL_EPMD_PORT), stopped at the end: a
# daemon the test started must not outlive it, and an epmd the machine
# already runs on 4369 is left alone.
ERL_EPMD_PORT=$(epmd_port)
export ERL_EPMD_PORT
trap 'epmd -kill >/dev/null 2>&1' EXIT
t_check "the test's epmd answers on port $ERL_EPMD_PORT" epmd_started
t_check "no test cluster is running before" none_alive
t_diag "this machine: host name $(hostname), plan: $(plan_host erlang.cfg)"
mesh erlang.cfg "" 5 erl-default
default_host erlang.cfg erl-default
mesh erlang.cfg test 5 erltest

# The size matrix on the default profile: 2, 5 and 10 nodes in turn.
"$NODEMUX" exec -c "$TOP_SRCDIR/data/erlang.cfg" -n 2,5,10 \
    --log-dir "$T_TMP/matrix-logs" -- escript "$checker" >"$T_TMP/matrix.out" 2>&1
rc=$?
t_check "matrix 2,5,10: exit 0 (rc=$rc)" [ "$rc" -eq 0 ] ||
    t_diag "$(grep -v '^ok' "$T_TMP/matrix.out")"
t_check "matrix 2,5,10: each size meshed" sh -c \
    "[ \"\$(sed -n 's/^checker: all \([0-9]*\) nodes meshed\$/\1/p' '$T_TMP/matrix.out' | tr '\\n' ' ')\" = '2 5 10 ' ]"
t_check "matrix 2,5,10: a summary row of status 0 per size" sh -c \
    "[ \$(grep -Ec '^nodemux \|  +(2|5|10)  0 +[0-9.]+\$' '$T_TMP/matrix.out') -eq 3 ]"
t_diag "$(grep -A4 '^nodemux | size matrix:$' "$T_TMP/matrix.out")"
t_check "matrix: no node left running" t_wait_for 5 none_alive

if ! command -v elixir >/dev/null 2>&1; then
	for i in 1 2 3 4 5 6 7 8 9 10; do
		t_ok "# SKIP elixir not installed (apt-get install elixir)"
	done
else
	mesh elixir.cfg "" 3 ex-default
	default_host elixir.cfg ex-default
	mesh elixir.cfg test 3 extest
fi

t_check "the test's epmd is stopped: no daemon outlives the test" epmd_stop
t_done
