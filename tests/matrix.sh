#!/bin/sh
# exec's size matrix (SPEC §10): nodemux exec -n 1,3,2 runs the whole
# exec cycle once per size, in order, and prints one summary row per size
# (size, CMD's status or "not ready", seconds); the exit status is the
# first failing run's (125 when not ready), a signal ends the matrix,
# sizes are checked before anything runs, and the other commands refuse
# a list with exit 2.  Nothing survives.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

cfg=$T_TMP/mx.cfg
cat >"$cfg" <<'EOF2'
cluster = { default_size = 2; max_size = 10; name_prefix = "mx";
  host = "127.0.0.1"; ports = { http_base = 23610; dist_base = 23710; stride = 1; };
  stop_timeout_ms = 1000; log_dir = ""; };
node = {
  command = [ "sh", "-c", "if [ $$NODE_INDEX -ge $${MX_NOT_READY_FROM:-99} ]; then echo booting; else echo ready; fi; exec sleep 600.5" ];
  ready = { log = "^ready$$"; timeout_ms = 1500; };
};
EOF2
out=$T_TMP/out
err=$T_TMP/err

# mx ARGS...: nodemux ARGS, stdout in $out, stderr in $err, status in $rc.
mx() {
	rc=0
	"$NODEMUX" "$@" >"$out" 2>"$err" || rc=$?
}

# row SIZE RESULT: the summary has the row of SIZE with RESULT.
row() {
	grep -Eq "^nodemux \|  +$1  $2 +[0-9]+\.[0-9]\$" "$err" ||
	    { t_diag "$(grep '^nodemux |' "$err")"; return 1; }
}

# none_left: no node of these tests is alive.
none_left() {
	! pgrep -f 'sleep 600[.]5' >/dev/null
}

# 1. Every size in order; all exit 0.
mx exec -c "$cfg" -n 1,3,2 -- sh -c 'echo "size=$CLUSTER_SIZE nodes=$CLUSTER_NODES"'
t_check "1,3,2: exit 0 (rc=$rc)" [ "$rc" -eq 0 ] || t_diag "$(cat "$err")"
printf '%s\n' "size=1 nodes=mx1@127.0.0.1" \
    "size=3 nodes=mx1@127.0.0.1,mx2@127.0.0.1,mx3@127.0.0.1" \
    "size=2 nodes=mx1@127.0.0.1,mx2@127.0.0.1" >"$T_TMP/want"
t_check "CMD ran once per size, in order, on a cluster of that size" \
    cmp -s "$T_TMP/want" "$out"
t_check "each run is announced" grep -q \
    '^nodemux | size matrix: run 2 of 3, 3 nodes$' "$err"
t_check "the summary has a header" \
    grep -Eq '^nodemux \|   size  result +seconds$' "$err"
t_check "one row per size, in order" sh -c \
    "[ \"\$(sed -n 's/^nodemux |  *\\([0-9][0-9]*\\)  .*/\\1/p' '$err' | tr '\\n' ' ')\" = '1 3 2 ' ]"
t_check "row of size 3: status 0" row 3 0
t_check "nothing left running" t_wait_for 3 none_left

# 2. Failures: the first failing status; every size still runs.
mx exec -c "$cfg" -n 2,3,1 -- sh -c 'echo $CLUSTER_SIZE; case $CLUSTER_SIZE in 3) exit 3;; 1) exit 4;; esac'
t_check "a failing run: exit with the first failure's status (rc=$rc)" [ "$rc" -eq 3 ]
t_check "...after running every size" \
    sh -c "[ \"\$(tr '\\n' ' ' <'$out')\" = '2 3 1 ' ]"
t_check "row of size 3: status 3" row 3 3
t_check "row of size 1: status 4" row 1 4
t_check "row of size 2: status 0" row 2 0

# 3. A size whose cluster is never ready: 125 and "not ready".
MX_NOT_READY_FROM=3 mx exec -c "$cfg" -n 2,3,2 -- sh -c 'echo ran $CLUSTER_SIZE'
t_check "a cluster not ready: exit 125 (rc=$rc)" [ "$rc" -eq 125 ]
t_check "row of size 3: not ready" row 3 "not ready"
t_check "...saying which node" grep -q '^  mx3@127.0.0.1: starting' "$err"
t_check "CMD ran for the other sizes only" \
    sh -c "[ \"\$(tr '\\n' ' ' <'$out')\" = 'ran 2 ran 2 ' ]"
t_check "nothing left running" t_wait_for 3 none_left

# 4. CMD's own 125 is its status, not "not ready".
mx exec -c "$cfg" -n 1,2 -- sh -c 'exit 125'
t_check "CMD exiting 125: exit 125 (rc=$rc)" [ "$rc" -eq 125 ]
t_check "...shown as its status" row 2 125

# 5. Sizes are checked before anything runs.
mx exec -c "$cfg" -n 2,11 -- sh -c 'echo ran'
t_check "a size over max_size: exit 2 (rc=$rc)" [ "$rc" -eq 2 ]
t_check "...naming it and the range" \
    grep -q 'invalid cluster size 11: use 1-10 (from --size)' "$err"
t_check "...before any run" sh -c "[ ! -s '$out' ] && ! grep -q 'run 1 of' '$err'"
for bad in '2,' ',2' '2,,3' '2,x' '2,-1'; do
	mx exec -c "$cfg" -n "$bad" -- true
	t_check "-n '$bad': exit 2 (rc=$rc)" [ "$rc" -eq 2 ]
done
mx exec -c "$cfg" -n 2,x -- true
t_check "-n '2,x': says the list is not a number" \
    grep -q "invalid cluster size '2,x': not a number" "$T_TMP/err" ||
    t_diag "$(cat "$err")"
mx exec -c "$cfg" -n "$(seq -s, 1 65 | sed 's/[0-9][0-9]*/1/g')" -- true
t_check "65 sizes: exit 2, too many (rc=$rc)" sh -c \
    "[ $rc -eq 2 ] && grep -q 'too many sizes' '$err'"

# 6. The other commands refuse a list.
for c in plan "env 1" "run-node 1" up doctor "ctl status"; do
	# shellcheck disable=SC2086
	mx $c -c "$cfg" -n 2,3
	t_check "$c -n 2,3: exit 2 (rc=$rc)" [ "$rc" -eq 2 ]
	t_check "$c -n 2,3: says only exec runs a size matrix" grep -q \
	    "takes one cluster size, not a list (-n 2,3): only exec runs a size matrix" \
	    "$err"
done
t_check "nothing was started" t_wait_for 3 none_left

# 7. A signal ends the matrix: the rest is "not run".
"$NODEMUX" exec -c "$cfg" -n 2,2,2 -- sh -c 'echo started; exec sleep 30' \
    >"$out" 2>"$err" &
nm=$!
t_wait_for 10 grep -q started "$out"
kill -TERM $nm
rc=0
wait $nm || rc=$?
t_check "SIGTERM during run 1: CMD's status 143 (rc=$rc)" [ "$rc" -eq 143 ]
t_check "runs 2 and 3 are not run" sh -c \
    "[ \$(grep -Ec '^nodemux \|  +2  not run +-\$' '$err') -eq 2 ]" ||
    t_diag "$(cat "$err")"
t_check "nothing left running" t_wait_for 3 none_left
t_done
