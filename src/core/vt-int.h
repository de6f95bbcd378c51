/*
 * The terminal-output parser's insides, shared by its files: vt.c (the
 * state machine), vt-cells.c (the line of cells it edits) and vt-sgr.c
 * (colours and attributes).
 */
#ifndef NODEMUX_VT_INT_H
#define NODEMUX_VT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "nodemux/line.h"
#include "nodemux/util.h"
#include "nodemux/vt.h"

#define VT_DEFAULT_COLS	4096
/*
 * No real escape sequence is longer than this.  One that is (a program
 * that never terminates its OSC, say) is abandoned and the parser goes
 * back to ground, so it can neither grow memory nor hide later output.
 */
#define VT_SEQ_MAX	4096
#define VT_NPARAMS	32
#define VT_PARAM_MAX	65535

enum vt_state {
	VT_GROUND,
	VT_ESCAPE,
	VT_ESC_INTER,
	VT_CSI_ENTRY,
	VT_CSI_PARAM,
	VT_CSI_INTER,
	VT_CSI_IGNORE,
	VT_OSC,
	/*
	 * DCS entry, param, intermediate, passthrough and ignore differ only
	 * in what they would hand a terminal; nodemux shows none of it, so
	 * they are one state that eats bytes up to ST (or CAN, SUB).
	 */
	VT_DCS,
	VT_SOS,			/* SOS, PM and APC strings */
};

/* One column of the line; a wide character's second column has width 0. */
struct vt_cell {
	uint32_t	 cp;
	uint32_t	 comb;		/* one combining mark, or 0 */
	struct attr	 attr;
	uint8_t		 width;
};

struct vt {
	enum vt_state	 state;
	size_t		 seqlen;	/* bytes of the sequence so far */
	int		 params[VT_NPARAMS];
	uint8_t		 colon[VT_NPARAMS];	/* param came after ':' */
	size_t		 nparams;
	int		 pfull;		/* more parameters than VT_NPARAMS */
	int		 priv;		/* CSI private marker (?, >, <, =) */
	int		 ninter;	/* intermediate bytes seen */
	int		 screens;	/* hand over to a screen (vt_screens) */
	int		 handover;	/* a sequence wants a screen model */
	unsigned	 modes;		/* VT_MODE_* the program set */

	uint32_t	 u_cp;		/* UTF-8 being decoded */
	uint32_t	 u_min;
	int		 u_need;

	struct attr	 attr;		/* current SGR */
	struct vt_cell	*cells;
	size_t		 ncells;	/* columns written */
	size_t		 capcells;
	size_t		 max_cols;
	size_t		 x;		/* cursor column */
	size_t		 saved_x;	/* DECSC, CSI s */
	uint64_t	 cut;		/* bytes dropped past max_cols */
	size_t		 ich_x;		/* inserts put off (vt_insert): at */
	size_t		 ich_n;		/*   column ich_x, ich_n columns, */
	size_t		 ich_v;		/*   the line then ich_v long */
	int		 ich_now;	/* never put off (fuzz-vt's check) */

	int64_t		 now_ms;	/* wall clock of this vt_feed, 0
					   until a line needs it */
	struct line	*cur;		/* vt_current()'s answer */
	int		 cur_dirty;
	struct line	 line;		/* what vt_build lends: text in tb,
					   runs in runs */
	char		*tb;		/* building a line's text (at least
					   max_cols + 2 bytes) */
	size_t		 tbcap;
	struct attr_run	*runs;
	size_t		 nruns;
	size_t		 capruns;

	vt_plain_cb	 plain_cb;	/* vt_on_plain */
	struct vt_plain	 plain;		/* lines not yet handed to it */
};

extern const struct attr vt_attr_default;

/* Is a blank with attributes a invisible, so trimmed at a line's end? */
static inline int
vt_attr_trimmable(const struct attr *a)
{
	return a->bg == COLOUR_DEFAULT &&
	    (a->flags & (ATTR_REVERSE | ATTR_UNDERLINE | ATTR_STRIKE)) == 0;
}

/* The wall clock for lines completed by this vt_feed: read once. */
static inline int64_t
vt_now(struct vt *vt)
{
	if (vt->now_ms == 0)
		vt->now_ms = wall_ms();
	return vt->now_ms;
}

/* Lend vt->line: len bytes of tb (NUL added) and nruns of runs. */
static inline struct line *
vt_lend(struct vt *vt, size_t len, size_t nruns, uint16_t flags)
{
	struct line	*l = &vt->line;

	vt->tb[len] = '\0';
	l->seq = 0;
	l->node = 0;
	l->time_ms = vt_now(vt);
	l->flags = flags;
	l->len = (uint32_t)len;
	l->nruns = (uint32_t)nruns;
	l->text = vt->tb;
	l->runs = nruns > 0 ? vt->runs : NULL;
	return l;
}

/* vt-cells.c: the line being written; vt_build returns vt->line, valid
   until the next build. */
void		 vt_print(struct vt *, uint32_t cp);
void		 vt_print_ascii(struct vt *, const unsigned char *, size_t);
struct line	*vt_build(struct vt *);
void		 vt_erase_line(struct vt *, int how);
void		 vt_edit(struct vt *, int final, size_t n);
void		 vt_move(struct vt *, size_t col);
/* Do edits put off so far; before anything outside vt-cells.c reads
   cells or ncells. */
void		 vt_settle(struct vt *);

/* vt-sgr.c: parameters and SGR. */
int		 vt_param(const struct vt *, size_t i, int def);
void		 vt_sgr(struct vt *);

#endif
