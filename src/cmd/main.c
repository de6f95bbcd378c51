/*
 * nodemux: run an N-node cluster on this machine and show it.
 * main only parses the command line and hands over to a subcommand.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/opts.h"

/*
 * Give a closed stdin, stdout or stderr /dev/null, so that the next
 * file opened (a log file, a socket, a pty) cannot take its number and
 * receive the headless output or the error messages meant for it.
 */
static void
main_std_fds(void)
{
	int	 fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		/* open() takes the lowest free number: this fd. */
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			_exit(2);
	}
}

int
main(int argc, char **argv)
{
	const struct cmd	*cmd;
	struct opts		 o;
	int			 exit_now, rc;

	main_std_fds();
	setlocale(LC_ALL, "");
	cmd = opts_parse(argc, argv, &o, &exit_now);
	if (cmd == NULL)
		free(o.argv);	/* the operands taken before the error */
	if (cmd == NULL && exit_now == 0) {
		/* --help or --version: say so if it could not be written. */
		if (fflush(stdout) == EOF || ferror(stdout)) {
			nm_warn("cannot write to stdout: %s", strerror(errno));
			return 1;
		}
		return 0;
	}
	if (cmd == NULL)
		return 2;
	rc = cmd->run(&o);
	free(o.argv);
	return rc;
}
