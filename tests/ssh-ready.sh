#!/bin/sh
# Readiness of nodes on other machines (SPEC §9): ready.tcp and
# ready.http dial the node's host address, not this machine's.  Two test
# hosts (network namespaces with their own sshd, tests/lib-netns.sh) run
# demo-node, which listens on HTTP_PORT in its host's namespace only;
# nothing listens on those ports here, so a probe that dialled this
# machine would never pass.
. "${TOP_SRCDIR:-.}/tests/lib.sh"
. "$TOP_SRCDIR/tests/lib-netns.sh"

n_setup 2
h1=$(n_addr 1) h2=$(n_addr 2)
cfg=$T_TMP/ready.cfg
out=$T_TMP/out

cleanup() {
	n_teardown
}
trap cleanup EXIT

# mkcfg READY: two nodes spread on h1 and h2 running demo-node, ready
# when READY (the body of a node.ready group) passes.
mkcfg() {
	cat >"$cfg" <<EOF
cluster = {
  default_size = 2;
  name_prefix = "rr";
  host = "127.0.0.1";
  hosts = ( { name = "h1"; ssh = "root@$h1"; },
            { name = "h2"; ssh = "root@$h2"; } );
  ssh_options = [ "-F", "$N_SSHCFG", "-o", "ConnectTimeout=3" ];
  ports = { http_base = 24010; dist_base = 24110; };
  stop_timeout_ms = 1500;
  log_dir = "";
};
node = { command = [ "$NODEMUX", "demo-node" ]; ready = { $1 }; };
EOF
}

# hosts_empty: nothing but sshd on either host.
hosts_empty() {
	n_empty 1 && n_empty 2
}

# run: exec a command on the cluster of $cfg; status in $rc.
run() {
	rc=0
	"$NODEMUX" exec -c "$cfg" -- true >"$out" 2>&1 || rc=$?
}

t_check "nothing here listens on the nodes' ports" \
    sh -c "! ss -Hltn '( sport = :24010 or sport = :24020 )' | grep -q ."

mkcfg 'tcp = "${HTTP_PORT}"; timeout_ms = 15000;'
run
t_check "ready.tcp on two hosts: exec exits 0 (rc=$rc)" [ "$rc" -eq 0 ] ||
    t_diag "$(cat "$out")"
t_check "...both nodes were ready" grep -q 'all 2 nodes ready' "$out"
t_check "nothing left on either host" t_wait_for 5 hosts_empty

mkcfg 'http = "/health"; timeout_ms = 15000;'
run
t_check "ready.http on two hosts: exec exits 0 (rc=$rc)" [ "$rc" -eq 0 ] ||
    t_diag "$(cat "$out")"
t_check "...both nodes were ready" grep -q 'all 2 nodes ready' "$out"
t_check "nothing left on either host" t_wait_for 5 hosts_empty
t_done
