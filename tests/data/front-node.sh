# A test node for tests/headless.sh and tests/exec.sh, run by sh with the
# node's variables; FRONT_MODE (from the test's environment) says what
# it does.  Pids go to $FRONT_PIDS/<index>.* so tests can look for
# survivors.
say() { printf '%s\n' "$*"; }
[ -n "${FRONT_PIDS:-}" ] && echo $$ >"$FRONT_PIDS/$NODE_INDEX.node"
case ${FRONT_MODE:-ok} in
ok|fail2)
	say "hello from $NODE_NAME"
	printf '\033[31mred\033[0m and plain %s\n' "$NODE_INDEX"
	sleep 0.2
	[ "$FRONT_MODE" = fail2 ] && [ "$NODE_INDEX" = 2 ] && exit 3
	exit 0 ;;
stay)
	# A node with a grandchild in its group, up until stopped.
	sleep 1000 &
	echo $! >"$FRONT_PIDS/$NODE_INDEX.child"
	say "ready"
	wait ;;
deaf)
	# Ignores SIGTERM: only SIGKILL stops it.
	trap '' TERM
	say "ready"
	while :; do sleep 1; done ;;
chatty)
	# 20000 lines of 100 bytes, as fast as sh can.
	i=0
	while [ $i -lt 20000 ]; do
		printf '%s line %05d %080d\n' "$NODE_INDEX" $i 0
		i=$((i + 1))
	done ;;
flood)
	# Numbered lines as fast as awk makes them, until killed; through
	# cat, so that they come in big writes (a flood, not a chatty log).
	awk -v n="$NODE_INDEX" \
	    'BEGIN { for (i = 0; ; i++) printf "%s flood %d\n", n, i }' | cat ;;
slow3)
	# Node 3 never becomes ready.
	if [ "$NODE_INDEX" = 3 ]; then
		i=0
		while :; do say "still booting $i"; i=$((i + 1)); sleep 0.1; done
	fi
	say "ready"
	exec sleep 1000 ;;
exit2)
	# Node 2 dies before it is ready.
	[ "$NODE_INDEX" = 2 ] && { say "fatal: cannot open db"; exit 4; }
	say "ready"
	exec sleep 1000 ;;
esac
