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

#endif
