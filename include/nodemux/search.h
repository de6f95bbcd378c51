/*
 * Regex search over node output (PCRE2, UTF-8, JIT when available): the
 * console's / n N f, the readiness probe's ready.log and ctl logs --grep.
 * Matching is on line text as shown, so colours never break a match.
 */
#ifndef NODEMUX_SEARCH_H
#define NODEMUX_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "nodemux/line.h"
#include "nodemux/scrollback.h"

#define SEARCH_SMARTCASE 0x01	/* no upper-case letter: ignore case */
#define SEARCH_CASELESS	 0x02	/* always ignore case */
#define SEARCH_LITERAL	 0x04	/* the pattern is a plain string */

struct search;

/*
 * Compile pattern (UTF-8) with flags.  NULL and *err on an invalid
 * pattern: PCRE2's message and the offset, e.g. "missing closing
 * parenthesis at offset 4".
 */
struct search	*search_compile(const char *pattern, int flags, char **err);
void		 search_free(struct search *);
const char	*search_pattern(const struct search *);
/* Does the compiled pattern ignore case (SEARCH_CASELESS, or smart case
   on a lower-case pattern)? */
int		 search_caseless(const struct search *);

/*
 * Matching is bounded: by PCRE2's match and depth limits on each match,
 * and by a time budget (a quarter second) on each call below, however
 * many lines it looks at.  A limit hit is no match for the call that
 * hit it (a count stops there), and is counted: how many since the
 * pattern was compiled or the count cleared, and *what (if what is not
 * NULL) says which limit the last one was, e.g. "match limit exceeded"
 * (NULL when none).  Callers say so instead of showing a silent miss.
 */
uint64_t	 search_errors(const struct search *, const char **what);
void		 search_clear_errors(struct search *);

/*
 * The first match in text[0, len) starting at or after byte start:
 * 1 with [*mstart, *mend), or 0 when there is none.  A match may be empty.
 */
int		 search_match(struct search *, const char *text, size_t len,
		    size_t start, size_t *mstart, size_t *mend);
/* Does the text (or the line) match anywhere? */
int		 search_test(struct search *, const char *text, size_t len);
int		 search_line(struct search *, const struct line *);

/* A match in a line: bytes [start, end) of its text. */
struct search_range {
	uint32_t	 start;
	uint32_t	 end;
};

/*
 * Every match in the text, in order, for highlighting: up to max ranges
 * into r (r may be NULL when max is 0).  Returns the number of matches,
 * which may exceed max.  Empty matches are not returned (they have
 * nothing to highlight) and never make the search loop.
 */
size_t		 search_ranges(struct search *, const char *text, size_t len,
		    struct search_range *r, size_t max);
/* Matches in a line (empty ones included, so "^" counts 1 a line). */
size_t		 search_count_line(struct search *, const struct line *);
/* Matches in a whole scrollback, and lines that match. */
uint64_t	 search_count_scrollback(struct search *,
		    const struct scrollback *);
size_t		 search_lines_scrollback(struct search *,
		    const struct scrollback *);
/* Lines that match among lines [from, to) of a scrollback. */
size_t		 search_lines_range(struct search *,
		    const struct scrollback *, size_t from, size_t to);

/* A matching line found across several scrollbacks. */
struct search_hit {
	size_t		 which;		/* index into the scrollback array */
	size_t		 index;		/* line index in that scrollback */
	uint64_t	 seq;
};

#define SEARCH_FORWARD	0
#define SEARCH_BACKWARD	1

/*
 * n / N: the matching line after (forward) or before (backward) seq in
 * arrival order across nsb scrollbacks (NULL entries are skipped), by the
 * lines' seq.  Wraps around to the other end when nothing is past seq.
 * Returns 0 when no line matches, 1 with *hit, or 2 with *hit after
 * wrapping (the console says "search wrapped").
 */
int		 search_next(struct search *, struct scrollback *const *sbs,
		    size_t nsb, uint64_t seq, int dir, struct search_hit *hit);

/*
 * The merged tail (the all-nodes view, and filter mode with s): up to
 * max lines with seq < before across nsb scrollbacks (NULL entries
 * skipped), newest first, into out; only lines that match s unless s is
 * NULL.  before = UINT64_MAX gives the newest lines.  Returns the count.
 */
size_t		 search_tail(struct search *, struct scrollback *const *sbs,
		    size_t nsb, uint64_t before, struct search_hit *out,
		    size_t max);

#endif
