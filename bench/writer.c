/*
 * The benchmark's node: write N lines of 64 bytes (63 and a newline) to
 * stdout as fast as it can, then exit.  Each line carries its writer and
 * number so that a reader can check it.  cc -O2 -o writer writer.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	static char	 buf[64 * 1024];
	const char	*id = getenv("NODE_INDEX");
	long		 n = argc > 1 ? atol(argv[1]) : 100000, i;
	char		 line[128];
	size_t		 len = 0;

	for (i = 0; i < n; i++) {
		/* 63 visible bytes: a header, then padding to width. */
		snprintf(line, sizeof line, "w%-3.3s %08ld %-49.49s", id ? id : "0",
		    i, "the quick brown fox jumps over the lazy dog 0123");
		line[63] = '\n';
		if (len + 64 > sizeof buf) {
			if (write(STDOUT_FILENO, buf, len) != (ssize_t)len)
				return 1;
			len = 0;
		}
		memcpy(buf + len, line, 64);
		len += 64;
	}
	if (len != 0 && write(STDOUT_FILENO, buf, len) != (ssize_t)len)
		return 1;
	return 0;
}
