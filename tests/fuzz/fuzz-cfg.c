/*
 * Fuzz the config loader, the plan builder and templates (cfg.c,
 * cfg-keys.c, plan.c, tmpl.c) through plan_load, as `nodemux plan`
 * does: any file must give a plan or one clear message.
 * Input: byte 0 picks the profile and size; the rest is the config,
 * up to a line "#inc", after which comes the file inc.cfg, which the
 * config may @include (so may inc.cfg itself, and its own...).
 */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nodemux/plan.h"
#include "nodemux/util.h"
#include "fuzz.h"

#define FUZZ_CFG_SEP "\n#inc\n"

/* Write len bytes of buf to path; the harness's own directory. */
static void
fuzz_cfg_write(const char *path, const void *buf, size_t len)
{
	int	 fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FUZZ_CHECK(fd != -1, "cannot write %s", path);
	FUZZ_CHECK(len == 0 || write(fd, buf, len) == (ssize_t)len,
	    "short write to %s", path);
	close(fd);
}

static char	*fuzz_cfg_dir;

/* Remove the directory at exit (a replay run, or the fuzzer's end). */
static void
fuzz_cfg_cleanup(void)
{
	unlink("fuzz.cfg");
	unlink("inc.cfg");
	if (chdir("/") == 0)
		rmdir(fuzz_cfg_dir);
}

/* Work in a directory of our own, made once: relative paths of the
   config (log_dir, cwd, includes) land there. */
static void
fuzz_cfg_init(void)
{
	const char	*tmp = getenv("TMPDIR");

	if (fuzz_cfg_dir != NULL)
		return;
	fuzz_cfg_dir = xasprintf("%s/nodemux-fuzz-cfg.XXXXXX",
	    tmp != NULL && *tmp == '/' ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(fuzz_cfg_dir) != NULL, "mkdtemp");
	FUZZ_CHECK(chdir(fuzz_cfg_dir) == 0, "chdir");
	atexit(fuzz_cfg_cleanup);
	unsetenv("NODEMUX_PROFILE");
	unsetenv("NODEMUX_CONFIG");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const profiles[] = { NULL, "dev", "prod", "a" };
	struct plan_opts	 po;
	struct plan		*plan;
	const uint8_t		*sep;
	char			*cause = NULL;
	size_t			 mainlen;
	int			 i;

	if (size < 1)
		return 0;
	fuzz_cfg_init();
	memset(&po, 0, sizeof po);
	po.profile = profiles[data[0] & 3];
	po.size = (data[0] >> 2 & 7) == 0 ? -1 : (data[0] >> 2 & 7);
	po.config = "fuzz.cfg";
	data++;
	size--;
	sep = memmem(data, size, FUZZ_CFG_SEP, strlen(FUZZ_CFG_SEP));
	mainlen = sep != NULL ? (size_t)(sep - data) : size;
	fuzz_cfg_write("fuzz.cfg", data, mainlen);
	if (sep != NULL)
		fuzz_cfg_write("inc.cfg", sep + strlen(FUZZ_CFG_SEP),
		    size - mainlen - strlen(FUZZ_CFG_SEP));
	else
		unlink("inc.cfg");

	plan = plan_load(&po, &cause);
	if (plan == NULL) {
		FUZZ_CHECK(cause != NULL && *cause != '\0', "no message");
		FUZZ_CHECK(strchr(cause, '\n') == NULL ||
		    strchr(cause, '\n')[1] == '\0', "a message of many lines");
		free(cause);
		return 0;
	}
	FUZZ_CHECK(plan->size >= 1 && plan->nodes != NULL, "size %d",
	    plan->size);
	for (i = 0; i < plan->size; i++) {
		FUZZ_CHECK(plan->nodes[i].index == i + 1, "index");
		FUZZ_CHECK(plan->nodes[i].argv != NULL &&
		    plan->nodes[i].argv[0] != NULL, "node %d has no argv", i);
		FUZZ_CHECK(plan->nodes[i].cwd != NULL, "node %d has no cwd", i);
	}
	plan_free(plan);
	return 0;
}
