# nodemux's remote side, sent with every ssh command (nothing is installed
# on the host): "run" starts a node in a process group of its own and kills
# that group when the ssh session goes; "signal" signals a node's group;
# "pids" says which nodes run, with their group ids; "ports" lists the
# TCP ports listening here; "check" is for doctor.
# State: a pid file and a fifo per node in a private 0700 directory.
umask 077
nm_d=/tmp/nodemux-$(id -u)
nm_host=$(uname -n)

nm_say() {
	printf 'nodemux: %s\n' "$*" >&2
}

# The private directory: ours, a directory, not a link, mode 0700.
nm_dir() {
	mkdir -m 700 "$nm_d" 2>/dev/null
	if [ -L "$nm_d" ] || [ ! -d "$nm_d" ] || [ ! -O "$nm_d" ]; then
		nm_say "$nm_d on $nm_host is not a private directory of $(id -un)"
		exit 125
	fi
	chmod 700 "$nm_d"
}

# The start time of process $1 (field 22 of /proc/PID/stat), or "-".
nm_start() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20 | grep . ||
	    echo -
}

# The group of node $1's last run, if its pid file names one that is still
# the same group: its leader has the start time written, or is gone while
# the group id is still held (Linux reuses no id a group holds).  With $2,
# only if that run is the one of wrapper $2 (a newer run replaced it
# otherwise, and is not ours to touch).
nm_group() {
	[ -f "$nm_d/$1.pid" ] || return 1
	read -r nm_pg nm_st nm_w <"$nm_d/$1.pid" || return 1
	[ -z "$2" ] || [ "$2" = "$nm_w" ] || return 1
	case $nm_pg in '' | *[!0-9]*) return 1 ;; esac
	[ "$nm_pg" -gt 1 ] || return 1
	if [ -d "/proc/$nm_pg" ] && [ "$nm_st" != - ] &&
	    [ "$(nm_start "$nm_pg")" != "$nm_st" ]; then
		return 1
	fi
	kill -0 "-$nm_pg" 2>/dev/null
}

# Stop group $1: signal $2, then KILL once $3 seconds have passed.
nm_stop() {
	kill -"$2" "-$1" 2>/dev/null || return 0
	nm_i=0
	while [ "$nm_i" -lt "$3" ] && kill -0 "-$1" 2>/dev/null; do
		sleep 1
		nm_i=$((nm_i + 1))
	done
	kill -KILL "-$1" 2>/dev/null
	return 0
}

# The watcher: waits for EOF on the node's fifo, which only the wrapper
# holds open for writing; when the wrapper is gone (its session hung up,
# or it ended), stops what is left of the node's group.
# Only the run of wrapper $4 is its business.
nm_watch() {
	set +m
	trap '' HUP INT QUIT TERM TSTP TTOU TTIN
	exec 4<&- 5<"$nm_d/$1.fifo"
	read -r nm_x <&5
	exec 5<&-
	if nm_group "$1" "$4"; then
		rm -f "$nm_d/$1.fifo"
		nm_stop "$nm_pg" "$2" "$3"
		nm_group "$1" "$4" && rm -f "$nm_d/$1.pid"
	fi
}

# The state letter of process $1 (T: stopped).
nm_state() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1
}

# A node that stopped (paused: SIGSTOP to its group) has not ended: wait
# until it is resumed (signal KEY CONT leaves $1.cont), then give it the
# terminal back and continue it (fg), or until it is gone.  Sets nm_rc.
nm_paused() {
	nm_was=
	while nm_group "$1" $$ && [ "$(nm_state "$nm_pg")" = T ]; do
		nm_was=1
		if [ -e "$nm_d/$1.cont" ]; then
			rm -f "$nm_d/$1.cont"
			fg %% >/dev/null 2>&1
			nm_rc=$?
			nm_was=
		else
			sleep 0.2 2>/dev/null || sleep 1
		fi
	done
	if [ -n "$nm_was" ]; then
		wait "$nm_pg" 2>/dev/null
		nm_rc=$?
	fi
}

# run KEY SIG SECONDS CWD NENV NAME=VALUE... ARGV...
nm_run() {
	nm_k=$1 nm_sig=$2 nm_secs=$3 nm_cwd=$4 nm_n=$5
	shift 5
	nm_dir
	# What a previous run left here (a lost connection) goes first.
	if nm_group "$nm_k"; then
		kill -KILL "-$nm_pg" 2>/dev/null
	fi
	rm -f "$nm_d/$nm_k.pid" "$nm_d/$nm_k.fifo"
	mkfifo "$nm_d/$nm_k.fifo" || exit 125
	while [ "$nm_n" -gt 0 ]; do
		export "$1"
		shift
		nm_n=$((nm_n - 1))
	done
	if ! cd -- "$nm_cwd"; then
		nm_say "cwd $nm_cwd on $nm_host: no such directory"
		exit 125
	fi
	# Ctrl-Z would stop the node and hand the terminal back to us.
	stty susp undef 2>/dev/null
	# Job control: each job gets its own process group, the foreground
	# one the terminal (so the node reads it and gets its ^C).
	set -m
	# Opened read-write, it cannot block; the watcher's read sees EOF
	# once this, the only writer, is gone.
	exec 4<>"$nm_d/$nm_k.fifo"
	nm_watch "$nm_k" "$nm_sig" "$nm_secs" $$ </dev/null >/dev/null 2>&1 &
	# The node's group id is its leader's pid: written before the exec,
	# with the leader's start time and this wrapper's pid.  The leader's
	# command line says nm-pre-exec until its exec succeeded (nm_execd).
	sh -c ': nm-pre-exec; s=$(sed "s/.*) //" /proc/$$/stat 2>/dev/null | cut -d" " -f20)
	    echo "$$ ${s:--} $2" >"$1.pid"; shift 2; exec "$@"' sh \
	    "$nm_d/$nm_k" $$ "$@" 4>&-
	nm_rc=$?
	nm_paused "$nm_k"
	# Nothing of the node outlives it: what it left in its group goes.
	if nm_group "$nm_k" $$; then
		kill -KILL "-$nm_pg" 2>/dev/null
		rm -f "$nm_d/$nm_k.pid" "$nm_d/$nm_k.fifo"
	fi
	exec 4>&-
	exit "$nm_rc"
}

# Has the leader of group $1 exec'd the node's command (or gone)?  Where
# /proc cannot tell, yes.
nm_execd() {
	! tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | grep -q nm-pre-exec
}

# pids KEY...: "KEY GROUP" for each node whose command runs (its pid file
# is written and its exec done), as soon as it does; after a second, the
# rest are given up (the caller asks again for those still running, and
# this loop is all that would be left of a question no longer wanted).
nm_pids() {
	nm_i=0
	while [ $# -gt 0 ]; do
		nm_left=
		for nm_k in "$@"; do
			if nm_group "$nm_k" && nm_execd "$nm_pg"; then
				echo "$nm_k $nm_pg"
			else
				nm_left="$nm_left $nm_k"
			fi
		done
		# Keys are [A-Za-z0-9.-_] (ssh_node_key): split as words.
		set -- $nm_left
		[ $# -gt 0 ] && [ "$nm_i" -lt 10 ] || break
		sleep 0.1 2>/dev/null || sleep 1
		nm_i=$((nm_i + 1))
	done
}

# signal KEY SIG: signal the node's group; 1 when there is none.  A
# stopped (paused) node is continued by its wrapper, which gives it the
# terminal back.
nm_signal() {
	nm_group "$1" || exit 1
	if [ "$2" = CONT ] && [ "$(nm_state "$nm_pg")" = T ]; then
		: >"$nm_d/$1.cont"
	else
		kill -"$2" "-$nm_pg"
	fi
}

# ports KEY...: the TCP ports listening on this host, one a line
# (decimal), once what the previous runs of nodes KEY... left is killed
# (they are about to start again); the mode ends the list with "end", so
# that a list cut short is told apart.
nm_ports() {
	for nm_k in "$@"; do
		if nm_group "$nm_k"; then
			kill -KILL "-$nm_pg" 2>/dev/null
			nm_i=0
			while [ "$nm_i" -lt 20 ] && kill -0 "-$nm_pg" 2>/dev/null; do
				sleep 0.1 2>/dev/null || sleep 1
				nm_i=$((nm_i + 1))
			done
		fi
	done
	if [ -r /proc/net/tcp ]; then
		cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '
		    $4 == "0A" {
			n = split($2, a, ":"); h = a[n]; p = 0
			for (i = 1; i <= length(h); i++)
				p = p * 16 + index("0123456789ABCDEF",
				    toupper(substr(h, i, 1))) - 1
			print p
		    }'
	elif command -v ss >/dev/null 2>&1; then
		ss -Hltn | awk '{ n = split($4, a, ":"); print a[n] }'
	else
		netstat -an | awk '/LISTEN/ && $1 ~ /^tcp/ {
		    n = split($4, a, /[:.]/); print a[n] }'
	fi
}

# check PROG PORT...: for doctor, the shell, where PROG is and which of
# the ports are busy.
nm_check() {
	echo "shell $(uname -sn)"
	echo "path $(command -v "$1" || echo -)"
	shift
	nm_l=" $(nm_ports 2>/dev/null | tr '\n' ' ') "
	for nm_p in "$@"; do
		case $nm_l in *" $nm_p "*) echo "busy $nm_p" ;; esac
	done
}

nm_mode=$1
shift
case $nm_mode in
run) nm_run "$@" ;;
signal) nm_signal "$@" ;;
pids) nm_pids "$@" ;;
ports) nm_ports "$@" && echo end ;;
check) nm_check "$@" ;;
*) nm_say "unknown mode $nm_mode"; exit 125 ;;
esac
