/*
 * A node's scrollback: its last lines, capped both in lines and in
 * bytes.  Lines are copied, compactly (a plain line costs its text, a
 * NUL and 12 bytes), into chunks the scrollback owns; they are read back as
 * views whose text and runs point into those chunks.  Dropping the
 * oldest is O(1).
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
 * the caller's), dropping the oldest lines as the caps require.  A line
 * whose only run has default attributes is kept with no runs.  Returns
 * a view of the copy, valid until the next push (its text and runs
 * until the line is dropped or cleared).
 */
const struct line *scrollback_push(struct scrollback *, const struct line *l);
/*
 * Append n plain lines (no runs, no flags): text[i] of len[i] bytes,
 * with first's node and time_ms, and seq first->seq + i.  Each is
 * pushed as scrollback_push would push it, and each (when not NULL)
 * called with the view of it before the next push.
 */
typedef void	(*scrollback_each_cb)(void *arg, const struct line *);
void		 scrollback_push_many(struct scrollback *,
		    const struct line *first, const char *const *text,
		    const uint32_t *len, size_t n, scrollback_each_cb each,
		    void *arg);
/* Lines held. */
size_t		 scrollback_count(const struct scrollback *);
/*
 * Line i (0 is the oldest held) into *view, which is returned; NULL when
 * there is no line i.  The view's text and runs point into the
 * scrollback and stay valid until that line is dropped or cleared.
 */
const struct line *scrollback_get(const struct scrollback *, size_t i,
		    struct line *view);
/* The seq of line i (< scrollback_count()), without a view. */
uint64_t	 scrollback_seq(const struct scrollback *, size_t i);
/* Lines dropped since creation or the last clear. */
uint64_t	 scrollback_dropped(const struct scrollback *);
void		 scrollback_clear(struct scrollback *);

/* Added by the output model. */
/* Bytes held (scrollback_line_bytes() of every line, and any padding
   between them), what max_bytes caps.  A max_lines of 0 means 10000; a max_bytes of 0 means no byte
   cap.  The memory taken is a little more: the chunks have their tails
   and headers. */
size_t		 scrollback_bytes(const struct scrollback *);
/* What holding l costs: its record (10 bytes, the text and a NUL; when
   it has colours or flags, 24 bytes, 16 a run, the text and a NUL),
   2-byte aligned, and its 2-byte slot.  A record with runs starts
   4-byte aligned: the 2 bytes of padding it may need before it are not
   counted here, but are in scrollback_bytes(). */
size_t		 scrollback_line_bytes(const struct line *);
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
