#!/bin/sh
# nodemux doctor through the built binary: ok rows and exit 0 on a free
# setup, FAIL with a hint and exit 1 for a missing program, a held port
# or a low fd limit, the holder of a busy port, --json, config errors.
. "${TOP_SRCDIR:-.}/tests/lib.sh"
data=$TOP_SRCDIR/tests/data
out=$T_TMP/out
err=$T_TMP/err
listener=

# doctor ARGS...: run nodemux doctor, stdout to $out, stderr to $err,
# the exit status in $rc.
doctor() {
	rc=0
	"$NODEMUX" doctor "$@" >"$out" 2>"$err" || rc=$?
}

# cleanup: no listener of ours may outlive the test.
cleanup() {
	if [ -n "$listener" ]; then
		kill "$listener" 2>/dev/null
		wait "$listener" 2>/dev/null
	fi
}
trap cleanup EXIT
trap 'cleanup; exit 1' INT TERM HUP

# 1. A setup that needs nothing special: ok rows only, exit 0.
doctor -c "$data/net-ok.cfg"
t_check "free setup exits 0 (rc=$rc)" [ "$rc" -eq 0 ]
t_check "free setup has no FAIL row" sh -c "! grep -q '^FAIL' '$out'"
t_check "every row starts with ok, warn or FAIL" \
    sh -c "! grep -vqE '^(ok  |warn|FAIL)  ' '$out'"
t_check "config row names the file and the size" \
    grep -qE "^ok +config +$data/net-ok.cfg: 2 nodes on 127.0.0.1\$" "$out"
t_check "program row finds sleep" grep -qE '^ok +program +sleep: /.*/sleep$' "$out"
t_check "ports row for node 1" \
    grep -qE '^ok +ports +netok1@127.0.0.1: http 21410, dist 21510 free' "$out"
t_check "ports row for node 2" \
    grep -qE '^ok +ports +netok2@127.0.0.1: http 21411, dist 21511 free' "$out"
t_check "host row says local" grep -qE '^ok +host +127.0.0.1 resolves to 127.0.0.1, this machine' "$out"
t_check "pty row" grep -qE '^ok +pty +/dev/ptmx gives /dev/pts/' "$out"
t_check "fd limit row" grep -qE '^ok +fd limit +[0-9]+ open files allowed, 2 nodes need about 40$' "$out"
t_check "no colour when stdout is not a terminal" sh -c "! grep -q \"$(printf '\033')\" '$out'"
t_check "no epmd rows for non-Erlang nodes" sh -c "! grep -q epmd '$out'"
t_diag "$(cat "$out")"

# 2. -n sets how many nodes are checked.
doctor -n 3 -c "$data/net-ok.cfg"
t_check "-n 3 gives three ports rows" [ "$(grep -c '^ok  *ports' "$out")" -eq 3 ]

# 3. A missing program: FAIL with a hint, exit 1.
doctor -c "$data/net-missing-program.cfg"
t_check "missing program exits 1 (rc=$rc)" [ "$rc" -eq 1 ]
t_check "missing program is a FAIL row with a hint" grep -qE \
    '^FAIL +program +nodemux-no-such-program: not found on PATH +install nodemux-no-such-program or put it on PATH' \
    "$out"
t_diag "$(cat "$out")"

# 4. A port held by a listener of the test: FAIL naming pid and program.
if command -v python3 >/dev/null 2>&1; then
	# The listener holds the port until its stdin, a fifo this shell
	# keeps open on fd 3, ends: it cannot outlive the test.
	mkfifo "$T_TMP/hold"
	python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 21450))
s.listen(1)
open(sys.argv[1], "w").close()
sys.stdin.read()
' "$T_TMP/listening" <"$T_TMP/hold" &
	listener=$!
	exec 3>"$T_TMP/hold"
	t_wait_for 10 test -e "$T_TMP/listening"
	doctor -c "$data/net-ports.cfg"
	t_check "held port exits 1 (rc=$rc)" [ "$rc" -eq 1 ]
	t_check "held port names the holder" grep -qE \
	    "^FAIL +ports +http port 21450 of node netports1@127.0.0.1 is busy \\(held by pid $listener, python3\\) +stop pid $listener \\(python3\\)" \
	    "$out"
	t_check "the other node's ports are free" \
	    grep -qE '^ok +ports +netports2@127.0.0.1: http 21451, dist 21551 free' "$out"
	t_check "a shell command checks /bin/sh and its program" sh -c \
	    "grep -qE '^ok +program +/bin/sh: executable$' '$out' &&
	     grep -qE '^ok +program +sleep: ' '$out'"
	t_diag "$(cat "$out")"
	exec 3>&-
	wait "$listener" 2>/dev/null
	t_check "the listener is gone" sh -c "! kill -0 $listener 2>/dev/null"
	listener=
	doctor -c "$data/net-ports.cfg"
	t_check "once freed the port is ok again (rc=$rc)" [ "$rc" -eq 0 ]
else
	t_ok "# SKIP no python3 for a test listener"
fi

# 5. --json is one valid object with a row per check.
doctor --json -c "$data/net-ok.cfg"
t_check "--json exits 0" [ "$rc" -eq 0 ]
t_check "--json parses" python3 -m json.tool "$out" /dev/null
t_check "--json says ok true, rows have the four fields" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is True, d
assert len(d["checks"]) >= 6, d
for c in d["checks"]:
    assert sorted(c) == ["check", "detail", "hint", "status"], c
    assert c["status"] in ("ok", "warn", "fail"), c
assert [c["check"] for c in d["checks"]].count("ports") == 2
' "$out"
doctor --json -c "$data/net-missing-program.cfg"
t_check "--json with a FAIL exits 1" [ "$rc" -eq 1 ]
t_check "--json with a FAIL says ok false and carries the hint" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["ok"] is False, d
f = [c for c in d["checks"] if c["status"] == "fail"]
assert len(f) == 1 and f[0]["check"] == "program", f
assert "install nodemux-no-such-program" in f[0]["hint"], f
' "$out"

# 6. A config error is exit 2 as everywhere (and still JSON with --json).
doctor -c "$T_TMP/no-such.cfg"
t_check "missing config exits 2 (rc=$rc)" [ "$rc" -eq 2 ]
t_check "missing config names the file" grep -q "^nodemux: .*no-such.cfg" "$err"
t_check "missing config prints no rows" [ ! -s "$out" ]
doctor --json -c "$T_TMP/no-such.cfg"
t_check "--json config error exits 2 with ok false" sh -c \
    "[ $rc -eq 2 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d[\"ok\"] is False and d[\"checks\"][0][\"check\"] == \"config\"' '$out'"
rc=0; "$NODEMUX" doctor extra >/dev/null 2>"$err" || rc=$?
t_check "an operand is a usage error (rc=$rc)" [ "$rc" -eq 2 ]

# 7. Too low an fd limit for the cluster size.
rc=0
(ulimit -Sn 50 && exec "$NODEMUX" doctor -n 10 -c "$data/net-ok.cfg") \
    >"$out" 2>"$err" || rc=$?
t_check "low fd limit exits 1 (rc=$rc)" [ "$rc" -eq 1 ]
t_check "low fd limit says what to raise it to" grep -qE \
    '^FAIL +fd limit +50 open files allowed, 10 nodes need about 72 +raise it: ulimit -n 72$' "$out"
rc=0
(ulimit -n 50 && exec "$NODEMUX" doctor -n 10 -c "$data/net-ok.cfg") \
    >"$out" 2>"$err" || rc=$?
t_check "low hard fd limit says to raise the hard limit" grep -qE \
    '^FAIL +fd limit +.* +raise the hard limit \(50; .*\), then ulimit -n 72$' "$out"

# 8. Erlang nodes: epmd rows, and long names on a host without a dot.
doctor -c "$data/net-erlang.cfg"
t_check "Erlang nodes get an epmd row" grep -qE '^(ok|FAIL) +epmd +' "$out"
t_check "Erlang nodes get an epmd running row" grep -qE \
    '^(ok +epmd running +epmd answers on 127.0.0.1:|warn +epmd running +nothing listens on 127.0.0.1:.* +start it: epmd -daemon)' "$out"
t_check "long names on localhost are a warning" grep -qE \
    '^warn +node names +long names \(-name\) need a host with a dot; localhost has none +set cluster.host' \
    "$out"
if command -v erl >/dev/null 2>&1 && command -v epmd >/dev/null 2>&1; then
	t_check "a warning alone still exits 0 (rc=$rc)" [ "$rc" -eq 0 ]
else
	t_check "no Erlang installed: exit 1 (rc=$rc)" [ "$rc" -eq 1 ]
fi
t_diag "$(cat "$out")"
# Any program's node names are long ones on localhost: the same warning;
# on an IP, no node names row (it says nothing to a node that is not
# Erlang).
sed -e 's/^  command = .*/  command = [ "sleep",/' \
    -e 's/^ *"-setcookie".*/  "60" ];/' "$data/net-erlang.cfg" >"$T_TMP/long.cfg"
doctor -c "$T_TMP/long.cfg"
t_check "long names on localhost warn for any program" grep -qE \
    '^warn +node names +long names \(-name\) need a host with a dot; localhost has none +set cluster.host' \
    "$out"
t_check "no epmd row when no node is Erlang" sh -c "! grep -q epmd '$out'"
doctor -c "$data/net-ok.cfg"
t_check "long names on an IP: no node names row" sh -c \
    "[ $rc -eq 0 ] && ! grep -q 'node names' '$out'"

# 9. A host that is not this machine: FAIL, and its ports are not probed.
doctor -c "$data/net-nonlocal.cfg"
t_check "non-local host exits 1 (rc=$rc)" [ "$rc" -eq 1 ]
t_check "non-local host is a FAIL row with a hint" grep -qE \
    '^FAIL +host +192.0.2.1 is not an address of this machine +set cluster.host = "auto"' "$out"
t_check "non-local host: one ports row, not probed" sh -c \
    "[ \$(grep -c '^FAIL  *ports  *not probed: nodes cannot bind 192.0.2.1' '$out') -eq 1 ] &&
     [ \$(grep -c ' ports ' '$out') -eq 1 ]"

# 10. No config at all: the built-in demo is checked.
mkdir -p "$T_TMP/empty"
rc=0
(cd "$T_TMP/empty" && exec "$NODEMUX" doctor) >"$out" 2>"$err" || rc=$?
t_check "built-in demo: exit 0 or 1 (rc=$rc)" [ "$rc" -le 1 ]
t_check "built-in demo: config row" grep -qE '^ok +config +\(built-in demo\): [0-9]+ nodes on ' "$out"
t_check "built-in demo: its program is found" grep -qE '^ok +program +' "$out"
t_check "built-in demo: nothing on stderr" [ ! -s "$err" ]
t_diag "$(cat "$out" "$err")"

t_done
