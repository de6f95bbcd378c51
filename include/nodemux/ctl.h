/*
 * The control socket (SPEC §8): a running console listens on a Unix
 * socket; `nodemux ctl` sends one request line and reads JSON lines back.
 */
#ifndef NODEMUX_CTL_H
#define NODEMUX_CTL_H

#include "nodemux/cluster.h"
#include "nodemux/line.h"
#include "nodemux/loop.h"

struct ctl;

/*
 * The default socket for a config named name: $XDG_RUNTIME_DIR/nodemux/
 * NAME.sock, else /tmp/nodemux-UID/NAME.sock.  A fresh string.
 */
char		*ctl_default_path(const char *name);

/*
 * Listen on path (directory made 0700, socket 0600), answering from
 * cluster c; quit(arg) is called for the "quit" request.  A stale socket
 * is replaced.  NULL and *cause when it cannot listen; *running is set
 * to 1 when another console already answers on path.
 */
struct ctl	*ctl_open(const char *path, struct loop *, struct cluster *c,
		    void (*quit)(void *), void *arg, int *running,
		    char **cause);
/* A request line, parsed (ctl_parse). */
struct ctl_req {
	const char	*verb;		/* "status", "logs"... */
	int		 index;		/* of the verb in ctl.c's table */
	int		 node;		/* 0-based node, -1 for all */
	int		 follow;	/* logs N follow */
	const char	*grep;		/* logs N grep RE: RE, in the line */
};

/*
 * Parse request line req (no newline; edited in place) for a cluster of
 * nnodes nodes.  0 and *r, or -1 and *error: the message the client is
 * answered with.  Checks only the words, never the cluster's state.
 */
int		 ctl_parse(char *req, int nnodes, struct ctl_req *r,
		    char **error);
/* Close every client, stop listening and remove the socket. */
void		 ctl_close(struct ctl *);

/*
 * The client: connect to path, send request (one line, no newline), call
 * out(arg, line) for each response line until the server closes.  0, or
 * -1 and *cause (naming path) when nobody listens.
 */
int		 ctl_request(const char *path, const char *request,
		    int (*out)(void *, const char *), void *arg, char **cause);

/* Fill sun for path; connect to path (the fd, or -1 and errno): a live
   console answers, a stale socket refuses. */
struct sockaddr_un;
int		 ctl_addr(const char *path, struct sockaddr_un *, char **cause);
int		 ctl_connect(const char *path);

#endif
