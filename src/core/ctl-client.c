/*
 * The client half of the control socket, and where sockets live: what
 * `nodemux ctl` needs without linking the launcher.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/ctl.h"
#include "nodemux/util.h"

char *
ctl_default_path(const char *name)
{
	const char	*run = getenv("XDG_RUNTIME_DIR");

	if (run != NULL && *run == '/')
		return xasprintf("%s/nodemux/%s.sock", run, name);
	return xasprintf("/tmp/nodemux-%ld/%s.sock", (long)getuid(), name);
}

/* Fill a sockaddr_un for path; -1 and *cause when it does not fit. */
int
ctl_addr(const char *path, struct sockaddr_un *sun, char **cause)
{
	memset(sun, 0, sizeof *sun);
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun->sun_path) {
		*cause = xasprintf("socket path too long: %s", path);
		return -1;
	}
	strcpy(sun->sun_path, path);
	return 0;
}

/* Connect to path: the fd, or -1 with errno. */
int
ctl_connect(const char *path)
{
	struct sockaddr_un	 sun;
	char			*cause = NULL;
	int			 fd;

	if (ctl_addr(path, &sun, &cause) == -1) {
		free(cause);
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		int	 saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
ctl_request(const char *path, const char *request,
    int (*out)(void *, const char *), void *arg, char **cause)
{
	struct sockaddr_un	 sun;
	FILE			*f;
	char			*line = NULL, *req;
	size_t			 cap = 0;
	ssize_t			 n;
	int			 fd;

	if ((fd = ctl_connect(path)) == -1) {
		if (errno == ENAMETOOLONG)
			*cause = xasprintf("socket path too long (at most %zu "
			    "bytes): %s", sizeof sun.sun_path - 1, path);
		else
			*cause = xasprintf("no console answers on %s: %s", path,
			    strerror(errno));
		return -1;
	}
	/* A server that refuses a request closes early: no SIGPIPE, read
	   what it said instead. */
	req = xasprintf("%s\n", request);
	(void)send(fd, req, strlen(req), MSG_NOSIGNAL);
	free(req);
	if ((f = fdopen(fd, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (out(arg, line) != 0)
			break;
	}
	free(line);
	fclose(f);
	return 0;
}
