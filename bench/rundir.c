// SPDX-License-Identifier: MIT
// The output directory of a run.
#include "rundir.h"

#include "error.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(buf, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

/* results/latest -> @name, replaced atomically. */
static void point_latest(const char *name)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "results/.latest.%ld", (long)getpid());
	unlink(tmp);
	if (symlink(name, tmp) != 0) {
		pt_warn("cannot point results/latest at %s: %s", name, strerror(errno));
	} else if (rename(tmp, "results/latest") != 0) {
		/* A directory (or anything but a link) stays: it is not ours. */
		char cwd[PATH_MAX];
		int e = errno;

		if (!getcwd(cwd, sizeof(cwd)))
			snprintf(cwd, sizeof(cwd), ".");
		pt_warn("%s/results/latest left as it is (%s): this run is %s/results/%s", cwd,
			e == EISDIR ? "a directory, not a link" : strerror(e), cwd, name);
		unlink(tmp);
	}
}

/* results/<YYYYmmdd-HHMMSS>-<host>[-k]: never another run's directory. */
static int default_outdir(char *out, size_t n, char *err, size_t errlen)
{
	char host[64] = "host", stamp[32], name[128];
	time_t now = time(NULL);
	struct tm tm;

	gethostname(host, sizeof(host) - 1);
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == ' ' || *p == '.')
			*p = *p == '.' ? '\0' : '-';
	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	if (mkdir("results", 0755) && errno != EEXIST)
		return snprintf(err, errlen, "cannot create results/: %s", strerror(errno)), -EIO;
	for (int k = 1;; k++) {
		if (k == 1)
			snprintf(name, sizeof(name), "%s-%s", stamp, host);
		else
			snprintf(name, sizeof(name), "%s-%s-%d", stamp, host, k);
		snprintf(out, n, "results/%s", name);
		if (mkdir(out, 0755) == 0)
			break;
		if (errno != EEXIST)
			return snprintf(err, errlen, "cannot create %s: %s", out, strerror(errno)),
			       -EIO;
	}
	point_latest(name);
	return 0;
}

static int given_outdir(const struct pt_opts *o, char *dir, size_t n, char *err,
			size_t errlen)
{
	struct stat sb;
	int ret = mkdir_p(o->out);

	if (ret)
		return snprintf(err, errlen, "-o: cannot create '%s': %s", o->out, strerror(-ret)),
		       -EINVAL;
	if (stat(o->out, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return snprintf(err, errlen, "-o: '%s' is not a directory", o->out), -EINVAL;
	if (access(o->out, W_OK | X_OK) != 0)
		return snprintf(err, errlen, "-o: cannot write into '%s': %s", o->out,
				strerror(errno)), -EINVAL;
	snprintf(dir, n, "%s", o->out);
	return 0;
}

/* Every path printed is absolute: the run's directory is named so from the
 * start (its messages, the table's closing lines, meta.json). */
int pt_outdir_make(const struct pt_opts *o, char *dir, size_t n, char *err, size_t errlen)
{
	char abs[PATH_MAX];
	int ret = o->out ? given_outdir(o, dir, n, err, errlen) : default_outdir(dir, n, err,
										 errlen);

	if (!ret && realpath(dir, abs) && strlen(abs) < n)
		memcpy(dir, abs, strlen(abs) + 1);
	return ret;
}

static int lock_fd = -1;

int pt_outdir_lock(const char *dir, char *err, size_t errlen)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return snprintf(err, errlen, "cannot open %s: %s", dir, strerror(errno)), -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		close(fd);
		if (e == EWOULDBLOCK)
			return snprintf(err, errlen, "-o: '%s' is being written by another run", dir),
			       -EBUSY;
		return snprintf(err, errlen, "cannot lock %s: %s", dir, strerror(e)), -e;
	}
	lock_fd = fd;
	return 0;
}

void pt_outdir_unlock(void)
{
	if (lock_fd >= 0)
		close(lock_fd);
	lock_fd = -1;
}

void pt_outdir_clear(const char *dir)
{
	static const char *const derived[] = {
		"summary.csv", "calibration.csv", "fidelity.*", "report.*", "*.svg",
	};
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++) {
			if (fnmatch(derived[i], e->d_name, FNM_PERIOD) == 0) {
				unlinkat(dirfd(d), e->d_name, 0);
				break;
			}
		}
	}
	closedir(d);
}
