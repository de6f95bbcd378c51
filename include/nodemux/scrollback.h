/*
 * A node's scrollback: a ring of its last lines, capped both in lines
 * and in bytes.  Lines are copied into chunks the scrollback owns, so a
 * steady stream of lines allocates nothing.  Dropping the oldest is O(1).
 */
#ifndef NODEMUX_SCROLLBACK_H
#define NODEMUX_SCROLLBACK_H

#include <stddef.h>
#include <stdint.h>

#include "nodemux/line.h"

struct scrollback;

struct scrollback *scrollback_new(size_t max_lines, size_t max_bytes);
void		 scrollback_free(struct scrollback *);

/*
 * Append a copy of l (its text, runs, seq, time, node and flags; l stays
 * the caller's), dropping the oldest lines as the caps require.  Returns
 * the copy, which stays valid until it is dropped or cleared, as every
 * line scrollback_get returns does.
 */
const struct line *scrollback_push(struct scrollback *, const struct line *l);
/* Lines held, and line i (0 is the oldest held). */
size_t		 scrollback_count(const struct scrollback *);
const struct line *scrollback_get(const struct scrollback *, size_t i);
/* Lines dropped since creation or the last clear. */
uint64_t	 scrollback_dropped(const struct scrollback *);
void		 scrollback_clear(struct scrollback *);

/* Added by the output model. */
/* Bytes held (line_size() of every line), what max_bytes caps.  A
   max_lines of 0 means 10000; a max_bytes of 0 means no byte cap.  The
   memory taken is a little more: lines are 8-byte aligned, and the chunks
   have their tails and one spare. */
size_t		 scrollback_bytes(const struct scrollback *);
/* Index of the first line whose seq is >= seq (scrollback_count() when
   none), by binary search: lines are pushed in seq order. */
size_t		 scrollback_find_seq(const struct scrollback *, uint64_t seq);
/*
 * Call cb with each line just before the scrollback drops it (at a cap,
 * or cleared; not by scrollback_free), so that a running count (search
 * matches per node) can follow what is held without recounting.  NULL
 * cb: none.
 */
typedef void	(*scrollback_drop_cb)(void *arg, const struct line *);
void		 scrollback_on_drop(struct scrollback *, scrollback_drop_cb,
		    void *arg);

#endif
