/*
 * Interactive mode sends keys to a node as a terminal would: characters
 * as UTF-8, the other keys as the escape sequences of an xterm.
 */
#include "config.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ui-int.h"
#include "nodemux/util.h"

/* What the interactive mode sends for the keys that are not characters. */
static const struct {
	int		 key;
	const char	*seq;
} ui_encode_seqs[] = {
	{ .key = KEY_UP, .seq = "\033[A" },
	{ .key = KEY_DOWN, .seq = "\033[B" },
	{ .key = KEY_RIGHT, .seq = "\033[C" },
	{ .key = KEY_LEFT, .seq = "\033[D" },
	{ .key = KEY_HOME, .seq = "\033[H" },
	{ .key = KEY_END, .seq = "\033[F" },
	{ .key = KEY_BACKSPACE, .seq = "\177" },
	{ .key = KEY_DC, .seq = "\033[3~" },
	{ .key = KEY_IC, .seq = "\033[2~" },
	{ .key = KEY_PPAGE, .seq = "\033[5~" },
	{ .key = KEY_NPAGE, .seq = "\033[6~" },
	{ .key = KEY_ENTER, .seq = "\r" },
	{ .key = KEY_BTAB, .seq = "\033[Z" },
	{ .key = KEY_F(1), .seq = "\033OP" },
	{ .key = KEY_F(2), .seq = "\033OQ" },
	{ .key = KEY_F(3), .seq = "\033OR" },
	{ .key = KEY_F(4), .seq = "\033OS" },
	{ .key = KEY_F(5), .seq = "\033[15~" },
	{ .key = KEY_F(6), .seq = "\033[17~" },
	{ .key = KEY_F(7), .seq = "\033[18~" },
	{ .key = KEY_F(8), .seq = "\033[19~" },
	{ .key = KEY_F(9), .seq = "\033[20~" },
	{ .key = KEY_F(10), .seq = "\033[21~" },
	{ .key = KEY_F(11), .seq = "\033[23~" },
	{ .key = KEY_F(12), .seq = "\033[24~" },
};

/* In application cursor mode (DECCKM) these send SS3 sequences. */
static const struct {
	int		 key;
	const char	*seq;
} ui_encode_app[] = {
	{ .key = KEY_UP, .seq = "\033OA" },
	{ .key = KEY_DOWN, .seq = "\033OB" },
	{ .key = KEY_RIGHT, .seq = "\033OC" },
	{ .key = KEY_LEFT, .seq = "\033OD" },
	{ .key = KEY_HOME, .seq = "\033OH" },
	{ .key = KEY_END, .seq = "\033OF" },
};

/*
 * The bytes a terminal sends for a key (is_key: a KEY_* code) into buf:
 * their number, 0 for a key with none.  modes are the VT_MODE_* the
 * program set: cursor keys follow application mode.
 */
size_t
ui_encode_key(int is_key, wint_t wc, unsigned modes, char *buf, size_t len)
{
	mbstate_t	 ps;
	size_t		 i, n;

	if (is_key && (modes & VT_MODE_APPCURSOR)) {
		for (i = 0; i < nitems(ui_encode_app); i++) {
			if (ui_encode_app[i].key != (int)wc)
				continue;
			n = strlen(ui_encode_app[i].seq);
			if (n > len)
				return 0;
			memcpy(buf, ui_encode_app[i].seq, n);
			return n;
		}
	}
	if (is_key) {
		for (i = 0; i < nitems(ui_encode_seqs); i++) {
			if (ui_encode_seqs[i].key != (int)wc)
				continue;
			n = strlen(ui_encode_seqs[i].seq);
			if (n > len)
				return 0;
			memcpy(buf, ui_encode_seqs[i].seq, n);
			return n;
		}
		return 0;
	}
	if (len < MB_LEN_MAX)
		return 0;
	memset(&ps, 0, sizeof ps);
	n = wcrtomb(buf, (wchar_t)wc, &ps);
	return n == (size_t)-1 ? 0 : n;
}
