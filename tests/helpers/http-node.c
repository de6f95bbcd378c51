/*
 * A node for tests/ready.sh: listens on HTTP_PORT and answers the k-th
 * request with the k-th argument (the last one repeats): a status code
 * ("503"), "hang" (read the request, never answer, keep the connection)
 * or "junk" (a line that is not HTTP).  Prints "request k: <request
 * line> -> <answer>" for each, so a test sees what the probe sent.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The reason phrase of the few codes tests use. */
static const char *
http_reason(int code)
{
	switch (code) {
	case 200:
		return "OK";
	case 302:
		return "Found";
	case 404:
		return "Not Found";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	}
	return "Whatever";
}

/* Read the request line of fd into line (cut at the first CR or LF). */
static void
http_request_line(int fd, char *line, size_t size)
{
	size_t	 len = 0;
	ssize_t	 n;

	while (len < size - 1 && (n = read(fd, line + len, size - 1 - len)) > 0) {
		len += n;
		line[len] = '\0';
		if (strstr(line, "\r\n\r\n") != NULL)
			break;
	}
	line[len] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
}

int
main(int argc, char **argv)
{
	struct sockaddr_in	 sin;
	const char		*port = getenv("HTTP_PORT"), *what;
	char			 line[1024], reply[256];
	int			 s, fd, on = 1, k;

	if (argc < 2 || port == NULL) {
		fprintf(stderr, "usage: HTTP_PORT=N http-node ANSWER...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	s = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons(atoi(port));
	if (bind(s, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(s, 16) == -1) {
		perror("http-node: listen");
		return 1;
	}
	printf("http-node listening on %s\n", port);
	for (k = 1;; k++) {
		if ((fd = accept(s, NULL, NULL)) == -1)
			continue;
		http_request_line(fd, line, sizeof line);
		what = argv[k < argc ? k : argc - 1];
		printf("request %d: %s -> %s\n", k, line, what);
		if (strcmp(what, "hang") == 0)
			continue;	/* the connection stays open, unanswered */
		if (strcmp(what, "junk") == 0)
			snprintf(reply, sizeof reply, "hello there\r\n");
		else
			snprintf(reply, sizeof reply, "HTTP/1.1 %d %s\r\n"
			    "Content-Length: 0\r\nConnection: close\r\n\r\n",
			    atoi(what), http_reason(atoi(what)));
		(void)!write(fd, reply, strlen(reply));
		close(fd);
	}
}
