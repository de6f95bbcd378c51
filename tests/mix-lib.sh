# Helpers of the Mix suites: a real Mix project made by `mix new --sup`
# (no Hex dependencies: nothing is fetched), compiled once, and an epmd of
# the test's own on a port of its own, stopped at the end.  Source it
# after lib.sh (or ui-lib.sh); it exits with a skip when Elixir is not
# installed.

# mix_skip REASON: the whole suite is skipped.
mix_skip() {
	echo "1..0 # SKIP $1"
	rm -rf "$T_TMP"
	exit 0
}

for p in mix iex escript epmd; do
	command -v $p >/dev/null 2>&1 ||
	    mix_skip "$p not installed (apt-get install elixir erlang-nox)"
done

# mix_project NAME: a fresh supervised Mix project in $T_TMP/NAME,
# compiled; prints nothing, fails with mix's output.
mix_project() {
	(cd "$T_TMP" && mix new "$1" --sup >"$T_TMP/mix-new.out" 2>&1 &&
	    cd "$1" && mix compile >>"$T_TMP/mix-new.out" 2>&1) ||
	    { t_diag "$(cat "$T_TMP/mix-new.out")"; return 1; }
}

# mix_beams: pids of the BEAMs of mix.cfg's nodes.
mix_beams() {
	pgrep -f 'beam.*-name app(test)?[0-9]+@' 2>/dev/null
}

# mix_none_alive: no BEAM of mix.cfg's nodes is left.
mix_none_alive() {
	[ -z "$(mix_beams)" ]
}

ERL_EPMD_PORT=$((20000 + $$ % 20000))
while ss -Hltn "sport = :$ERL_EPMD_PORT" 2>/dev/null | grep -q .; do
	ERL_EPMD_PORT=$((ERL_EPMD_PORT + 1))
done
export ERL_EPMD_PORT
# Mix and Hex keep their files under the test's directory.
MIX_HOME=$T_TMP/mix-home HEX_HOME=$T_TMP/hex-home HEX_OFFLINE=1
export MIX_HOME HEX_HOME HEX_OFFLINE

# mix_epmd_stop: stop the test's epmd.
mix_epmd_stop() {
	epmd -kill >/dev/null 2>&1
	t_wait_for 2 sh -c '! epmd -names >/dev/null 2>&1'
}
