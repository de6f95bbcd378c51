/*
 * Parameters of CSI sequences and SGR (Select Graphic Rendition): the 16,
 * 256 and true colours and the attributes a line keeps.
 */
#include "config.h"

#include "nodemux/line.h"
#include "vt-int.h"

/* Parameter i, or def when it is missing or zero-defaulted. */
int
vt_param(const struct vt *vt, size_t i, int def)
{
	if (i >= vt->nparams || vt->params[i] < 0)
		return def;
	return vt->params[i];
}

/* Clamp a colour component to a byte. */
static uint32_t
vt_byte_val(int v)
{
	return v < 0 ? 0 : v > 255 ? 255 : (uint32_t)v;
}

/*
 * An extended colour after SGR 38/48/58 at params[i]: 5;n or 2;r;g;b,
 * or the colon forms 5:n, 2:r:g:b and 2:cs:r:g:b.  Returns how many
 * parameters after i it used; *c is left alone when malformed.
 */
static size_t
vt_sgr_colour(const struct vt *vt, size_t i, uint32_t *c)
{
	size_t	 nsub = 0, base;
	int	 kind;

	while (i + nsub + 1 < vt->nparams && vt->colon[i + nsub + 1])
		nsub++;
	if (nsub == 0) {
		/* The semicolon form takes its arguments as parameters. */
		kind = vt_param(vt, i + 1, -1);
		if (kind == 5 && i + 2 < vt->nparams) {
			*c = COLOUR_PALETTE | vt_byte_val(vt_param(vt, i + 2, 0));
			return 2;
		}
		if (kind == 2 && i + 4 < vt->nparams) {
			*c = COLOUR_RGB | vt_byte_val(vt_param(vt, i + 2, 0)) << 16 |
			    vt_byte_val(vt_param(vt, i + 3, 0)) << 8 |
			    vt_byte_val(vt_param(vt, i + 4, 0));
			return 4;
		}
		return i + 1 < vt->nparams ? 1 : 0;
	}
	kind = vt_param(vt, i + 1, -1);
	if (kind == 5 && nsub >= 2)
		*c = COLOUR_PALETTE | vt_byte_val(vt_param(vt, i + 2, 0));
	else if (kind == 2 && nsub >= 4) {
		base = nsub >= 5 ? i + 3 : i + 2;	/* skip the colour space */
		*c = COLOUR_RGB | vt_byte_val(vt_param(vt, base, 0)) << 16 |
		    vt_byte_val(vt_param(vt, base + 1, 0)) << 8 |
		    vt_byte_val(vt_param(vt, base + 2, 0));
	}
	return nsub;
}

/* Apply one plain SGR code p to a. */
static void
vt_sgr_one(struct attr *a, int p, int sub)
{
	static const uint16_t	 set[10] = { 0, ATTR_BOLD, ATTR_DIM, ATTR_ITALIC,
	    ATTR_UNDERLINE, ATTR_BLINK, ATTR_BLINK, ATTR_REVERSE,
	    ATTR_INVISIBLE, ATTR_STRIKE };

	if (p == 0)
		*a = vt_attr_default;
	else if (p == 4 && sub == 0)
		a->flags &= ~ATTR_UNDERLINE;	/* 4:0, no underline */
	else if (p >= 1 && p <= 9)
		a->flags |= set[p];
	else if (p == 21)
		a->flags |= ATTR_UNDERLINE;	/* double underline */
	else if (p == 22)
		a->flags &= ~(ATTR_BOLD | ATTR_DIM);
	else if (p >= 23 && p <= 29 && p != 26)
		a->flags &= ~set[p - 20];
	else if (p >= 30 && p <= 37)
		a->fg = COLOUR_PALETTE | (uint32_t)(p - 30);
	else if (p == 39)
		a->fg = COLOUR_DEFAULT;
	else if (p >= 40 && p <= 47)
		a->bg = COLOUR_PALETTE | (uint32_t)(p - 40);
	else if (p == 49)
		a->bg = COLOUR_DEFAULT;
	else if (p >= 90 && p <= 97)
		a->fg = COLOUR_PALETTE | (uint32_t)(p - 90 + 8);
	else if (p >= 100 && p <= 107)
		a->bg = COLOUR_PALETTE | (uint32_t)(p - 100 + 8);
}

/* SGR: CSI ... m. */
void
vt_sgr(struct vt *vt)
{
	size_t		 i;
	uint32_t	 ul;

	if (vt->nparams == 0) {
		vt->attr = vt_attr_default;
		return;
	}
	for (i = 0; i < vt->nparams; i++) {
		int	 p = vt_param(vt, i, 0);

		if (vt->colon[i])
			continue;	/* a sub-parameter nobody claimed */
		if (p == 38)
			i += vt_sgr_colour(vt, i, &vt->attr.fg);
		else if (p == 48)
			i += vt_sgr_colour(vt, i, &vt->attr.bg);
		else if (p == 58)
			i += vt_sgr_colour(vt, i, &ul);	/* underline colour */
		else if (i + 1 < vt->nparams && vt->colon[i + 1])
			vt_sgr_one(&vt->attr, p, vt_param(vt, i + 1, 0));
		else
			vt_sgr_one(&vt->attr, p, -1);
	}
}

