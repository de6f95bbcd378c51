/*
 * A crowd of control-socket clients for tests/faults.sh:
 *   nm-crowd SOCKET SILENT GARBAGE FOLLOWERS NODE
 * connects SILENT clients that never send a byte, GARBAGE clients that
 * send random bytes (half of them a newline at the end), and FOLLOWERS
 * clients that ask "logs NODE follow" and never read.  Says "ready N"
 * once all are connected, then holds them until stdin closes, reads
 * what each was sent and says how many the server closed and how many
 * of those it told they were too far behind ("closed N told M").
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Connect to path; exit 1 if nobody answers. */
static int
crowd_connect(const char *path)
{
	struct sockaddr_un	 sun;
	int			 fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		fprintf(stderr, "nm-crowd: socket path too long\n");
		exit(2);
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		fprintf(stderr, "nm-crowd: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	return fd;
}

/* Random bytes, without a newline except maybe the last. */
static void
crowd_garbage(int fd, int k)
{
	char	 buf[512];
	size_t	 n = 1 + (size_t)rand() % (sizeof buf - 1), i;

	for (i = 0; i < n; i++) {
		buf[i] = (char)(rand() % 256);
		if (buf[i] == '\n')
			buf[i] = 'x';
	}
	if (k % 2 == 0)
		buf[n - 1] = '\n';
	(void)send(fd, buf, n, MSG_NOSIGNAL);
}

/*
 * Read what the server sends until it closes, for up to 10 s in all:
 * how many it closed, and how many of those were told they were too
 * far behind.
 */
static void
crowd_drain(int *fds, int n, int *closed, int *told)
{
	static const char	 behind[] = "too far behind";
	struct pollfd		*pfd;
	struct timespec		 ts;
	char			 buf[65536];
	ssize_t			 r;
	int			 k, left = n;
	long long		 now, end;

	if ((pfd = calloc(n > 0 ? n : 1, sizeof *pfd)) == NULL)
		exit(2);
	for (k = 0; k < n; k++) {
		pfd[k].fd = fds[k];
		pfd[k].events = POLLIN;
	}
	/* 10 s of time, not of rounds: a round with data ready is quick. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	end = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000 + 10000;
	for (now = 0; left > 0 && now < end;) {
		k = poll(pfd, n, 100);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
		if (k <= 0)
			continue;
		for (k = 0; k < n; k++) {
			if (pfd[k].fd == -1 || pfd[k].revents == 0)
				continue;
			r = recv(pfd[k].fd, buf, sizeof buf - 1, MSG_DONTWAIT);
			if (r > 0) {
				buf[r] = '\0';
				/* the message is one line, at the end */
				if (memmem(buf, r, behind, sizeof behind - 1))
					(*told)++;
				continue;
			}
			if (r == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			(*closed)++;
			pfd[k].fd = -1;
			left--;
		}
	}
	free(pfd);
}

int
main(int argc, char **argv)
{
	struct pollfd	 pfd = { 0, POLLIN, 0 };
	char		 req[64];
	int		*fds, n, silent, garbage, followers, k, closed = 0;
	int		 told = 0;

	if (argc != 6) {
		fprintf(stderr, "usage: nm-crowd SOCKET SILENT GARBAGE "
		    "FOLLOWERS NODE\n");
		return 2;
	}
	silent = atoi(argv[2]);
	garbage = atoi(argv[3]);
	followers = atoi(argv[4]);
	n = silent + garbage + followers;
	snprintf(req, sizeof req, "logs %s follow\n", argv[5]);
	if ((fds = calloc(n > 0 ? n : 1, sizeof *fds)) == NULL)
		return 2;
	srand(12);
	/* Interleaved, so that no kind has the oldest slots to itself. */
	for (k = 0; k < n; k++) {
		fds[k] = crowd_connect(argv[1]);
		if (k % 3 == 1 && garbage-- > 0)
			crowd_garbage(fds[k], k);
		else if (k % 3 == 2 && followers-- > 0)
			(void)send(fds[k], req, strlen(req), MSG_NOSIGNAL);
		else if (silent-- > 0)
			continue;
		else if (garbage-- > 0)
			crowd_garbage(fds[k], k);
		else if (followers-- > 0)
			(void)send(fds[k], req, strlen(req), MSG_NOSIGNAL);
	}
	printf("ready %d\n", n);
	fflush(stdout);
	while (poll(&pfd, 1, -1) == -1 && errno == EINTR)
		continue;
	crowd_drain(fds, n, &closed, &told);
	printf("closed %d told %d\n", closed, told);
	free(fds);
	return 0;
}
