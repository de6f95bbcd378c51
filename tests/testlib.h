/*
 * Helpers shared by the Criterion suites that start real processes:
 * whether a pid is gone, and waiting for it to go.
 */
#ifndef NODEMUX_TESTLIB_H
#define NODEMUX_TESTLIB_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "nodemux/util.h"

/* Is pid gone (no such process, or a zombie)? */
static inline int
gone(pid_t pid)
{
	char	 path[64], buf[512], *p;
	FILE	*f;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 1;
	p = fgets(buf, sizeof buf, f);
	fclose(f);
	if (p == NULL || (p = strrchr(buf, ')')) == NULL)
		return 1;
	return p[2] == 'Z' || p[2] == 'X';
}

/* Wait up to ms for pid to be gone; is it? */
static inline int
gone_within(pid_t pid, int ms)
{
	int64_t	 end = now_ms() + ms;

	while (!gone(pid) && now_ms() < end)
		usleep(5000);
	return gone(pid);
}

/*
 * Hang guards, as a test's .init: SIGALRM after that many seconds ends
 * the test as a crash.  Criterion 2.4.1's own .timeout leaks in its
 * runner when timed tests run side by side (LeakSanitizer reports it in
 * the ASan build), so the suites use these instead.
 */
static inline void test_deadline_10(void) { alarm(10); }
static inline void test_deadline_20(void) { alarm(20); }
static inline void test_deadline_30(void) { alarm(30); }
static inline void test_deadline_60(void) { alarm(60); }

#endif
