/*
 * The benchmark's floor and its stopwatch.
 *   floor N CMD...   run N copies of CMD, each in its own pty, drained by
 *                    the smallest poll reader there is; exit at the last EOF
 *   floor time FILE CMD...  run CMD; write "wall_ms user_ms sys_ms
 *                    maxrss_kb" to FILE
 * cc -O2 -o floor floor.c -lutil
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define FLOOR_MAX	256

/* Milliseconds of the monotonic clock. */
static double
floor_now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* N writers in ptys, read until every master says EOF (EIO). */
static int
floor_drain(int n, char **cmd)
{
	struct pollfd	 pfd[FLOOR_MAX];
	static char	 buf[65536];
	char		 idx[16];
	int		 i, left = n;
	pid_t		 pid;
	ssize_t		 r;

	if (n < 1 || n > FLOOR_MAX)
		return 2;
	for (i = 0; i < n; i++) {
		pid = forkpty(&pfd[i].fd, NULL, NULL, NULL);
		if (pid == -1) {
			perror("forkpty");
			return 1;
		}
		if (pid == 0) {
			snprintf(idx, sizeof idx, "%d", i + 1);
			setenv("NODE_INDEX", idx, 1);
			execvp(cmd[0], cmd);
			_exit(127);
		}
		pfd[i].events = POLLIN;
	}
	while (left > 0) {
		if (poll(pfd, n, -1) == -1 && errno != EINTR)
			return 1;
		for (i = 0; i < n; i++) {
			if (pfd[i].fd < 0 || pfd[i].revents == 0)
				continue;
			r = read(pfd[i].fd, buf, sizeof buf);
			if (r > 0 || (r == -1 && errno == EINTR))
				continue;
			close(pfd[i].fd);
			pfd[i].fd = -1;
			left--;
		}
	}
	while (wait(NULL) > 0)
		;
	return 0;
}

/* Run cmd and write its wall time and resource use to path. */
static int
floor_time(const char *path, char **cmd)
{
	struct rusage	 ru;
	double		 t0 = floor_now();
	int		 st;
	pid_t		 pid;
	FILE		*f;

	if ((pid = fork()) == 0) {
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (pid == -1 || wait4(pid, &st, 0, &ru) == -1)
		return 1;
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		return 1;
	}
	fprintf(f, "%.0f %.0f %.0f %ld\n", floor_now() - t0,
	    ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3,
	    ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3,
	    ru.ru_maxrss);
	fclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

int
main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "time") == 0)
		return floor_time(argv[2], argv + 3);
	if (argc >= 3)
		return floor_drain(atoi(argv[1]), argv + 2);
	fprintf(stderr, "usage: floor N CMD... | floor time FILE CMD...\n");
	return 2;
}
