#!/bin/sh
# A connection lost mid-run (SPEC §9): the link of a test host is cut,
# nodemux reports its node lost and the restart policy applies; once the
# link is back the node runs again, and only one copy of it runs on its
# host: what the lost run left is killed before the new one starts.  The
# host's sshd does not probe its clients, and the node ignores HUP and
# its stop_signal for longer than the test runs, so nothing but that kill
# can end the lost run in time.
. "${TOP_SRCDIR:-.}/tests/lib.sh"
N_ALIVE=0
. "$TOP_SRCDIR/tests/lib-netns.sh"

n_setup 1
h1=$(n_addr 1)
cfg=$T_TMP/link.cfg
nm_pid=
cat >"$cfg" <<EOF
cluster = {
  name_prefix = "l";
  host = "127.0.0.1";
  hosts = ( { name = "h1"; ssh = "root@$h1"; } );
  ssh_options = [ "-F", "$N_SSHCFG", "-o", "ConnectTimeout=2",
                  "-o", "ServerAliveInterval=1", "-o", "ServerAliveCountMax=2" ];
  stop_signal = "USR1";
  stop_timeout_ms = 60000;
  log_dir = "";
};
node = {
  command = "trap '' HUP USR1; echo run started; exec sleep 1000";
  ready = { log = "started"; };
  restart = "always";
  max_restarts = 20;
  backoff_ms = 500;
};
EOF

cleanup() {
	[ -n "$nm_pid" ] && kill -KILL "$nm_pid" 2>/dev/null
	n_teardown
}
trap cleanup EXIT

# sleeps: how many nodes' sleeps run on the host.
sleeps() {
	n_sleeps 1
}

# runs N: the node has said "started" N times.
runs() {
	[ "$(grep -c 'started$' "$T_TMP/out")" -ge "$1" ]
}

"$NODEMUX" up --headless -c "$cfg" -n 1 >"$T_TMP/out" 2>&1 &
nm_pid=$!
t_check "the node starts on its host" t_wait_for 15 runs 1
# one_copy: exactly one sleep of the node runs on the host.
one_copy() {
	[ "$(sleeps)" -eq 1 ]
}
t_check "one copy of it runs there" t_wait_for 5 one_copy
n_link 1 down
t_check "a cut link is reported: the node's connection is lost" \
    t_wait_for 10 grep -q '^nodemux | l1 ended: connection to h1 (root@'"$h1"') lost: ' \
    "$T_TMP/out" || t_diag "$(cat "$T_TMP/out")"
t_check "the restart policy applies" \
    t_wait_for 5 grep -q '^nodemux | l1 restarting in ' "$T_TMP/out"
t_check "while the host is cut off a restart finds it lost still, with ssh's words" \
    t_wait_for 10 grep -q '^nodemux | l1 ended: connection to h1 (root@'"$h1"') lost: ssh: connect to host ' \
    "$T_TMP/out" || t_diag "$(cat "$T_TMP/out")"
t_check "the host never noticed: the lost run still runs there" \
    test "$(sleeps)" -eq 1
n_link 1 up
t_check "once the link is back the node runs again" t_wait_for 40 runs 2 ||
    t_diag "$(cat "$T_TMP/out")"
# The lost run would live on for a minute (see above): one copy within a
# few seconds means it was killed.
t_check "and only one copy of it runs on its host" t_wait_for 5 one_copy ||
    t_diag "$(n_pids 1 | while read -r p; do cat /proc/$p/cmdline | tr '\0' ' '; echo; done)"
kill -TERM "$nm_pid"
sleep 0.5
kill -TERM "$nm_pid"
wait "$nm_pid"
nm_pid=
cat "$T_TMP/out" | t_diag "$(cat)"
t_check "after quit and a second quit (kill at once) nothing is left on the host" \
    t_wait_for 5 n_empty 1
t_done
