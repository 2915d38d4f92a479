// SPDX-License-Identifier: MIT
// Temporary files renamed into place, known to every exit path; rm -r.
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The registry of temporary names in flight. A slot's name is complete
 * before its flag says so; the termination signals are blocked while a
 * name is created or renamed away, so a handler never sees a file without
 * its name, nor a name half-renamed. */
#define PT_TMP_SLOTS 8
static char tmp_names[PT_TMP_SLOTS][PATH_MAX];
static volatile sig_atomic_t tmp_used[PT_TMP_SLOTS];

static void block_signals(sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, old);
}

static void restore_signals(const sigset_t *old)
{
	sigprocmask(SIG_SETMASK, old, NULL);
}

static void release(struct pt_tmp *t)
{
	if (t->slot >= 0) {
		tmp_used[t->slot] = 0;
		t->slot = -1;
	}
}

int pt_tmp_open(struct pt_tmp *t, const char *dir, const char *name)
{
	sigset_t old;
	int fd = -1, e = 0, slot;

	t->f = NULL;
	t->slot = -1;
	if ((size_t)snprintf(t->final, sizeof(t->final), "%s/%s", dir, name) >= sizeof(t->final))
		return -ENAMETOOLONG;
	block_signals(&old);
	for (slot = 0; slot < PT_TMP_SLOTS && tmp_used[slot]; slot++)
		;
	if (slot == PT_TMP_SLOTS) {
		restore_signals(&old);
		return -EMFILE;
	}
	snprintf(tmp_names[slot], PATH_MAX, "%s/.%s.XXXXXX", dir, name);
	fd = mkstemp(tmp_names[slot]);
	if (fd >= 0) {
		atomic_signal_fence(memory_order_seq_cst); /* the name before the flag */
		tmp_used[slot] = 1;
		t->slot = slot;
		/* mkstemp makes it 0600; results are for reading by others too. */
		if (fchmod(fd, 0644) != 0 || !(t->f = fdopen(fd, "w"))) {
			e = errno;
			close(fd);
			unlink(tmp_names[slot]);
			release(t);
		}
	} else {
		e = errno;
	}
	restore_signals(&old);
	return e ? -e : 0;
}

const char *pt_tmp_path(const struct pt_tmp *t)
{
	return t->slot >= 0 ? tmp_names[t->slot] : "";
}

void pt_tmp_abort(struct pt_tmp *t)
{
	sigset_t old;

	if (t->f)
		fclose(t->f);
	t->f = NULL;
	block_signals(&old);
	if (t->slot >= 0)
		unlink(tmp_names[t->slot]);
	release(t);
	restore_signals(&old);
}

int pt_tmp_commit(struct pt_tmp *t)
{
	sigset_t old;
	int bad = ferror(t->f), e;

	errno = 0;
	bad |= fflush(t->f) != 0;
	bad |= fsync(fileno(t->f)) != 0;
	e = errno;
	bad |= fclose(t->f) != 0;
	if (!e)
		e = errno;
	t->f = NULL;
	block_signals(&old);
	if (!bad && rename(tmp_names[t->slot], t->final) != 0) {
		bad = 1;
		e = errno;
	}
	if (bad)
		unlink(tmp_names[t->slot]);
	release(t);
	restore_signals(&old);
	return bad ? -(e ? e : EIO) : 0;
}

int pt_tmp_claim(struct pt_tmp *t, int replace)
{
	const char *tmp = tmp_names[t->slot];
	sigset_t old;
	int ret, e = 0;

	block_signals(&old);
	ret = replace ? rename(tmp, t->final) : link(tmp, t->final);
	if (ret != 0 && !replace && errno != EEXIST) {
		/* No hard links here (vfat, some FUSE): claim the name with an
		 * empty file, then rename over it. */
		int claim = open(t->final, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

		if (claim >= 0) {
			close(claim);
			ret = rename(tmp, t->final);
		}
	}
	if (ret != 0)
		e = errno;
	unlink(tmp); /* the temporary name, when linked; or on failure */
	release(t);
	restore_signals(&old);
	if (e) {
		fclose(t->f);
		t->f = NULL;
	}
	return -e;
}

void pt_tmp_unlink_all(void)
{
	for (int i = 0; i < PT_TMP_SLOTS; i++)
		if (tmp_used[i])
			unlink(tmp_names[i]);
}

/* Removes the entries of directory @fd, depth first; system calls only. */
static void rm_entries(int fd, int depth)
{
	struct linux_dirent64 {
		uint64_t d_ino;
		int64_t d_off;
		unsigned short d_reclen;
		unsigned char d_type;
		char d_name[];
	};
	_Alignas(8) char buf[1024];
	long n;

	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(void *)(buf + off);
			int sub;

			off += d->d_reclen;
			if (d->d_name[0] == '.' &&
			    (!d->d_name[1] || (d->d_name[1] == '.' && !d->d_name[2])))
				continue;
			if (unlinkat(fd, d->d_name, 0) == 0 || errno != EISDIR || depth >= 32)
				continue;
			sub = openat(fd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				rm_entries(sub, depth + 1);
				close(sub);
			}
			unlinkat(fd, d->d_name, AT_REMOVEDIR);
		}
	}
}

void pt_rm_tree(const char *path)
{
	int fd;

	if (!path || !*path)
		return;
	if (unlink(path) == 0 || errno != EISDIR)
		return;
	/* A few passes: what a dying process created meanwhile goes too. */
	for (int pass = 0; pass < 3; pass++) {
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return;
		rm_entries(fd, 0);
		close(fd);
		if (rmdir(path) == 0 || errno == ENOENT)
			return;
	}
}
