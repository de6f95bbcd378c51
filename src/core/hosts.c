/*
 * The machines of a cluster: ssh targets checked and split, the host
 * list taken from the command line, the environment or the config, and
 * nodes placed on hosts (spread or fill).  Resolves nothing: an ssh
 * target may be a ~/.ssh/config alias only ssh knows.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "nodemux/cfg.h"
#include "nodemux/hosts.h"
#include "nodemux/net.h"
#include "nodemux/plan.h"
#include "nodemux/util.h"

#define HOSTS_NAME_MAX	255

/* Can s be a host name or an IP literal? */
static int
hosts_host_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || len > HOSTS_NAME_MAX || *s == '-')
		return 0;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)s[i]) && strchr("-._:%", s[i]) ==
		    NULL)
			return 0;
	}
	return 1;
}

/* Can s be a user name ssh takes? */
static int
hosts_user_ok(const char *s, size_t len)
{
	size_t	 i;

	if (len == 0 || *s == '-')
		return 0;
	for (i = 0; i < len; i++) {
		if (!isalnum((unsigned char)s[i]) && strchr("-._$", s[i]) ==
		    NULL)
			return 0;
	}
	return 1;
}

int
hosts_split(const char *target, char **dest, int *port, char **host,
    char **why)
{
	const char	*at, *h, *end, *colon, *user_end;
	size_t		 hlen;

	*dest = *host = NULL;
	*port = 0;
	at = strrchr(target, '@');
	h = at != NULL ? at + 1 : target;
	user_end = at;
	if (at != NULL && !hosts_user_ok(target, at - target))
		goto bad;
	if (*h == '[') {		/* [v6]:port */
		if ((end = strchr(h, ']')) == NULL)
			goto bad;
		h++;
		hlen = end - h;
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] != '\0' && colon == NULL)
			goto bad;
	} else {
		colon = strchr(h, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			colon = NULL;	/* a bare v6 literal: no port */
		hlen = colon != NULL ? (size_t)(colon - h) : strlen(h);
	}
	if (!hosts_host_ok(h, hlen))
		goto bad;
	if (colon != NULL && parse_int(colon + 1, 1, 65535, port) != 0) {
		*why = xasprintf("\"%s\": the port after ':' must be 1-65535",
		    target);
		return -1;
	}
	*host = xstrndup(h, hlen);
	if (user_end != NULL)
		*dest = xasprintf("%.*s@%s", (int)(user_end - target), target,
		    *host);
	else
		*dest = xstrdup(*host);
	return 0;
bad:
	*why = xasprintf("\"%s\" is not an ssh target: use [user@]host[:port]",
	    target);
	return -1;
}

int
hosts_check_target(const char *v, char **why)
{
	char	*dest, *host;
	int	 port;

	if (hosts_split(v, &dest, &port, &host, why) != 0)
		return -1;
	free(dest);
	free(host);
	return 0;
}

int
hosts_check_address(const char *v, char **why)
{
	if (hosts_host_ok(v, strlen(v)))
		return 0;
	*why = xasprintf("\"%s\" is not a host name or an IP address", v);
	return -1;
}

char *
hosts_default_name(const char *target, int i)
{
	char	*dest, *host, *why = NULL;
	int	 port;

	if (target == NULL)
		return xstrdup("local");
	if (hosts_split(target, &dest, &port, &host, &why) != 0) {
		free(why);
		return xasprintf("h%d", i + 1);
	}
	free(dest);
	return host;
}

/* A copy of a NULL-terminated string vector. */
static char **
hosts_strv_dup(char *const *v)
{
	size_t	 i, n = strv_len(v);
	char	**copy = xcalloc(n + 1, sizeof *copy);

	for (i = 0; i < n; i++)
		copy[i] = xstrdup(v[i]);
	return copy;
}

/* Fill h from one entry: name, target (NULL: local), address, slots. */
static int
hosts_fill(struct plan_host *h, const struct plan *plan, const char *name,
    const char *target, const char *address, int slots, char **why)
{
	char	*host;

	h->slots = slots;
	if (target == NULL) {
		h->name = xstrdup(name != NULL ? name : "local");
		h->address = xstrdup(address != NULL ? address : plan->host);
		return 0;
	}
	if (hosts_split(target, &h->ssh, &h->port, &host, why) != 0)
		return -1;
	h->name = name != NULL ? xstrdup(name) : xstrdup(host);
	h->address = address != NULL ? xstrdup(address) : xstrdup(host);
	free(host);
	return 0;
}

/* The hosts of a --hosts or NODEMUX_HOSTS list: SPEC,SPEC... */
static int
hosts_from_list(struct plan *plan, const char *list, const char *from,
    char **cause)
{
	char	*copy, *p, *spec, *why = NULL;
	int	 n = 1;

	for (p = (char *)list; *p != '\0'; p++)
		n += *p == ',';
	plan->hosts = xcalloc(n, sizeof *plan->hosts);
	copy = xstrdup(list);
	for (p = copy; (spec = strsep(&p, ",")) != NULL; plan->nhosts++) {
		if (*spec == '\0') {
			why = xstrdup("an empty entry: use [user@]host[:port] "
			    "or local");
			break;
		}
		if (hosts_fill(&plan->hosts[plan->nhosts], plan, NULL,
		    strcmp(spec, "local") == 0 ? NULL : spec, NULL, 0,
		    &why) != 0)
			break;
	}
	free(copy);
	if (why == NULL)
		return 0;
	*cause = xasprintf("invalid %s \"%s\": %s", from, list, why);
	free(why);
	return -1;
}

/* The hosts of cluster.hosts. */
static int
hosts_from_cfg(struct plan *plan, char **cause)
{
	const struct cfg	*cfg = plan->cfg;
	const struct cfg_host	*ch;
	char			*why = NULL;
	int			 i;

	plan->hosts = xcalloc(cfg->nhosts, sizeof *plan->hosts);
	for (i = 0; i < cfg->nhosts; i++) {
		ch = &cfg->hosts[i];
		plan->nhosts++;
		if (hosts_fill(&plan->hosts[i], plan, ch->name, ch->ssh,
		    ch->address, ch->slots, &why) != 0) {
			*cause = cfg_error(cfg, ch->line, "cluster.hosts: %s",
			    why);
			free(why);
			return -1;
		}
	}
	return 0;
}

/* Does host h take another node? */
static int
hosts_room(const struct plan_host *h)
{
	return h->slots == 0 || h->nodes < h->slots;
}

/* The host of the node after the last one placed on host last. */
static struct plan_host *
hosts_next(struct plan *plan, int last)
{
	int	 k, j;

	if (plan->placement == PLAN_PLACE_FILL) {
		for (j = last < 0 ? 0 : last; j < plan->nhosts; j++) {
			if (hosts_room(&plan->hosts[j]))
				return &plan->hosts[j];
		}
		return NULL;
	}
	for (k = 1; k <= plan->nhosts; k++) {
		j = (last + k) % plan->nhosts;
		if (hosts_room(&plan->hosts[j]))
			return &plan->hosts[j];
	}
	return NULL;
}

/* Place every node on a host; -1 when the slots run out. */
static int
hosts_place(struct plan *plan, char **cause)
{
	struct plan_host	*h;
	int			 i, last = -1, total = 0;

	for (i = 0; i < plan->size; i++) {
		if ((h = hosts_next(plan, last)) == NULL) {
			for (last = 0; last < plan->nhosts; last++)
				total += plan->hosts[last].slots;
			*cause = xasprintf("%s: %d nodes do not fit in the %d "
			    "slots of %d hosts", plan->hosts_from, plan->size,
			    total, plan->nhosts);
			return -1;
		}
		h->nodes++;
		last = h - plan->hosts;
		plan->nodes[i].host = h;
		plan->nodes[i].host_addr = h->address;
	}
	return 0;
}

int
hosts_plan(struct plan *plan, const char *cli, char **cause)
{
	const char	*env = getenv("NODEMUX_HOSTS");
	int		 i, rc;

	for (i = 0; i < plan->size; i++)
		plan->nodes[i].host_addr = plan->host;
	plan->placement = plan->cfg->placement.v;
	if (plan->cfg->ssh_options != NULL)
		plan->ssh_options = hosts_strv_dup(plan->cfg->ssh_options);
	if (cli != NULL) {
		plan->hosts_from = xstrdup("--hosts");
		rc = hosts_from_list(plan, cli, "--hosts", cause);
	} else if (env != NULL && *env != '\0') {
		plan->hosts_from = xstrdup("NODEMUX_HOSTS");
		rc = hosts_from_list(plan, env, "NODEMUX_HOSTS", cause);
	} else if (plan->cfg->nhosts > 0) {
		plan->hosts_from = cfg_error(plan->cfg, plan->cfg->hosts_line,
		    "cluster.hosts");
		rc = hosts_from_cfg(plan, cause);
	} else
		return 0;
	if (rc != 0)
		return -1;
	return hosts_place(plan, cause);
}

void
hosts_free(struct plan *plan)
{
	int	 i;

	for (i = 0; i < plan->nhosts; i++) {
		free(plan->hosts[i].name);
		free(plan->hosts[i].ssh);
		free(plan->hosts[i].address);
	}
	free(plan->hosts);
	free(plan->hosts_from);
	strv_free(plan->ssh_options);
	plan->hosts = NULL;
	plan->nhosts = 0;
}
