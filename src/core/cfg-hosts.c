/*
 * cluster.hosts and cluster.ssh_options (SPEC §9): a list of host groups
 * (name, ssh, address, slots) and a list of strings, checked key by key
 * like the rest of the config; targets are checked by hosts.c.
 */
#include "config.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <libconfig.h>

#include "nodemux/cfg.h"
#include "nodemux/hosts.h"
#include "nodemux/util.h"

static const char *const cfg_host_keys[] = {
	"name", "ssh", "address", "slots", NULL
};

void
cfg_hosts_clear(struct cfg *cfg)
{
	int	 i;

	for (i = 0; i < cfg->nhosts; i++) {
		free(cfg->hosts[i].name);
		free(cfg->hosts[i].ssh);
		free(cfg->hosts[i].address);
	}
	free(cfg->hosts);
	cfg->hosts = NULL;
	cfg->nhosts = 0;
}

/* A host name for messages and the plan: letters, digits, . _ - */
static int
cfg_host_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && strchr("._-", *s) == NULL)
			return 0;
	}
	return 1;
}

/* One string member of a host group, checked by its key. */
static int
cfg_host_string(struct cfg *cfg, struct cfg_host *h, const config_setting_t *m,
    const char *key, char **cause)
{
	const char	*name = config_setting_name(m), *v;
	char		*why = NULL;

	if (cfg_get_string(cfg, m, key, &v, cause) != 0)
		return -1;
	if (strcmp(name, "name") == 0) {
		if (!cfg_host_name_ok(v)) {
			*cause = cfg_error(cfg, cfg_line(cfg, m), "%s: \"%s\": a host "
			    "name may hold only letters, digits, ., _ and -",
			    key, v);
			return -1;
		}
		free(h->name);
		h->name = xstrdup(v);
		return 0;
	}
	if (strcmp(name, "ssh") == 0 ? hosts_check_target(v, &why) :
	    hosts_check_address(v, &why)) {
		*cause = cfg_error(cfg, cfg_line(cfg, m), "%s: %s", key, why);
		free(why);
		return -1;
	}
	if (strcmp(name, "ssh") == 0) {
		free(h->ssh);
		h->ssh = xstrdup(v);
	} else {
		free(h->address);
		h->address = xstrdup(v);
	}
	return 0;
}

/* One member of a host group. */
static int
cfg_host_member(struct cfg *cfg, struct cfg_host *h, const config_setting_t *m,
    const char *prefix, char **cause)
{
	const char	*name = config_setting_name(m);
	char		*key;
	long long	 v;
	int		 rc = 0;

	key = xasprintf("%s.%s", prefix, name);
	if (strcmp(name, "slots") == 0) {
		if (config_setting_type(m) != CONFIG_TYPE_INT &&
		    config_setting_type(m) != CONFIG_TYPE_INT64)
			rc = cfg_type_error(cfg, m, key, "an integer", cause);
		else if ((v = config_setting_get_int64(m)) < 1 || v > 1000) {
			*cause = cfg_error(cfg, cfg_line(cfg, m), "%s: %lld is out "
			    "of range 1-1000", key, v);
			rc = -1;
		} else
			h->slots = (int)v;
	} else if (strcmp(name, "name") == 0 || strcmp(name, "ssh") == 0 ||
	    strcmp(name, "address") == 0)
		rc = cfg_host_string(cfg, h, m, key, cause);
	else
		rc = cfg_unknown_name(cfg, m, key, cfg_host_keys, cause);
	free(key);
	return rc;
}

/* One host group, element i of the list at key. */
static int
cfg_host(struct cfg *cfg, struct cfg_host *h, const config_setting_t *g,
    const char *key, int i, char **cause)
{
	char	*prefix;
	int	 j, rc = 0;

	prefix = xasprintf("%s[%d]", key, i);
	h->line = cfg_line(cfg, g);
	if (config_setting_type(g) != CONFIG_TYPE_GROUP)
		rc = cfg_type_error(cfg, g, prefix, "a group { name = \"h1\"; "
		    "ssh = \"user@host\"; }", cause);
	for (j = 0; rc == 0 && j < config_setting_length(g); j++)
		rc = cfg_host_member(cfg, h, config_setting_get_elem(g, j),
		    prefix, cause);
	if (rc == 0 && h->name == NULL)
		h->name = hosts_default_name(h->ssh, i);
	free(prefix);
	return rc;
}

/* Is the name of host i used by an earlier one?  Then say so. */
static int
cfg_host_dup(struct cfg *cfg, const struct cfg_host *hs, int i,
    const char *key, char **cause)
{
	int	 j;

	for (j = 0; j < i; j++) {
		if (strcmp(hs[j].name, hs[i].name) == 0) {
			*cause = cfg_error(cfg, hs[i].line, "%s: two hosts are "
			    "named \"%s\" (lines %d and %d)", key, hs[i].name,
			    hs[j].line & CFG_LINE_MAX, hs[i].line & CFG_LINE_MAX);
			return -1;
		}
	}
	return 0;
}

int
cfg_set_hosts(struct cfg *cfg, const config_setting_t *s, const char *key,
    char **cause)
{
	struct cfg	 tmp;
	int		 i, n, t = config_setting_type(s);

	if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY)
		return cfg_type_error(cfg, s, key, "a list ( { name = \"h1\"; "
		    "ssh = \"user@host\"; }, ... )", cause);
	memset(&tmp, 0, sizeof tmp);
	n = config_setting_length(s);
	tmp.hosts = xcalloc(n + 1, sizeof *tmp.hosts);
	for (i = 0; i < n; i++) {
		tmp.nhosts = i + 1;
		if (cfg_host(cfg, &tmp.hosts[i], config_setting_get_elem(s, i),
		    key, i, cause) != 0 ||
		    cfg_host_dup(cfg, tmp.hosts, i, key, cause) != 0) {
			cfg_hosts_clear(&tmp);
			return -1;
		}
	}
	cfg_hosts_clear(cfg);
	cfg->hosts = tmp.hosts;
	cfg->nhosts = n;
	cfg->hosts_line = cfg_line(cfg, s);
	return 0;
}

int
cfg_set_strv(struct cfg *cfg, const config_setting_t *s, const char *key,
    char **cause)
{
	const char	*v;
	char		**strv;
	int		 i, n, t = config_setting_type(s);

	if (t != CONFIG_TYPE_LIST && t != CONFIG_TYPE_ARRAY)
		return cfg_type_error(cfg, s, key, "a list of strings [ \"-o\", "
		    "\"ConnectTimeout=5\" ]", cause);
	n = config_setting_length(s);
	strv = xcalloc(n + 1, sizeof *strv);
	for (i = 0; i < n; i++) {
		if (cfg_get_string(cfg, config_setting_get_elem(s, i), key, &v,
		    cause) != 0) {
			strv_free(strv);
			return -1;
		}
		strv[i] = xstrdup(v);
	}
	strv_free(cfg->ssh_options);
	cfg->ssh_options = strv;
	cfg->ssh_options_line = cfg_line(cfg, s);
	return 0;
}
