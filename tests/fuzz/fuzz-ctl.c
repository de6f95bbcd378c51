/*
 * Fuzz the control socket's request parser (ctl_parse in ctl.c): any
 * line must be understood or refused with a message, and the JSON line
 * the refusal is sent as must be valid: UTF-8, no raw control byte,
 * every string closed.
 * Input: byte 0 the cluster's size (1-64), the rest the request line.
 */
#include "config.h"

#include <string.h>

#include "nodemux/ctl.h"
#include "nodemux/util.h"
#include "fuzz.h"

/* Is s one JSON string, as json_quote writes it?  1 or 0. */
static int
fuzz_ctl_json_string(const char *s, size_t len)
{
	size_t	 i;

	if (len < 2 || s[0] != '"' || s[len - 1] != '"')
		return 0;
	for (i = 1; i < len - 1; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == '"')
			return 0;
		if (s[i] == '\\') {
			if (++i == len - 1 || strchr("\"\\/bfnrtu", s[i]) == NULL)
				return 0;
		}
	}
	return fuzz_utf8_valid(s, len);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf	 sb = STRBUF_INIT;
	struct ctl_req	 r;
	char		*req, *error = NULL;
	int		 nnodes;

	if (size < 1 || size > 4096)
		return 0;
	nnodes = 1 + data[0] % 64;
	req = xmalloc(size);
	memcpy(req, data + 1, size - 1);
	req[size - 1] = '\0';	/* ctl.c reads up to the newline or a NUL */
	if (ctl_parse(req, nnodes, &r, &error) == -1) {
		FUZZ_CHECK(error != NULL && *error != '\0', "no message");
		json_quote(&sb, error);
		FUZZ_CHECK(fuzz_ctl_json_string(sb.buf, sb.len),
		    "invalid JSON: %s", sb.buf);
		free(error);
	} else {
		FUZZ_CHECK(r.verb != NULL, "no verb");
		FUZZ_CHECK(r.node >= -1 && r.node < nnodes, "node %d of %d",
		    r.node, nnodes);
		FUZZ_CHECK(r.grep == NULL ||
		    (r.grep >= req && r.grep < req + size), "grep outside");
		json_quote(&sb, r.grep != NULL ? r.grep : r.verb);
		FUZZ_CHECK(fuzz_ctl_json_string(sb.buf, sb.len),
		    "invalid JSON: %s", sb.buf);
	}
	strbuf_free(&sb);
	free(req);
	return 0;
}
