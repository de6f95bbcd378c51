#!/bin/sh
# A hostile node for tests/abuse.sh: $ABUSE_MODE says how it misbehaves.
# Every process it leaves records its pid in $ABUSE_PIDS, so the test can
# check that none outlives nodemux.
mark() {
	echo "$2" >"$ABUSE_PIDS/$ABUSE_MODE.$NODE_INDEX.$1"
}
mark node $$
case $ABUSE_MODE in
longline)	# 10 MB without a newline, then a line that must still arrive
	head -c 10000000 /dev/zero | tr '\0' x
	echo
	echo END-LONGLINE
	;;
garbage)	# binary garbage, then a line
	head -c 1000000 /dev/urandom
	# About 1 run in 130 the garbage ends inside an APC, PM or SOS
	# string (ESC _, ESC ^, ESC X with no terminator after it), which
	# rightly swallows the next line as a terminal would; CAN ends any
	# sequence, as a program that means its next line to show must.
	printf '\030'
	echo
	echo END-GARBAGE
	;;
escape)		# an escape sequence that never ends
	printf '\033]0;'
	head -c 5000000 /dev/zero | tr '\0' y
	printf '\033['
	head -c 1000000 /dev/zero | tr '\0' 1
	echo
	echo END-ESCAPE
	;;
closeout)	# closes its output, stays alive
	echo closing output
	exec >&- 2>&-
	exec sleep 300
	;;
forker)		# leaves a child behind and exits
	sleep 300 &
	mark child $!
	echo forked $!
	exit 0
	;;
stubborn)	# ignores SIGTERM
	trap '' TERM
	echo ignoring SIGTERM
	while :; do sleep 0.2; done
	;;
setsid)		# a child leaves the node's session and group
	setsid sh -c 'echo "$$" >"$ABUSE_PIDS/escaped"; exec sleep 300' &
	echo left a session of its own
	exec sleep 300
	;;
tick)
	while :; do echo "tick $NODE_INDEX"; sleep 0.2; done
	;;
*)
	echo "abuse-node.sh: unknown ABUSE_MODE '$ABUSE_MODE'" >&2
	exit 3
	;;
esac
