/*
 * Regex search over node output with PCRE2: compiling with smart case,
 * finding every match in a line, counting over scrollbacks and finding
 * the next matching line across nodes in arrival order.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nodemux/line.h"
#include "nodemux/scrollback.h"
#include "nodemux/search.h"
#include "nodemux/util.h"

/*
 * What one match may cost: backtracking steps and nesting (PCRE2's match
 * and depth limits), and the JIT's stack, which a pattern such as
 * "(\\.|[^"])*" uses in proportion to the length of the line (PCRE2's
 * default of 32 KiB ends it a few KB into a line).  The stack is
 * reserved address space, touched only as deep as a match goes.
 */
#define SEARCH_MATCH_LIMIT	1000000
#define SEARCH_DEPTH_LIMIT	100000
#define SEARCH_JIT_STACK	(64 * 1024 * 1024)
/*
 * What one call may cost in time: a pattern that stays under the limits
 * on each match can still take seconds over a long line (one match
 * attempt per character) or a scrollback.  Past the budget the call
 * stops and counts a limit hit, so that the console and ctl keep
 * answering.
 */
#define SEARCH_BUDGET_MS	250

struct search {
	char			*pattern;
	int			 caseless;
	pcre2_code		*re;
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
	pcre2_jit_stack		*jstack;

	int			 depth;		/* entry points in progress */
	int64_t			 deadline;	/* of the outermost one */
	unsigned		 calls;		/* matches since it began */
	int			 expired;	/* its budget is spent */

	uint64_t		 nerrors;	/* limit hits */
	char			 error[128];	/* the last one */
};

/* Skip a {...} group at p (after \p, \x, \N and the like). */
static const char *
search_skip_braces(const char *p)
{
	if (*p != '{')
		return *p != '\0' ? p + 1 : p;
	while (*p != '\0' && *p != '}')
		p++;
	return *p != '\0' ? p + 1 : p;
}

/* Is cp an upper-case letter?  ASCII, Latin-1, Greek, Cyrillic. */
static int
search_is_upper(uint32_t cp)
{
	return (cp >= 'A' && cp <= 'Z') ||
	    (cp >= 0xc0 && cp <= 0xde && cp != 0xd7) ||
	    (cp >= 0x391 && cp <= 0x3a9) || (cp >= 0x400 && cp <= 0x42f);
}

/* Skip a group name at *pp ("(?<Name>", "(?P=Name)"...), if there is one. */
static int
search_group_name(const char **pp)
{
	static const char *const prefixes[] = { "(?P<", "(?P=", "(?P>", "(?'",
	    "(?&", "(?<" };
	const char	*p = *pp;
	size_t		 i, n;

	for (i = 0; i < nitems(prefixes); i++) {
		n = strlen(prefixes[i]);
		if (strncmp(p, prefixes[i], n) != 0)
			continue;
		if (p[n] == '=' || p[n] == '!')
			return 0;	/* (?<= and (?<! are lookbehinds */
		p += n;
		while (*p == '_' || (*p >= '0' && *p <= '9') ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z'))
			p++;
		*pp = p;
		return 1;
	}
	return 0;
}

/*
 * Does the pattern hold an upper-case letter that it matches literally?
 * Escapes such as \S, \W, \p{Lu} and \x{4A} and group names do not count.
 */
static int
search_has_upper(const char *pat, int literal)
{
	const char	*p = pat;
	uint32_t	 cp;

	while (*p != '\0') {
		if (!literal && p[0] == '\\' && p[1] != '\0') {
			if (strchr("pPxNgkuo", p[1]) != NULL)
				p = search_skip_braces(p + 2);
			else
				p += 2;
			continue;
		}
		if (!literal && search_group_name(&p))
			continue;
		p += line_utf8_decode(p, strlen(p), &cp);
		if (search_is_upper(cp))
			return 1;
	}
	return 0;
}

static int	search_expired(struct search *);

/*
 * PCRE2's match limit counts per starting position, so one pcre2_match
 * over a long line may try thousands of positions, each under the limit,
 * for seconds.  The pattern compiled again behind a callout, "(?C)(?:
 * PATTERN)", calls search_callout at each position tried, which ends the
 * match once the call's time budget is spent.  Kept as compiled when
 * that does not compile (a leading (*VERB) must come first).
 */
static pcre2_code *
search_with_callout(pcre2_code *re, const char *pattern, uint32_t opts)
{
	pcre2_code	*wrapped;
	char		*text;
	int		 errcode;
	PCRE2_SIZE	 erroff;

	text = xasprintf("(?C)(?:%s)", pattern);
	wrapped = pcre2_compile((PCRE2_SPTR)text, PCRE2_ZERO_TERMINATED, opts,
	    &errcode, &erroff, NULL);
	free(text);
	if (wrapped == NULL)
		return re;
	pcre2_code_free(re);
	return wrapped;
}

/* At each starting position (the (?C) in front): stop when the time
   budget is spent. */
static int
search_callout(pcre2_callout_block *cb, void *arg)
{
	struct search	*s = arg;

	return search_expired(s) ? PCRE2_ERROR_CALLOUT : 0;
}

struct search *
search_compile(const char *pattern, int flags, char **err)
{
	struct search	*s;
	uint32_t	 opts = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_UCP;
	int		 errcode;
	PCRE2_SIZE	 erroff;
	PCRE2_UCHAR	 msg[256];
	pcre2_code	*re;

	if (flags & SEARCH_LITERAL)
		opts = (opts & ~PCRE2_UCP) | PCRE2_LITERAL;	/* UCP is refused */
	if ((flags & SEARCH_CASELESS) ||
	    ((flags & SEARCH_SMARTCASE) &&
	    !search_has_upper(pattern, (flags & SEARCH_LITERAL) != 0)))
		opts |= PCRE2_CASELESS;
	re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, opts,
	    &errcode, &erroff, NULL);
	if (re == NULL) {
		if (pcre2_get_error_message(errcode, msg, sizeof msg) < 0)
			strcpy((char *)msg, "invalid pattern");
		*err = xasprintf("%s at offset %zu", (char *)msg, (size_t)erroff);
		return NULL;
	}
	if (!(flags & SEARCH_LITERAL))
		re = search_with_callout(re, pattern, opts);
	/* JIT is an optimisation: without it (no JIT, no memory) PCRE2
	   interprets the same pattern. */
	(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);

	s = xcalloc(1, sizeof *s);
	s->pattern = xstrdup(pattern);
	s->caseless = (opts & PCRE2_CASELESS) != 0;
	s->re = re;
	s->md = pcre2_match_data_create_from_pattern(re, NULL);
	s->mctx = pcre2_match_context_create(NULL);
	if (s->md == NULL || s->mctx == NULL) {
		search_free(s);
		*err = xstrdup("out of memory");
		return NULL;
	}
	pcre2_set_match_limit(s->mctx, SEARCH_MATCH_LIMIT);
	pcre2_set_depth_limit(s->mctx, SEARCH_DEPTH_LIMIT);
	pcre2_set_callout(s->mctx, search_callout, s);
	s->jstack = pcre2_jit_stack_create(32 * 1024, SEARCH_JIT_STACK, NULL);
	if (s->jstack != NULL)
		pcre2_jit_stack_assign(s->mctx, NULL, s->jstack);
	return s;
}

void
search_free(struct search *s)
{
	if (s == NULL)
		return;
	pcre2_match_context_free(s->mctx);
	pcre2_jit_stack_free(s->jstack);
	pcre2_match_data_free(s->md);
	pcre2_code_free(s->re);
	free(s->pattern);
	free(s);
}

const char *
search_pattern(const struct search *s)
{
	return s->pattern;
}

int
search_caseless(const struct search *s)
{
	return s->caseless;
}

uint64_t
search_errors(const struct search *s, const char **what)
{
	if (what != NULL)
		*what = s->nerrors != 0 ? s->error : NULL;
	return s->nerrors;
}

void
search_clear_errors(struct search *s)
{
	s->nerrors = 0;
	s->error[0] = '\0';
}

/* Count a limit hit, with PCRE2's words for it (or ours, rc 0). */
static void
search_fail(struct search *s, int rc)
{
	s->nerrors++;
	if (rc == 0)
		snprintf(s->error, sizeof s->error, "time limit (%d ms) "
		    "exceeded", SEARCH_BUDGET_MS);
	else if (pcre2_get_error_message(rc, (PCRE2_UCHAR *)s->error,
	    sizeof s->error) < 0)
		snprintf(s->error, sizeof s->error, "match error %d", rc);
}

/* The clock the budget is kept by: coarse (a few ms), as it is read
   before every match and a match may take a microsecond. */
static int64_t
search_clock(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An entry point begins: the outermost one starts the time budget. */
static void
search_begin(struct search *s)
{
	if (s->depth++ == 0) {
		s->deadline = search_clock() + SEARCH_BUDGET_MS;
		s->calls = 0;
		s->expired = 0;
	}
}

static void
search_end(struct search *s)
{
	s->depth--;
}

/* Is the budget spent?  The clock is read every 16 matches: often
   enough, as a costly match (up to the match limit) takes milliseconds;
   seldom enough not to slow a search of cheap ones. */
static int
search_expired(struct search *s)
{
	if (s->expired)
		return 1;
	if ((++s->calls & 15) == 0 && search_clock() > s->deadline) {
		s->expired = 1;
		search_fail(s, 0);
	}
	return s->expired;
}

/*
 * One pcre2_match at start with options: 1 and the match, 0 for none,
 * -1 when a limit (of PCRE2, or of time) stopped it, counted.
 */
static int
search_exec(struct search *s, const char *text, size_t len, size_t start,
    uint32_t opts, size_t *mstart, size_t *mend)
{
	PCRE2_SIZE	*ov;
	int		 rc;

	if (start > len)
		return 0;
	if (search_expired(s))
		return -1;
	rc = pcre2_match(s->re, (PCRE2_SPTR)text, len, start, opts, s->md,
	    s->mctx);
	if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_PARTIAL)
		return 0;
	if (rc == PCRE2_ERROR_CALLOUT && s->expired)
		return -1;	/* the time budget, counted already */
	if (rc < 0) {
		search_fail(s, rc);
		return -1;
	}
	ov = pcre2_get_ovector_pointer(s->md);
	if (ov[1] < ov[0])
		return 0;	/* \K in a lookahead; nothing sensible to show */
	*mstart = ov[0];
	*mend = ov[1];
	return 1;
}

int
search_match(struct search *s, const char *text, size_t len, size_t start,
    size_t *mstart, size_t *mend)
{
	int	 rc;

	search_begin(s);
	rc = search_exec(s, text, len, start, 0, mstart, mend);
	search_end(s);
	return rc == 1;
}

int
search_test(struct search *s, const char *text, size_t len)
{
	size_t	 a, b;

	return search_match(s, text, len, 0, &a, &b);
}

int
search_line(struct search *s, const struct line *l)
{
	return search_test(s, l->text, l->len);
}

/*
 * Walk every match of the text, as pcre2demo does: after an empty match
 * try a non-empty one at the same place, else move on one character, so
 * that patterns such as "x*" or "^" end.  Non-empty matches go to r
 * when want_ranges; returns the number of matches (empty ones counted
 * unless want_ranges).
 */
static size_t
search_walk(struct search *s, const char *text, size_t len, int want_ranges,
    struct search_range *r, size_t max)
{
	size_t		 start = 0, a, b, n = 0;
	uint32_t	 opts = 0, cp;
	int		 rc;

	search_begin(s);
	for (;;) {
		if ((rc = search_exec(s, text, len, start, opts, &a, &b)) == -1)
			break;		/* counted: the rest is unknown */
		if (rc == 0) {
			if (opts == 0 || start >= len)
				break;
			start += line_utf8_decode(text + start, len - start, &cp);
			opts = 0;
			continue;
		}
		if (a != b || !want_ranges) {
			if (want_ranges && n < max) {
				r[n].start = (uint32_t)a;
				r[n].end = (uint32_t)b;
			}
			n++;
		}
		start = b;
		opts = a == b ? PCRE2_NOTEMPTY_ATSTART | PCRE2_ANCHORED : 0;
	}
	search_end(s);
	return n;
}

size_t
search_ranges(struct search *s, const char *text, size_t len,
    struct search_range *r, size_t max)
{
	return search_walk(s, text, len, 1, r, max);
}

size_t
search_count_line(struct search *s, const struct line *l)
{
	return search_walk(s, l->text, l->len, 0, NULL, 0);
}

uint64_t
search_count_scrollback(struct search *s, const struct scrollback *sb)
{
	size_t		 i, n = scrollback_count(sb);
	uint64_t	 total = 0;
	struct line	 v;

	search_begin(s);
	for (i = 0; i < n && !s->expired; i++)
		total += search_count_line(s, scrollback_get(sb, i, &v));
	search_end(s);
	return total;
}

size_t
search_lines_scrollback(struct search *s, const struct scrollback *sb)
{
	return search_lines_range(s, sb, 0, scrollback_count(sb));
}

size_t
search_lines_range(struct search *s, const struct scrollback *sb,
    size_t from, size_t to)
{
	size_t		 i, lines = 0;
	struct line	 v;

	if (to > scrollback_count(sb))
		to = scrollback_count(sb);
	search_begin(s);
	for (i = from; i < to && !s->expired; i++)
		lines += (size_t)search_line(s, scrollback_get(sb, i, &v));
	search_end(s);
	return lines;
}

/*
 * A cursor on one scrollback: pos counts its lines from 1 (0: done), and
 * seq is that line's, kept so that picking the next cursor in seq order
 * does not look every scrollback's line up again.
 */
struct search_cursor {
	size_t		 pos;
	uint64_t	 seq;
};

/* Point cursor c of scrollback sb at pos (0: done). */
static void
search_set(const struct scrollback *sb, struct search_cursor *c, size_t pos)
{
	c->pos = pos;
	if (pos != 0)
		c->seq = scrollback_seq(sb, pos - 1);
}

/* The scrollback whose cursor is next in seq order (nsb when all done). */
static size_t
search_pick(size_t nsb, const struct search_cursor *cur, int dir)
{
	size_t		 k, best = nsb;
	uint64_t	 bseq = 0;

	for (k = 0; k < nsb; k++) {
		if (cur[k].pos == 0)
			continue;
		if (best == nsb || (dir == SEARCH_FORWARD ? cur[k].seq < bseq :
		    cur[k].seq > bseq)) {
			best = k;
			bseq = cur[k].seq;
		}
	}
	return best;
}

/* Move cursor k one line on in direction dir. */
static void
search_advance(struct scrollback *const *sbs, struct search_cursor *cur,
    size_t k, int dir)
{
	size_t	 pos = cur[k].pos;

	if (dir == SEARCH_FORWARD)
		pos = pos < scrollback_count(sbs[k]) ? pos + 1 : 0;
	else
		pos--;
	search_set(sbs[k], &cur[k], pos);
}

/*
 * Walk the lines of every scrollback in seq order from the cursors,
 * forward or backward, up to and including seq stop; the first matching
 * line goes to *hit.
 */
static int
search_scan(struct search *s, struct scrollback *const *sbs, size_t nsb,
    struct search_cursor *cur, int dir, uint64_t stop, struct search_hit *hit)
{
	size_t		 k;
	const struct line *l;
	struct line	 v;

	while (!s->expired && (k = search_pick(nsb, cur, dir)) != nsb) {
		if (dir == SEARCH_FORWARD ? cur[k].seq > stop :
		    cur[k].seq < stop)
			return 0;
		l = scrollback_get(sbs[k], cur[k].pos - 1, &v);
		if (search_line(s, l)) {
			hit->which = k;
			hit->index = cur[k].pos - 1;
			hit->seq = l->seq;
			return 1;
		}
		search_advance(sbs, cur, k, dir);
	}
	return 0;
}

/* Put every cursor on its first line past seq (or at the end, wrapping). */
static void
search_cursors(struct scrollback *const *sbs, size_t nsb,
    struct search_cursor *cur, int dir, uint64_t seq, int wrap)
{
	size_t	 k, n, i, pos;

	for (k = 0; k < nsb; k++) {
		cur[k].pos = 0;
		if (sbs[k] == NULL || (n = scrollback_count(sbs[k])) == 0)
			continue;
		if (dir == SEARCH_FORWARD) {
			i = wrap ? 0 : seq == UINT64_MAX ? n :
			    scrollback_find_seq(sbs[k], seq + 1);
			pos = i < n ? i + 1 : 0;
		} else
			pos = wrap ? n : scrollback_find_seq(sbs[k], seq);
		search_set(sbs[k], &cur[k], pos);
	}
}

int
search_next(struct search *s, struct scrollback *const *sbs, size_t nsb,
    uint64_t seq, int dir, struct search_hit *hit)
{
	struct search_cursor	*cur;
	int			 found;

	if (nsb == 0)
		return 0;
	search_begin(s);
	cur = xcalloc(nsb, sizeof *cur);
	search_cursors(sbs, nsb, cur, dir, seq, 0);
	found = search_scan(s, sbs, nsb, cur, dir,
	    dir == SEARCH_FORWARD ? UINT64_MAX : 0, hit);
	if (!found) {
		search_cursors(sbs, nsb, cur, dir, seq, 1);
		found = search_scan(s, sbs, nsb, cur, dir, seq, hit) ? 2 : 0;
	}
	free(cur);
	search_end(s);
	return found;
}

size_t
search_tail(struct search *s, struct scrollback *const *sbs, size_t nsb,
    uint64_t before, struct search_hit *out, size_t max)
{
	struct search_cursor	*cur;
	size_t			 k, n = 0;
	const struct line	*l;
	struct line		 v;

	if (nsb == 0 || max == 0)
		return 0;
	if (s != NULL)
		search_begin(s);
	cur = xcalloc(nsb, sizeof *cur);
	search_cursors(sbs, nsb, cur, SEARCH_BACKWARD, before, 0);
	while (n < max && (s == NULL || !s->expired) &&
	    (k = search_pick(nsb, cur, SEARCH_BACKWARD)) != nsb) {
		if (s == NULL || search_line(s, l = scrollback_get(sbs[k],
		    cur[k].pos - 1, &v))) {
			out[n].which = k;
			out[n].index = cur[k].pos - 1;
			out[n].seq = cur[k].seq;
			n++;
		}
		search_advance(sbs, cur, k, SEARCH_BACKWARD);
	}
	free(cur);
	if (s != NULL)
		search_end(s);
	return n;
}
