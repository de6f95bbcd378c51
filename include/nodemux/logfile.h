/*
 * Node log files: every completed line of a node, escape sequences
 * removed, appended to <log_dir>/<node name>.log and flushed per read
 * batch so that a crash of nodemux loses nothing already read.
 */
#ifndef NODEMUX_LOGFILE_H
#define NODEMUX_LOGFILE_H

#include <stddef.h>

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

/* Queue a line's text and a newline (flushed at once when the queue
   passes 64 KiB). */
void		 logfile_add(struct logfile *, const struct line *);
/* Queue len bytes of text and a newline. */
void		 logfile_add_text(struct logfile *, const char *text, size_t len);

/*
 * Write what is queued.  A write error is reported once: the failure
 * returns -1 with *cause ("write log/x.log: No space left on device");
 * while writes keep failing, flushes drop what they cannot write (memory
 * stays bounded) and return 0; once a write works again, a new failure
 * is reported again.  Nothing here stops a node.
 */
int		 logfile_flush(struct logfile *, char **cause);

const char	*logfile_path(const struct logfile *);
/* Bytes written to the file by this logfile, and bytes dropped on errors. */
unsigned long long logfile_written(const struct logfile *);
unsigned long long logfile_lost(const struct logfile *);

#endif
