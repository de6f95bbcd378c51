#!/bin/sh
# Hosts in the plan (SPEC §9), without any machine: cluster.hosts,
# placement spread and fill, --hosts over NODEMUX_HOSTS over the config,
# each node's NODE_HOST, names and peers, plan's table and JSON, and the
# errors that name the file, line and key.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

cfg=$T_TMP/hosts.cfg
cat >"$cfg" <<'EOF2'
cluster = {
  name_prefix = "n";
  host = "127.0.0.1";
  hosts = (
    { name = "h1"; ssh = "root@10.231.0.2"; },
    { name = "h2"; ssh = "deploy@db2.example:2222"; address = "10.0.0.7"; slots = 2; },
    { name = "here"; }
  );
  ssh_options = [ "-o", "ConnectTimeout=5" ];
};
node = { command = [ "run", "${NODE_NAME}" ]; cwd = "app"; };
profiles = { fill = { cluster = { placement = "fill"; }; }; };
EOF2

# expect_status WANT DESC CMD...: CMD exits with WANT; output in out, err.
expect_status() {
	es_want=$1 es_desc=$2; shift 2
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	es_rc=$?
	if [ "$es_rc" -eq "$es_want" ]; then t_ok "$es_desc (exit $es_want)"
	else t_fail "$es_desc: exit $es_rc, wanted $es_want"; t_diag "$(cat "$T_TMP/err")"; fi
}

# hosts_of: the HOST column of plan's table in $T_TMP/out, one line.
hosts_of() {
	awk '/^# +NAME/ { on = 1; next } on && NF { printf "%s ", $3 }' \
	    "$T_TMP/out"
}

expect_status 0 "plan with three hosts, spread" "$NODEMUX" plan -c "$cfg" -n 8
t_check "spread: round robin, h2 stops at its 2 slots" \
    test "$(hosts_of)" = "h1 h2 here h1 h2 here h1 here " || t_diag "got: $(hosts_of)"
t_check "the table names each node after its host's address" \
    grep -Eq '^2 +n2@10\.0\.0\.7 +h2 ' "$T_TMP/out"
t_check "a local entry uses cluster.host" \
    grep -Eq '^3 +n3@127\.0\.0\.1 +here ' "$T_TMP/out"
t_check "the hosts are listed with target, address and load" \
    grep -q '^  h2  *ssh deploy@db2.example port 2222, address 10.0.0.7, 2 nodes of 2 slots$' \
    "$T_TMP/out"
t_check "a remote node's relative cwd stays relative (the login's home)" \
    grep -Eq '^1 +n1@10\.231\.0\.2 +h1 +[0-9]+ +[0-9]+ +app ' "$T_TMP/out"

expect_status 0 "plan, fill" "$NODEMUX" plan -c "$cfg" -p fill -n 6
t_check "fill: h1 has no slot limit and takes all" \
    test "$(hosts_of)" = "h1 h1 h1 h1 h1 h1 " || t_diag "got: $(hosts_of)"

expect_status 0 "plan --json" "$NODEMUX" plan -c "$cfg" -n 3 --json
if command -v python3 >/dev/null; then
	t_check "json: ssh target or null, NODE_HOST and peers per host" python3 -c '
import json, sys
d = json.load(sys.stdin)
n = d["nodes"]
assert [x["ssh"] for x in n] == ["root@10.231.0.2", "deploy@db2.example", None], n
assert n[1]["ssh_port"] == 2222 and "ssh_port" not in n[0]
assert [x["host"] for x in n] == ["10.231.0.2", "10.0.0.7", "127.0.0.1"]
assert [x["host_name"] for x in n] == ["h1", "h2", "here"]
assert n[0]["env"]["NODE_HOST"] == "10.231.0.2"
assert n[0]["env"]["CLUSTER_PEERS"] == "n2@10.0.0.7,n3@127.0.0.1"
assert n[1]["argv"] == ["run", "n2@10.0.0.7"]
' <"$T_TMP/out"
fi

expect_status 0 "env of a remote node" "$NODEMUX" env 2 -c "$cfg" -n 3
t_check "its NODE_HOST is its host's address" \
    grep -qx "export NODE_HOST='10.0.0.7'" "$T_TMP/out"

# Precedence: --hosts, then NODEMUX_HOSTS, then cluster.hosts.
expect_status 0 "NODEMUX_HOSTS replaces cluster.hosts" \
    env NODEMUX_HOSTS='a@x1,local' "$NODEMUX" plan -c "$cfg" -n 3
t_check "NODEMUX_HOSTS: x1, local, x1" test "$(hosts_of)" = "x1 local x1 "
t_check "NODEMUX_HOSTS is named as the source" \
    grep -q '^hosts (NODEMUX_HOSTS, spread):$' "$T_TMP/out"
expect_status 0 "--hosts replaces NODEMUX_HOSTS" \
    env NODEMUX_HOSTS='a@x1,local' "$NODEMUX" plan -c "$cfg" -n 2 \
    --hosts 'root@10.231.0.9:2200,[fd00::1]:22'
t_check "--hosts: its two hosts" test "$(hosts_of)" = "10.231.0.9 fd00::1 "
t_check "--hosts keeps the port apart from the target" \
    grep -q '^  10.231.0.9  *ssh root@10.231.0.9 port 2200, address 10.231.0.9' \
    "$T_TMP/out"
printf 'cluster = { host = "127.0.0.1"; };\nnode = { command = "true"; };\n' \
    >"$T_TMP/plain.cfg"
expect_status 0 "no hosts anywhere: every node local" \
    "$NODEMUX" plan -c "$T_TMP/plain.cfg" --json
t_check "json: ssh is null" grep -q '"host_name":null,"ssh":null}' "$T_TMP/out"

# The example config of a cluster on three machines.
expect_status 0 "plan of data/hosts.cfg" "$NODEMUX" plan -c "$TOP_SRCDIR/data/hosts.cfg"
t_check "data/hosts.cfg: six nodes spread over its three hosts" \
    test "$(hosts_of)" = "db1 db2 edge db1 db2 edge "
t_check "data/hosts.cfg: an ssh alias with its own address" \
    grep -q '^  edge  *ssh edge-bastioned, address 10.0.4.17, 2 nodes$' "$T_TMP/out"

# Errors: exit 2 and a message naming where.
expect_status 2 "a bad --hosts" "$NODEMUX" plan -c "$cfg" --hosts 'a b,local'
t_check "it says which entry and the form" grep -qx \
    'nodemux: invalid --hosts "a b,local": "a b" is not an ssh target: use \[user@\]host\[:port\]' \
    "$T_TMP/err"
expect_status 2 "an empty NODEMUX_HOSTS entry" \
    env NODEMUX_HOSTS='x,' "$NODEMUX" plan -c "$cfg"
t_check "it names NODEMUX_HOSTS" grep -q '^nodemux: invalid NODEMUX_HOSTS "x,": an empty entry' \
    "$T_TMP/err"

# bad NAME BODY WANT: a cluster group of BODY is refused with WANT.
bad() {
	printf 'cluster = {\n  host = "127.0.0.1";\n  %s\n};\nnode = { command = "true"; };\n' \
	    "$2" >"$T_TMP/$1.cfg"
	expect_status 2 "$1" "$NODEMUX" plan -n 3 -c "$T_TMP/$1.cfg"
	t_check "$1: $3" grep -qxF "nodemux: $T_TMP/$1.cfg:$3" "$T_TMP/err"
}
bad typo 'hosts = ( { name = "a"; sssh = "x"; } );' \
    '3: unknown key cluster.hosts[0].sssh (did you mean ssh?)'
bad target 'hosts = ( { ssh = "x y"; } );' \
    '3: cluster.hosts[0].ssh: "x y" is not an ssh target: use [user@]host[:port]'
bad port 'hosts = ( { ssh = "x:0"; } );' \
    '3: cluster.hosts[0].ssh: "x:0": the port after '"':'"' must be 1-65535'
bad type 'hosts = "x";' \
    '3: cluster.hosts: expected a list ( { name = "h1"; ssh = "user@host"; }, ... ), not a string'
bad slots 'hosts = ( { ssh = "x"; slots = 0; } );' \
    '3: cluster.hosts[0].slots: 0 is out of range 1-1000'
bad dup 'hosts = ( { ssh = "x"; }, { ssh = "u@x"; } );' \
    '3: cluster.hosts: two hosts are named "x" (lines 3 and 3)'
bad full 'hosts = ( { ssh = "x"; slots = 2; } );' \
    '3: cluster.hosts: 3 nodes do not fit in the 2 slots of 1 hosts'
bad placement 'placement = "fil";' \
    '3: cluster.placement: "fil" is not one of spread, fill'
bad options 'ssh_options = ( "-v", 5 );' \
    '3: cluster.ssh_options: expected a string, not an integer'
t_done
