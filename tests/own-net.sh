# Source first (before lib.sh): the suite re-runs itself in a network
# namespace of its own, with loopback up, when it can (root, unshare and
# ip at hand), so that clusters on the shipped configs' fixed default
# ports (4000, 9100, ...) in suites running side by side, or a cluster
# the developer runs, do not collide.  Where it cannot, the suite runs
# as it is and a busy port fails with nodemux's message.
if [ -z "${NM_OWN_NET:-}" ] && command -v ip >/dev/null 2>&1 &&
    unshare --net true 2>/dev/null; then
	NM_OWN_NET=1
	export NM_OWN_NET
	exec unshare --net sh -c 'ip link set lo up && exec sh "$@"' sh "$0" "$@"
fi
