/*
 * A node's scrollback: a ring of line pointers that grows up to its line
 * cap, and drops the oldest line in O(1) when a line or byte cap is hit.
 */
#include "config.h"

#include <stdlib.h>

#include "nodemux/line.h"
#include "nodemux/scrollback.h"
#include "nodemux/util.h"

#define SCROLLBACK_DEFAULT_LINES	10000
#define SCROLLBACK_PREFETCH		8	/* lines ahead of the next drop */

struct scrollback {
	struct line	**ring;
	size_t		  cap;		/* slots allocated */
	size_t		  head;		/* slot of the oldest line */
	size_t		  count;
	size_t		  bytes;	/* line_size() of every line held */
	size_t		  max_lines;
	size_t		  max_bytes;	/* 0: no byte cap */
	uint64_t	  dropped;
	scrollback_drop_cb drop_cb;
	void		 *drop_arg;
};

struct scrollback *
scrollback_new(size_t max_lines, size_t max_bytes)
{
	struct scrollback	*sb;

	sb = xcalloc(1, sizeof *sb);
	sb->max_lines = max_lines != 0 ? max_lines : SCROLLBACK_DEFAULT_LINES;
	sb->max_bytes = max_bytes;
	return sb;
}

void
scrollback_free(struct scrollback *sb)
{
	if (sb == NULL)
		return;
	sb->drop_cb = NULL;	/* its owner may be gone already */
	scrollback_clear(sb);
	free(sb->ring);
	free(sb);
}

/* The ring slot of the i-th oldest line (i <= count < cap or i < cap):
   no division, which costs more than the rest of a push. */
static inline size_t
scrollback_slot(const struct scrollback *sb, size_t i)
{
	size_t	 slot = sb->head + i;

	return slot >= sb->cap ? slot - sb->cap : slot;
}

/* Drop the oldest line. */
static void
scrollback_drop(struct scrollback *sb)
{
	struct line	*l = sb->ring[sb->head];

	if (sb->drop_cb != NULL)
		sb->drop_cb(sb->drop_arg, l);
	sb->bytes -= line_size(l);
	line_free(l);
	sb->ring[sb->head] = NULL;
	sb->head = sb->head + 1 == sb->cap ? 0 : sb->head + 1;
	sb->count--;
	sb->dropped++;
	/* A full ring drops a line per push, and the oldest lines are long
	   out of the cache: fetch one a few drops ahead (and its malloc
	   header) now, so that the miss overlaps the work until then; and
	   the ring slot that will name the one after, twice as far ahead. */
	if (sb->count > 2 * SCROLLBACK_PREFETCH)
		__builtin_prefetch(&sb->ring[scrollback_slot(sb,
		    2 * SCROLLBACK_PREFETCH)]);
	if (sb->count > SCROLLBACK_PREFETCH) {
		l = sb->ring[scrollback_slot(sb, SCROLLBACK_PREFETCH)];
		__builtin_prefetch(l);
		__builtin_prefetch((char *)l - sizeof (size_t));
	}
}

/* Double the ring (up to max_lines), unrolling it to start at slot 0. */
static void
scrollback_grow(struct scrollback *sb)
{
	struct line	**ring;
	size_t		  cap, i;

	cap = sb->cap != 0 ? sb->cap * 2 : 64;
	if (cap > sb->max_lines)
		cap = sb->max_lines;
	ring = xreallocarray(NULL, cap, sizeof *ring);
	for (i = 0; i < sb->count; i++)
		ring[i] = sb->ring[(sb->head + i) % sb->cap];
	free(sb->ring);
	sb->ring = ring;
	sb->cap = cap;
	sb->head = 0;
}

void
scrollback_push(struct scrollback *sb, struct line *l)
{
	size_t	 size = line_size(l);

	if (sb->count == sb->max_lines)
		scrollback_drop(sb);
	/* The newest line stays even when it alone is over the byte cap. */
	while (sb->count > 0 && sb->max_bytes != 0 &&
	    sb->bytes + size > sb->max_bytes)
		scrollback_drop(sb);
	if (sb->count == sb->cap)
		scrollback_grow(sb);
	sb->ring[scrollback_slot(sb, sb->count)] = l;
	sb->count++;
	sb->bytes += size;
}

size_t
scrollback_count(const struct scrollback *sb)
{
	return sb->count;
}

const struct line *
scrollback_get(const struct scrollback *sb, size_t i)
{
	if (i >= sb->count)
		return NULL;
	return sb->ring[scrollback_slot(sb, i)];
}

uint64_t
scrollback_dropped(const struct scrollback *sb)
{
	return sb->dropped;
}

void
scrollback_clear(struct scrollback *sb)
{
	while (sb->count > 0)
		scrollback_drop(sb);
	sb->head = 0;
	sb->dropped = 0;
}

size_t
scrollback_bytes(const struct scrollback *sb)
{
	return sb->bytes;
}

size_t
scrollback_find_seq(const struct scrollback *sb, uint64_t seq)
{
	size_t	 lo = 0, hi = sb->count;

	while (lo < hi) {
		size_t	 mid = lo + (hi - lo) / 2;

		if (scrollback_get(sb, mid)->seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void
scrollback_on_drop(struct scrollback *sb, scrollback_drop_cb cb, void *arg)
{
	sb->drop_cb = cb;
	sb->drop_arg = arg;
}
