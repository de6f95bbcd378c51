/*
 * A node's scrollback: a ring of line pointers that grows up to its line
 * cap, and drops the oldest line in O(1) when a line or byte cap is hit.
 * The lines themselves are copied, one after the other, into chunks the
 * scrollback owns: a chunk is freed (or kept as the spare) once its last
 * line is dropped, so a steady stream of lines calls no malloc or free.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nodemux/line.h"
#include "nodemux/scrollback.h"
#include "nodemux/util.h"

/* Under ASan, dropped lines and the unused part of a chunk are poisoned,
   so that a front end holding a line past its drop is caught. */
#if defined(__SANITIZE_ADDRESS__)
#define SCROLLBACK_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SCROLLBACK_ASAN 1
#endif
#endif
#ifdef SCROLLBACK_ASAN
#include <sanitizer/asan_interface.h>
#define SCROLLBACK_POISON(p, n)		ASAN_POISON_MEMORY_REGION((p), (n))
#define SCROLLBACK_UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define SCROLLBACK_POISON(p, n)		((void)(p), (void)(n))
#define SCROLLBACK_UNPOISON(p, n)	((void)(p), (void)(n))
#endif

#define SCROLLBACK_DEFAULT_LINES	10000
#define SCROLLBACK_CHUNK_MIN	(4 * 1024)	/* a scrollback's first chunk */
#define SCROLLBACK_CHUNK_MAX	(64 * 1024)	/* chunks double up to this */
/* A line bigger than this gets a chunk of its own, so that what a chunk
   cannot fit at its end (and wastes) is under a quarter of it. */
#define SCROLLBACK_OWN		(SCROLLBACK_CHUNK_MAX / 4)
#define SCROLLBACK_ALIGN(n)	(((n) + 7) & ~(size_t)7)

/* A block of lines, stored in the order they were pushed. */
struct scrollback_chunk {
	struct scrollback_chunk	*next;		/* the next newer chunk */
	size_t			 size;		/* bytes for lines */
	size_t			 used;
	size_t			 lines;		/* lines held in it */
};
/* Lines start 8-byte aligned, after the chunk's header. */
_Static_assert(sizeof (struct scrollback_chunk) % 8 == 0,
    "scrollback_chunk must keep lines aligned");

struct scrollback {
	struct line	**ring;
	uint32_t	 *sizes;	/* line_size() of each ring slot's line:
					   a drop need not touch the line */
	size_t		  cap;		/* slots allocated */
	size_t		  head;		/* slot of the oldest line */
	size_t		  count;
	size_t		  bytes;	/* line_size() of every line held */
	size_t		  max_lines;
	size_t		  max_bytes;	/* 0: no byte cap */
	uint64_t	  dropped;
	scrollback_drop_cb drop_cb;
	void		 *drop_arg;

	struct scrollback_chunk *oldest;	/* the one to drop from */
	struct scrollback_chunk *newest;	/* the one to push into */
	struct scrollback_chunk *spare;		/* dead, SCROLLBACK_CHUNK_MAX */
	size_t		  chunk_next;	/* size of the next new chunk */
};

struct scrollback *
scrollback_new(size_t max_lines, size_t max_bytes)
{
	struct scrollback	*sb;

	sb = xcalloc(1, sizeof *sb);
	sb->max_lines = max_lines != 0 ? max_lines : SCROLLBACK_DEFAULT_LINES;
	sb->max_bytes = max_bytes;
	sb->chunk_next = SCROLLBACK_CHUNK_MIN;
	return sb;
}

void
scrollback_free(struct scrollback *sb)
{
	struct scrollback_chunk	*ch, *next;

	if (sb == NULL)
		return;
	for (ch = sb->oldest; ch != NULL; ch = next) {
		next = ch->next;
		free(ch);
	}
	free(sb->spare);
	free(sb->ring);
	free(sb->sizes);
	free(sb);
}

/* The first byte of a chunk's lines. */
static inline char *
scrollback_data(struct scrollback_chunk *ch)
{
	return (char *)(ch + 1);
}

/* A chunk nothing lives in any more: keep it as the spare, or free it. */
static void
scrollback_chunk_discard(struct scrollback *sb, struct scrollback_chunk *ch)
{
	if (sb->spare == NULL &&
	    ch->size + sizeof *ch == SCROLLBACK_CHUNK_MAX) {
		SCROLLBACK_POISON(scrollback_data(ch), ch->size);
		sb->spare = ch;
	} else
		free(ch);
}

/* The oldest chunk's last line was dropped: retire the chunk. */
static void
scrollback_chunk_retire(struct scrollback *sb)
{
	struct scrollback_chunk	*ch = sb->oldest;

	if (ch == sb->newest) {
		ch->used = 0;		/* the only one: start it again */
		return;
	}
	sb->oldest = ch->next;
	scrollback_chunk_discard(sb, ch);
}

/*
 * A new newest chunk with room for need bytes: the spare if it will do,
 * else one twice as big as the last (up to SCROLLBACK_CHUNK_MAX), or one
 * of its own for a big line.
 */
static struct scrollback_chunk *
scrollback_chunk_new(struct scrollback *sb, size_t need)
{
	struct scrollback_chunk	*ch;
	size_t			 total;

	if (need <= SCROLLBACK_OWN && sb->spare != NULL) {
		ch = sb->spare;
		sb->spare = NULL;
	} else {
		if (need > SCROLLBACK_OWN)
			total = sizeof *ch + need;
		else {
			total = sb->chunk_next;
			while (total - sizeof *ch < need)
				total *= 2;
			sb->chunk_next = total < SCROLLBACK_CHUNK_MAX ?
			    total * 2 : SCROLLBACK_CHUNK_MAX;
		}
		ch = xmalloc(total);
		ch->size = total - sizeof *ch;
		SCROLLBACK_POISON(scrollback_data(ch), ch->size);
	}
	ch->next = NULL;
	ch->used = 0;
	ch->lines = 0;
	if (sb->newest != NULL)
		sb->newest->next = ch;
	else
		sb->oldest = ch;
	sb->newest = ch;
	return ch;
}

/* Room for a line of need bytes (a multiple of 8) in the newest chunk. */
static struct line *
scrollback_alloc(struct scrollback *sb, size_t need)
{
	struct scrollback_chunk	*ch = sb->newest;
	char			*p;

	if (ch == NULL || ch->size - ch->used < need) {
		/* An empty chunk can only be the only one (after a clear). */
		if (ch != NULL && ch->lines == 0) {
			sb->oldest = sb->newest = NULL;
			scrollback_chunk_discard(sb, ch);
		}
		ch = scrollback_chunk_new(sb, need);
	}
	p = scrollback_data(ch) + ch->used;
	SCROLLBACK_UNPOISON(p, need);
	ch->used += need;
	ch->lines++;
	return (struct line *)p;
}

/* Copy l, its runs and its text into s, which has line_size(l) bytes. */
static void
scrollback_copy(struct line *s, const struct line *l)
{
	char	*p = (char *)(s + 1);
	size_t	 rsize = l->nruns * sizeof *l->runs;

	*s = *l;
	s->runs = NULL;
	if (rsize != 0) {
		s->runs = (struct attr_run *)p;
		if (l->nruns == 1)	/* the common case: no call */
			s->runs[0] = l->runs[0];
		else
			memcpy(p, l->runs, rsize);
		p += rsize;
	}
	s->text = p;
	if (l->len != 0)
		memcpy(p, l->text, l->len);
	p[l->len] = '\0';
}

/* The ring slot of the i-th oldest line (i <= count < cap or i < cap):
   no division, which costs more than the rest of a push. */
static inline size_t
scrollback_slot(const struct scrollback *sb, size_t i)
{
	size_t	 slot = sb->head + i;

	return slot >= sb->cap ? slot - sb->cap : slot;
}

/* Drop the oldest line; its chunk goes once it holds no line. */
static void
scrollback_drop(struct scrollback *sb)
{
	struct line	*l = sb->ring[sb->head];
	size_t		 size = sb->sizes[sb->head];

	/* Long out of the cache: only the hook reads the line itself. */
	if (sb->drop_cb != NULL)
		sb->drop_cb(sb->drop_arg, l);
	sb->bytes -= size;
	SCROLLBACK_POISON(l, SCROLLBACK_ALIGN(size));
	if (--sb->oldest->lines == 0)
		scrollback_chunk_retire(sb);
	sb->ring[sb->head] = NULL;
	sb->head = sb->head + 1 == sb->cap ? 0 : sb->head + 1;
	sb->count--;
	sb->dropped++;
}

/* Double the ring (up to max_lines), unrolling it to start at slot 0. */
static void
scrollback_grow(struct scrollback *sb)
{
	struct line	**ring;
	uint32_t	 *sizes;
	size_t		  cap, i, slot;

	cap = sb->cap != 0 ? sb->cap * 2 : 64;
	if (cap > sb->max_lines)
		cap = sb->max_lines;
	ring = xreallocarray(NULL, cap, sizeof *ring);
	sizes = xreallocarray(NULL, cap, sizeof *sizes);
	for (i = 0; i < sb->count; i++) {
		slot = (sb->head + i) % sb->cap;
		ring[i] = sb->ring[slot];
		sizes[i] = sb->sizes[slot];
	}
	free(sb->ring);
	free(sb->sizes);
	sb->ring = ring;
	sb->sizes = sizes;
	sb->cap = cap;
	sb->head = 0;
}

const struct line *
scrollback_push(struct scrollback *sb, const struct line *l)
{
	size_t		 size = line_size(l), slot;
	struct line	*s;

	if (sb->count == sb->max_lines)
		scrollback_drop(sb);
	/* The newest line stays even when it alone is over the byte cap. */
	while (sb->count > 0 && sb->max_bytes != 0 &&
	    sb->bytes + size > sb->max_bytes)
		scrollback_drop(sb);
	if (sb->count == sb->cap)
		scrollback_grow(sb);
	/* Dropped first: a chunk they free can take the new line. */
	s = scrollback_alloc(sb, SCROLLBACK_ALIGN(size));
	scrollback_copy(s, l);
	slot = scrollback_slot(sb, sb->count);
	sb->ring[slot] = s;
	sb->sizes[slot] = (uint32_t)size;	/* lines are capped far below */
	sb->count++;
	sb->bytes += size;
	return s;
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
