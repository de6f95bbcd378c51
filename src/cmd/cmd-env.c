/*
 * nodemux env N: node N's variables as export lines a shell can eval,
 * so a script or a terminal can stand in for that node.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/opts.h"
#include "nodemux/plan.h"
#include "nodemux/util.h"

int
cmd_env(struct opts *o)
{
	struct strbuf	 sb = STRBUF_INIT;
	struct plan	*plan;
	const char	*eq;
	char	       **e;
	int		 n;

	if (o->argc > 1) {
		nm_warn("env: unexpected argument %s", o->argv[1]);
		return 2;
	}
	if ((plan = opts_plan(o)) == NULL)
		return 2;
	if ((n = opts_node_number(o->argc ? o->argv[0] : NULL, plan)) == -1) {
		plan_free(plan);
		return 2;
	}
	for (e = plan->nodes[n - 1].env; *e != NULL; e++) {
		eq = strchr(*e, '=');
		strbuf_adds(&sb, "export ");
		strbuf_add(&sb, *e, eq - *e + 1);
		shell_quote_single(&sb, eq + 1);
		strbuf_addc(&sb, '\n');
	}
	plan_free(plan);
	fputs(sb.buf, stdout);
	strbuf_free(&sb);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		nm_warn("env: cannot write the output");
		return 1;
	}
	return 0;
}
