# TAP helpers for the shell test suites.  Source it; call t_ok / t_fail /
# t_check, then t_done.  $NODEMUX is the built binary.
: "${NODEMUX:?run through make check}"
t_n=0
t_failed=0
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/nodemux-test.XXXXXX")
export T_TMP
# Nodes of tests never pick up a user's config.
XDG_CONFIG_HOME=$T_TMP/xdg
XDG_RUNTIME_DIR=$T_TMP/run
export XDG_CONFIG_HOME XDG_RUNTIME_DIR
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset CLUSTER_SIZE NODEMUX_PROFILE NODEMUX_CONFIG NO_COLOR

t_ok() {
	t_n=$((t_n + 1))
	echo "ok $t_n - $*"
}

t_fail() {
	t_n=$((t_n + 1))
	t_failed=$((t_failed + 1))
	echo "not ok $t_n - $*"
}

# t_check DESCRIPTION COMMAND...: a test point for a command's success;
# returns its outcome, so "t_check ... || t_diag ..." can explain a failure.
t_check() {
	desc=$1; shift
	if "$@"; then t_ok "$desc"; else t_fail "$desc"; return 1; fi
}

# t_diag TEXT: a comment in the TAP stream (shown in the test log).
t_diag() {
	printf '%s\n' "$*" | sed 's/^/# /'
}

# t_alive PID: does PID still exist (and is not a zombie)?
t_alive() {
	[ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

# t_wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds.
t_wait_for() {
	tw_limit=$(( $1 * 10 )); shift
	tw_i=0
	while [ $tw_i -lt $tw_limit ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		tw_i=$((tw_i + 1))
	done
	return 1
}

# Pid files: test nodes write their pid into a file of a directory the
# test names.  t_pids_kill DIR kills every one; t_pids_alive DIR prints
# those still alive.
t_pids_kill() {
	for tp_f in "$1"/*; do
		[ -f "$tp_f" ] && kill -KILL "$(cat "$tp_f")" 2>/dev/null
	done
	return 0
}

t_pids_alive() {
	for tp_f in "$1"/*; do
		[ -f "$tp_f" ] && t_alive "$(cat "$tp_f")" && cat "$tp_f"
	done
	return 0
}

t_done() {
	echo "1..$t_n"
	rm -rf "$T_TMP"
	[ "$t_failed" -eq 0 ]
}

# t_sanitized: is this the ASan+UBSan build?  Its RSS is the sanitizer's
# (quarantine, shadow memory), so memory bounds are checked in the other.
# (SAN_CFLAGS only: every build's Makefile names -fsanitize= for make fuzz.)
t_sanitized() {
	grep -q -- '^SAN_CFLAGS = .*-fsanitize=' "${TOP_BUILDDIR:-.}/Makefile" \
	    2>/dev/null
}

