/*
 * The node lifecycle table: every legal transition leads where the
 * lifecycle says (SPEC §4, §12), and every other (state, event) pair is
 * refused.  The legal list is written out here, apart from the table.
 */
#include "config.h"

#include <criterion/criterion.h>

#include "nodemux/cluster.h"

struct legal {
	enum node_state	 from;
	enum node_event	 ev;
	enum node_state	 to;
};

/* Starting a node that runs nothing: spawned (it is "starting" until its
   transport says it runs), or failed to start. */
#define STARTS(s) \
	{ s, NEV_SPAWN, NODE_STARTING }, \
	{ s, NEV_FAIL, NODE_FAILED }

/* A node that runs (or is paused) ends, fails late, or is stopped. */
#define ENDS(s) \
	{ s, NEV_EXIT, NODE_EXITED }, \
	{ s, NEV_KILLED, NODE_KILLED }, \
	{ s, NEV_LOST, NODE_LOST }, \
	{ s, NEV_FAIL, NODE_FAILED }, \
	{ s, NEV_STOP, NODE_STOPPING }

static const struct legal legal[] = {
	STARTS(NODE_STOPPED),
	ENDS(NODE_STARTING),
	/* Its transport says it runs: running without probes; with
	   probes, ready once they pass too. */
	{ NODE_STARTING, NEV_STARTED, NODE_RUNNING },
	{ NODE_STARTING, NEV_READY, NODE_READY },
	{ NODE_STARTING, NEV_PAUSE, NODE_PAUSED },
	/* Stopped while its start waited (its ports, on its host), before
	   any process ran: stopped, nothing to stop. */
	{ NODE_STARTING, NEV_CANCEL, NODE_STOPPED },
	ENDS(NODE_RUNNING),
	{ NODE_RUNNING, NEV_PAUSE, NODE_PAUSED },
	ENDS(NODE_READY),
	{ NODE_READY, NEV_PAUSE, NODE_PAUSED },
	/* Stopping ends as "stopped" whatever the status; asked again it
	   stays (and kills now). */
	{ NODE_STOPPING, NEV_STOP, NODE_STOPPING },
	{ NODE_STOPPING, NEV_EXIT, NODE_STOPPED },
	{ NODE_STOPPING, NEV_KILLED, NODE_STOPPED },
	{ NODE_STOPPING, NEV_LOST, NODE_STOPPED },
	{ NODE_STOPPING, NEV_FAIL, NODE_FAILED },
	STARTS(NODE_EXITED),
	{ NODE_EXITED, NEV_BACKOFF, NODE_BACKOFF },
	STARTS(NODE_KILLED),
	{ NODE_KILLED, NEV_BACKOFF, NODE_BACKOFF },
	STARTS(NODE_FAILED),
	{ NODE_FAILED, NEV_BACKOFF, NODE_BACKOFF },
	STARTS(NODE_LOST),
	{ NODE_LOST, NEV_BACKOFF, NODE_BACKOFF },
	STARTS(NODE_BACKOFF),
	{ NODE_BACKOFF, NEV_STOP, NODE_STOPPED },
	ENDS(NODE_PAUSED),
};

/* Is (s, ev) in the legal list?  Its target in *to. */
static int
legal_find(enum node_state s, enum node_event ev, enum node_state *to)
{
	size_t	 i;

	for (i = 0; i < sizeof legal / sizeof legal[0]; i++) {
		if (legal[i].from == s && legal[i].ev == ev) {
			*to = legal[i].to;
			return 1;
		}
	}
	return 0;
}

Test(lifecycle, every_legal_transition_leads_where_it_should)
{
	size_t	 i;

	for (i = 0; i < sizeof legal / sizeof legal[0]; i++) {
		cr_expect_eq(node_next(legal[i].from, legal[i].ev,
		    NODE_STOPPED), (int)legal[i].to, "%s --%s--> %s",
		    node_state_name(legal[i].from),
		    node_event_name(legal[i].ev), node_state_name(legal[i].to));
	}
}

Test(lifecycle, every_other_pair_is_refused)
{
	enum node_state	 to;
	int		 s, ev, refused = 0;

	for (s = 0; s < NODE_NSTATES; s++) {
		for (ev = 0; ev < NODE_NEVENTS; ev++) {
			if (s == NODE_PAUSED && ev == NEV_RESUME)
				continue;	/* below */
			if (legal_find(s, ev, &to))
				continue;
			cr_expect_eq(node_next(s, ev, NODE_READY), -1,
			    "%s --%s--> should be refused",
			    node_state_name(s), node_event_name(ev));
			refused++;
		}
	}
	/* Most pairs are refused: the table is not permissive. */
	cr_assert_gt(refused, NODE_NSTATES * NODE_NEVENTS / 2);
}

Test(lifecycle, resume_returns_to_the_state_paused_in)
{
	cr_assert_eq(node_next(NODE_PAUSED, NEV_RESUME, NODE_READY),
	    NODE_READY);
	cr_assert_eq(node_next(NODE_PAUSED, NEV_RESUME, NODE_STARTING),
	    NODE_STARTING);
	cr_assert_eq(node_next(NODE_PAUSED, NEV_RESUME, NODE_RUNNING),
	    NODE_RUNNING);
	/* Paused nodes are neither paused again nor made ready. */
	cr_assert_eq(node_next(NODE_PAUSED, NEV_PAUSE, NODE_READY), -1);
	cr_assert_eq(node_next(NODE_PAUSED, NEV_READY, NODE_STARTING), -1);
	cr_assert_eq(node_next(NODE_READY, NEV_RESUME, NODE_READY), -1);
}

Test(lifecycle, out_of_range_is_refused_and_named)
{
	cr_assert_eq(node_next(NODE_NSTATES, NEV_STOP, NODE_READY), -1);
	cr_assert_eq(node_next(NODE_READY, NODE_NEVENTS, NODE_READY), -1);
	cr_assert_eq(node_next((enum node_state)-1, NEV_STOP, NODE_READY), -1);
	cr_assert_str_eq(node_state_name(NODE_PAUSED), "paused");
	cr_assert_str_eq(node_state_name(NODE_LOST), "lost");
	cr_assert_str_eq(node_state_name(NODE_NSTATES), "?");
	cr_assert_str_eq(node_event_name(NEV_RESUME), "resume");
	cr_assert_str_eq(node_event_name(NEV_STARTED), "started");
	cr_assert_str_eq(node_event_name(NEV_CANCEL), "cancel");
}

Test(lifecycle, only_a_start_that_waits_is_called_off)
{
	int	 s;

	/* A node that runs (or did) is stopped, not called off. */
	for (s = 0; s < NODE_NSTATES; s++) {
		if (s != NODE_STARTING)
			cr_assert_eq(node_next(s, NEV_CANCEL, NODE_STARTING),
			    -1, "%s --cancel--> should be refused",
			    node_state_name(s));
	}
	cr_assert_eq(node_next(NODE_STARTING, NEV_CANCEL, NODE_STOPPED),
	    NODE_STOPPED);
}

Test(lifecycle, a_node_is_running_only_once_its_transport_says_it_runs)
{
	enum node_state	 s;
	int		 ev;

	/* Spawned is "starting", never running or ready straight away. */
	cr_assert_eq(node_next(NODE_STOPPED, NEV_SPAWN, NODE_STOPPED),
	    NODE_STARTING);
	for (s = 0; s < NODE_NSTATES; s++) {
		if (s == NODE_STARTING)
			continue;
		/* "started" is heard only while starting: once running, a
		   second one changes nothing; paused, the cluster keeps it
		   for the resume. */
		cr_assert_eq(node_next(s, NEV_STARTED, NODE_STARTING), -1,
		    "%s --started--> should be refused", node_state_name(s));
		for (ev = 0; ev < NODE_NEVENTS; ev++) {
			if (node_next(s, ev, NODE_STARTING) == NODE_RUNNING &&
			    !(s == NODE_PAUSED && ev == NEV_RESUME))
				cr_assert_fail("%s --%s--> running without "
				    "started", node_state_name(s),
				    node_event_name(ev));
		}
	}
	cr_assert_eq(node_next(NODE_STARTING, NEV_STARTED, NODE_STOPPED),
	    NODE_RUNNING);
	/* Paused while starting, it resumes starting. */
	cr_assert_eq(node_next(NODE_PAUSED, NEV_RESUME, NODE_STARTING),
	    NODE_STARTING);
}
