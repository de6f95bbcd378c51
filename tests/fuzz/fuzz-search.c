/*
 * Fuzz search (search.c): compiling any pattern, and matching it over
 * any subject as a single text, line by line, across two scrollbacks
 * (n, N, the merged tail).  Matches must lie inside the subject, in
 * order, and agree between the ways of asking.
 * Input: byte 0 the flags, then the pattern up to a NUL, then the
 * subject (lines split at \n).
 */
#include "config.h"

#include <string.h>

#include "nodemux/line.h"
#include "nodemux/scrollback.h"
#include "nodemux/search.h"
#include "nodemux/util.h"
#include "fuzz.h"

#define FUZZ_NRANGES 64

/* Walk the matches of one text through every entry point. */
static void
fuzz_search_text(struct search *s, const char *text, size_t len)
{
	struct search_range	 r[FUZZ_NRANGES];
	size_t			 n, i, a, b, start;
	int			 any;

	n = search_ranges(s, text, len, r, FUZZ_NRANGES);
	for (i = 0; i < n && i < FUZZ_NRANGES; i++) {
		FUZZ_CHECK(r[i].start < r[i].end && r[i].end <= len,
		    "range %zu [%u, %u) of %zu", i, r[i].start, r[i].end, len);
		FUZZ_CHECK(i == 0 || r[i].start >= r[i - 1].end,
		    "range %zu overlaps the one before", i);
	}
	any = search_test(s, text, len);
	FUZZ_CHECK(n == 0 || any || search_errors(s, NULL) != 0,
	    "ranges found but search_test says no match");
	for (start = 0; start <= len; start += 1 + start / 2) {
		if (search_match(s, text, len, start, &a, &b))
			FUZZ_CHECK(a >= start && a <= b && b <= len,
			    "match [%zu, %zu) from %zu of %zu", a, b, start, len);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scrollback	*sbs[2];
	struct search		*s;
	struct search_hit	 hits[8];
	struct line		*l;
	const char		*subj, *p, *nl;
	char			*pattern, *err = NULL;
	size_t			 plen, slen, k, nl_count = 0;
	uint64_t		 seq = 1;

	if (size < 1)
		return 0;
	plen = strnlen((const char *)data + 1, size - 1);
	pattern = xmalloc(plen + 1);
	memcpy(pattern, data + 1, plen);
	pattern[plen] = '\0';
	s = search_compile(pattern, data[0] & 7, &err);
	free(pattern);
	if (s == NULL) {
		FUZZ_CHECK(err != NULL && *err != '\0', "no message");
		free(err);
		return 0;
	}
	subj = (const char *)data + 1 + plen + 1;
	slen = 1 + plen < size ? size - 1 - plen - 1 : 0;
	if (1 + plen >= size)
		subj = "";
	fuzz_search_text(s, subj, slen);

	/* The subject as lines of two nodes, in turn. */
	sbs[0] = scrollback_new(16, 0);
	sbs[1] = scrollback_new(16, 0);
	for (p = subj; p < subj + slen; p = nl + 1) {
		if ((nl = memchr(p, '\n', subj + slen - p)) == NULL)
			nl = subj + slen;
		l = line_new(p, nl - p, NULL, 0);
		l->seq = seq++;
		search_count_line(s, l);
		scrollback_push(sbs[nl_count++ & 1], l);
		line_free(l);
		if (nl == subj + slen)
			break;
	}
	search_count_scrollback(s, sbs[0]);
	search_lines_scrollback(s, sbs[1]);
	for (k = 0; k < 3; k++) {
		struct search_hit	 hit;
		int			 rc;

		rc = search_next(s, sbs, 2, k * seq / 2, k & 1, &hit);
		if (rc != 0)
			FUZZ_CHECK(hit.which < 2 &&
			    hit.index < scrollback_count(sbs[hit.which]) &&
			    scrollback_seq(sbs[hit.which], hit.index) ==
			    hit.seq, "search_next hit is not a line");
	}
	k = search_tail(s, sbs, 2, UINT64_MAX, hits, 8);
	FUZZ_CHECK(k <= 8, "tail of %zu", k);
	scrollback_free(sbs[0]);
	scrollback_free(sbs[1]);
	search_free(s);
	return 0;
}
