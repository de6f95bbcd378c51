/*
 * Port probing: is a TCP port free on the address a node will bind, and
 * if not, which process holds it (/proc/net/tcp{,6} and /proc/<pid>/fd);
 * binding the wildcard addresses first spares the /proc scan when free.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/net.h"
#include "nodemux/util.h"

#define PORTS_LISTEN	0x0A	/* TCP_LISTEN in /proc/net/tcp */
#define PORTS_MAX_INODES 16

/* The listening sockets found for one port. */
struct ports_found {
	unsigned long	inodes[PORTS_MAX_INODES];
	int		ninodes;
	int		wildcard;	/* one listens on 0.0.0.0 or :: */
};

/* Is the hex address of /proc/net/tcp{,6} all zeroes (a wildcard)? */
static int
ports_hex_zero(const char *hex)
{
	for (; *hex != '\0'; hex++) {
		if (*hex != '0')
			return 0;
	}
	return 1;
}

/* Add the sockets of one /proc/net file listening on port to found. */
static void
ports_scan_file(const char *path, int port, struct ports_found *found)
{
	FILE		*f;
	char		*line = NULL, addr[64];
	size_t		 size = 0;
	unsigned int	 lport, state;
	unsigned long	 inode;

	if ((f = fopen(path, "re")) == NULL)
		return;
	while (getline(&line, &size, f) != -1) {
		/* sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, " %*d: %63[0-9A-Fa-f]:%x %*s %x %*s %*s %*s "
		    "%*u %*u %lu", addr, &lport, &state, &inode) != 4)
			continue;
		if ((int)lport != port || state != PORTS_LISTEN)
			continue;
		if (ports_hex_zero(addr))
			found->wildcard = 1;
		if (inode != 0 && found->ninodes < PORTS_MAX_INODES)
			found->inodes[found->ninodes++] = inode;
	}
	free(line);
	fclose(f);
}

/* Every listening socket on port, IPv4 and IPv6. */
static void
ports_scan(int port, struct ports_found *found)
{
	memset(found, 0, sizeof *found);
	ports_scan_file("/proc/net/tcp", port, found);
	ports_scan_file("/proc/net/tcp6", port, found);
}

/* Parse a numeric IPv4 or IPv6 address into ss; 0 or -1. */
static int
ports_sockaddr(const char *addr, int port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		*len = sizeof *s4;
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		*len = sizeof *s6;
		return 0;
	}
	return -1;
}

/*
 * Bind a socket on ss as a server would and close it again; 1 free,
 * 0 busy, -1 when socket(2) fails and -2 when bind(2) fails otherwise,
 * with errno set.  v6only keeps a [::] probe to IPv6, so that it answers
 * for IPv6 listeners alone.
 */
static int
ports_bind_sa(const struct sockaddr_storage *ss, socklen_t len, int v6only)
{
	int	 fd, one = 1, saved;

	fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (v6only)
		(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof one);
	if (bind(fd, (const struct sockaddr *)ss, len) == 0) {
		close(fd);
		return 1;
	}
	saved = errno;
	close(fd);
	errno = saved;
	return saved == EADDRINUSE || saved == EACCES ? 0 : -2;
}

/* Bind addr:port and close it again; 1 free, 0 busy, -1 with *cause. */
static int
ports_bind(const char *addr, int port, char **cause)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 rc;

	if (ports_sockaddr(addr, port, &ss, &len) != 0) {
		*cause = xasprintf("invalid address \"%s\": not an IPv4 or "
		    "IPv6 address", addr);
		return -1;
	}
	if ((rc = ports_bind_sa(&ss, len, 0)) >= 0)
		return rc;
	if (rc == -1)
		*cause = xasprintf("socket: %s", strerror(errno));
	else
		*cause = xasprintf("cannot bind %s port %d: %s", addr, port,
		    strerror(errno));
	return -1;
}

/*
 * Can both wildcard addresses (0.0.0.0, and [::] for IPv6 alone) be bound
 * on port?  Then no socket listens on port anywhere, and the scan of
 * /proc/net/tcp{,6} (tens of ms on a busy host) can be skipped.  A host
 * without IPv6 has no [::] listener to find.
 */
static int
ports_wildcards_free(int port)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 rc;

	if (ports_sockaddr("0.0.0.0", port, &ss, &len) != 0 ||
	    ports_bind_sa(&ss, len, 0) != 1)
		return 0;
	if (ports_sockaddr("::", port, &ss, &len) != 0)
		return 0;
	rc = ports_bind_sa(&ss, len, 1);
	return rc == 1 || (rc == -1 && errno == EAFNOSUPPORT) ||
	    (rc == -2 && errno == EADDRNOTAVAIL);
}

int
port_probe(const char *addr, int port, char **cause)
{
	struct ports_found	 found;
	int			 rc;

	if (port < 1 || port > 65535) {
		*cause = xasprintf("invalid port %d: use 1-65535", port);
		return -1;
	}
	if (addr == NULL)
		addr = "127.0.0.1";
	if ((rc = ports_bind(addr, port, cause)) != 1)
		return rc;
	if (ports_wildcards_free(port))
		return 1;
	/* Something holds the port on some address: free for us unless it
	   listens on the wildcard address, which would take the node's
	   connections (or its bind) even where our bind succeeded. */
	ports_scan(port, &found);
	return found.wildcard ? 0 : 1;
}

/* Does the fd link "socket:[N]" name one of found's inodes? */
static int
ports_link_matches(const char *link, const struct ports_found *found)
{
	unsigned long	 inode;
	char		 end;
	int		 i;

	if (sscanf(link, "socket:[%lu%c", &inode, &end) != 2 || end != ']')
		return 0;
	for (i = 0; i < found->ninodes; i++) {
		if (found->inodes[i] == inode)
			return 1;
	}
	return 0;
}

/* Does process pid have one of found's sockets open? */
static int
ports_pid_holds(long pid, const struct ports_found *found)
{
	char		 path[64], fdpath[320], link[128];
	DIR		*d;
	struct dirent	*de;
	ssize_t		 n;
	int		 hit = 0;

	snprintf(path, sizeof path, "/proc/%ld/fd", pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	while (!hit && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(fdpath, sizeof fdpath, "%s/%s", path, de->d_name);
		n = readlink(fdpath, link, sizeof link - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		hit = ports_link_matches(link, found);
	}
	closedir(d);
	return hit;
}

/* The command name of pid from /proc/<pid>/comm, or "?" */
static char *
ports_comm(long pid)
{
	char	 path[64], buf[64];
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof path, "/proc/%ld/comm", pid);
	if ((f = fopen(path, "re")) == NULL)
		return xstrdup("?");
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(*buf != '\0' ? buf : "?");
}

/* The pid a /proc entry names, or -1 when it is not a process. */
static long
ports_pid_of(const char *s)
{
	const char	*p;

	if (*s == '\0' || strlen(s) > 10)
		return -1;
	for (p = s; *p != '\0'; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
	}
	return strtol(s, NULL, 10);
}

int
port_holder(int port, pid_t *pid, char **prog)
{
	struct ports_found	 found;
	DIR			*d;
	struct dirent		*de;
	long			 p;
	int			 rc = -1;

	*pid = 0;
	*prog = NULL;
	ports_scan(port, &found);
	if (found.ninodes == 0 || (d = opendir("/proc")) == NULL)
		return -1;
	while (rc != 0 && (de = readdir(d)) != NULL) {
		if ((p = ports_pid_of(de->d_name)) <= 0 ||
		    !ports_pid_holds(p, &found))
			continue;
		*pid = (pid_t)p;
		*prog = ports_comm(p);
		rc = 0;
	}
	closedir(d);
	return rc;
}

char *
port_busy_message(int port, const char *role, const char *node)
{
	struct strbuf	 sb = STRBUF_INIT;
	pid_t		 pid;
	char		*prog;

	if (role != NULL && *role != '\0')
		strbuf_addf(&sb, "%s ", role);
	strbuf_addf(&sb, "port %d", port);
	if (node != NULL && *node != '\0')
		strbuf_addf(&sb, " of node %s", node);
	strbuf_adds(&sb, " is busy");
	if (port_holder(port, &pid, &prog) == 0) {
		strbuf_addf(&sb, " (held by pid %ld, %s)", (long)pid, prog);
		free(prog);
	}
	return strbuf_detach(&sb);
}
