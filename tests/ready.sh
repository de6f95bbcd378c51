#!/bin/sh
# Readiness (node.ready) through nodemux exec: ready.log matches a prompt
# left pending once the node is quiet (and not before), ready.http GETs a
# path on the node's HTTP_PORT until it answers 2xx or 3xx (demo-node, and
# http-node's scripted answers: 503 then 200, a redirect, a hang, junk,
# errors only), and a node that never passes is reported with what it
# still waits for.  Nothing survives any run.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

http_node=$TOP_BUILDDIR/tests/helpers/http-node
out=$T_TMP/out
err=$T_TMP/err

# run CFG-BODY ARGS...: exec on a 1-node cluster of CFG-BODY (its node
# group) with ARGS after "--"; status in $rc, seconds to ready in $secs.
run() {
	cat >"$T_TMP/r.cfg" <<EOF
cluster = { default_size = 1; name_prefix = "rd"; host = "127.0.0.1";
  ports = { http_base = 23410; dist_base = 23510; };
  stop_timeout_ms = 1000; log_dir = ""; };
node = { $1 restart = "no"; };
EOF
	shift
	rc=0
	"$NODEMUX" exec -c "$T_TMP/r.cfg" --log-dir "$T_TMP/logs" -- "$@" \
	    >"$out" 2>"$err" || rc=$?
	secs=$(sed -n 's/^nodemux | all [0-9]* nodes\{0,1\} ready in \([0-9.]*\)s.*/\1/p' "$err")
}

# log: the node's log file of the last run.
log() {
	cat "$T_TMP/logs/rd1@127.0.0.1.log"
}

# none_left: no node program of these tests is alive.
none_left() {
	! pgrep -f "$http_node|sleep 600.25" >/dev/null
}

# no_beam: no BEAM of these tests is alive.
no_beam() {
	! pgrep -f 'beam.*rd1@127[.]0[.]0[.]1' >/dev/null
}

# at_least SECS MIN: SECS >= MIN (decimals).
at_least() {
	awk -v s="$1" -v m="$2" 'BEGIN { exit !(s != "" && s + 0 >= m + 0) }'
}

# below SECS MAX: SECS < MAX (decimals).
below() {
	awk -v s="$1" -v m="$2" 'BEGIN { exit !(s != "" && s + 0 < m + 0) }'
}

# 1. A prompt with no newline after it: ready once the node is quiet.
prompt='command = [ "sh", "-c", "printf \"Interactive Elixir (1.14)\\n\"; printf \"iex(%s)1> \" \"$$NODE_NAME\"; exec sleep 600.25" ];'
run "$prompt"' ready = { log = "^iex\\(rd1@127\\.0\\.0\\.1\\)1>$$"; timeout_ms = 5000; };' true
t_check "a pending prompt makes the node ready (rc=$rc)" [ "$rc" -eq 0 ] ||
    t_diag "$(cat "$err")"
t_check "ready soon after the prompt, not at the timeout (${secs}s)" \
    below "$secs" 3
t_check "nothing left running" t_wait_for 3 none_left

# 2. A pending line that does not match does not make it ready.
run "$prompt"' ready = { log = "^iex\\(other\\)1>$$"; timeout_ms = 1200; };' true
t_check "a prompt that does not match: exec exits 125 (rc=$rc)" [ "$rc" -eq 125 ]
t_check "...saying what the node waits for" grep -Fq \
    'rd1 not ready after 1200 ms: still waiting for a line matching "^iex\(other\)1>$"' "$err" ||
    t_diag "$(cat "$err")"
t_check "nothing left running" t_wait_for 3 none_left

# 3. Output that goes on without a newline: not ready until it is quiet.
busy='command = [ "sh", "-c", "printf \"boot> \"; i=0; while [ $$i -lt 12 ]; do sleep 0.05; printf .; i=$$((i+1)); done; exec sleep 600.25" ];'
run "$busy"' ready = { log = "^boot> "; timeout_ms = 5000; };' true
t_check "a partial line still growing: ready in the end (rc=$rc)" [ "$rc" -eq 0 ]
t_check "...only once the output stopped (${secs}s >= 0.6s)" \
    at_least "$secs" 0.6
t_check "nothing left running" t_wait_for 3 none_left

# 4. ready.http on demo-node, which listens only once it has "booted":
# when CMD runs, the node's log already says its endpoint runs.
run "command = [ \"$NODEMUX\", \"demo-node\" ]; ready = { http = \"/health\"; timeout_ms = 10000; };" \
    grep -q 'Running DemoWeb.Endpoint' "$T_TMP/logs/rd1@127.0.0.1.log"
t_check "demo-node: ready.http passes, after the endpoint runs (rc=$rc)" \
    [ "$rc" -eq 0 ] || t_diag "$(cat "$err")"
t_check "demo-node logged the probe's GET /health" \
    sh -c "grep -q 'GET /health 200' '$T_TMP/logs/rd1@127.0.0.1.log'"

# 5. Scripted answers: 503 twice, then 200.
run "command = [ \"$http_node\", \"503\", \"503\", \"200\" ]; ready = { http = \"/health?deep=1\"; timeout_ms = 5000; };" true
t_check "503, 503, 200: ready (rc=$rc)" [ "$rc" -eq 0 ]
t_check "...after exactly three GETs of the path" sh -c \
    "[ \$(grep -c '^request [0-9]: GET /health?deep=1 HTTP/1.1 -> ' '$T_TMP/logs/rd1@127.0.0.1.log') -eq 3 ]" ||
    t_diag "$(log)"
t_check "nothing left running" t_wait_for 3 none_left

# 6. A redirect is ready.
run "command = [ \"$http_node\", \"302\" ]; ready = { http = \"/\"; timeout_ms = 5000; };" true
t_check "302: ready (rc=$rc)" [ "$rc" -eq 0 ]

# 7. Only errors: not ready, with the last answer in the message.
run "command = [ \"$http_node\", \"500\" ]; ready = { http = \"/health\"; timeout_ms = 1200; };" true
t_check "always 500: exec exits 125 (rc=$rc)" [ "$rc" -eq 125 ]
t_check "...saying what it waits for and the last answer" grep -Fq \
    'rd1 not ready after 1200 ms: still waiting for GET /health on port 23410 to answer 2xx or 3xx (last try: answered "500 Internal Server Error")' \
    "$err" || t_diag "$(cat "$err")"
t_check "nothing left running" t_wait_for 3 none_left

# 8. A server that accepts and never answers: the attempt gives up and
# the next one is answered.
run "command = [ \"$http_node\", \"hang\", \"200\" ]; ready = { http = \"/health\"; timeout_ms = 8000; };" true
t_check "hang, then 200: ready (rc=$rc)" [ "$rc" -eq 0 ]
t_check "...after the attempt's 2 s (${secs}s)" at_least "$secs" 2
t_check "nothing left running" t_wait_for 3 none_left

# 9. Not HTTP at all.
run "command = [ \"$http_node\", \"junk\" ]; ready = { http = \"/health\"; timeout_ms = 1200; };" true
t_check "junk: exec exits 125 (rc=$rc)" [ "$rc" -eq 125 ]
t_check "...saying it was not an HTTP answer" grep -Fq \
    '(last try: not an HTTP answer: "hello there")' "$err" ||
    t_diag "$(cat "$err")"

# 10. Nothing listens: the probe says the connection was refused.
run "command = [ \"sleep\", \"600.25\" ]; ready = { http = \"/health\"; timeout_ms = 1000; };" true
t_check "nothing listens: exec exits 125 (rc=$rc)" [ "$rc" -eq 125 ]
t_check "...saying the connection was refused" grep -Fq \
    '(last try: Connection refused)' "$err" || t_diag "$(cat "$err")"
t_check "nothing left running" t_wait_for 3 none_left

# 11. ready.http must be a path.
run 'command = "true"; ready = { http = "health"; };' true
t_check "ready.http without a leading /: exit 2 (rc=$rc)" [ "$rc" -eq 2 ]
t_check "...naming the file, line and key" grep -Fq \
    "r.cfg:4: node.ready.http: \"health\" is not a path to GET: use one starting with / (e.g. \"/health\")" \
    "$err" || t_diag "$(cat "$err")"
run 'command = "true"; ready = { http = "/a b"; };' true
t_check "ready.http with a blank: exit 2 (rc=$rc)" [ "$rc" -eq 2 ]

# 12. A real IEx prompt, when Elixir is installed.
if ! command -v iex >/dev/null 2>&1; then
	t_ok "# SKIP iex not installed (apt-get install elixir)"
	t_ok "# SKIP iex not installed (apt-get install elixir)"
else
	ERL_EPMD_PORT=$((20000 + $$ % 20000)); export ERL_EPMD_PORT
	run 'command = [ "iex", "--name", "${NODE_NAME}", "--cookie", "c" ]; ready = { log = "^iex\\(${NODE_NAME}\\)1>$$"; timeout_ms = 20000; };' true
	t_check "iex: ready on its first prompt (rc=$rc)" [ "$rc" -eq 0 ] ||
	    t_diag "$(cat "$err")"
	t_check "nothing left running" t_wait_for 5 no_beam
	epmd -kill >/dev/null 2>&1
fi
t_done
