#!/bin/sh
# Ports of nodes on other machines at their first start (SPEC §9): the
# host's master is not connected yet when the ports are probed, so the
# node waits ("starting") until its host has listed its ports, then
# next-free moves it off a port busy there, as a local node moves, and
# strict fails it naming port, node and host.  A node stopped while it
# waits for a slow host is stopped, with nothing left anywhere.  Two test
# hosts (network namespaces with their own sshd, tests/lib-netns.sh).
. "${TOP_SRCDIR:-.}/tests/lib.sh"
. "$TOP_SRCDIR/tests/lib-netns.sh"

n_setup 2
h1=$(n_addr 1) h2=$(n_addr 2)
cfg=$T_TMP/ports.cfg
st=$T_TMP/st
mkdir -p "$st"
lp= nm_pid= stopped_sshd=

cleanup() {
	[ -n "$nm_pid" ] && kill -KILL "$nm_pid" 2>/dev/null
	[ -n "$lp" ] && kill -KILL "$lp" 2>/dev/null
	[ -n "$stopped_sshd" ] && kill -CONT "$stopped_sshd" 2>/dev/null
	n_teardown
}
trap cleanup EXIT

# mkcfg POLICY [HOSTS [TIMEOUT]]: nodes spread on HOSTS (both test hosts
# by default), ports from 24000 / 24100 with POLICY.  Each node writes its
# name and ports on its host first thing, then is ready.
mkcfg() {
	hosts=${2:-"{ name = \"h1\"; ssh = \"root@$h1\"; },
            { name = \"h2\"; ssh = \"root@$h2\"; }"}
	cat >"$cfg" <<EOF
cluster = {
  name_prefix = "p";
  host = "127.0.0.1";
  hosts = ( $hosts );
  ssh_options = [ "-F", "$N_SSHCFG", "-o", "ConnectTimeout=${3:-3}" ];
  ports = { http_base = 24000; dist_base = 24100; policy = "$1"; };
  stop_timeout_ms = 1500;
  log_dir = "";
};
node = {
  command = "echo \"\$NODE_NAME \$HTTP_PORT \$DIST_PORT\" >$st/\$NODE_NAME; echo ready; exec sleep 1000";
  ready = { log = "^ready"; timeout_ms = 20000; };
};
EOF
}

# local_ssh: our ssh clients and masters still running here.
local_ssh() {
	pgrep -f -- "-F $N_SSHCFG" 2>/dev/null
}

# all_clear: nothing but sshd (and the test's listener) on either host, no
# ssh of ours here.
all_clear() {
	[ -z "$(n_pids 1 | grep -vx "${lp:-none}")" ] && n_empty 2 &&
	    [ -z "$(local_ssh)" ]
}

no_local_ssh() {
	[ -z "$(local_ssh)" ]
}

command -v python3 >/dev/null 2>&1 || {
	echo "1..0 # SKIP no python3 for a listener on a test host"
	exit 0
}

# A listener on h1's port 24100: node 1's dist port (p1@h1).
ip netns exec "$(n_ns 1)" python3 -c 'import socket, time
s = socket.socket(); s.bind(("0.0.0.0", 24100)); s.listen(); time.sleep(300)' &
lp=$!
t_wait_for 5 sh -c "ip netns exec $(n_ns 1) ss -Hltn 'sport = :24100' | grep -q ."
t_check "port 24100 is busy on h1, not here" \
    sh -c "! ss -Hltn 'sport = :24100' | grep -q ."

# 1. next-free at the first start: node 1 moves to a port free on h1,
# says so, and both CMD and the node itself see the new port; node 2 (on
# h2) keeps its own.
mkcfg next-free
"$NODEMUX" exec -c "$cfg" -n 2 -- sh -c \
    'echo "dist $NODEMUX_DIST_PORTS http $NODEMUX_HTTP_PORTS node1 $NODEMUX_NODE1_DIST_PORT"' \
    >"$T_TMP/nf.out" 2>"$T_TMP/nf.err"
rc=$?
t_check "next-free, port busy on h1 at the first start: exec exits 0 (rc=$rc)" \
    test $rc -eq 0 || t_diag "$(cat "$T_TMP/nf.err")"
t_check "the move is said" \
    grep -q "^nodemux | p1 dist port 24100 is busy: using 24101\$" "$T_TMP/nf.err" ||
    t_diag "$(cat "$T_TMP/nf.err")"
t_check "CMD's environment has the new port, node 2 its own" \
    grep -qx "dist 24101,24110 http 24000,24010 node1 24101" "$T_TMP/nf.out" ||
    t_diag "$(cat "$T_TMP/nf.out")"
t_check "node 1's command ran on h1 with the new port" \
    ip netns exec "$(n_ns 1)" grep -qx "p1@$h1 24000 24101" "$st/p1@$h1" ||
    t_diag "$(cat "$st"/* 2>&1)"
t_check "node 2's command ran on h2 with its own ports" \
    ip netns exec "$(n_ns 2)" grep -qx "p2@$h2 24010 24110" "$st/p2@$h2"
t_check "after that exec nothing is left on any host" t_wait_for 5 all_clear

# 2. strict at the first start: the node fails naming port, node and
# host; exec exits 125; nothing is left anywhere.
rm -f "$st"/*
mkcfg strict
"$NODEMUX" exec -c "$cfg" -n 2 -- true >"$T_TMP/st.out" 2>&1
rc=$?
t_check "strict, port busy on h1 at the first start: exec exits 125 (rc=$rc)" \
    test $rc -eq 125 || t_diag "$(cat "$T_TMP/st.out")"
t_check "the node failed naming port, node and host" grep -q \
    "p1 failed: dist port 24100 of node p1@$h1 is busy on h1 (root@$h1)" \
    "$T_TMP/st.out" || t_diag "$(cat "$T_TMP/st.out")"
t_check "its command never ran on h1" test ! -e "$st/p1@$h1"
t_check "after that exec nothing is left on any host" t_wait_for 5 all_clear

# 3. A restart with the host connected: the host lists its ports again
# (the node's previous run gone first), without blocking anything; node 1
# keeps the port it moved to.
rm -f "$st"/*
mkcfg next-free
"$NODEMUX" up --headless -c "$cfg" -n 2 >"$T_TMP/up.out" 2>&1 &
nm_pid=$!
t_wait_for 20 sh -c "[ \$(grep -c 'p[12] ready\$' '$T_TMP/up.out') -eq 2 ]"
t_check "up: both nodes ready, node 1 moved" \
    grep -q "p1 dist port 24100 is busy: using 24101\$" "$T_TMP/up.out" ||
    t_diag "$(cat "$T_TMP/up.out")"
rm -f "$st"/*
"$NODEMUX" ctl -c "$cfg" restart 1 >/dev/null 2>&1
t_check "ctl restart 1 of a remote node: it is ready again" \
    t_wait_for 15 sh -c "[ \$(grep -c 'p1 ready\$' '$T_TMP/up.out') -eq 2 ]" ||
    t_diag "$(cat "$T_TMP/up.out")"
t_check "...on the port it moved to" \
    ip netns exec "$(n_ns 1)" grep -qx "p1@$h1 24000 24101" "$st/p1@$h1"
t_check "...and only once on h1" \
    test "$(n_sleeps 1)" -eq 1
kill -TERM "$nm_pid"
wait "$nm_pid"
nm_pid=
t_check "after quit nothing is left on any host" t_wait_for 5 all_clear

# 4. A node stopped while it waits for a slow host (its sshd takes the
# connection but never answers: the master waits for ConnectTimeout, 10
# s) is stopped at once, its master gone, nothing ever ran on the host.
rm -f "$st"/*
mkcfg next-free "{ name = \"h2\"; ssh = \"root@$h2\"; }" 10
stopped_sshd=$(n_sshd_pid 2)
kill -STOP "$stopped_sshd"
"$NODEMUX" up --headless -c "$cfg" -n 1 >"$T_TMP/slow.out" 2>&1 &
nm_pid=$!
# state N: node N's state in ctl status --json.
state() {
	"$NODEMUX" ctl -c "$cfg" status --json 2>/dev/null |
	    sed -n "s/^{\"index\":$1,.*\"state\":\"\([a-z]*\)\".*/\1/p"
}
is_starting() {
	[ "$(state 1)" = starting ]
}
t_check "a node waiting for its slow host is starting" \
    t_wait_for 10 is_starting || t_diag "$(cat "$T_TMP/slow.out")"
# master_connects: our master to the slow host is there.
master_connects() {
	pgrep -f -- "-M -N .*-F $N_SSHCFG" >/dev/null
}
t_check "...while its host's master connects" t_wait_for 5 master_connects
sleep 1
t_check "...still starting a second later" is_starting
t0=$(date +%s)
"$NODEMUX" ctl -c "$cfg" stop 1 >"$T_TMP/stop.out" 2>&1
t_check "ctl stop 1 exits 0" test $? -eq 0 || t_diag "$(cat "$T_TMP/stop.out")"
wait "$nm_pid"
rc=$?
t1=$(date +%s)
nm_pid=
t_check "up ends once its one node is stopped (rc=$rc)" test $rc -eq 0 ||
    t_diag "$(cat "$T_TMP/slow.out")"
t_check "at once, not after ConnectTimeout (10 s): $((t1 - t0)) s" \
    test $((t1 - t0)) -le 4
t_check "it was stopped, not started" \
    grep -q "^nodemux | p1 not started\$" "$T_TMP/slow.out" ||
    t_diag "$(cat "$T_TMP/slow.out")"
t_check "nothing of it is left here (no ssh)" t_wait_for 5 no_local_ssh ||
    t_diag "$(ps -o pid,args -p "$(local_ssh | tr '\n' ',')0" 2>&1)"
kill -CONT "$stopped_sshd"
stopped_sshd=
t_check "nothing is left on its host once its sshd goes on" \
    t_wait_for 5 all_clear
t_check "its command never ran there" test ! -e "$st/p1@$h2"

# 5. A host that never answers fails its node with ssh's words after one
# attempt (ConnectTimeout, 2 s): its sshd, stopped, has one connection
# waiting to be accepted, not two (the probes and the spawn share it).
# queued: connections waiting in h2's sshd's accept queue.
queued() {
	ip netns exec "$(n_ns 2)" ss -Hltn 'sport = :22' | awk '{ print $2 }'
}
mkcfg next-free "{ name = \"h2\"; ssh = \"root@$h2\"; }" 2
stopped_sshd=$(n_sshd_pid 2)
kill -STOP "$stopped_sshd"
"$NODEMUX" exec -c "$cfg" -n 1 -- true >"$T_TMP/dead.out" 2>&1
rc=$?
t_check "exec with a host that never answers exits 125 (rc=$rc)" \
    test $rc -eq 125 || t_diag "$(cat "$T_TMP/dead.out")"
t_check "the node failed with the host's name and ssh's words" grep -Eq \
    "p1 failed: h2 \(root@$h2\): .*(timed out|Timeout)" "$T_TMP/dead.out" ||
    t_diag "$(cat "$T_TMP/dead.out")"
t_check "after one attempt: one connection reached the host" \
    test "$(queued)" = 1 || t_diag "queued: $(queued)"
kill -CONT "$stopped_sshd"
stopped_sshd=
t_check "nothing is left on any host" t_wait_for 5 all_clear

kill "$lp"
wait "$lp" 2>/dev/null
lp=
t_done
