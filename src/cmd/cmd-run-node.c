/*
 * nodemux run-node N: become node N in the foreground, in its directory
 * and with its environment: the one start script for every node.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/opts.h"
#include "nodemux/plan.h"
#include "nodemux/ssh.h"
#include "nodemux/util.h"

/* Put node n's directory and environment in place.  0 or -1 (said). */
static int
cmd_run_node_setup(const struct plan_node *n)
{
	char	**e, *name;
	char	 *eq;

	if (chdir(n->cwd) != 0) {
		nm_warn("cannot change to directory %s: %s", n->cwd,
		    strerror(errno));
		return -1;
	}
	for (e = n->env; *e != NULL; e++) {
		eq = strchr(*e, '=');
		name = xstrndup(*e, eq - *e);
		if (setenv(name, eq + 1, 1) != 0) {
			nm_warn("cannot set %s: %s", name, strerror(errno));
			free(name);
			return -1;
		}
		free(name);
	}
	return 0;
}

/* A node on another machine: become ssh -tt running it there, under the
   remote wrapper, in its directory and with its environment. */
static int
cmd_run_node_remote(struct plan *plan, const struct plan_node *n)
{
	char	**argv = ssh_node_argv(plan, n);
	int	  err;

	fflush(NULL);
	execvp(argv[0], argv);
	err = errno;
	nm_warn("cannot run %s: %s", argv[0], strerror(err));
	strv_free(argv);
	plan_free(plan);
	return err == ENOENT || err == ENOTDIR ? 127 : 126;
}

int
cmd_run_node(struct opts *o)
{
	struct plan		*plan;
	const struct plan_node	*n;
	int			 i, err;

	if (o->argc > 1) {
		nm_warn("run-node: unexpected argument %s", o->argv[1]);
		return 2;
	}
	if ((plan = opts_plan(o)) == NULL)
		return 2;
	if ((i = opts_node_number(o->argc ? o->argv[0] : NULL, plan)) == -1) {
		plan_free(plan);
		return 2;
	}
	n = &plan->nodes[i - 1];
	if (plan_node_remote(n))
		return cmd_run_node_remote(plan, n);
	if (cmd_run_node_setup(n) != 0) {
		plan_free(plan);
		return 1;
	}
	fflush(NULL);
	execvp(n->argv[0], n->argv);
	err = errno;
	nm_warn("cannot run %s: %s", n->argv[0], strerror(err));
	plan_free(plan);
	return err == ENOENT || err == ENOTDIR ? 127 : 126;
}
