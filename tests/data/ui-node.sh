#!/bin/sh
# A node for the console tests; what it does depends on NODE_INDEX:
# 1 reports its pty size, 2 prints colours, wide characters and a
# line that wraps, 3 draws
# a \r progress bar, 4 prints 300 numbered lines then echoes what it
# reads; all then wait.
trap 'exit 0' TERM
echo "hello from $NODE_NAME"
case $NODE_INDEX in
1)
	while :; do
		echo "size $(stty size)"
		sleep 0.2
	done
	;;
2)
	printf '\033[31mRED-TEXT\033[0m plain \033[1;32mBOLD-GREEN\033[0m '
	printf '\033[38;5;208mORANGE\033[0m \033[38;2;10;20;250mTRUEBLUE\033[0m\n'
	printf 'wide: \344\270\255\346\226\207 end\n'
	# Whole lines in one colour, and one that wraps.
	printf '\033[35mALL-MAGENTA-LINE\033[0m\n'
	printf '\033[44mON-BLUE-LINE\033[0m\n'
	printf '\033[38;5;208mALL-ORANGE-LINE\033[0m\n'
	printf '%0150d\n' 0 | tr 0 '#'
	echo "after the wrapped line"
	;;
3)
	i=0
	while [ $i -le 20 ]; do
		printf '\rprogress %d%%' $((i * 5))
		i=$((i + 1))
		sleep 0.05
	done
	printf '\nprogress finished\n'
	;;
4)
	i=1
	while [ $i -le 300 ]; do
		echo "line $i of 300"
		i=$((i + 1))
	done
	while read -r l; do
		echo "got: $l"
	done
	;;
esac
sleep 600 &
wait
