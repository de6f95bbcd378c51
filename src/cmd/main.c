/*
 * nodemux: run an N-node cluster on this machine and show it.
 * main only parses the command line and hands over to a subcommand.
 */
#include "config.h"

#include <locale.h>
#include <stdlib.h>

#include "nodemux/opts.h"

int
main(int argc, char **argv)
{
	const struct cmd	*cmd;
	struct opts		 o;
	int			 exit_now, rc;

	setlocale(LC_ALL, "");
	cmd = opts_parse(argc, argv, &o, &exit_now);
	if (cmd == NULL)
		return exit_now == 0 ? 0 : 2;
	rc = cmd->run(&o);
	free(o.argv);
	return rc;
}
