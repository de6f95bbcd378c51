#!/bin/sh
# The line-path benchmark: build bench/lines against the libraries of a
# build directory (default ./build) and run it without and with log
# files: CPU ms for 1.6 M lines of 16 nodes through parser, log file and
# scrollback (best of 5).  Unlike bench/launcher.sh, no ptys and no
# scheduler: the figures repeat, so they compare builds of the parser.
# INSTR=1: instructions a line instead (valgrind's callgrind, 160,000
# lines), which repeat exactly where CPU ms drift with the machine.
#   bench/lines.sh [BUILD_DIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
[ -f "$build/libnm_term.a" ] ||
    { echo "lines.sh: no libnm_term.a in $build (run make there)" >&2; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nodemux-lines.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cc -O2 -I"$top/include" -I"$build" -o "$tmp/lines" "$top/bench/lines.c" \
    "$build/libnm_term.a" "$build/libnm_util.a" || {
	echo "lines.sh: cannot link against $build" \
	    "(a build without --enable-sanitizers is needed)" >&2
	exit 1
}
if [ "${INSTR:-0}" = 1 ]; then
	command -v valgrind >/dev/null ||
	    { echo "lines.sh: INSTR=1 needs valgrind" >&2; exit 2; }
	for logs in "" "$tmp"; do
		valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		    "$tmp/lines" 160000 $logs 2>"$tmp/vg" >/dev/null
		n=$(sed -n 's/.*Collected : //p' "$tmp/vg")
		echo "160000 lines through parser${logs:+, log file} and" \
		    "scrollback: $((n / 160000)) instructions a line"
	done
	exit 0
fi
echo "bench/lines: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cpus"
for logs in "" "$tmp"; do
	for i in 1 2 3 4 5; do
		"$tmp/lines" 1600000 $logs
	done | sort -t: -k2 -n | head -n 1
done
