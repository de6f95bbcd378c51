#!/bin/sh
# A node for the screen-model tests (tests/ui-screen.sh); what it does
# depends on NODE_INDEX: 1 runs top, 2 draws a cursor-up progress of
# three tasks then echoes lines read, 3 enters the alternate screen and leaves it once the file
# $1.leave exists, 4 runs vi on the file $1; then each waits.
trap 'exit 0' TERM
case $NODE_INDEX in
1)
	exec top -d 1
	;;
2)
	echo "progress begins"
	for t in A B C; do echo "task $t 0%"; done
	i=1
	while [ $i -le 20 ]; do
		sleep 0.05
		printf '\033[3A'
		for t in A B C; do
			printf '\033[2Ktask %s %d%%\n' $t $((i * 5))
		done
		i=$((i + 1))
	done
	echo "progress ends"
	# Then it reads lines, showing control characters (cat -v), with
	# application cursor keys and bracketed paste asked for.
	printf '\033[?1h\033[?2004h'
	while IFS= read -r l; do printf 'got: %s\n' "$l" | cat -v; done
	;;
3)
	echo "before the alternate screen"
	printf '\033[?1049h\033[H\033[2J'
	for i in 1 2 3 4 5; do echo "ALT-TEXT $i"; done
	printf '\033[10;20HALT-CORNER'
	while [ ! -e "$1.leave" ]; do sleep 0.1; done
	printf '\033[?1049l'
	echo "after the alternate screen"
	;;
4)
	exec vi "$1"
	;;
esac
sleep 600 &
wait
