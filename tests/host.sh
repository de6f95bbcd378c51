#!/bin/sh
# cluster.host on machines named in different ways (SPEC §3): each case
# runs nodemux in UTS and mount namespaces of its own, with a host name
# and an /etc/hosts of the test's choosing (resolved by "files" only), and
# checks the names `plan` gives and the reason it prints: long names get
# the fully qualified name when one resolves here, else 127.0.0.1; short
# names the bare host name, else localhost; localhost needs no /etc/hosts.
# With erl installed, a real 2-node Erlang cluster runs on the fully
# qualified name.  Skipped where namespaces cannot be made (not root, or a
# chroot whose / is not a mount point: its mounts could not be private).
. "${TOP_SRCDIR:-.}/tests/own-net.sh"
. "${TOP_SRCDIR:-.}/tests/lib.sh"

data=$TOP_SRCDIR/data
out=$T_TMP/out
printf 'hosts: files\n' >"$T_TMP/nsswitch.conf"

# A minimal root (debootstrap --variant=minbase) has no /etc/hosts to
# mount one over: the namespace then gets a copy of /etc that has one
# (mounted there only; the real /etc is left as it is).
etc_copy=
if [ ! -e /etc/hosts ] || [ ! -e /etc/nsswitch.conf ]; then
	etc_copy=$T_TMP/etc
	cp -a /etc "$etc_copy" 2>/dev/null
	: >>"$etc_copy/hosts"
	: >>"$etc_copy/nsswitch.conf"
fi

# on HOSTNAME HOSTS-LINES CMD...: run CMD with that host name and an
# /etc/hosts holding HOSTS-LINES; its output in $out, its status in $rc.
on() {
	on_name=$1
	printf '%b' "$2" >"$T_TMP/hosts"
	shift 2
	rc=0
	unshare --uts --mount sh -c '
	    { [ -z "$3" ] || mount --bind "$3" /etc; } &&
	    hostname "$1" && mount --bind "$2/hosts" /etc/hosts &&
	    mount --bind "$2/nsswitch.conf" /etc/nsswitch.conf || exit 99
	    shift 3; exec "$@"' on "$on_name" "$T_TMP" "$etc_copy" "$@" \
	    >"$out" 2>&1 || rc=$?
}

# plan_host HOSTNAME HOSTS-LINES ARGS...: nodemux plan ARGS there.
plan_host() {
	ph_name=$1 ph_hosts=$2; shift 2
	on "$ph_name" "$ph_hosts" "$NODEMUX" plan "$@"
}

# says TEXT: the output has TEXT (fixed string).
says() {
	grep -Fq -- "$1" "$out" || { t_diag "$(cat "$out")"; return 1; }
}

cfg=$T_TMP/plain.cfg
cat >"$cfg" <<'EOF'
cluster = { name_prefix = "h"; log_dir = ""; };
node = { command = "true"; };
EOF
short=$T_TMP/short.cfg
printf 'cluster = { name_mode = "short"; name_prefix = "h"; log_dir = ""; };\nnode = { command = "true"; };\n' >"$short"

on vm '127.0.0.1 localhost\n' true
if [ "$rc" -ne 0 ]; then
	t_ok "# SKIP no private UTS and mount namespaces here (root needed; in a chroot, / must be a mount point): $(cat "$out")"
	t_done
	exit
fi

# 1. A dotless host name, the default of laptops and VMs.
hosts='127.0.0.1 localhost\n127.0.0.1 vm\n'
plan_host vm "$hosts" -c "$data/erlang.cfg" -n 2
t_check "dotless vm, long names: exit 0 (rc=$rc)" [ "$rc" -eq 0 ]
t_check "dotless vm, long names: node names on 127.0.0.1" \
    says "erl2@127.0.0.1"
t_check "dotless vm, long names: plan says why" says \
    "auto, long names: the host name vm has no fully qualified name that resolves to this machine (long names need a dot), so 127.0.0.1"
plan_host vm "$hosts" -c "$short" -n 1
t_check "dotless vm, short names: the bare host name" says "h1@vm "
t_check "dotless vm, short names: plan says why" \
    says "auto, short names: the host name vm resolves to this machine"

# 2. A host name whose fully qualified name /etc/hosts gives.
hosts='127.0.0.1 localhost\n127.0.1.1 box.nodemux.test box\n'
plan_host box "$hosts" -c "$cfg" -n 1
t_check "box with a domain, long names: the fully qualified name" \
    says "h1@box.nodemux.test "
t_check "box with a domain, long names: probed on its address" \
    says "host:    box.nodemux.test (ports probed on 127.0.0.1)"
t_check "box with a domain, long names: plan says why" says \
    "auto, long names: box.nodemux.test, the fully qualified name of the host name box, resolves to this machine"
plan_host box "$hosts" -c "$short" -n 1
t_check "box with a domain, short names: box" says "h1@box "
on box "$hosts" "$NODEMUX" plan --json -c "$cfg" -n 1
t_check "plan --json has the reason" says \
    '"host":"box.nodemux.test","host_why":"auto, long names: box.nodemux.test, the fully qualified name'

# 3. The host name itself is fully qualified.
plan_host box.nodemux.test "$hosts" -c "$cfg" -n 1
t_check "dotted host name, long names: kept" says "h1@box.nodemux.test "
t_check "dotted host name, long names: plan says why" says \
    "auto, long names: the host name box.nodemux.test resolves to this machine"
plan_host box.nodemux.test "$hosts" -c "$short" -n 1
t_check "dotted host name, short names: cut at the dot" says "h1@box "

# 4. The fully qualified name is another machine's.
hosts='127.0.0.1 localhost\n192.0.2.7 box.nodemux.test box\n'
plan_host box "$hosts" -c "$cfg" -n 1
t_check "name of another machine, long names: 127.0.0.1" says "h1@127.0.0.1 "
plan_host box "$hosts" -c "$short" -n 1
t_check "name of another machine, short names: localhost" says "h1@localhost "
t_check "name of another machine, short names: plan says why" says \
    "auto, short names: the host name box does not resolve to this machine, so localhost"

# 5. A minimal container: an empty /etc/hosts, not even localhost.
plan_host box '' -c "$cfg" -n 1
t_check "empty /etc/hosts, long names: 127.0.0.1 (rc=$rc)" \
    says "h1@127.0.0.1 "
plan_host box '' -c "$short" -n 1
t_check "empty /etc/hosts, short names: localhost (rc=$rc)" \
    says "host:    localhost (ports probed on 127.0.0.1)"
printf 'cluster = { host = "localhost"; name_prefix = "h"; log_dir = ""; ports = { http_base = 21810; dist_base = 21910; }; };\nnode = { command = [ "erl", "-name", "${NODE_NAME}" ]; };\n' \
    >"$T_TMP/localhost.cfg"
on box '' "$NODEMUX" doctor -c "$T_TMP/localhost.cfg" -n 1
t_check "empty /etc/hosts: host = \"localhost\" is this machine" \
    says "localhost resolves to 127.0.0.1, this machine"
t_check "empty /etc/hosts: localhost's ports are probed" \
    grep -Eq '^ok +ports +h1@localhost: http 21810, dist 21910 free' "$out"
t_check "doctor keeps its warning for a literal dotless host" \
    says "long names (-name) need a host with a dot; localhost has none"
printf 'cluster = { host = "nodemux-nowhere"; };\nnode = { command = "true"; };\n' \
    >"$T_TMP/nowhere.cfg"
on box '' "$NODEMUX" plan -c "$T_TMP/nowhere.cfg"
t_check "a host that does not resolve: exit 2 (rc=$rc)" [ "$rc" -eq 2 ]
t_check "a host that does not resolve: says so, nothing else" sh -c \
    "[ \"\$(cat '$out')\" = 'nodemux: $T_TMP/nowhere.cfg:1: cluster.host: host nodemux-nowhere does not resolve: Name or service not known' ]" ||
    t_diag "$(cat "$out")"

# 6. Real Erlang nodes on a fully qualified name from /etc/hosts.
if ! command -v erl >/dev/null 2>&1; then
	t_ok "# SKIP erl not installed (apt-get install erlang-nox)"
else
	hosts='127.0.0.1 localhost\n127.0.1.1 box.nodemux.test box\n'
	cat >"$T_TMP/erl.sh" <<EOF
ERL_EPMD_PORT=\$((20000 + \$\$ % 20000)); export ERL_EPMD_PORT
epmd -daemon
"$NODEMUX" exec -c "$data/erlang.cfg" -n 2 --log-dir "" -- \
    escript "$TOP_SRCDIR/tests/data/front-checker.escript"
rc=\$?
epmd -kill >/dev/null
exit \$rc
EOF
	on box "$hosts" unshare --pid --fork --mount-proc sh "$T_TMP/erl.sh"
	t_check "erl on box.nodemux.test: 2 nodes meshed (rc=$rc)" \
	    says "checker: all 2 nodes meshed"
	t_check "erl on box.nodemux.test: node names carry the name" \
	    says "ok: erl1@box.nodemux.test sees ['erl2@box.nodemux.test']"
fi
t_done
