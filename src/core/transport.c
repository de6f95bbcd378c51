/*
 * The table of node transports: the first whose match takes a node
 * drives it.  A new transport is one file and one line here; the local
 * pty takes every node no other transport claims, so it comes last.
 */
#include "config.h"

#include <stddef.h>

#include "nodemux/transport.h"

static const struct transport_ops *const transport_table[] = {
	&transport_ssh,
	&transport_local,
};

const struct transport_ops *
transport_find(const struct plan *plan, const struct plan_node *pn)
{
	size_t	 i;

	for (i = 0; i < sizeof transport_table / sizeof transport_table[0];
	    i++) {
		if (transport_table[i]->match == NULL ||
		    transport_table[i]->match(plan, pn))
			return transport_table[i];
	}
	return &transport_local;
}

void
transport_finish_all(void)
{
	size_t	 i;

	for (i = 0; i < sizeof transport_table / sizeof transport_table[0];
	    i++) {
		if (transport_table[i]->finish != NULL)
			transport_table[i]->finish();
	}
}
