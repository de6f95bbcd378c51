#!/bin/sh
# Search benchmark: build bench/search in a build directory (default
# ./build) and run it: 16 scrollbacks x 10,000 log lines, the time to
# count every match of a few regexes and to jump to the next match
# (CPU milliseconds, best of 5 for counts).
#   bench/search.sh [BUILD_DIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$top/build}
[ -f "$build/Makefile" ] || { echo "search.sh: no build in $build (run ./bootstrap)" >&2; exit 1; }
make -s -C "$build" bench/search >/dev/null
echo "bench/search: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) cpus"
"$build/bench/search"
