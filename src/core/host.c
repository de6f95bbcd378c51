/*
 * Host resolution for node names (SPEC §3): which name the nodes of a
 * cluster use, whether it belongs to this machine and the numeric
 * address their ports are probed on.  Only resolves; sends nothing.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "nodemux/net.h"
#include "nodemux/util.h"

#ifndef HOST_NAME_MAX
#define HOST_NAME_MAX 255
#endif

int
host_is_ip(const char *host)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;

	if (host == NULL)
		return 0;
	return inet_pton(AF_INET, host, &a4) == 1 ||
	    inet_pton(AF_INET6, host, &a6) == 1;
}

/* Resolve host to its TCP addresses; the getaddrinfo error or 0. */
static int
host_lookup(const char *host, int flags, struct addrinfo **res)
{
	struct addrinfo	 hints;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = flags;
	*res = NULL;
	return getaddrinfo(host, NULL, &hints, res);
}

/* Is sa a loopback address (127.0.0.0/8, ::1 or v4-mapped 127/8)? */
static int
host_sa_loopback(const struct sockaddr *sa)
{
	const struct sockaddr_in	*s4;
	const struct sockaddr_in6	*s6;
	const uint8_t			*b;

	if (sa->sa_family == AF_INET) {
		s4 = (const struct sockaddr_in *)(const void *)sa;
		return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
	}
	if (sa->sa_family == AF_INET6) {
		s6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr))
			return 1;
		b = s6->sin6_addr.s6_addr;
		return IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr) && b[12] == 127;
	}
	return 0;
}

/* Do two socket addresses hold the same IP (ports ignored)? */
static int
host_sa_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->sa_family != b->sa_family)
		return 0;
	if (a->sa_family == AF_INET) {
		a4 = (const struct sockaddr_in *)(const void *)a;
		b4 = (const struct sockaddr_in *)(const void *)b;
		return a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		a6 = (const struct sockaddr_in6 *)(const void *)a;
		b6 = (const struct sockaddr_in6 *)(const void *)b;
		return memcmp(&a6->sin6_addr, &b6->sin6_addr,
		    sizeof a6->sin6_addr) == 0;
	}
	return 0;
}

/* Is sa loopback or the address of one of this machine's interfaces? */
static int
host_sa_local(const struct sockaddr *sa, struct ifaddrs *ifs)
{
	struct ifaddrs	*ifa;

	if (host_sa_loopback(sa))
		return 1;
	for (ifa = ifs; ifa != NULL; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr != NULL && host_sa_equal(sa, ifa->ifa_addr))
			return 1;
	}
	return 0;
}

/* Is host "localhost", which is loopback without asking the resolver? */
static int
host_is_localhost(const char *host)
{
	return strcasecmp(host, "localhost") == 0 ||
	    strcasecmp(host, "localhost.") == 0;
}

int
host_is_local(const char *host)
{
	struct addrinfo	*res, *ai;
	struct ifaddrs	*ifs = NULL;
	int		 local = 0;

	if (host == NULL || *host == '\0')
		return 0;
	if (host_is_localhost(host))
		return 1;
	if (host_lookup(host, 0, &res) != 0)
		return 0;
	if (getifaddrs(&ifs) != 0)
		ifs = NULL;
	for (ai = res; ai != NULL && !local; ai = ai->ai_next)
		local = host_sa_local(ai->ai_addr, ifs);
	if (ifs != NULL)
		freeifaddrs(ifs);
	freeaddrinfo(res);
	return local;
}

/* This machine's host name, or NULL when it has none. */
static char *
host_name(void)
{
	char	 name[HOST_NAME_MAX + 1];

	if (gethostname(name, sizeof name) != 0)
		return NULL;
	name[sizeof name - 1] = '\0';
	if (*name == '\0')
		return NULL;
	return xstrdup(name);
}

/*
 * The fully qualified name of name (what `hostname -f` prints) when it
 * has a dot and resolves to this machine, else NULL.
 */
static char *
host_fqdn(const char *name)
{
	struct addrinfo	*res;
	char		*fq = NULL;

	if (strchr(name, '.') != NULL && !host_is_ip(name))
		return host_is_local(name) ? xstrdup(name) : NULL;
	if (host_lookup(name, AI_CANONNAME, &res) != 0)
		return NULL;
	if (res->ai_canonname != NULL && strchr(res->ai_canonname, '.') != NULL)
		fq = xstrdup(res->ai_canonname);
	freeaddrinfo(res);
	if (fq != NULL && !host_is_local(fq)) {
		free(fq);
		fq = NULL;
	}
	return fq;
}

/*
 * Long names: the host name's fully qualified name when one resolves
 * here, else 127.0.0.1, which Erlang always takes and always resolves.
 */
static void
host_pick_long(struct host_res *hr)
{
	char	*name = host_name();

	if (name == NULL) {
		hr->name = xstrdup("127.0.0.1");
		hr->why = xstrdup("this machine has no host name, so "
		    "127.0.0.1");
	} else if ((hr->name = host_fqdn(name)) == NULL) {
		hr->name = xstrdup("127.0.0.1");
		hr->why = xasprintf("the host name %s has no fully qualified "
		    "name that resolves to this machine (long names need a "
		    "dot), so 127.0.0.1", name);
	} else if (strcmp(hr->name, name) == 0)
		hr->why = xasprintf("the host name %s resolves to this "
		    "machine", name);
	else
		hr->why = xasprintf("%s, the fully qualified name of the host "
		    "name %s, resolves to this machine", hr->name, name);
	free(name);
}

/*
 * Short names: the bare host name when it resolves here, else localhost.
 * Returns the name to probe ports on (the full host name) or NULL.
 */
static char *
host_pick_short(struct host_res *hr)
{
	char	*name = host_name();

	if (name != NULL && host_is_local(name)) {
		hr->why = xasprintf("the host name %s resolves to this "
		    "machine", name);
		hr->name = xstrdup(name);
		if (!host_is_ip(name))
			hr->name[strcspn(hr->name, ".")] = '\0';
		return name;
	}
	if (name == NULL)
		hr->why = xstrdup("this machine has no host name, so "
		    "localhost");
	else
		hr->why = xasprintf("the host name %s does not resolve to "
		    "this machine, so localhost", name);
	hr->name = xstrdup("localhost");
	free(name);
	return NULL;
}

/* Can s be a host name or IP literal at all (before asking the resolver)? */
static int
host_valid(const char *s)
{
	const unsigned char	*p;

	if (*s == '\0' || strlen(s) > HOST_NAME_MAX)
		return 0;
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (!isalnum(*p) && strchr("-._:%", *p) == NULL)
			return 0;
	}
	return 1;
}

/* The first address of res that belongs to this machine, or NULL. */
static struct addrinfo *
host_first_local(struct addrinfo *res)
{
	struct addrinfo	*ai, *pick = NULL;
	struct ifaddrs	*ifs;

	if (getifaddrs(&ifs) != 0)
		return NULL;
	for (ai = res; ai != NULL && pick == NULL; ai = ai->ai_next) {
		if (host_sa_local(ai->ai_addr, ifs))
			pick = ai;
	}
	freeifaddrs(ifs);
	return pick;
}

/*
 * The numeric address to probe host's ports on: an IP literal itself,
 * 127.0.0.1 for localhost or a name that resolves to loopback, else its
 * first local address, else its first.
 */
static int
host_addr(const char *host, char **addr, char **cause)
{
	struct addrinfo	*res, *ai, *pick = NULL;
	char		 buf[INET6_ADDRSTRLEN];
	int		 error, loopback = host_is_localhost(host);

	if (loopback) {
		*addr = xstrdup("127.0.0.1");
		return 0;
	}
	if ((error = host_lookup(host, 0, &res)) != 0) {
		*cause = xasprintf("host %s does not resolve: %s", host,
		    gai_strerror(error));
		return -1;
	}
	/* An IP literal is the address the nodes bind: probe exactly it. */
	if (host_is_ip(host))
		pick = res;
	for (ai = res; ai != NULL && pick == NULL && !loopback;
	    ai = ai->ai_next)
		loopback = host_sa_loopback(ai->ai_addr);
	if (loopback) {
		freeaddrinfo(res);
		*addr = xstrdup("127.0.0.1");
		return 0;
	}
	if (pick == NULL)
		pick = host_first_local(res);
	if (pick == NULL)
		pick = res;
	error = getnameinfo(pick->ai_addr, pick->ai_addrlen, buf, sizeof buf,
	    NULL, 0, NI_NUMERICHOST);
	freeaddrinfo(res);
	if (error != 0) {
		*cause = xasprintf("host %s: no numeric address: %s", host,
		    gai_strerror(error));
		return -1;
	}
	*addr = xstrdup(buf);
	return 0;
}

int
host_resolve(const char *setting, int long_names, struct host_res *hr,
    char **cause)
{
	const char	*label = setting;
	char		*probe = NULL, *why;

	memset(hr, 0, sizeof *hr);
	if (setting == NULL || strcmp(setting, "auto") == 0) {
		label = long_names ? "auto, long names" : "auto, short names";
		setting = long_names ? "long" : "short";
	}
	if (strcmp(setting, "long") == 0)
		host_pick_long(hr);
	else if (strcmp(setting, "short") == 0)
		probe = host_pick_short(hr);
	else if (!host_valid(setting)) {
		*cause = xasprintf("invalid host \"%s\": use auto, short, "
		    "long, a host name or an IP address", setting);
		return -1;
	} else {
		hr->name = xstrdup(setting);
		hr->why = xstrdup("the configured host");
		label = NULL;
	}
	if (label != NULL) {
		why = xasprintf("%s: %s", label, hr->why);
		free(hr->why);
		hr->why = why;
	}
	/* A short name need not resolve: probe on the full name's address. */
	if (host_addr(probe != NULL ? probe : hr->name, &hr->addr,
	    cause) != 0) {
		free(probe);
		host_res_clear(hr);
		return -1;
	}
	free(probe);
	return 0;
}

void
host_res_clear(struct host_res *hr)
{
	free(hr->name);
	free(hr->addr);
	free(hr->why);
	memset(hr, 0, sizeof *hr);
}
