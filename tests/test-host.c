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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/net.h"

/* This machine's host name. */
static char *
host_name(void)
{
	char	 name[256];

	cr_assert_eq(gethostname(name, sizeof name), 0);
	name[sizeof name - 1] = '\0';
	return strdup(name);
}

/* Resolve setting, which must succeed. */
static struct host_res
resolve(const char *setting, int long_names)
{
	struct host_res	 hr;
	char		*cause = NULL, why[512];

	/* Free the cause before failing: ASan must report the failure, not
	   a leak. */
	if (host_resolve(setting, long_names, &hr, &cause) != 0) {
		snprintf(why, sizeof why, "%s", cause);
		free(cause);
		cr_assert_fail("host_resolve %s: %s", setting, why);
	}
	cr_assert_not_null(hr.name);
	cr_assert(host_is_ip(hr.addr), "addr %s is not numeric", hr.addr);
	cr_assert_not_null(hr.why);
	return hr;
}

Test(host, auto_long_is_dotted_or_an_ip_and_local)
{
	struct host_res	 hr = resolve("auto", 1);
	char		*name = host_name();

	cr_assert(host_is_local(hr.name), "auto gave non-local %s", hr.name);
	cr_assert(host_is_ip(hr.name) || strchr(hr.name, '.') != NULL,
	    "long name %s has no dot", hr.name);
	if (strcmp(hr.name, "127.0.0.1") == 0)
		cr_assert(strstr(hr.why, "so 127.0.0.1") != NULL, "%s", hr.why);
	else
		cr_assert(strncmp(hr.name, name, strcspn(name, ".")) == 0,
		    "long %s does not extend %s", hr.name, name);
	cr_assert(strncmp(hr.why, "auto, long names: ", 18) == 0, "%s",
	    hr.why);
	cr_assert(strstr(hr.why, name) != NULL, "%s", hr.why);
	host_res_clear(&hr);
	cr_assert_null(hr.name);
	free(name);
}

Test(host, auto_short_is_the_bare_host_name_or_localhost)
{
	struct host_res	 hr = resolve(NULL, 0);
	char		*name = host_name();

	if (host_is_local(name)) {
		name[strcspn(name, ".")] = '\0';
		cr_assert_str_eq(hr.name, name);
	} else
		cr_assert_str_eq(hr.name, "localhost");
	cr_assert(strncmp(hr.why, "auto, short names: ", 19) == 0, "%s",
	    hr.why);
	host_res_clear(&hr);
	free(name);
}

Test(host, long_and_short_ignore_the_name_mode)
{
	struct host_res	 a = resolve("long", 0), b = resolve("auto", 1);
	struct host_res	 c = resolve("short", 1), d = resolve("auto", 0);

	cr_assert_str_eq(a.name, b.name);
	cr_assert_str_eq(c.name, d.name);
	cr_assert(strncmp(a.why, "long: ", 6) == 0, "%s", a.why);
	cr_assert(strncmp(c.why, "short: ", 7) == 0, "%s", c.why);
	host_res_clear(&a);
	host_res_clear(&b);
	host_res_clear(&c);
	host_res_clear(&d);
}

Test(host, localhost_literal_probes_on_loopback)
{
	struct host_res	 hr = resolve("localhost", 1);

	cr_assert_str_eq(hr.name, "localhost");
	cr_assert_str_eq(hr.addr, "127.0.0.1");
	cr_assert_str_eq(hr.why, "the configured host");
	host_res_clear(&hr);
	hr = resolve("LocalHost", 0);
	cr_assert_str_eq(hr.addr, "127.0.0.1");
	host_res_clear(&hr);
}

Test(host, ip_literal_is_kept)
{
	struct host_res	 hr = resolve("127.0.0.1", 1);
	char		*cause = NULL;

	cr_assert_str_eq(hr.name, "127.0.0.1");
	cr_assert_str_eq(hr.addr, "127.0.0.1");
	host_res_clear(&hr);
	/* An IPv6 literal is probed on itself, not on 127.0.0.1. */
	if (host_resolve("::1", 1, &hr, &cause) == 0) {
		cr_assert_str_eq(hr.name, "::1");
		cr_assert_str_eq(hr.addr, "::1");
		host_res_clear(&hr);
	} else
		free(cause);
	/* A non-local IP resolves (to itself) but is not local. */
	hr = resolve("192.0.2.1", 1);
	cr_assert_str_eq(hr.name, "192.0.2.1");
	cr_assert_str_eq(hr.addr, "192.0.2.1");
	host_res_clear(&hr);
}

Test(host, unresolvable_literal_names_the_host)
{
	struct host_res	 hr;
	char		*cause = NULL;

	memset(&hr, 0x55, sizeof hr);
	cr_assert_eq(host_resolve("nodemux-no-such-host.invalid", 1, &hr,
	    &cause), -1);
	cr_assert_null(hr.name);
	cr_assert_null(hr.addr);
	cr_assert_null(hr.why);
	cr_assert_not_null(cause);
	cr_assert(strstr(cause, "nodemux-no-such-host.invalid") != NULL,
	    "cause: %s", cause);
	cr_assert(strstr(cause, "does not resolve") != NULL, "cause: %s",
	    cause);
	free(cause);
}

Test(host, malformed_literal_is_refused_with_a_reason)
{
	struct host_res	 hr;
	char		*cause = NULL;

	cr_assert_eq(host_resolve("a b@c", 1, &hr, &cause), -1);
	cr_assert(strstr(cause, "invalid host \"a b@c\"") != NULL, "cause: %s",
	    cause);
	cr_assert_null(hr.name);
	free(cause);
	cause = NULL;
	cr_assert_eq(host_resolve("", 0, &hr, &cause), -1);
	cr_assert_not_null(cause);
	free(cause);
}

Test(host, is_local)
{
	cr_assert_eq(host_is_local("127.0.0.1"), 1);
	cr_assert_eq(host_is_local("127.0.0.2"), 1);
	cr_assert_eq(host_is_local("localhost"), 1);
	cr_assert_eq(host_is_local("LOCALHOST"), 1);
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
