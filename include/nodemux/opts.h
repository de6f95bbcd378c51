/*
 * The command line shared by every subcommand: one parser, one struct;
 * each command says which options it accepts.
 */
#ifndef NODEMUX_OPTS_H
#define NODEMUX_OPTS_H

#include <stdio.h>

#include "nodemux/plan.h"

/* Options a command may accept (bits of struct cmd's allowed). */
#define OPT_PLAN	0x01	/* -n -c -p --log-dir --hosts */
#define OPT_HEADLESS	0x02
#define OPT_JSON	0x04
#define OPT_SOCKET	0x08
#define OPT_FOLLOW	0x10	/* -f --grep (ctl logs) */
#define OPT_SIZES	0x20	/* -n may be a list (exec's size matrix) */

#define OPTS_SIZES_MAX	64	/* sizes in one -n list */

struct opts {
	struct plan_opts plan;		/* plan.size: the first of a list */
	int		 sizes[OPTS_SIZES_MAX]; /* -n 3,5,8: exec's size
					   matrix runs each, in order */
	int		 nsizes;	/* 0: -n gave one size, or none */
	int		 headless;
	int		 json;
	int		 no_color;	/* --no-color or NO_COLOR set */
	int		 follow;
	const char	*grep;
	const char	*socket;
	int		 argc;		/* operands after the command; for
					   exec, CMD... after -- */
	char	       **argv;
};

/* A subcommand: its name, what it accepts, its one-line usage. */
struct cmd {
	const char	*name;
	int		(*run)(struct opts *);
	int		 allowed;
	const char	*usage;
	int		 hidden;	/* not in --help (__complete) */
};

/*
 * Parse argv into o and find the command (up when none is named).
 * Returns the command, or NULL after printing a usage error (exit 2);
 * *exit_now is set to 0 after --help or --version was handled.
 */
const struct cmd *opts_parse(int argc, char **argv, struct opts *o,
		    int *exit_now);

/* The command named name (hidden ones too), or NULL. */
const struct cmd *opts_command(const char *name);

/* The names of the commands --help shows, one per line. */
void		 opts_list_commands(FILE *);

/* The options cmd accepts, one per line: "-n", "--size", ... */
void		 opts_list_options(const struct cmd *, FILE *);

/* Print "nodemux: msg" (printf format) to stderr. */
void		 nm_warn(const char *, ...) __attribute__((format(printf, 1, 2)));

/*
 * Load the plan for o; on error print "nodemux: CAUSE" and return NULL
 * (the caller exits 2).
 */
struct plan	*opts_plan(const struct opts *);

/* Parse node number s against plan size; print the error, -1. */
int		 opts_node_number(const char *s, const struct plan *);

/* The subcommands (src/cmd/cmd-*.c). */
int	cmd_up(struct opts *);
int	cmd_exec(struct opts *);
int	cmd_plan(struct opts *);
int	cmd_env(struct opts *);
int	cmd_run_node(struct opts *);
int	cmd_doctor(struct opts *);
int	cmd_ctl(struct opts *);
int	cmd_demo_node(struct opts *);
int	cmd_complete(struct opts *);

#endif
