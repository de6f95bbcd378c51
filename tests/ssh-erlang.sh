#!/bin/sh
# A real Erlang cluster over two hosts (SPEC §9): nodemux exec of
# data/erlang.cfg's nodes, spread over two test hosts (network
# namespaces with their own sshd and epmd), runs a checker that proves
# every node sees the three others and that each is on its own
# DIST_PORT on its own host; then nothing is left on either host.
. "${TOP_SRCDIR:-.}/tests/lib.sh"
. "$TOP_SRCDIR/tests/lib-netns.sh"

if ! command -v erl >/dev/null 2>&1 || ! command -v escript >/dev/null 2>&1; then
	echo "1..0 # SKIP erl not installed (apt-get install erlang-nox)"
	rm -rf "$T_TMP"
	exit 0
fi
n_setup 2
h1=$(n_addr 1) h2=$(n_addr 2)

# epmd_all CMD: run epmd CMD here and on both hosts.
epmd_all() {
	epmd "$@" >/dev/null 2>&1
	n_ssh 1 epmd "$@" >/dev/null 2>&1
	n_ssh 2 epmd "$@" >/dev/null 2>&1
}

both_empty() {
	n_empty 1 && n_empty 2
}

cleanup() {
	epmd_all -kill
	n_teardown
}
trap cleanup EXIT

# The hosts' epmds (a real host runs its own), and one here for the
# checker; all three stopped at the end.
epmd_all -daemon
# epmds_up: the three answer.
epmds_up() {
	epmd -names >/dev/null 2>&1 && n_ssh 1 epmd -names >/dev/null 2>&1 &&
	    n_ssh 2 epmd -names >/dev/null 2>&1
}
t_check "the hosts' epmds answer" t_wait_for 5 epmds_up

# data/erlang.cfg as it is, with the test's ssh options.
sed "s|^cluster = {|cluster = {\n  ssh_options = [ \"-F\", \"$N_SSHCFG\" ];|" \
    "$TOP_SRCDIR/data/erlang.cfg" >"$T_TMP/erlang.cfg"
"$NODEMUX" exec -c "$T_TMP/erlang.cfg" -p test -n 4 \
    --hosts "root@$h1,root@$h2" --log-dir "$T_TMP/logs" -- \
    escript "$TOP_SRCDIR/tests/data/ssh-checker.escript" "$N_NET.1" \
    >"$T_TMP/out" 2>&1
rc=$?
t_check "exec of the checker on 4 nodes over 2 hosts exits 0" test $rc -eq 0
t_check "every node sees the other 3" \
    test "$(grep -c '^ok: .* sees \[' "$T_TMP/out")" -eq 4
for i in 1 2 3 4; do
	a=$h1; [ $((i % 2)) -eq 0 ] && a=$h2
	t_check "node $i is on its own DIST_PORT on its own host ($a)" \
	    grep -q "^ok: erltest$i@$a listens on dist port 93$((i - 1))0 on $a " \
	    "$T_TMP/out"
done
[ $rc -eq 0 ] || t_diag "$(cat "$T_TMP/out")"
t_check "each node's log is here" \
    grep -q "connected to all 3 peers" "$T_TMP/logs/erltest4@$h2.log"
epmd_all -kill
t_check "then nothing is left on either host" t_wait_for 10 both_empty
t_done
