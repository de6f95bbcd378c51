#!/bin/sh
# A real Erlang cluster: nodemux exec -c data/erlang.cfg -p test -n 5 runs
# an escript that proves every node sees the other four and that epmd has
# each on its own DIST_PORT; then the same for data/elixir.cfg with 3
# nodes.  Skipped only when erl (or elixir) is missing.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

checker=$TOP_SRCDIR/tests/data/front-checker.escript

# beam_pids: pids of BEAM nodes of the test clusters.
beam_pids() {
	pgrep -f 'beam.*-name (erltest|extest)[0-9]+@' 2>/dev/null
}

# none_alive: no BEAM of the test clusters is left.
none_alive() {
	[ -z "$(beam_pids)" ]
}

# mesh CFG N NAME: run the checker on an N-node cluster of CFG.
mesh() {
	out=$T_TMP/$3.out
	"$NODEMUX" exec -c "$TOP_SRCDIR/data/$1" -p test -n "$2" \
	    --log-dir "$T_TMP/$3-logs" -- escript "$checker" >"$out" 2>&1
	rc=$?
	t_check "$3: exec of the checker on $2 nodes exits 0" test $rc -eq 0
	t_check "$3: every node sees the other $(($2 - 1))" \
	    sh -c "[ \$(grep -c '^ok: .* sees \\[' '$out') -eq $2 ]"
	t_check "$3: each node listens on its own DIST_PORT" \
	    sh -c "[ \$(grep -c '^ok: .* listens on dist port' '$out') -eq $2 ]"
	t_check "$3: no node left running" t_wait_for 5 none_alive
	[ $rc -eq 0 ] || t_diag "$(cat "$out")"
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
mesh erlang.cfg 5 erlang

if ! command -v elixir >/dev/null 2>&1; then
	for i in 1 2 3 4; do t_ok "# SKIP elixir not installed (apt-get install elixir)"; done
else
	mesh elixir.cfg 3 elixir
fi

t_check "the test's epmd is stopped: no daemon outlives the test" epmd_stop
t_done
