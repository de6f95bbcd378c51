/*
 * Helpers shared by every part of nodemux: allocation, string buffers,
 * quoting for shells and JSON, clocks and fd flags.
 */
#include "config.h"

#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nodemux/util.h"

/* Out of memory is not recoverable here: say so and leave. */
static void __attribute__((noreturn))
util_oom(void)
{
	static const char msg[] = "nodemux: out of memory\n";

	(void)!write(STDERR_FILENO, msg, sizeof msg - 1);
	_exit(1);
}

void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		util_oom();
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		util_oom();
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL)
		util_oom();
	return p;
}

void *
xreallocarray(void *p, size_t n, size_t size)
{
	if (size != 0 && n > SIZE_MAX / size)
		util_oom();
	return xrealloc(p, n * size);
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xvasprintf(const char *fmt, va_list ap)
{
	char	*s;

	if (vasprintf(&s, fmt, ap) == -1)
		util_oom();
	return s;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

/* Make room for n more bytes plus the terminating NUL. */
static void
strbuf_grow(struct strbuf *sb, size_t n)
{
	if (sb->len + n + 1 <= sb->cap)
		return;
	if (sb->cap == 0)
		sb->cap = 64;
	while (sb->len + n + 1 > sb->cap)
		sb->cap *= 2;
	sb->buf = xrealloc(sb->buf, sb->cap);
}

void
strbuf_add(struct strbuf *sb, const void *p, size_t n)
{
	strbuf_grow(sb, n);
	if (n != 0)
		memcpy(sb->buf + sb->len, p, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

void
strbuf_addc(struct strbuf *sb, char c)
{
	strbuf_add(sb, &c, 1);
}

void
strbuf_adds(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

void
strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	strbuf_adds(sb, s);
	free(s);
}

char *
strbuf_detach(struct strbuf *sb)
{
	char	*s;

	if (sb->buf == NULL)
		return xstrdup("");
	s = sb->buf;
	sb->buf = NULL;
	sb->len = sb->cap = 0;
	return s;
}

void
strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf != NULL)
		sb->buf[0] = '\0';
}

void
strbuf_free(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->cap = 0;
}

/* Characters a shell word may hold without quoting. */
static int
util_shell_safe(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && strchr("@%+=:,./_-", *s) == NULL)
			return 0;
	}
	return 1;
}

void
shell_quote(struct strbuf *sb, const char *s)
{
	if (util_shell_safe(s))
		strbuf_adds(sb, s);
	else
		shell_quote_single(sb, s);
}

void
shell_quote_single(struct strbuf *sb, const char *s)
{
	strbuf_addc(sb, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			strbuf_adds(sb, "'\\''");
		else
			strbuf_addc(sb, *s);
	}
	strbuf_addc(sb, '\'');
}

char *
shell_quote_str(const char *s)
{
	struct strbuf	 sb = STRBUF_INIT;

	shell_quote(&sb, s);
	return strbuf_detach(&sb);
}

/* The length of the valid UTF-8 character at p (a lead byte >= 0x80,
   NUL-terminated), or 0: no overlong form, surrogate or value past
   U+10FFFF. */
static size_t
utf8_valid_len(const unsigned char *p)
{
	uint32_t	 cp, min;
	size_t		 n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		n = 2; cp = p[0] & 0x1f; min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		n = 3; cp = p[0] & 0x0f; min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4; cp = p[0] & 0x07; min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;	/* a NUL ends it here too */
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void
json_quote(struct strbuf *sb, const char *s)
{
	const unsigned char	*p;
	size_t			 n;

	strbuf_addc(sb, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			strbuf_adds(sb, "\\\"");
			break;
		case '\\':
			strbuf_adds(sb, "\\\\");
			break;
		case '\n':
			strbuf_adds(sb, "\\n");
			break;
		case '\r':
			strbuf_adds(sb, "\\r");
			break;
		case '\t':
			strbuf_adds(sb, "\\t");
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				strbuf_addf(sb, "\\u%04x", *p);
			else if (*p < 0x80)
				strbuf_addc(sb, (char)*p);
			else if ((n = utf8_valid_len(p)) != 0) {
				strbuf_add(sb, p, n);
				p += n - 1;
			} else	/* JSON is UTF-8: a stray byte is U+FFFD */
				strbuf_adds(sb, "\\ufffd");
		}
	}
	strbuf_addc(sb, '"');
}

void
msg_clean(char **msg)
{
	const unsigned char	*p;
	struct strbuf		 sb = STRBUF_INIT;
	size_t			 n;

	if (*msg == NULL)
		return;
	for (p = (const unsigned char *)*msg; *p != '\0'; p++) {
		if (sb.len >= MSG_MAX) {
			strbuf_adds(&sb, "...");
			break;
		}
		if (*p == '\n')
			strbuf_adds(&sb, "\\n");
		else if (*p == '\r')
			strbuf_adds(&sb, "\\r");
		else if (*p == '\t')
			strbuf_adds(&sb, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			strbuf_addf(&sb, "\\x%02x", *p);
		else if (*p < 0x80)
			strbuf_addc(&sb, (char)*p);
		else if ((n = utf8_valid_len(p)) != 0) {
			strbuf_add(&sb, p, n);
			p += n - 1;
		} else
			strbuf_addf(&sb, "\\x%02x", *p);
	}
	strbuf_addc(&sb, '\0');
	free(*msg);
	*msg = sb.buf;
}

int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
wall_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void
strv_free(char **v)
{
	char	**p;

	if (v == NULL)
		return;
	for (p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

size_t
strv_len(char *const *v)
{
	size_t	 n = 0;

	while (v != NULL && v[n] != NULL)
		n++;
	return n;
}

int
parse_int(const char *s, long min, long max, int *out)
{
	char	*end;
	long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

int
fd_set_nonblock(int fd)
{
	int	 fl = fcntl(fd, F_GETFL);

	if (fl == -1)
		return -1;
	return fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int
fd_set_cloexec(int fd)
{
	int	 fl = fcntl(fd, F_GETFD);

	if (fl == -1)
		return -1;
	return fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
}

/* The control buffer of a message with up to FD_PASS_MAX fds. */
union fd_cmsg {
	struct cmsghdr	 h;
	char		 buf[CMSG_SPACE(FD_PASS_MAX * sizeof (int))];
};

ssize_t
fd_send(int sock, const void *buf, size_t len, const int *fds, size_t nfds,
    int flags)
{
	union fd_cmsg	 cbuf;
	struct iovec	 iov = { (void *)buf, len };
	struct msghdr	 msg;
	struct cmsghdr	*c;
	ssize_t		 n;

	if (nfds > FD_PASS_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(&msg, 0, sizeof msg);
	memset(&cbuf, 0, sizeof cbuf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (nfds > 0) {
		msg.msg_control = cbuf.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof (int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof (int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof (int));
	}
	while ((n = sendmsg(sock, &msg, flags)) == -1 && errno == EINTR)
		continue;
	return n;
}

ssize_t
fd_recv(int sock, void *buf, size_t len, int *fds, size_t maxfds,
    size_t *nfds)
{
	union fd_cmsg	 cbuf;
	struct iovec	 iov = { buf, len };
	struct msghdr	 msg;
	struct cmsghdr	*c;
	size_t		 got, i;
	int		 fd, cut = 0;
	ssize_t		 n;

	memset(&msg, 0, sizeof msg);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof cbuf.buf;
	*nfds = 0;
	while ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) == -1 &&
	    errno == EINTR)
		continue;
	for (c = CMSG_FIRSTHDR(&msg); n >= 0 && c != NULL;
	    c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		got = (c->cmsg_len - CMSG_LEN(0)) / sizeof (int);
		for (i = 0; i < got; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof fd, sizeof fd);
			if (*nfds < maxfds && *nfds < FD_PASS_MAX)
				fds[(*nfds)++] = fd;
			else {
				close(fd);
				cut = 1;
			}
		}
	}
	if (cut || (msg.msg_flags & MSG_CTRUNC)) {
		while (*nfds > 0)
			close(fds[--*nfds]);
	}
	return n;
}
