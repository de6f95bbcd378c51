/*
 * A node's scrollback: its last lines, copied one after the other into
 * chunks it owns, each a slotted page: compact records from the front,
 * a 2-byte slot per record from the back.  A record is 10 bytes of
 * header (seq and time as deltas from the chunk's, length) and the text,
 * 2-byte aligned; only a line with colours or flags (4-byte aligned)
 * carries its runs.  Dropping the oldest line is O(1); finding line i is
 * a binary search over chunks.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "nodemux/line.h"
#include "nodemux/scrollback.h"
#include "nodemux/util.h"

/* Under ASan, dropped records and the unused part of a chunk are
   poisoned, so that a front end reading a line past its drop is caught
   (records are 4-byte aligned, so ASan's 8-byte granules make this
   approximate, never wrong). */
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
#define SCROLLBACK_CHUNK_MIN	(2 * 1024)	/* a scrollback's first chunk */
#define SCROLLBACK_CHUNK_MAX	(32 * 1024)	/* chunks double up to this */
/* A record bigger than this gets a chunk of its own, so that what a
   chunk cannot fit at its end (and wastes) is under a quarter of it. */
#define SCROLLBACK_OWN		(SCROLLBACK_CHUNK_MAX / 4)
#define SCROLLBACK_ALIGN(n)	(((n) + 1) & ~(size_t)1)
#define SCROLLBACK_SLOT		sizeof (uint16_t)
/* Records are 2-byte aligned and slots count 2-byte units: a shared
   chunk is far below 128 KiB, and a chunk of its own holds one record,
   at 0. */
#define SCROLLBACK_UNIT		2

/* A record's header (10 bytes, 2-byte aligned); len SCROLLBACK_EXT: the
   record starts 4-byte aligned and a struct scrollback_ext (at 12) and
   the runs follow, then the text. */
struct scrollback_rec {
	uint32_t	 dseq;		/* seq - the chunk's base_seq */
	int32_t		 dtime;		/* time_ms - the chunk's base_time */
	uint16_t	 len;		/* text bytes, or SCROLLBACK_EXT */
} __attribute__((packed, aligned(2)));
#define SCROLLBACK_EXT		0xffffu
#define SCROLLBACK_EXT_AT	12	/* where the ext part starts */

struct scrollback_ext {
	uint32_t	 len;
	uint32_t	 nruns;
	uint32_t	 flags;
};

/* A block of records in the order they were pushed. */
struct scrollback_chunk {
	uint64_t	 base_seq;	/* the first record's */
	int64_t		 base_time;
	size_t		 first;		/* number of its first record since
					   the scrollback was made */
	int		 node;		/* every record's */
	uint32_t	 size;		/* bytes for records and slots */
	uint32_t	 used;		/* record bytes from the front */
	uint32_t	 lines;		/* records (and slots) */
	uint32_t	 dead;		/* of them, dropped (the oldest) */
};
_Static_assert(sizeof (struct scrollback_chunk) % 8 == 0,
    "scrollback_chunk must keep records aligned");

struct scrollback {
	struct scrollback_chunk **chunks;	/* oldest first */
	size_t		  nchunks;
	size_t		  chunks_cap;
	size_t		  first;	/* number of the oldest held line */
	size_t		  count;
	size_t		  bytes;	/* scrollback_line_bytes() of each */
	size_t		  max_lines;
	size_t		  max_bytes;	/* 0: no byte cap */
	uint64_t	  dropped;
	size_t		  chunk_next;	/* size of the next new chunk */
	scrollback_drop_cb drop_cb;
	void		 *drop_arg;
	struct line	  pushed;	/* what scrollback_push returned */
	size_t		  hint;		/* the chunk the last look-up found:
					   walks (search, drawing) stay in
					   it for hundreds of lines */
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
	size_t	 i;

	if (sb == NULL)
		return;
	for (i = 0; i < sb->nchunks; i++)
		free(sb->chunks[i]);
	free(sb->chunks);
	free(sb);
}

/* The first byte of a chunk's records. */
static inline char *
scrollback_data(const struct scrollback_chunk *ch)
{
	return (char *)(ch + 1);
}

/* Slot j of a chunk: where record j starts, in SCROLLBACK_UNIT units. */
static inline uint16_t *
scrollback_slot(const struct scrollback_chunk *ch, size_t j)
{
	return (uint16_t *)(scrollback_data(ch) + ch->size) - 1 - j;
}

/* Record j of a chunk. */
static inline const struct scrollback_rec *
scrollback_rec(const struct scrollback_chunk *ch, size_t j)
{
	return (const struct scrollback_rec *)(scrollback_data(ch) +
	    (size_t)*scrollback_slot(ch, j) * SCROLLBACK_UNIT);
}

/* Bytes record j takes, its slot included. */
static inline size_t
scrollback_rec_bytes(const struct scrollback_chunk *ch, size_t j)
{
	size_t	 end;

	end = j + 1 < ch->lines ?
	    (size_t)*scrollback_slot(ch, j + 1) * SCROLLBACK_UNIT : ch->used;
	return end - (size_t)*scrollback_slot(ch, j) * SCROLLBACK_UNIT +
	    SCROLLBACK_SLOT;
}

/* Does l need its runs and flags kept (anything but plain text)? */
static inline int
scrollback_is_ext(const struct line *l)
{
	const struct attr	*a;

	if (l->flags != 0 || l->nruns > 1 || l->len >= SCROLLBACK_EXT)
		return 1;
	if (l->nruns == 0)
		return 0;
	a = &l->runs[0].attr;
	return a->fg != COLOUR_DEFAULT || a->bg != COLOUR_DEFAULT ||
	    a->flags != 0;
}

/* What holding l costs; ext: scrollback_is_ext(l). */
static inline size_t
scrollback_size(const struct line *l, int ext)
{
	size_t	 n = sizeof (struct scrollback_rec) + l->len + 1;

	if (ext)
		n = SCROLLBACK_EXT_AT + sizeof (struct scrollback_ext) +
		    l->nruns * sizeof *l->runs + l->len + 1;
	return SCROLLBACK_ALIGN(n) + SCROLLBACK_SLOT;
}

size_t
scrollback_line_bytes(const struct line *l)
{
	return scrollback_size(l, scrollback_is_ext(l));
}

/* Fill v with record j of chunk ch: its text and runs stay in place. */
static inline __attribute__((always_inline)) void
scrollback_view(const struct scrollback_chunk *ch, size_t j, struct line *v)
{
	const struct scrollback_rec	*r = scrollback_rec(ch, j);
	const struct scrollback_ext	*e;
	const char			*p = (const char *)(r + 1);
	uint16_t			 len = r->len;

	v->seq = ch->base_seq + r->dseq;
	v->time_ms = ch->base_time + r->dtime;
	v->node = ch->node;
	v->len = len;
	v->flags = 0;
	v->nruns = 0;
	v->runs = NULL;
	if (__builtin_expect(len == SCROLLBACK_EXT, 0)) {
		e = (const struct scrollback_ext *)((const char *)r +
		    SCROLLBACK_EXT_AT);
		v->len = e->len;
		v->flags = (uint16_t)e->flags;
		v->nruns = e->nruns;
		p = (const char *)(e + 1);
		if (v->nruns > 0)
			v->runs = (struct attr_run *)p;
		p += v->nruns * sizeof *v->runs;
	}
	v->text = (char *)p;
}

/* A chunk nothing lives in any more. */
static void
scrollback_chunk_free(struct scrollback_chunk *ch)
{
	free(ch);
}

/* The oldest chunk's last record was dropped: retire the chunk, or
   start it again when it is the only one. */
static void
scrollback_chunk_retire(struct scrollback *sb)
{
	struct scrollback_chunk	*ch = sb->chunks[0];

	if (sb->nchunks == 1) {
		SCROLLBACK_POISON(scrollback_data(ch), ch->size);
		ch->used = ch->lines = ch->dead = 0;
		ch->first = sb->first;
		return;
	}
	scrollback_chunk_free(ch);
	sb->nchunks--;
	memmove(sb->chunks, sb->chunks + 1, sb->nchunks * sizeof *sb->chunks);
}

/*
 * A new newest chunk with room for need bytes (record and slot): twice as big as the last (up to SCROLLBACK_CHUNK_MAX), or one of
 * its own for a big record.
 */
static struct scrollback_chunk *
scrollback_chunk_new(struct scrollback *sb, size_t need)
{
	struct scrollback_chunk	*ch;
	size_t			 total;

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
	ch->size = (uint32_t)(total - sizeof *ch);
	SCROLLBACK_POISON(scrollback_data(ch), ch->size);
	ch->used = ch->lines = ch->dead = 0;
	ch->first = sb->first + sb->count;
	if (sb->nchunks == sb->chunks_cap) {
		sb->chunks_cap = sb->chunks_cap != 0 ? sb->chunks_cap * 2 : 4;
		sb->chunks = xreallocarray(sb->chunks, sb->chunks_cap,
		    sizeof *sb->chunks);
	}
	sb->chunks[sb->nchunks++] = ch;
	return ch;
}

/* The padding before a record of l in ch: an ext record starts 4-byte
   aligned (for its runs); the padding counts as the previous record's. */
static inline size_t
scrollback_pad(const struct scrollback_chunk *ch, int ext)
{
	return ext ? ch->used & 2 : 0;
}

/* Can chunk ch take l, of need bytes (record and slot)? */
static inline int
scrollback_fits(const struct scrollback_chunk *ch, const struct line *l,
    size_t need, int ext)
{
	int64_t	 dtime;

	if (ch->size - ch->used - ch->lines * SCROLLBACK_SLOT <
	    need + scrollback_pad(ch, ext))
		return 0;
	if (ch->lines == 0)
		return 1;
	dtime = l->time_ms - ch->base_time;
	return l->node == ch->node && l->seq >= ch->base_seq &&
	    l->seq - ch->base_seq <= UINT32_MAX && dtime >= INT32_MIN &&
	    dtime <= INT32_MAX;
}

/*
 * Write l as the next record of ch (which has room), slot included, and
 * make v the view of it.  Returns the bytes taken: need and the padding
 * before an ext record.
 */
static inline __attribute__((always_inline)) size_t
scrollback_write(struct scrollback_chunk *ch, const struct line *l,
    size_t need, int ext, struct line *v)
{
	size_t			 pad = scrollback_pad(ch, ext);
	struct scrollback_rec	*r;
	struct scrollback_ext	*e;
	uint16_t		*slot;
	char			*p;

	if (ch->lines == 0) {
		ch->base_seq = l->seq;
		ch->base_time = l->time_ms;
		ch->node = l->node;
	}
	ch->used += (uint32_t)pad;
	p = scrollback_data(ch) + ch->used;
	SCROLLBACK_UNPOISON(p, need - SCROLLBACK_SLOT);
	slot = scrollback_slot(ch, ch->lines);
	SCROLLBACK_UNPOISON(slot, SCROLLBACK_SLOT);
	*slot = (uint16_t)(ch->used / SCROLLBACK_UNIT);
	r = (struct scrollback_rec *)p;
	r->dseq = (uint32_t)(l->seq - ch->base_seq);
	r->dtime = (int32_t)(l->time_ms - ch->base_time);
	r->len = (uint16_t)l->len;
	p = (char *)(r + 1);
	*v = *l;
	v->flags = 0;
	v->nruns = 0;
	v->runs = NULL;
	if (ext) {
		r->len = SCROLLBACK_EXT;
		v->flags = l->flags;
		v->nruns = l->nruns;
		e = (struct scrollback_ext *)((char *)r + SCROLLBACK_EXT_AT);
		e->len = l->len;
		e->nruns = l->nruns;
		e->flags = l->flags;
		p = (char *)(e + 1);
		if (l->nruns != 0) {
			memcpy(p, l->runs, l->nruns * sizeof *l->runs);
			v->runs = (struct attr_run *)p;
		}
		p += l->nruns * sizeof *l->runs;
	}
	v->text = p;
	if (l->len != 0)
		memcpy(p, l->text, l->len);
	p[l->len] = '\0';
	ch->used += (uint32_t)(need - SCROLLBACK_SLOT);
	ch->lines++;
	return pad + need;
}

/* Forget the oldest line, the first live record of ch (chunks[0]). */
static inline __attribute__((always_inline)) void
scrollback_forget(struct scrollback *sb, struct scrollback_chunk *ch)
{
	size_t	 size = scrollback_rec_bytes(ch, ch->dead);

	sb->bytes -= size;
#ifdef SCROLLBACK_ASAN
	SCROLLBACK_POISON(scrollback_rec(ch, ch->dead), size - SCROLLBACK_SLOT);
#endif
	ch->dead++;
	sb->first++;
	sb->count--;
	sb->dropped++;
}

/* Drop the oldest line; its chunk goes once it holds no line. */
static void
scrollback_drop(struct scrollback *sb)
{
	struct scrollback_chunk	*ch = sb->chunks[0];
	struct line		 v;

	if (sb->drop_cb != NULL) {
		scrollback_view(ch, ch->dead, &v);
		sb->drop_cb(sb->drop_arg, &v);
	}
	scrollback_forget(sb, ch);
	if (ch->dead == ch->lines)
		scrollback_chunk_retire(sb);
}

/* Any line, at any cap. */
static const struct line *
scrollback_push_any(struct scrollback *sb, const struct line *l)
{
	int			 ext = scrollback_is_ext(l);
	size_t			 need = scrollback_size(l, ext);
	struct scrollback_chunk	*ch;

	if (sb->count == sb->max_lines)
		scrollback_drop(sb);
	/* The newest line stays even when it alone is over the byte cap
	   (counted with the padding it may need). */
	while (sb->count > 0 && sb->max_bytes != 0 &&
	    sb->bytes + need + (ext ? 2 : 0) > sb->max_bytes)
		scrollback_drop(sb);
	ch = sb->nchunks > 0 ? sb->chunks[sb->nchunks - 1] : NULL;
	if (ch == NULL || !scrollback_fits(ch, l, need, ext)) {
		/* An empty chunk can only be the only one (all dropped). */
		if (ch != NULL && ch->lines == ch->dead) {
			sb->nchunks--;
			scrollback_chunk_free(ch);
		}
		ch = scrollback_chunk_new(sb, need);
	}
	sb->bytes += scrollback_write(ch, l, need, ext, &sb->pushed);
	sb->count++;
	return &sb->pushed;
}

/*
 * What a flood pushes: a plain line (known to need no runs) into the
 * newest chunk, which can take it (scrollback_fits), while the oldest
 * line (not the last of its chunk) is dropped to keep the line cap and
 * nobody watches drops.  Anything else goes to scrollback_push_any,
 * which gives the same result (it finds the count under the cap when
 * the oldest line was dropped here).
 */
static inline __attribute__((always_inline)) const struct line *
scrollback_push_plain(struct scrollback *sb, const struct line *l)
{
	struct scrollback_chunk	*ch;
	size_t			 need;

	if (sb->drop_cb != NULL || sb->nchunks == 0)
		return scrollback_push_any(sb, l);
	need = scrollback_size(l, 0);
	if (sb->count == sb->max_lines) {
		if (sb->chunks[0]->dead + 1 >= sb->chunks[0]->lines)
			return scrollback_push_any(sb, l);
		scrollback_forget(sb, sb->chunks[0]);
	}
	ch = sb->chunks[sb->nchunks - 1];
	if ((sb->max_bytes != 0 && sb->bytes + need > sb->max_bytes) ||
	    !scrollback_fits(ch, l, need, 0))
		return scrollback_push_any(sb, l);
	sb->bytes += scrollback_write(ch, l, need, 0, &sb->pushed);
	sb->count++;
	return &sb->pushed;
}

const struct line *
scrollback_push(struct scrollback *sb, const struct line *l)
{
	if (scrollback_is_ext(l))
		return scrollback_push_any(sb, l);
	return scrollback_push_plain(sb, l);
}

/*
 * From a run of plain lines (seqs from first's on, all at its time), as
 * many as the newest chunk takes while nothing but the line cap drops
 * lines (none retiring a chunk): what scrollback_push_plain does to each,
 * with what holds for the whole run checked once.  Returns how many it
 * took; 0 when the first must go the long way.  It writes each record
 * as scrollback_write does (a change to the record goes to both):
 * calling that, with its view filled for every line, cost 28 more
 * instructions a line.
 */
static size_t
scrollback_push_run(struct scrollback *sb, const struct line *first,
    const char *const *text, const uint32_t *len, size_t n,
    scrollback_each_cb each, void *arg)
{
	struct scrollback_chunk	*ch, *old;
	struct scrollback_rec	*r;
	struct line		*v = &sb->pushed;
	size_t			 k, need, room;
	int64_t			 dtime;
	uint64_t		 dseq;
	char			*p;

	if (sb->drop_cb != NULL || sb->nchunks == 0)
		return 0;
	ch = sb->chunks[sb->nchunks - 1];
	old = sb->chunks[0];
	dseq = first->seq - ch->base_seq;
	dtime = first->time_ms - ch->base_time;
	if (ch->lines == 0 || first->node != ch->node ||
	    first->seq < ch->base_seq || dseq + n - 1 > UINT32_MAX ||
	    dtime < INT32_MIN || dtime > INT32_MAX)
		return 0;
	room = ch->size - ch->used - ch->lines * SCROLLBACK_SLOT;
	v->time_ms = first->time_ms;
	v->node = ch->node;
	v->flags = 0;
	v->nruns = 0;
	v->runs = NULL;
	for (k = 0; k < n; k++) {
		need = SCROLLBACK_ALIGN(sizeof *r + len[k] + 1) +
		    SCROLLBACK_SLOT;
		if (len[k] >= SCROLLBACK_EXT || need > room)
			break;
		if (sb->count == sb->max_lines) {
			if (old->dead + 1 >= old->lines)
				break;
			scrollback_forget(sb, old);
		}
		if (sb->max_bytes != 0 && sb->bytes + need > sb->max_bytes)
			break;
		p = scrollback_data(ch) + ch->used;
		SCROLLBACK_UNPOISON(p, need - SCROLLBACK_SLOT);
		SCROLLBACK_UNPOISON(scrollback_slot(ch, ch->lines),
		    SCROLLBACK_SLOT);
		*scrollback_slot(ch, ch->lines) =
		    (uint16_t)(ch->used / SCROLLBACK_UNIT);
		r = (struct scrollback_rec *)p;
		r->dseq = (uint32_t)(dseq + k);
		r->dtime = (int32_t)dtime;
		r->len = (uint16_t)len[k];
		p = (char *)(r + 1);
		memcpy(p, text[k], len[k]);
		p[len[k]] = '\0';
		ch->used += (uint32_t)(need - SCROLLBACK_SLOT);
		ch->lines++;
		room -= need;
		sb->bytes += need;
		sb->count++;
		if (each != NULL) {
			v->seq = first->seq + k;
			v->len = len[k];
			v->text = p;
			each(arg, v);
		}
	}
	return k;
}

void
scrollback_push_many(struct scrollback *sb, const struct line *first,
    const char *const *text, const uint32_t *len, size_t n,
    scrollback_each_cb each, void *arg)
{
	struct line		 l = *first;
	const struct line	*kept;
	size_t			 i = 0;

	l.flags = 0;
	l.nruns = 0;
	l.runs = NULL;
	while (i < n) {
		l.seq = first->seq + i;
		i += scrollback_push_run(sb, &l, text + i, len + i, n - i,
		    each, arg);
		if (i == n)
			break;
		/* A line the run could not take: the long way, one. */
		l.seq = first->seq + i;
		l.text = (char *)text[i];
		l.len = len[i];
		if (l.len < SCROLLBACK_EXT)
			kept = scrollback_push_plain(sb, &l);
		else
			kept = scrollback_push_any(sb, &l);
		if (each != NULL)
			each(arg, kept);
		i++;
	}
}

size_t
scrollback_count(const struct scrollback *sb)
{
	return sb->count;
}

/* The chunk holding line number n (held): the last one found, its
   neighbours, else a binary search. */
static const struct scrollback_chunk *
scrollback_chunk_of(const struct scrollback *sb, size_t n)
{
	const struct scrollback_chunk	*ch;
	size_t				 lo = 0, hi = sb->nchunks, mid;
	size_t				*hint = &((struct scrollback *)sb)->hint;

	if (*hint < sb->nchunks) {
		ch = sb->chunks[*hint];
		if (n >= ch->first && n - ch->first < ch->lines)
			return ch;
		if (n >= ch->first + ch->lines && *hint + 1 < sb->nchunks &&
		    n - sb->chunks[*hint + 1]->first <
		    sb->chunks[*hint + 1]->lines)
			return sb->chunks[++*hint];
		if (n < ch->first && *hint > 0 &&
		    n >= sb->chunks[*hint - 1]->first)
			return sb->chunks[--*hint];
	}
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (sb->chunks[mid]->first <= n)
			lo = mid;
		else
			hi = mid;
	}
	*hint = lo;
	return sb->chunks[lo];
}

const struct line *
scrollback_get(const struct scrollback *sb, size_t i, struct line *v)
{
	const struct scrollback_chunk	*ch;
	size_t				 n = sb->first + i;

	if (i >= sb->count)
		return NULL;
	/* Walks stay in one chunk for hundreds of lines. */
	ch = sb->chunks[sb->hint < sb->nchunks ? sb->hint : 0];
	if (n - ch->first >= ch->lines)
		ch = scrollback_chunk_of(sb, n);
	scrollback_view(ch, n - ch->first, v);
	return v;
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
	sb->dropped = 0;
}

size_t
scrollback_bytes(const struct scrollback *sb)
{
	return sb->bytes;
}

uint64_t
scrollback_seq(const struct scrollback *sb, size_t i)
{
	const struct scrollback_chunk	*ch;
	size_t				 n = sb->first + i;

	ch = scrollback_chunk_of(sb, n);
	return ch->base_seq + scrollback_rec(ch, n - ch->first)->dseq;
}

/* The seq of record j of chunk ch. */
static inline uint64_t
scrollback_rec_seq(const struct scrollback_chunk *ch, size_t j)
{
	return ch->base_seq + scrollback_rec(ch, j)->dseq;
}

/* First the chunk (by its newest line), then the line in it: n / N and
   the all-nodes view ask this for every node at every jump. */
size_t
scrollback_find_seq(const struct scrollback *sb, uint64_t seq)
{
	const struct scrollback_chunk	*ch;
	size_t				 lo = 0, hi = sb->nchunks, mid, j, k;

	if (sb->count == 0)
		return 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		ch = sb->chunks[mid];
		if (ch->lines == ch->dead ||
		    scrollback_rec_seq(ch, ch->lines - 1) < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == sb->nchunks)
		return sb->count;
	ch = sb->chunks[lo];
	j = ch->dead;
	k = ch->lines;
	while (j < k) {
		mid = j + (k - j) / 2;
		if (scrollback_rec_seq(ch, mid) < seq)
			j = mid + 1;
		else
			k = mid;
	}
	return ch->first + j - sb->first;
}

void
scrollback_on_drop(struct scrollback *sb, scrollback_drop_cb cb, void *arg)
{
	sb->drop_cb = cb;
	sb->drop_arg = arg;
}
