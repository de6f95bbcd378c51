/*
 * Host resolution (SPEC §3): auto, short, long, literal names and IPs,
 * and which addresses count as this machine's.  Nothing is sent.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <criterion/criterion.h>
#include <ifaddrs.h>
#include <limits.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/net.h"

/* What auto should give on this machine, computed the documented way. */
static char *
expected_auto(void)
{
	char	 name[256];

	if (gethostname(name, sizeof name) == 0 && *name != '\0' &&
	    host_is_local(name))
		return strdup(name);
	return strdup(host_is_local("localhost") ? "localhost" : "127.0.0.1");
}

Test(host, auto_is_the_local_hostname_or_a_fallback)
{
	char	*host, *addr, *cause = NULL, *want = expected_auto();

	cr_assert_eq(host_resolve("auto", &host, &addr, &cause), 0, "%s",
	    cause);
	cr_assert_str_eq(host, want);
	cr_assert(host_is_local(host), "auto gave non-local %s", host);
	cr_assert(host_is_ip(addr), "addr %s is not numeric", addr);
	free(host);
	free(addr);
	free(want);
}

Test(host, null_setting_means_auto)
{
	char	*host, *addr, *cause = NULL, *want = expected_auto();

	cr_assert_eq(host_resolve(NULL, &host, &addr, &cause), 0);
	cr_assert_str_eq(host, want);
	free(host);
	free(addr);
	free(want);
}

Test(host, short_is_auto_cut_at_the_first_dot)
{
	char	*host, *addr, *cause = NULL, *want = expected_auto();
	char	*dot;

	cr_assert_eq(host_resolve("short", &host, &addr, &cause), 0, "%s",
	    cause);
	if (!host_is_ip(want) && (dot = strchr(want, '.')) != NULL)
		*dot = '\0';
	cr_assert_str_eq(host, want);
	cr_assert(host_is_ip(want) || strchr(host, '.') == NULL);
	free(host);
	free(addr);
	free(want);
}

Test(host, long_is_local_and_starts_with_the_short_name)
{
	char	*host, *addr, *cause = NULL, *want = expected_auto();
	char	*dot;

	cr_assert_eq(host_resolve("long", &host, &addr, &cause), 0, "%s",
	    cause);
	cr_assert(host_is_local(host), "long gave non-local %s", host);
	if ((dot = strchr(want, '.')) != NULL)
		*dot = '\0';
	cr_assert(strncmp(host, want, strlen(want)) == 0,
	    "long %s does not extend %s", host, want);
	free(host);
	free(addr);
	free(want);
}

Test(host, localhost_literal_probes_on_loopback)
{
	char	*host, *addr, *cause = NULL;

	cr_assert_eq(host_resolve("localhost", &host, &addr, &cause), 0, "%s",
	    cause);
	cr_assert_str_eq(host, "localhost");
	cr_assert_str_eq(addr, "127.0.0.1");
	free(host);
	free(addr);
}

Test(host, ip_literal_is_kept)
{
	char	*host, *addr, *cause = NULL;

	cr_assert_eq(host_resolve("127.0.0.1", &host, &addr, &cause), 0);
	cr_assert_str_eq(host, "127.0.0.1");
	cr_assert_str_eq(addr, "127.0.0.1");
	free(host);
	free(addr);
	/* An IPv6 literal is probed on itself, not on 127.0.0.1. */
	if (host_resolve("::1", &host, &addr, &cause) == 0) {
		cr_assert_str_eq(host, "::1");
		cr_assert_str_eq(addr, "::1");
		free(host);
		free(addr);
	} else
		free(cause);
	/* A non-local IP resolves (to itself) but is not local. */
	cr_assert_eq(host_resolve("192.0.2.1", &host, &addr, &cause), 0);
	cr_assert_str_eq(host, "192.0.2.1");
	cr_assert_str_eq(addr, "192.0.2.1");
	free(host);
	free(addr);
}

Test(host, unresolvable_literal_names_the_host)
{
	char	*host = (char *)1, *addr = (char *)1, *cause = NULL;

	cr_assert_eq(host_resolve("nodemux-no-such-host.invalid", &host,
	    &addr, &cause), -1);
	cr_assert_null(host);
	cr_assert_null(addr);
	cr_assert_not_null(cause);
	cr_assert(strstr(cause, "nodemux-no-such-host.invalid") != NULL,
	    "cause: %s", cause);
	cr_assert(strstr(cause, "does not resolve") != NULL, "cause: %s",
	    cause);
	free(cause);
}

Test(host, malformed_literal_is_refused_with_a_reason)
{
	char	*host, *addr, *cause = NULL;

	cr_assert_eq(host_resolve("a b@c", &host, &addr, &cause), -1);
	cr_assert(strstr(cause, "invalid host \"a b@c\"") != NULL, "cause: %s",
	    cause);
	free(cause);
	cause = NULL;
	cr_assert_eq(host_resolve("", &host, &addr, &cause), -1);
	cr_assert_not_null(cause);
	free(cause);
}

Test(host, is_local)
{
	cr_assert_eq(host_is_local("127.0.0.1"), 1);
	cr_assert_eq(host_is_local("127.0.0.2"), 1);
	cr_assert_eq(host_is_local("localhost"), 1);
	cr_assert_eq(host_is_local("192.0.2.1"), 0);
	cr_assert_eq(host_is_local("nodemux-no-such-host.invalid"), 0);
	cr_assert_eq(host_is_local(""), 0);
}

Test(host, an_interface_address_is_local)
{
	struct ifaddrs	*ifs, *ifa;
	char		 buf[NI_MAXHOST];
	int		 checked = 0;

	cr_assert_eq(getifaddrs(&ifs), 0);
	for (ifa = ifs; ifa != NULL; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL ||
		    ifa->ifa_addr->sa_family != AF_INET)
			continue;
		cr_assert_eq(getnameinfo(ifa->ifa_addr,
		    sizeof(struct sockaddr_in), buf, sizeof buf, NULL, 0,
		    NI_NUMERICHOST), 0);
		cr_assert_eq(host_is_local(buf), 1, "%s of %s", buf,
		    ifa->ifa_name);
		checked++;
	}
	freeifaddrs(ifs);
	cr_assert(checked > 0, "no IPv4 interface at all");
}

Test(host, is_ip)
{
	cr_assert_eq(host_is_ip("127.0.0.1"), 1);
	cr_assert_eq(host_is_ip("::1"), 1);
	cr_assert_eq(host_is_ip("fd00::2"), 1);
	cr_assert_eq(host_is_ip("localhost"), 0);
	cr_assert_eq(host_is_ip("10.0.0"), 0);
	cr_assert_eq(host_is_ip("vm.example.com"), 0);
	cr_assert_eq(host_is_ip(""), 0);
}
