/*
 * Replay fuzz inputs with the normal build: call the harness's
 * LLVMFuzzerTestOneInput on each file named, so make check keeps every
 * corpus input and crash reproducer passing without clang.
 *   replay-HARNESS [-t SECONDS] FILE...
 * A failed check aborts (exit status of SIGABRT); -t fails an input that
 * takes longer than SECONDS, for the reproducers of slow inputs.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/util.h"
#include "fuzz.h"

/* The whole of file path, in a fresh buffer; NULL and errno. */
static uint8_t *
replay_read(const char *path, size_t *len)
{
	FILE	*f;
	uint8_t	*buf = NULL;
	size_t	 cap = 0, n;

	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	*len = 0;
	do {
		if (*len == cap) {
			cap = cap != 0 ? cap * 2 : 65536;
			buf = xrealloc(buf, cap);
		}
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n != 0);
	fclose(f);
	return buf;
}

int
main(int argc, char **argv)
{
	uint8_t		*buf;
	size_t		 len;
	int64_t		 t0, ms, limit_ms = 0, worst = 0;
	const char	*worst_path = "none";
	int		 ch, n = 0;

	while ((ch = getopt(argc, argv, "t:")) != -1) {
		if (ch != 't') {
			fprintf(stderr, "usage: %s [-t SECONDS] FILE...\n",
			    argv[0]);
			return 2;
		}
		limit_ms = atoi(optarg) * 1000LL;
	}
	for (; optind < argc; optind++) {
		if ((buf = replay_read(argv[optind], &len)) == NULL) {
			fprintf(stderr, "%s: %s\n", argv[optind],
			    strerror(errno));
			return 2;
		}
		t0 = now_ms();
		LLVMFuzzerTestOneInput(buf, len);
		ms = now_ms() - t0;
		free(buf);
		if (ms >= worst) {
			worst = ms;
			worst_path = argv[optind];
		}
		if (limit_ms != 0 && ms > limit_ms) {
			fprintf(stderr, "%s: took %lld ms, more than %lld\n",
			    argv[optind], (long long)ms, (long long)limit_ms);
			return 1;
		}
		n++;
	}
	printf("%d inputs, slowest %lld ms (%s)\n", n, (long long)worst,
	    worst_path);
	return 0;
}
