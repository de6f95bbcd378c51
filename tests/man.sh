#!/bin/sh
# The manual pages format without warnings and document every command
# and option that --help lists, and every mode of the status bar.
. "${TOP_SRCDIR:-.}/tests/lib.sh"

for page in nodemux.1 nodemux.cfg.5; do
	warn=$(groff -mandoc -ww -z "$TOP_SRCDIR/man/$page" 2>&1)
	t_check "$page formats without warnings" test -z "$warn"
	[ -z "$warn" ] || t_diag "$warn"
done

text=$T_TMP/nodemux.txt
MANWIDTH=200 man -l "$TOP_SRCDIR/man/nodemux.1" 2>/dev/null | col -b >"$text"
help=$("$NODEMUX" --help)
for cmd in $(printf '%s\n' "$help" | sed -n 's/^  nodemux \[\{0,1\}\([a-z-]*\).*/\1/p'); do
	t_check "nodemux.1 documents the $cmd command" grep -q "nodemux $cmd\|^     $cmd " "$text"
done
for opt in $(printf '%s\n' "$help" | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	t_check "nodemux.1 documents $opt" grep -q -- "$opt" "$text"
done

# Every mode word the status bar can show (each view's, and the words
# ui_status_mode puts before them) is in the page's list of modes.
modes=$(tr -s ' \n' '  ' <"$text" |
    grep -o 'The status bar shows the mode ([A-Z, ]*)')
views=$(sed -n 's/.*\.mode = "\([A-Z]*\)",.*/\1/p' "$TOP_SRCDIR"/src/ui/*.c)
others=$(sed -n '/^ui_status_mode(/,/^}/s/.*return "\([A-Z]*\)";.*/\1/p' \
    "$TOP_SRCDIR/src/ui/ui-status.c")
for mode in $views $others; do
	t_check "nodemux.1 lists the status bar's mode $mode" \
	    eval 'printf "%s\n" "$modes" | grep -qE "[(, ]$mode[,)]"'
done
t_done
