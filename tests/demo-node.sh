#!/bin/sh
# nodemux demo-node: it boots with lifelike logs, answers HTTP on its
# HTTP_PORT (spoken to through bash's /dev/tcp), refuses a busy port,
# crashes on request and stops cleanly on SIGTERM.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

# port_free PORT: nobody answers on 127.0.0.1:PORT.
port_free() {
	! bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# http_get PORT PATH: the whole HTTP response, or failure.
http_get() {
	bash -c 'exec 3<>/dev/tcp/127.0.0.1/$0 || exit 1
	    printf "GET $1 HTTP/1.0\r\nHost: localhost\r\n\r\n" >&3
	    timeout 5 cat <&3' "$1" "$2"
}

# http_quiet PORT PATH: does PORT answer?
http_quiet() {
	http_get "$@" >/dev/null
}

port=$((20000 + $$ % 20000))
while ! port_free $port; do port=$((port + 1)); done
t_diag "demo node on port $port"

out=$T_TMP/demo.out
NODE_NAME=demo1@localhost HTTP_PORT=$port DIST_PORT=$((port + 1)) \
    CLUSTER_PEERS=demo2@localhost,demo3@localhost COOKIE=c \
    "$NODEMUX" demo-node >"$out" 2>&1 &
pid=$!
trap 'kill -KILL $pid 2>/dev/null' EXIT

t_check "demo-node listens on HTTP_PORT within 5 s" \
    t_wait_for 5 http_quiet $port /health
http_get $port /hello >"$T_TMP/resp" 2>&1
t_check "it answers GET with 200" grep -q '^HTTP/1.1 200 OK' "$T_TMP/resp"
t_check "the body names the node" grep -q '"node":"demo1@localhost"' "$T_TMP/resp"
t_check "it says where its endpoint runs" \
    grep -q "Running DemoWeb.Endpoint with Cowboy using http://0.0.0.0:$port" "$out"
t_check "it logs the request it answered" \
    t_wait_for 2 grep -q 'GET /hello 200 in' "$out"
t_check "it connects to the peers of CLUSTER_PEERS" \
    t_wait_for 3 grep -q 'connected to :"demo3@localhost"' "$out"
t_check "the \\r progress line ends with the finished count" \
    grep -q 'Compiling 14 files (.ex) \[=*\] 14/14' "$out"
if grep -q "$(printf '\033')" "$out"; then
	t_fail "no escape sequences when stdout is not a terminal"
else
	t_ok "no escape sequences when stdout is not a terminal"
fi

# A busy port: a second node on the same port says so and exits 1.
NODE_NAME=demo2@localhost HTTP_PORT=$port "$NODEMUX" demo-node \
    >"$T_TMP/busy" 2>&1
t_check "a busy port exits 1" test $? -eq 1
t_check "the busy port message names the port" \
    grep -q "cannot listen on http port $port: Address already in use" \
    "$T_TMP/busy"

# Calm: a few lines a second at most.
sleep 3
lines=$(wc -l <"$out")
t_diag "$lines lines in about 4 s"
t_check "it logs calmly (under 40 lines in its first 4 s)" test "$lines" -lt 40

kill -TERM $pid
wait $pid
t_check "SIGTERM: exit status 0" test $? -eq 0
t_check "SIGTERM: a shutdown line" grep -q 'SIGTERM received - shutting down' "$out"
t_check "SIGTERM: the process is gone" test ! -d /proc/$pid
t_check "SIGTERM: the port is free again" port_free $port

# DEMO_CRASH_AFTER_MS: an error line, then exit 1.
HTTP_PORT=$port DEMO_CRASH_AFTER_MS=300 timeout 10 "$NODEMUX" demo-node \
    >"$T_TMP/crash" 2>&1
t_check "DEMO_CRASH_AFTER_MS: exit status 1" test $? -eq 1
t_check "DEMO_CRASH_AFTER_MS: says it crashed" grep -q 'simulated crash' "$T_TMP/crash"

# Console commands typed into the node (nodemux's interactive mode).
{ printf 'status\npeers\nbogus\n'; sleep 3; } |
    NODE_NAME=demo1@localhost HTTP_PORT=$port CLUSTER_PEERS=demo2@localhost \
    "$NODEMUX" demo-node >"$T_TMP/console" 2>&1 &
pid=$!
t_check "console: status answers with the node and its port" \
    t_wait_for 3 grep -q "demo1@localhost: up [0-9]*s, http port $port" "$T_TMP/console"
t_check "console: peers lists CLUSTER_PEERS" \
    grep -q '\[info\] peer demo2@localhost$' "$T_TMP/console"
t_check "console: an unknown command is an error line" \
    grep -q 'unknown command "bogus": try help' "$T_TMP/console"
kill -TERM $pid
wait $pid
rc=$?
wait	# the writer of the pipe too: nothing outlives the test
t_check "console: still stops cleanly on SIGTERM" test $rc -eq 0
printf 'crash\n' | HTTP_PORT=$port timeout 10 "$NODEMUX" demo-node >/dev/null 2>&1
t_check "console: crash exits 1" test $? -eq 1

# Bad settings are a message, not a crash.
HTTP_PORT=http "$NODEMUX" demo-node >"$T_TMP/bad" 2>&1
t_check "a bad HTTP_PORT exits 1" test $? -eq 1
t_check "a bad HTTP_PORT is named" grep -q 'HTTP_PORT="http" is not a number' "$T_TMP/bad"

t_done
