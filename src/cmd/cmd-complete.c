/*
 * nodemux __complete WHAT: the words the shell completions (data/
 * completion/) offer, from the binary itself so that they never drift
 * from it: commands, a command's options, ctl's requests, the config's
 * profiles, the plan's node numbers, a running console's nodes.  Hidden
 * from --help.  One word per line; nothing at all on an error, since a
 * completion must not spill messages into the command line being typed.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/cfg.h"
#include "nodemux/ctl.h"
#include "nodemux/opts.h"
#include "nodemux/plan.h"
#include "nodemux/util.h"

/* ctl's requests (cmd-ctl.c), in the order its usage gives them. */
static const char *const complete_requests[] = {
	"status", "start", "stop", "restart", "pause", "resume", "logs",
	"quit", NULL,
};

/* The options of the command named by the operand, or of up. */
static int
complete_options(struct opts *o)
{
	const struct cmd	*cmd;

	cmd = opts_command(o->argc > 1 ? o->argv[1] : "up");
	if (cmd == NULL || cmd->hidden)
		return 1;
	opts_list_options(cmd, stdout);
	return 0;
}

/* The config -c (or the lookup) finds, loaded quietly; NULL on error. */
static struct cfg *
complete_cfg(const struct opts *o)
{
	struct cfg	*cfg;
	char		*path, *cause = NULL;

	path = cfg_find(o->plan.config);
	cfg = cfg_load(path, NULL, &cause);
	free(path);
	free(cause);
	return cfg;
}

/* The profiles of the config. */
static int
complete_profiles(struct opts *o)
{
	struct cfg	*cfg;
	size_t		 i;

	if ((cfg = complete_cfg(o)) == NULL)
		return 1;
	for (i = 0; cfg->profiles != NULL && cfg->profiles[i] != NULL; i++)
		printf("%s\n", cfg->profiles[i]);
	cfg_free(cfg);
	return 0;
}

/* The node numbers of the plan (-n, -c, -p as given): env, run-node. */
static int
complete_plan_nodes(struct opts *o)
{
	struct plan	*plan;
	char		*cause = NULL;
	int		 i;

	if ((plan = plan_load(&o->plan, &cause)) == NULL) {
		free(cause);
		return 1;
	}
	for (i = 1; i <= plan->size; i++)
		printf("%d\n", i);
	plan_free(plan);
	return 0;
}

/* A status line of the console: print its node's index. */
static int
complete_node_line(void *arg, const char *line)
{
	const char	*p = strstr(line, "\"index\":");
	int		*count = arg;

	if (p != NULL) {
		if ((*count)++ == 0)
			printf("all\n");
		printf("%d\n", atoi(p + 8));
	}
	return 0;
}

/* The nodes of the console running on --socket or the config's socket. */
static int
complete_nodes(struct opts *o)
{
	struct cfg	*cfg;
	char		*path, *cause = NULL;
	int		 count = 0, rc;

	if (o->socket != NULL)
		path = xstrdup(o->socket);
	else if ((cfg = complete_cfg(o)) != NULL) {
		path = ctl_default_path(cfg->name);
		cfg_free(cfg);
	} else
		return 1;
	rc = ctl_request(path, "status", complete_node_line, &count, &cause);
	free(cause);
	free(path);
	return rc == 0 ? 0 : 1;
}

int
cmd_complete(struct opts *o)
{
	const char	*what = o->argc > 0 ? o->argv[0] : "";
	size_t		 i;

	if (strcmp(what, "commands") == 0)
		opts_list_commands(stdout);
	else if (strcmp(what, "options") == 0)
		return complete_options(o);
	else if (strcmp(what, "requests") == 0) {
		for (i = 0; complete_requests[i] != NULL; i++)
			printf("%s\n", complete_requests[i]);
	} else if (strcmp(what, "profiles") == 0)
		return complete_profiles(o);
	else if (strcmp(what, "plan-nodes") == 0)
		return complete_plan_nodes(o);
	else if (strcmp(what, "nodes") == 0)
		return complete_nodes(o);
	else
		return 2;
	return 0;
}
