#!/bin/sh
# Replay every fuzz corpus input and crash reproducer (tests/fuzz/) with
# the normal build, so that what a fuzzer once found stays fixed.
. "$TOP_SRCDIR/tests/lib.sh"

fz=$TOP_SRCDIR/tests/fuzz
for h in vt cfg search ctl; do
	prog=$TOP_BUILDDIR/tests/fuzz/replay-$h
	set -- "$fz"/corpus/$h/*
	if [ ! -f "$1" ]; then
		t_fail "$h: no corpus in tests/fuzz/corpus/$h"
	elif out=$(cd "$T_TMP" && "$prog" "$@" 2>&1); then
		t_ok "$h: corpus replayed: $out"
	else
		t_fail "$h: corpus replay failed"
		t_diag "$(printf '%s\n' "$out" | tail -20)"
	fi
	# Each reproducer alone, named; one that was slow must now take
	# under 5 s (sanitizer build included).
	for f in "$fz"/crashes/$h/*; do
		[ -f "$f" ] || continue
		if out=$(cd "$T_TMP" && "$prog" -t 5 "$f" 2>&1); then
			t_ok "$h: ${f##*/} passes"
		else
			t_fail "$h: ${f##*/} fails"
			t_diag "$(printf '%s\n' "$out" | tail -20)"
		fi
	done
done
t_done
