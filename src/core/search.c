/*
 * Regex search over node output with PCRE2: compiling with smart case,
 * finding every match in a line, counting over scrollbacks and finding
 * the next matching line across nodes in arrival order.
 */
#include "config.h"

#define PCRE2_CODE_UNIT_WIDTH 8

#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/line.h"
#include "nodemux/scrollback.h"
#include "nodemux/search.h"
#include "nodemux/util.h"

/* Backtracking a pathological pattern may do per line, so that a search
   over a whole scrollback always ends quickly. */
#define SEARCH_MATCH_LIMIT	1000000

struct search {
	char			*pattern;
	int			 caseless;
	pcre2_code		*re;
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
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
	return s;
}

void
search_free(struct search *s)
{
	if (s == NULL)
		return;
	pcre2_match_context_free(s->mctx);
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

/* One pcre2_match at start with options; 1 and the match, or 0. */
static int
search_exec(struct search *s, const char *text, size_t len, size_t start,
    uint32_t opts, size_t *mstart, size_t *mend)
{
	PCRE2_SIZE	*ov;
	int		 rc;

	if (start > len)
		return 0;
	rc = pcre2_match(s->re, (PCRE2_SPTR)text, len, start, opts, s->md,
	    s->mctx);
	if (rc < 0)
		return 0;	/* no match, or a limit hit: no match either */
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
	return search_exec(s, text, len, start, 0, mstart, mend);
}

int
search_test(struct search *s, const char *text, size_t len)
{
	size_t	 a, b;

	return search_exec(s, text, len, 0, 0, &a, &b);
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

	for (;;) {
		if (!search_exec(s, text, len, start, opts, &a, &b)) {
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

	for (i = 0; i < n; i++)
		total += search_count_line(s, scrollback_get(sb, i, &v));
	return total;
}

size_t
search_lines_scrollback(struct search *s, const struct scrollback *sb)
{
	size_t		 i, n = scrollback_count(sb), lines = 0;
	struct line	 v;

	for (i = 0; i < n; i++)
		lines += (size_t)search_line(s, scrollback_get(sb, i, &v));
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

	while ((k = search_pick(nsb, cur, dir)) != nsb) {
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
	cur = xcalloc(nsb, sizeof *cur);
	search_cursors(sbs, nsb, cur, dir, seq, 0);
	found = search_scan(s, sbs, nsb, cur, dir,
	    dir == SEARCH_FORWARD ? UINT64_MAX : 0, hit);
	if (!found) {
		search_cursors(sbs, nsb, cur, dir, seq, 1);
		found = search_scan(s, sbs, nsb, cur, dir, seq, hit) ? 2 : 0;
	}
	free(cur);
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
	cur = xcalloc(nsb, sizeof *cur);
	search_cursors(sbs, nsb, cur, SEARCH_BACKWARD, before, 0);
	while (n < max &&
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
	return n;
}
