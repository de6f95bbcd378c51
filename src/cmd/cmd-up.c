/*
 * nodemux up: the console on a terminal, headless prefixed lines
 * otherwise or with --headless (SPEC §1, §6).
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "nodemux/ctl.h"
#include "nodemux/headless.h"
#include "nodemux/opts.h"
#include "nodemux/plan.h"
#include "nodemux/ui.h"
#include "nodemux/util.h"

/*
 * The control socket this console answers on: --socket, else the one
 * named after the config.  NULL, after saying so, when a console already
 * answers there (SPEC §8: up refuses, exit 2) or --socket names a path
 * no socket can have.
 */
static char *
up_socket(const struct opts *o, const struct plan *plan)
{
	struct sockaddr_un	 sun;
	char			*path, *cause = NULL;
	int			 fd;

	if (o->socket != NULL) {
		/* One the user named must be usable: a usage error if not. */
		if (ctl_addr(o->socket, &sun, &cause) == -1) {
			nm_warn("--socket: %s", cause);
			free(cause);
			return NULL;
		}
		path = xstrdup(o->socket);
	} else
		path = ctl_default_path(plan->config_name);
	if ((fd = ctl_connect(path)) != -1) {
		close(fd);
		nm_warn("a console is already running on %s (use --socket "
		    "to start another)", path);
		free(path);
		return NULL;
	}
	return path;
}

int
cmd_up(struct opts *o)
{
	struct headless_opts	 ho = { .fd = STDOUT_FILENO, .node_lines = 1 };
	struct plan		*plan;
	int			 rc;

	if (o->argc != 0) {
		nm_warn("up: unexpected argument %s", o->argv[0]);
		return 2;
	}
	if ((plan = opts_plan(o)) == NULL)
		return 2;
	if ((ho.socket = up_socket(o, plan)) == NULL) {
		plan_free(plan);
		return 2;
	}
	if (!o->headless && isatty(STDOUT_FILENO))
		rc = ui_run(plan, o);
	else {
		/* A reader that goes away is noticed by write, not a signal. */
		signal(SIGPIPE, SIG_IGN);
		ho.colour = isatty(STDOUT_FILENO) && !o->no_color;
		rc = headless_run(plan, &ho);
	}
	free((char *)ho.socket);
	plan_free(plan);
	return rc;
}
