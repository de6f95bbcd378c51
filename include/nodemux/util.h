/*
 * Small helpers shared by every part of nodemux: allocation that dies
 * cleanly on exhaustion, a growable string buffer, shell quoting and clocks.
 */
#ifndef NODEMUX_UTIL_H
#define NODEMUX_UTIL_H

#include <sys/types.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define nitems(a) (sizeof (a) / sizeof (a)[0])

/* Allocate or die with "nodemux: out of memory" (exit 1).  Never NULL. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
/* printf into a fresh string. */
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list);

/* A growable byte buffer, always NUL-terminated after its len bytes. */
struct strbuf {
	char	*buf;
	size_t	 len;
	size_t	 cap;
};
#define STRBUF_INIT { NULL, 0, 0 }
void	 strbuf_add(struct strbuf *, const void *, size_t);
void	 strbuf_addc(struct strbuf *, char);
void	 strbuf_adds(struct strbuf *, const char *);
void	 strbuf_addf(struct strbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Hand the buffer to the caller (never NULL) and reset sb. */
char	*strbuf_detach(struct strbuf *);
void	 strbuf_reset(struct strbuf *);
void	 strbuf_free(struct strbuf *);

/*
 * Append s to sb quoted for a POSIX shell: bare when it needs no quoting,
 * else in single quotes with ' written as '\''.  eval gives back s exactly.
 */
void	 shell_quote(struct strbuf *, const char *s);
/* Always in single quotes: 'it'\''s'. */
void	 shell_quote_single(struct strbuf *, const char *s);
/* shell_quote, returning a fresh string. */
char	*shell_quote_str(const char *s);

/* Append s to sb as a JSON string literal (with the quotes), always
   valid UTF-8: a byte that is not part of a valid character (what a
   client or a node may send) becomes \ufffd. */
void	 json_quote(struct strbuf *, const char *s);

/*
 * Make *msg (malloc'd, replaced) one line of valid UTF-8 that writes
 * nothing but text to a terminal: newline, return and tab as \n \r \t,
 * other control characters and bytes that are not UTF-8 as \xNN, cut
 * with "..." after MSG_MAX bytes.  A value a message quotes (from a
 * config, a command line, a client) then cannot split it into lines or
 * send escape sequences.
 */
#define MSG_MAX		2048
void	 msg_clean(char **msg);

/* Milliseconds of CLOCK_MONOTONIC, and of the wall clock. */
int64_t	 now_ms(void);
int64_t	 wall_ms(void);

/* Free a NULL-terminated vector of strings and the vector itself. */
void	 strv_free(char **);
/* Number of entries in a NULL-terminated vector. */
size_t	 strv_len(char *const *);

/* Parse a decimal int in [min, max]; 0 on success, -1 otherwise. */
int	 parse_int(const char *, long min, long max, int *out);

/* Set or clear O_NONBLOCK / FD_CLOEXEC on fd; 0 or -1 with errno. */
int	 fd_set_nonblock(int fd);
int	 fd_set_cloexec(int fd);

/* Most fds fd_send and fd_recv carry in one message. */
#define FD_PASS_MAX	4

/*
 * Send len bytes of buf on the unix socket sock with nfds (at most
 * FD_PASS_MAX) fds as SCM_RIGHTS, retrying on EINTR; flags as send(2).
 * The bytes sent, or -1 with errno.
 */
ssize_t	 fd_send(int sock, const void *buf, size_t len, const int *fds,
	     size_t nfds, int flags);
/*
 * Receive a message of at most len bytes and up to maxfds (at most
 * FD_PASS_MAX) fds, close-on-exec, retrying on EINTR: the bytes (0 at
 * EOF) or -1, and *nfds.  Fds cut off for want of room in this process's
 * table, or beyond maxfds, are closed and none is returned.
 */
ssize_t	 fd_recv(int sock, void *buf, size_t len, int *fds, size_t maxfds,
	     size_t *nfds);

#endif
