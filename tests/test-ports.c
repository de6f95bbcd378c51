/*
 * Port probing (SPEC §3): a port this test really holds is busy and its
 * holder is found through /proc; a freed port is free again; the busy
 * message names port, role, node and holder.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/net.h"

/* Listen on addr (IPv4 or IPv6 text), port chosen by the kernel. */
static int
listen_on(const char *addr, int *port, int do_listen)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)&ss;
	socklen_t		 len;
	int			 fd, one = 1;

	memset(&ss, 0, sizeof ss);
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		len = sizeof *s4;
	} else {
		cr_assert_eq(inet_pton(AF_INET6, addr, &s6->sin6_addr), 1);
		s6->sin6_family = AF_INET6;
		len = sizeof *s6;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	cr_assert_eq(bind(fd, (struct sockaddr *)&ss, len), 0);
	if (do_listen)
		cr_assert_eq(listen(fd, 4), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&ss, &len), 0);
	*port = ntohs(ss.ss_family == AF_INET ? s4->sin_port : s6->sin6_port);
	return fd;
}

/* Listen on [::] with IPV6_V6ONLY set to v6only, port chosen by the
   kernel; -1 when the machine has no IPv6. */
static int
listen_v6_any(int v6only, int *port)
{
	struct sockaddr_in6	 sin6;
	socklen_t		 len = sizeof sin6;
	int			 fd;

	if ((fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	cr_assert_eq(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
	    sizeof v6only), 0);
	memset(&sin6, 0, sizeof sin6);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_any;
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin6, sizeof sin6), 0);
	cr_assert_eq(listen(fd, 4), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin6, &len), 0);
	*port = ntohs(sin6.sin6_port);
	return fd;
}

/* This process's /proc comm, as port_holder should report it. */
static char *
own_comm(void)
{
	char	 buf[64] = "";
	FILE	*f = fopen("/proc/self/comm", "r");

	cr_assert_not_null(f);
	cr_assert_not_null(fgets(buf, sizeof buf, f));
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return strdup(buf);
}

Test(ports, held_port_is_busy_and_freed_port_is_free)
{
	char	*cause = NULL;
	int	 fd, port;

	fd = listen_on("127.0.0.1", &port, 1);
	cr_assert_eq(port_probe("127.0.0.1", port, &cause), 0,
	    "port %d held by the test is not busy", port);
	close(fd);
	cr_assert_eq(port_probe("127.0.0.1", port, &cause), 1,
	    "port %d freed is not free: %s", port, cause);
}

Test(ports, holder_is_this_process)
{
	pid_t	 pid;
	char	*prog, *comm = own_comm();
	int	 fd, port;

	fd = listen_on("127.0.0.1", &port, 1);
	cr_assert_eq(port_holder(port, &pid, &prog), 0);
	cr_assert_eq(pid, getpid());
	cr_assert_str_eq(prog, comm);
	cr_assert(strstr(prog, "test-ports") != NULL, "comm %s", prog);
	free(prog);
	close(fd);
	cr_assert_eq(port_holder(port, &pid, &prog), -1,
	    "a freed port still has holder %d", (int)pid);
	cr_assert_null(prog);
	free(comm);
}

Test(ports, holder_is_another_process)
{
	int	 ready[2], done[2], port = 0, fd, status;
	pid_t	 child, pid;
	char	*prog, c;

	cr_assert_eq(pipe(ready), 0);
	cr_assert_eq(pipe(done), 0);
	child = fork();
	cr_assert_geq(child, 0);
	if (child == 0) {
		close(ready[0]);
		close(done[1]);
		fd = listen_on("127.0.0.1", &port, 1);
		(void)!write(ready[1], &port, sizeof port);
		(void)!read(done[0], &c, 1);	/* until the parent closes */
		close(fd);
		_exit(0);
	}
	close(ready[1]);
	close(done[0]);
	cr_assert_eq(read(ready[0], &port, sizeof port), (ssize_t)sizeof port);
	cr_assert_eq(port_holder(port, &pid, &prog), 0);
	cr_assert_eq(pid, child);
	free(prog);
	close(done[1]);
	cr_assert_eq(waitpid(child, &status, 0), child);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(ready[0]);
}

Test(ports, wildcard_listener_makes_loopback_busy)
{
	char	*cause = NULL;
	int	 fd, port;

	fd = listen_on("0.0.0.0", &port, 1);
	cr_assert_eq(port_probe("127.0.0.1", port, &cause), 0);
	close(fd);
	/* Bound but not listening (as a server between bind and listen
	   with SO_REUSEADDR): nothing is served, so the port is free. */
	fd = listen_on("0.0.0.0", &port, 0);
	cr_assert_eq(port_probe("127.0.0.1", port, &cause), 1, "%s", cause);
	close(fd);
}

Test(ports, ipv6_only_wildcard_listener_makes_ipv4_busy)
{
	char	*cause = NULL;
	int	 fd, port;

	/* The kernel lets 127.0.0.1 bind beside a v6-only [::] listener,
	   but clients of "localhost" may reach that listener instead. */
	if ((fd = listen_v6_any(1, &port)) == -1)
		cr_skip_test("no IPv6");
	cr_assert_eq(port_probe("127.0.0.1", port, &cause), 0,
	    "127.0.0.1 port %d free beside a [::] listener", port);
	close(fd);
	cr_assert_eq(port_probe("127.0.0.1", port, &cause), 1, "%s", cause);
}

Test(ports, ipv6_loopback)
{
	char	*cause = NULL, *prog;
	pid_t	 pid;
	int	 fd, port;

	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd == -1)
		cr_skip_test("no IPv6");
	close(fd);
	fd = listen_on("::1", &port, 1);
	cr_assert_eq(port_probe("::1", port, &cause), 0);
	cr_assert_eq(port_holder(port, &pid, &prog), 0);
	cr_assert_eq(pid, getpid());
	free(prog);
	close(fd);
	cr_assert_eq(port_probe("::1", port, &cause), 1, "%s", cause);
}

Test(ports, bad_arguments_say_why)
{
	char	*cause = NULL;

	cr_assert_eq(port_probe("127.0.0.1", 0, &cause), -1);
	cr_assert_str_eq(cause, "invalid port 0: use 1-65535");
	free(cause);
	cr_assert_eq(port_probe("127.0.0.1", 70000, &cause), -1);
	free(cause);
	cr_assert_eq(port_probe("localhost", 4000, &cause), -1);
	cr_assert(strstr(cause, "invalid address \"localhost\"") != NULL,
	    "%s", cause);
	free(cause);
	/* Not this machine's address: bind says so, nothing is sent. */
	cr_assert_eq(port_probe("192.0.2.1", 4000, &cause), -1);
	cr_assert(strstr(cause, "cannot bind 192.0.2.1 port 4000") != NULL,
	    "%s", cause);
	free(cause);
}

Test(ports, busy_message_names_port_role_node_and_holder)
{
	char	*msg, *want, *comm = own_comm();
	int	 fd, port;

	fd = listen_on("127.0.0.1", &port, 1);
	msg = port_busy_message(port, "http", "demo1@vm");
	cr_assert_not_null(asprintf(&want, "http port %d of node demo1@vm is "
	    "busy (held by pid %d, %s)", port, (int)getpid(), comm) > 0 ?
	    want : NULL);
	cr_assert_str_eq(msg, want);
	free(msg);
	free(want);
	close(fd);
	/* Nobody holds it now: no holder part. */
	msg = port_busy_message(port, "dist", "demo2@vm");
	cr_assert_not_null(asprintf(&want, "dist port %d of node demo2@vm is "
	    "busy", port) > 0 ? want : NULL);
	cr_assert_str_eq(msg, want);
	free(msg);
	free(want);
	free(comm);
}

/* A listener on another loopback address leaves 127.0.0.1 free: the
   quick wildcard binds see it, the /proc scan must clear it. */
Test(ports, listener_on_other_address_leaves_loopback_free)
{
	char	*cause = NULL;
	int	 fd, port;

	fd = listen_on("127.0.0.2", &port, 1);
	cr_assert_eq(port_probe("127.0.0.1", port, &cause), 1, "%s",
	    cause ? cause : "busy");
	cr_assert_eq(port_probe("127.0.0.2", port, &cause), 0);
	close(fd);
}

/* A dual-stack [::] listener (v6only off) serves 127.0.0.1 too. */
Test(ports, dual_stack_listener_makes_loopback_busy)
{
	char	*cause = NULL;
	int	 fd, port;

	if ((fd = listen_v6_any(0, &port)) == -1)
		cr_skip_test("no IPv6");
	cr_assert_eq(port_probe("127.0.0.1", port, &cause), 0,
	    "127.0.0.1 port %d free beside a dual-stack [::] listener", port);
	close(fd);
}
