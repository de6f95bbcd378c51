#!/bin/sh
# nodemux plan, env and run-node as a user runs them: output, quoting
# through eval, exit statuses and the exact error messages.
. "$TOP_SRCDIR/tests/lib.sh"
data=$TOP_SRCDIR/tests/data
good=$data/cfg-good.cfg

# expect_status WANT DESC CMD...: CMD exits with WANT; output in $T_TMP/out, err.
expect_status() {
	es_want=$1 es_desc=$2; shift 2
	"$@" >"$T_TMP/out" 2>"$T_TMP/err"
	es_rc=$?
	if [ "$es_rc" -eq "$es_want" ]; then t_ok "$es_desc (exit $es_want)"
	else t_fail "$es_desc: exit $es_rc, wanted $es_want"; t_diag "$(cat "$T_TMP/err")"; fi
}

# same_text DESC FILE TEXT: FILE holds exactly TEXT (plus a newline).
same_text() {
	printf '%s\n' "$3" >"$T_TMP/want"
	if cmp -s "$T_TMP/want" "$2"; then t_ok "$1"
	else t_fail "$1"; t_diag "got: $(cat "$2")"; t_diag "want: $3"; fi
}

expect_status 0 "plan of a good config" "$NODEMUX" plan -c "$good"
t_check "plan names the config" grep -q "^config:  $good\$" "$T_TMP/out"
t_check "plan gives the size" grep -q '^size:    4$' "$T_TMP/out"
t_check "plan has a row per node" test "$(grep -c '^[1-4]  ' "$T_TMP/out")" -eq 4
t_check "a row has index, name, host, ports" \
    grep -Eq '^2 +sl2@127\.0\.0\.1 +127\.0\.0\.1 +5010 +9510 ' "$T_TMP/out"
t_check "argv is shell-quoted" \
    grep -Fq "printf \$'%s|%s\\n' 'sl2@127.0.0.1 with spaces' '\$HOME'" "$T_TMP/out"
t_check "cwd and log file are shown" \
    grep -Fq "$data/work  $data/logs/4/sl2@127.0.0.1.log" "$T_TMP/out"

expect_status 0 "plan --json" "$NODEMUX" plan --json -c "$good" -p test -n 2
t_check "json has the top-level keys" grep -q \
    "^{\"config\":\"$good\",\"profile\":\"test\",\"size\":2,\"host\":\"127.0.0.1\",\"host_why\":\"the configured host\",\"cookie\":\"sl_cookie\",\"nodes\":\[" \
    "$T_TMP/out"
t_check "json has a node object" grep -Fq \
    '{"index":2,"name":"test_node2@127.0.0.1","sname":"test_node2","host":"127.0.0.1","http_port":4210,"dist_port":9210,"argv":["printf","%s|%s\n","test_node2@127.0.0.1 with spaces","$HOME"],' \
    "$T_TMP/out"
t_check "json has the env" grep -Fq '"MIX_ENV":"test"' "$T_TMP/out"
if command -v python3 >/dev/null; then
	t_check "json parses" python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["nodes"][1]["env"]["CLUSTER_PEERS"] == "test_node1@127.0.0.1"' <"$T_TMP/out"
fi

printf 'cluster = { max_size = 10; host = "127.0.0.1"; };\nnode = { command = "true"; };\n' \
    >"$T_TMP/max10.cfg"
expect_status 2 "plan -n 12 with max 10" "$NODEMUX" plan -n 12 -c "$T_TMP/max10.cfg"
same_text "it says why, naming --size" "$T_TMP/err" \
    "nodemux: invalid cluster size 12: use 1-10 (from --size)"
expect_status 2 "CLUSTER_SIZE=12" env CLUSTER_SIZE=12 "$NODEMUX" plan -c "$T_TMP/max10.cfg"
same_text "it names CLUSTER_SIZE" "$T_TMP/err" \
    "nodemux: invalid cluster size 12: use 1-10 (from CLUSTER_SIZE)"
t_check "nothing on stdout after an error" test ! -s "$T_TMP/out"

expect_status 2 "a config error" "$NODEMUX" plan -c "$data/cfg-unknown-key.cfg"
same_text "it names file, line and key" "$T_TMP/err" \
    "nodemux: $data/cfg-unknown-key.cfg:5: unknown key cluster.ports.strid (did you mean stride?)"
printf 'x "abc";\n' >"$T_TMP/strtok.cfg"
expect_status 2 "a syntax error at a string" "$NODEMUX" plan -c "$T_TMP/strtok.cfg"
same_text "it names file and line, and nothing else" "$T_TMP/err" \
    "nodemux: $T_TMP/strtok.cfg:1: syntax error"
expect_status 2 "a missing profile" "$NODEMUX" plan -c "$good" -p prod
t_check "it names the profiles there are" \
    grep -q 'no profile "prod": the profiles are test, big' "$T_TMP/err"
expect_status 2 "a missing config file" "$NODEMUX" plan -c "$T_TMP/none.cfg"

# env: a value with quotes, spaces, $, backslashes and newlines survives eval.
cat >"$T_TMP/env.cfg" <<'CFG'
cluster = { default_size = 4; host = "127.0.0.1"; };
node = {
  command = [ "true" ];
  env = { TRICKY = "it's \"q\"  $$HOME $${X} back\\slash\nline two\n"; };
};
CFG
expect_status 0 "env 1" "$NODEMUX" env 1 -c "$T_TMP/env.cfg"
t_check "env prints export lines" grep -q "^export NODE_NAME='node1@127.0.0.1'\$" "$T_TMP/out"
(
	eval "$(cat "$T_TMP/out")"
	printf '%s|%s|%s|%s' "$TRICKY" "$NODE_INDEX" "$CLUSTER_PEERS" "$HTTP_PORT"
) >"$T_TMP/got"
printf '%s|%s|%s|%s' "it's \"q\"  \$HOME \${X} back\\slash
line two
" 1 node2@127.0.0.1,node3@127.0.0.1,node4@127.0.0.1 4000 >"$T_TMP/want"
if cmp -s "$T_TMP/got" "$T_TMP/want"; then t_ok "eval gives every value back exactly"
else t_fail "eval round trip"; t_diag "got: $(od -c "$T_TMP/got")"; fi
expect_status 0 "env 2 -n 4 (options after N)" "$NODEMUX" env 2 -n 4 -c "$T_TMP/env.cfg"
t_check "env 2 is node 2" grep -q "^export HTTP_PORT='4010'\$" "$T_TMP/out"
expect_status 2 "env 7 -n 4" "$NODEMUX" env 7 -n 4 -c "$T_TMP/env.cfg"
same_text "it says the range" "$T_TMP/err" "nodemux: invalid node number 7: use 1-4"
expect_status 2 "env without N" "$NODEMUX" env -c "$T_TMP/env.cfg"

# run-node: node N's argv, in its cwd, with its environment; its status.
mkdir -p "$T_TMP/proj/work"
cat >"$T_TMP/proj/run.cfg" <<'CFG'
cluster = { default_size = 3; host = "127.0.0.1"; name_prefix = "r"; };
node = {
  command = [ "/bin/sh", "-c", "echo \"$$NODE_NAME $$HTTP_PORT $$(pwd) [$$1]\"; exit $$2", "sh", "one arg ${NODE_SNAME}", "${NODE_INDEX}" ];
  cwd = "work";
};
CFG
expect_status 2 "run-node 2 exits with the node's status" \
    "$NODEMUX" run-node 2 -c "$T_TMP/proj/run.cfg"
same_text "it ran in cwd with the env and argv" "$T_TMP/out" \
    "r2@127.0.0.1 4010 $T_TMP/proj/work [one arg r2]"
expect_status 3 "run-node 3" "$NODEMUX" run-node 3 -c "$T_TMP/proj/run.cfg"
expect_status 2 "run-node 4 of 3" "$NODEMUX" run-node 4 -c "$T_TMP/proj/run.cfg"
same_text "it says the range" "$T_TMP/err" "nodemux: invalid node number 4: use 1-3"

printf 'node = { command = [ "%s/nope", "x" ]; };\n' "$T_TMP" >"$T_TMP/nope.cfg"
expect_status 127 "run-node of a missing program" "$NODEMUX" run-node 1 -c "$T_TMP/nope.cfg"
same_text "it names the program" "$T_TMP/err" \
    "nodemux: cannot run $T_TMP/nope: No such file or directory"
: >"$T_TMP/noexec"
printf 'node = { command = [ "%s/noexec" ]; };\n' "$T_TMP" >"$T_TMP/noexec.cfg"
expect_status 126 "run-node of a file that is not executable" \
    "$NODEMUX" run-node 1 -c "$T_TMP/noexec.cfg"
t_check "it says permission denied" grep -q "cannot run $T_TMP/noexec: Permission denied" "$T_TMP/err"
printf 'node = { command = "true"; cwd = "/nonexistent/dir"; };\n' >"$T_TMP/nocwd.cfg"
expect_status 1 "run-node with a missing cwd" "$NODEMUX" run-node 1 -c "$T_TMP/nocwd.cfg"
t_check "it names the directory" \
    grep -q 'cannot change to directory /nonexistent/dir: No such file' "$T_TMP/err"

# Lookup: ./nodemux.cfg, then $NODEMUX_CONFIG over it, else the demo.
mkdir -p "$T_TMP/empty" "$T_TMP/here"
(cd "$T_TMP/empty" && "$NODEMUX" plan) >"$T_TMP/out" 2>&1
t_check "no config: the built-in demo" grep -q '^config:  (built-in demo)$' "$T_TMP/out"
t_check "the demo runs this nodemux's demo-node" grep -Eq '^1 +demo1@.* demo-node$' "$T_TMP/out"
cp "$T_TMP/max10.cfg" "$T_TMP/here/nodemux.cfg"
(cd "$T_TMP/here" && "$NODEMUX" plan) >"$T_TMP/out" 2>&1
t_check "./nodemux.cfg is found" grep -q '^config:  nodemux.cfg$' "$T_TMP/out"
(cd "$T_TMP/here" && NODEMUX_CONFIG=$good "$NODEMUX" plan) >"$T_TMP/out" 2>&1
t_check "NODEMUX_CONFIG comes before it" grep -q "^config:  $good\$" "$T_TMP/out"
(cd "$T_TMP/here" && NODEMUX_CONFIG=$good "$NODEMUX" plan -c nodemux.cfg) \
    >"$T_TMP/out" 2>&1
t_check "--config comes before NODEMUX_CONFIG" grep -q '^config:  nodemux.cfg$' "$T_TMP/out"
(cd "$T_TMP/here" && NODEMUX_CONFIG=$good NODEMUX_PROFILE=test "$NODEMUX" plan -c nodemux.cfg) \
    >"$T_TMP/out" 2>&1
t_check "NODEMUX_PROFILE is looked up in the --config file" \
    grep -q 'no profile "test": this config has no profiles' "$T_TMP/out"

t_done
