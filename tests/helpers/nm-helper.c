/*
 * A node for the launcher's tests: one program whose first argument
 * picks a behaviour (ignore SIGTERM, fork a grandchild, flood output,
 * exit after a delay, listen late, report its own process facts...).
 */
#include "config.h"

#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

/* Sleep ms milliseconds. */
static void
helper_nap(long ms)
{
	struct timespec	 ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1)
		continue;
}

/* Wait for ever (until a signal ends us). */
static int __attribute__((noreturn))
helper_forever(void)
{
	for (;;)
		pause();
}

/* Write our pid (or a child's) to file. */
static void
helper_pidfile(const char *file, pid_t pid)
{
	FILE	*f = fopen(file, "w");

	if (f == NULL)
		exit(3);
	fprintf(f, "%ld\n", (long)pid);
	fclose(f);
}

/* Print a line of /proc/self/status starting with key. */
static void
helper_status_line(const char *key)
{
	FILE	*f = fopen("/proc/self/status", "r");
	char	 buf[256];

	while (f != NULL && fgets(buf, sizeof buf, f) != NULL) {
		if (strncmp(buf, key, strlen(key)) == 0)
			fputs(buf, stdout);
	}
	if (f != NULL)
		fclose(f);
}

/* info: session, group, terminal, size, open fds, signal state. */
static int
helper_info(void)
{
	struct winsize	 ws;
	struct dirent	*de;
	DIR		*d;
	int		 nfd = 0;

	memset(&ws, 0, sizeof ws);
	ioctl(0, TIOCGWINSZ, &ws);
	if ((d = opendir("/proc/self/fd")) != NULL) {
		while ((de = readdir(d)) != NULL)
			nfd += de->d_name[0] != '.';
		closedir(d);
	}
	printf("pid=%ld sid=%ld pgrp=%ld tty=%d fg=%d size=%dx%d fds=%d\n",
	    (long)getpid(), (long)getsid(0), (long)getpgrp(), isatty(0),
	    tcgetpgrp(0) == getpgrp(), ws.ws_col, ws.ws_row, nfd - 1);
	helper_status_line("SigBlk");
	helper_status_line("SigIgn");
	printf("cwd=%s\n", getcwd((char[4096]){ 0 }, 4096));
	return 0;
}

/* ignore-term: SIGTERM does nothing; stay until SIGKILL. */
static int
helper_ignore_term(void)
{
	signal(SIGTERM, SIG_IGN);
	printf("ignoring TERM\n");
	fflush(stdout);
	helper_forever();
}

/* grandchild FILE: fork a child into our group, write its pid, stay. */
static int
helper_grandchild(const char *file)
{
	pid_t	 pid;

	if ((pid = fork()) == 0) {
		signal(SIGTERM, SIG_IGN);	/* only SIGKILL ends it */
		signal(SIGHUP, SIG_IGN);
		helper_forever();
	}
	helper_pidfile(file, pid);
	printf("forked %ld\n", (long)pid);
	fflush(stdout);
	helper_forever();
}

/* flood NAME LINES: LINES lines of 64 bytes as fast as we can. */
static int
helper_flood(const char *name, long lines)
{
	char	 buf[128];
	long	 i;

	for (i = 0; i < lines; i++) {
		snprintf(buf, sizeof buf, "%-12.12s %09ld %s\n", name, i,
		    "abcdefghijklmnopqrstuvwxyz0123456789ABCD");
		fputs(buf, stdout);
	}
	fflush(stdout);
	return 0;
}

/* exit STATUS MS: say hello, wait MS, exit with STATUS. */
static int
helper_exit(int status, long ms)
{
	printf("hello, exiting %d in %ld ms\n", status, ms);
	fflush(stdout);
	helper_nap(ms);
	return status;
}

/* listen PORT MS: after MS, listen on 127.0.0.1:PORT and stay. */
static int
helper_listen(int port, long ms)
{
	struct sockaddr_in	 sin;
	int			 s, one = 1;

	helper_nap(ms);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(s, 8) == -1) {
		perror("listen");
		return 1;
	}
	printf("listening on %d\n", port);
	fflush(stdout);
	helper_forever();
}

/* lastwords: write and leave at once, the last line unterminated. */
static int
helper_lastwords(void)
{
	int	 i;

	for (i = 0; i < 100; i++)
		printf("line %d before exit\n", i);
	printf("the very last words");
	fflush(stdout);
	_exit(3);
}

/* log MS TEXT: after MS, print TEXT, then stay. */
static int
helper_log(long ms, const char *text)
{
	printf("booting\n");
	fflush(stdout);
	helper_nap(ms);
	printf("%s\n", text);
	fflush(stdout);
	helper_forever();
}

/* winch: wait for SIGWINCH, then print the new size. */
static int
helper_winch(void)
{
	struct winsize	 ws;
	sigset_t	 set;
	int		 sig;

	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("waiting\n");
	fflush(stdout);
	sigwait(&set, &sig);
	ioctl(0, TIOCGWINSZ, &ws);
	printf("size=%dx%d\n", ws.ws_col, ws.ws_row);
	fflush(stdout);
	helper_forever();
}

int
main(int argc, char **argv)
{
	const char	*m = argc > 1 ? argv[1] : "";

	setvbuf(stdout, NULL, _IOFBF, 65536);
	if (strcmp(m, "info") == 0)
		return helper_info();
	if (strcmp(m, "ignore-term") == 0)
		return helper_ignore_term();
	if (strcmp(m, "grandchild") == 0 && argc > 2)
		return helper_grandchild(argv[2]);
	if (strcmp(m, "flood") == 0 && argc > 3)
		return helper_flood(argv[2], atol(argv[3]));
	if (strcmp(m, "exit") == 0 && argc > 3)
		return helper_exit(atoi(argv[2]), atol(argv[3]));
	if (strcmp(m, "listen") == 0 && argc > 3)
		return helper_listen(atoi(argv[2]), atol(argv[3]));
	if (strcmp(m, "lastwords") == 0)
		return helper_lastwords();
	if (strcmp(m, "log") == 0 && argc > 3)
		return helper_log(atol(argv[2]), argv[3]);
	if (strcmp(m, "winch") == 0)
		return helper_winch();
	if (strcmp(m, "sleep") == 0) {
		printf("idle\n");
		fflush(stdout);
		helper_forever();
	}
	fprintf(stderr, "usage: nm-helper MODE [ARGS]\n");
	return 2;
}
