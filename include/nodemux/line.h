/*
 * A line of node output as nodemux keeps it: UTF-8 text with the escape
 * sequences taken out, plus runs of display attributes (SGR colours).
 */
#ifndef NODEMUX_LINE_H
#define NODEMUX_LINE_H

#include <stddef.h>
#include <stdint.h>

/* Attribute flags (SGR). */
#define ATTR_BOLD	0x01
#define ATTR_DIM	0x02
#define ATTR_ITALIC	0x04
#define ATTR_UNDERLINE	0x08
#define ATTR_BLINK	0x10
#define ATTR_REVERSE	0x20
#define ATTR_INVISIBLE	0x40
#define ATTR_STRIKE	0x80

/*
 * A colour: COLOUR_DEFAULT, COLOUR_PALETTE|n for palette entry n (0-255,
 * 0-15 being the classic 16), or COLOUR_RGB|0xRRGGBB for true colour.
 */
#define COLOUR_DEFAULT	0u
#define COLOUR_PALETTE	0x01000000u
#define COLOUR_RGB	0x02000000u
#define COLOUR_KIND(c)	((c) & 0xff000000u)
#define COLOUR_VALUE(c)	((c) & 0x00ffffffu)

struct attr {
	uint32_t	fg;
	uint32_t	bg;
	uint16_t	flags;
};

/* attr applies to text bytes [off, next run's off or len). */
struct attr_run {
	uint32_t	off;
	struct attr	attr;
};

#define LINE_TRUNCATED	0x01	/* the line hit the length cap; the text
				   ends with a note saying so */

struct line {
	uint64_t	 seq;		/* arrival order across the cluster */
	int64_t		 time_ms;	/* wall clock when completed */
	int		 node;		/* node index, 1-based; 0 unknown */
	uint16_t	 flags;
	uint32_t	 len;		/* bytes of text, valid UTF-8 */
	uint32_t	 nruns;		/* runs[0].off == 0 when nruns > 0 */
	char		*text;		/* NUL-terminated */
	struct attr_run	*runs;
};

/* A new line owning copies of text and runs. */
struct line	*line_new(const char *text, size_t len,
		    const struct attr_run *runs, size_t nruns);
/* A new line owning a copy of l: text, runs, seq, time, node, flags. */
struct line	*line_dup(const struct line *l);
void		 line_free(struct line *);
/* Attributes at byte offset off. */
struct attr	 line_attr_at(const struct line *, size_t off);

/* Added by the output model. */
/* Heap bytes held by a line (the scrollback's byte cap counts these);
   inline, as the scrollback asks it twice for every line. */
static inline size_t
line_size(const struct line *l)
{
	return sizeof *l + l->len + 1 + l->nruns * sizeof *l->runs;
}
/* Do two attributes display the same? */
int		 line_attr_equal(const struct attr *, const struct attr *);
/* Columns taken by code point cp on a terminal: 0 (combining, zero
   width), 1 or 2 (East Asian wide and fullwidth, emoji).  No locale. */
int		 line_cp_width(uint32_t cp);
/* Decode the UTF-8 character at s (len > 0 bytes, valid UTF-8 as in a
   line's text) into *cp; returns its length in bytes (1 for a bad byte,
   *cp = U+FFFD). */
size_t		 line_utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Columns the whole text of a line takes. */
size_t		 line_width(const struct line *);

#endif
