/*
 * A node's scrollback: a ring of its last lines, capped both in lines
 * and in bytes.  Dropping the oldest line is O(1).
 */
#ifndef NODEMUX_SCROLLBACK_H
#define NODEMUX_SCROLLBACK_H

#include <stddef.h>
#include <stdint.h>

#include "nodemux/line.h"

struct scrollback;

struct scrollback *scrollback_new(size_t max_lines, size_t max_bytes);
void		 scrollback_free(struct scrollback *);

/* Append l (the scrollback owns it), dropping the oldest as needed. */
void		 scrollback_push(struct scrollback *, struct line *l);
/* Lines held, and line i (0 is the oldest held). */
size_t		 scrollback_count(const struct scrollback *);
const struct line *scrollback_get(const struct scrollback *, size_t i);
/* Lines dropped since creation or the last clear. */
uint64_t	 scrollback_dropped(const struct scrollback *);
void		 scrollback_clear(struct scrollback *);

/* Added by the output model. */
/* Bytes held (line_size() of every line), what max_bytes caps.  A
   max_lines of 0 means 10000; a max_bytes of 0 means no byte cap. */
size_t		 scrollback_bytes(const struct scrollback *);
/* Index of the first line whose seq is >= seq (scrollback_count() when
   none), by binary search: lines are pushed in seq order. */
size_t		 scrollback_find_seq(const struct scrollback *, uint64_t seq);
/*
 * Call cb with each line just before the scrollback frees it (dropped at
 * a cap, or cleared; not by scrollback_free), so that a running count (search matches per node)
 * can follow what is held without recounting.  NULL cb: none.
 */
typedef void	(*scrollback_drop_cb)(void *arg, const struct line *);
void		 scrollback_on_drop(struct scrollback *, scrollback_drop_cb,
		    void *arg);

#endif
