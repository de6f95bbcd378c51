# Test hosts for the ssh suites: network namespaces on a bridge of their
# own, each with its own address and its own sshd (host and client keys
# made here, root login by key only).  Source after lib.sh, then:
#
#   n_setup COUNT      hosts h1..hCOUNT at 10.231.X.2.. (this side: .1),
#                      X a subnet no other suite of this run holds (its
#                      bridge's name is the lock); prints "1..0 # SKIP
#                      why" and exits where it cannot
#   n_addr I           the address of host I
#   n_ns I             the namespace of host I
#   n_ssh I CMD...     run CMD on host I as root (the test's keys)
#   n_pids I           pids in host I's namespace other than its sshd
#   n_link I up|down   cut or restore host I's link
#   $N_SSHCFG          an ssh_config(5) for nodemux's ssh_options ("-F")
#   N_ALIVE=0          before n_setup: the sshds do not probe their
#                      clients (a cut link goes unnoticed on the hosts)
#
# Everything is torn down at exit (n_teardown, from the EXIT trap), even
# after a failure; call n_teardown yourself from a trap of your own.
# Runs as root; two runs at once each need namespaces of their own, with
# a private /run/netns (HACKING.md).

N_NET=
N_TAG=
N_DIR=$T_TMP/netns
N_COUNT=0
N_SSHCFG=$N_DIR/ssh_config
N_SSHD=
N_ALIVE=${N_ALIVE:-1}

n_skip() {
	echo "1..0 # SKIP $*"
	rm -rf "$T_TMP"
	exit 0
}

n_addr() { echo "$N_NET.$(($1 + 1))"; }
n_ns() { echo "$N_TAG-h$1"; }

# Make the bridge, COUNT namespaces with a veth each, keys and sshds.
n_setup() {
	[ "$(id -u)" -eq 0 ] || n_skip "not root: cannot make network namespaces"
	for c in ip ssh ssh-keygen; do
		command -v $c >/dev/null 2>&1 ||
		    n_skip "$c not installed (apt-get install iproute2 openssh-client)"
	done
	N_SSHD=$(command -v sshd || echo /usr/sbin/sshd)
	[ -x "$N_SSHD" ] || n_skip "sshd not installed (apt-get install openssh-server)"
	mkdir -p "$N_DIR" && chmod 700 "$N_DIR"
	trap n_teardown EXIT
	trap 'exit 1' INT TERM HUP
	n_subnet || n_skip "cannot make a bridge: $(cat "$N_DIR/err")"
	ip link set "${N_TAG}br" up
	ip addr add "$N_NET.1/24" dev "${N_TAG}br"
	n_keys
	i=1
	while [ $i -le "$1" ]; do
		n_host $i || n_skip "cannot make host $i: $(cat "$N_DIR/err")"
		N_COUNT=$i
		i=$((i + 1))
	done
	i=1
	while [ $i -le "$1" ]; do
		t_wait_for 10 n_ssh $i true ||
		    n_skip "sshd of host $i does not answer: $(n_ssh $i true 2>&1)"
		i=$((i + 1))
	done
}

# Take a subnet 10.231.X.0/24: the first X from one of our pid's whose
# bridge nmXbr we could make (suites of one run go side by side).
n_subnet() {
	ns_i=0
	while [ $ns_i -lt 250 ]; do
		ns_o=$(( ($$ + ns_i) % 250 + 1 ))
		if ip link add "nm${ns_o}br" type bridge 2>"$N_DIR/err"; then
			N_NET=10.231.$ns_o
			N_TAG=nm$ns_o
			return 0
		fi
		grep -q 'File exists' "$N_DIR/err" || return 1
		ns_i=$((ns_i + 1))
	done
	return 1
}

# The client key, the host key (one for every host) and ssh_config.
n_keys() {
	ssh-keygen -q -t ed25519 -N '' -C nodemux-test -f "$N_DIR/id" &&
	ssh-keygen -q -t ed25519 -N '' -C nodemux-test-host -f "$N_DIR/hostkey" ||
	    n_skip "ssh-keygen failed"
	cp "$N_DIR/id.pub" "$N_DIR/authorized_keys"
	printf '%s.* %s\n' "$N_NET" "$(cat "$N_DIR/hostkey.pub")" \
	    >"$N_DIR/known_hosts"
	cat >"$N_SSHCFG" <<EOF
Host $N_NET.*
	User root
	IdentityFile $N_DIR/id
	IdentitiesOnly yes
	UserKnownHostsFile $N_DIR/known_hosts
	StrictHostKeyChecking yes
	GlobalKnownHostsFile /dev/null
	BatchMode yes
	ConnectTimeout 3
	LogLevel ERROR
EOF
}

# Host I: namespace, veth on the bridge, address, sshd.
n_host() {
	ns=$(n_ns "$1")
	ip netns add "$ns" 2>"$N_DIR/err" || return 1
	ip link add "${N_TAG}v$1" type veth peer name eth0 netns "$ns" \
	    2>"$N_DIR/err" || return 1
	ip link set "${N_TAG}v$1" master "${N_TAG}br" up
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add "$(n_addr "$1")/24" dev eth0
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add default via "$N_NET.1"
	cat >"$N_DIR/sshd$1.conf" <<EOF
ListenAddress $(n_addr "$1")
HostKey $N_DIR/hostkey
AuthorizedKeysFile $N_DIR/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile $N_DIR/sshd$1.pid
MaxSessions 64
MaxStartups 64
ClientAliveInterval $N_ALIVE
ClientAliveCountMax 3
LogLevel ERROR
Subsystem sftp internal-sftp
EOF
	mkdir -p /run/sshd && chmod 755 /run/sshd
	# The host's logins do not run this machine's ~root/.bashrc (ours
	# ran pyenv init: 0.1 s of CPU a login, and under load its rehash
	# lock kept logins waiting): an empty one is bound over it in the
	# mount namespace ip netns exec gives sshd and its sessions alone.
	# N_KEEP_BASHRC=1 (bench/ssh.sh) keeps the machine's.
	: >"$N_DIR/bashrc"
	ip netns exec "$ns" sh -c '
	    rc=$(getent passwd root | cut -d: -f6)/.bashrc
	    [ -z "$N_KEEP_BASHRC" ] && [ -f "$rc" ] &&
		mount --bind "$1" "$rc" 2>/dev/null
	    shift; exec "$@"' sh "$N_DIR/bashrc" \
	    "$N_SSHD" -f "$N_DIR/sshd$1.conf" -E "$N_DIR/sshd$1.log" \
	    2>"$N_DIR/err"
}

n_ssh() {
	nh=$1; shift
	ssh -F "$N_SSHCFG" -o ConnectTimeout=3 "$(n_addr "$nh")" "$@"
}

# The pid of host I's listening sshd.
n_sshd_pid() {
	cat "$N_DIR/sshd$1.pid" 2>/dev/null
}

# Pids in host I's namespace but its listening sshd, one a line.  The
# sshd of a session (a child of the listener) counts: it means a session
# is still open.
n_pids() {
	ip netns pids "$(n_ns "$1")" 2>/dev/null | grep -vx "$(n_sshd_pid "$1")"
}

# n_sleeps I: how many "sleep 1000" (the test nodes' command) run on host
# I.  Counted by command line, not name: a login's own short sleeps (the
# wrapper's waits, or a shell startup file's, such as pyenv's rehash
# waiting for its lock under load) are not nodes.
n_sleeps() {
	for p in $(n_pids "$1"); do
		tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null; echo
	done | grep -cx 'sleep 1000 '
}

# Is nothing but sshd left on host I?
n_empty() {
	[ -z "$(n_pids "$1")" ]
}

n_link() {
	ip link set "${N_TAG}v$1" "$2"
}

# Kill everything in the namespaces, remove them and the bridge.
n_teardown() {
	i=1
	while [ $i -le "$N_COUNT" ]; do
		ns=$(n_ns $i)
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
		ip netns del "$ns" 2>/dev/null
		ip link del "${N_TAG}v$i" 2>/dev/null
		i=$((i + 1))
	done
	N_COUNT=0
	[ -n "$N_TAG" ] && ip link del "${N_TAG}br" 2>/dev/null
	N_TAG=
	return 0
}
