/*
 * Node log files: every completed line of a node, escape sequences
 * removed, appended to <log_dir>/<node name>.log.  A crash of nodemux
 * loses nothing already read: either the caller flushes after every read,
 * or the queue is shared with a rescuer (logfile_share) that writes out
 * what is left should nodemux die, even by SIGKILL, and the caller
 * flushes when it likes (64 KiB writes instead of 4 KiB ones).
 */
#ifndef NODEMUX_LOGFILE_H
#define NODEMUX_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "nodemux/line.h"

struct logfile;

/*
 * Open path for appending (O_APPEND, O_CLOEXEC, mode 0644), creating its
 * parent directories (mode 0755) as mkdir -p does.  NULL and *cause
 * ("cannot create directory log/x: Permission denied") on failure.
 */
struct logfile	*logfile_open(const char *path, char **cause);
/* Flush, close and free; NULL is a no-op. */
void		 logfile_close(struct logfile *);

/* Queue a line's text and a newline (what is queued is written first
   when the queue's 64 KiB would not hold it). */
void		 logfile_add(struct logfile *, const struct line *);
/* Queue len bytes of text and a newline. */
void		 logfile_add_text(struct logfile *, const char *text, size_t len);
/* Queue n texts (text[i], len[i] bytes), each and a newline. */
void		 logfile_add_many(struct logfile *, const char *const *text,
		    const uint32_t *len, size_t n);

/*
 * Write what is queued.  A write error is reported once: the failure
 * returns -1 with *cause ("write log/x.log: No space left on device");
 * while writes keep failing, flushes drop what they cannot write (memory
 * stays bounded) and return 0; once a write works again, a new failure
 * is reported again.  Nothing here stops a node.
 */
int		 logfile_flush(struct logfile *, char **cause);

/* Bytes queued and not yet written. */
size_t		 logfile_queued(const struct logfile *);

/*
 * Give a rescuer the log's descriptors: fd, the file, and stage_fd, a
 * memfd now holding the queue.  It keeps its own copies (they are closed
 * here after the call) and returns 0, or -1 when it cannot take them.
 */
typedef int	(*logfile_give_cb)(void *arg, int fd, int stage_fd);

/*
 * Move the queue into a memfd and offer it to give().  0 once a rescuer
 * holds it (or already did); -1 when the queue stays private (no memfd,
 * or give() refused).
 */
int		 logfile_share(struct logfile *, logfile_give_cb give,
		    void *arg);
/* Take the queue back from a rescuer that has gone: private again
   (logfile_share may offer it to another). */
void		 logfile_unshare(struct logfile *);
/* Is the queue held by a rescuer too? */
int		 logfile_shared(const struct logfile *);

/*
 * In the rescuer, after the process that queued has died: append to fd
 * what the queue in stage_fd still holds.  A write cut short by the death
 * is finished from where the file's size says it stopped, so no byte is
 * written twice (unless something else appended to or truncated the file
 * during that last write).  0, or -1 on a bad stage or a write error.
 */
int		 logfile_rescue(int fd, int stage_fd);

const char	*logfile_path(const struct logfile *);
/* Bytes written to the file by this logfile, and bytes dropped on errors. */
unsigned long long logfile_written(const struct logfile *);
unsigned long long logfile_lost(const struct logfile *);

#endif
