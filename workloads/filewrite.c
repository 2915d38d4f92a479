// SPDX-License-Identifier: MIT
// filewrite: each worker writes `lines` lines to its own file, the source
// material's two threads writing f1.txt and f2.txt; through buffered stdio or
// write(2) of a block, optionally with fsync; every byte is verified after.
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Python's io.DEFAULT_BUFFER_SIZE (8192): what open(..., "w") buffers
 * (https://docs.python.org/3/library/io.html#io.DEFAULT_BUFFER_SIZE). */
#define DEFAULT_BLOCK "8K"

static const struct pt_param_def params[] = {
	{ .name = "lines", .type = PT_PARAM_INT, .def = "1000000", .quick = "2000",
	  .help = "lines per worker (over 500: \"МногоБукв\", else \"МалоБукв\")",
	  .min = 1, .max = INT64_C(1) << 40 },
	{ .name = "io", .type = PT_PARAM_ENUM, .def = "stdio", .choices = "stdio|write",
	  .help = "stdio: one buffered fwrite per line; write: write(2) of whole blocks" },
	{ .name = "block", .type = PT_PARAM_SIZE, .def = DEFAULT_BLOCK,
	  .help = "bytes per write(2): the stdio buffer (io=stdio) or the block (io=write)",
	  .min = 1, .max = INT64_C(64) << 20 },
	{ .name = "sync", .type = PT_PARAM_STR, .def = "none",
	  .help = "fsync: none, end (once, before close) or every:K (K lines, and at the end)" },
	{ .name = "dir", .type = PT_PARAM_STR, .def = "",
	  .help = "directory for the files (a private one is made inside); empty: the run's own" },
	{ 0 },
};

enum { M_MB_PER_S, M_LINES_PER_S };

static const struct pt_metric_def metrics[] = {
	[M_MB_PER_S] = { "mb_per_s", "10^6 bytes written by all workers per second of wall time" },
	[M_LINES_PER_S] = { "lines_per_s", "lines written by all workers per second of wall time" },
	{ 0 },
};

enum { IO_STDIO, IO_WRITE };
enum { SYNC_NONE, SYNC_END, SYNC_EVERY };

/* The source material's lines, in UTF-8: 19 and 17 bytes for 10 and 9
 * characters. */
static const char line_many[] = u8"МногоБукв\n";
static const char line_few[] = u8"МалоБукв\n";

/* What the workers read: in the arena (ctx->shared), so that a worker
 * started by forkserver or spawn, which has no copy of the setup's memory,
 * finds it too. */
struct fw {
	char dir[PATH_MAX - 32];
	bool own_dir;		/* made by setup inside -p dir: removed by teardown */
	bool ready;		/* setup succeeded */
	/* The line itself, not a pointer to it: a worker started by spawn
	 * runs a binary loaded elsewhere (PIE). */
	char line[sizeof(line_many)];
	size_t linelen;
	uint64_t lines;
	int io;
	size_t block;
	int sync;
	uint64_t sync_every;	/* SYNC_EVERY: lines between fsyncs */
};

static int parse_sync(const char *s, int *mode, uint64_t *every)
{
	char *end;
	unsigned long long k;

	*every = 0;
	if (strcmp(s, "none") == 0) {
		*mode = SYNC_NONE;
		return 0;
	}
	if (strcmp(s, "end") == 0) {
		*mode = SYNC_END;
		return 0;
	}
	if (strncmp(s, "every:", 6) != 0 || s[6] < '0' || s[6] > '9')
		return -EINVAL;
	errno = 0;
	k = strtoull(s + 6, &end, 10);
	if (errno || *end || k == 0)
		return -EINVAL;
	*mode = SYNC_EVERY;
	*every = k;
	return 0;
}

static int fw_validate(const struct pt_params *p, char *err, size_t errlen)
{
	const char *sync = pt_param_str(p, "sync"), *dir = pt_param_str(p, "dir");
	struct stat sb;
	uint64_t every;
	int mode;

	if (parse_sync(sync, &mode, &every)) {
		snprintf(err, errlen,
			 "parameter sync: '%s' is not none, end or every:K (K >= 1 lines)", sync);
		return -EINVAL;
	}
	if (*dir && (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
		snprintf(err, errlen, "parameter dir: '%s' is not a directory", dir);
		return -EINVAL;
	}
	return 0;
}

static void file_path(const struct fw *fw, int id, char *buf, size_t len)
{
	/* f1.txt, f2.txt, ... as in the source material. */
	snprintf(buf, len, "%s/f%d.txt", fw->dir, id + 1);
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static size_t fw_shared_size(const struct pt_ctx *ctx)
{
	(void)ctx;
	return sizeof(struct fw);
}

static int fw_setup(struct pt_ctx *ctx)
{
	const struct pt_params *p = ctx->params;
	const char *dir = pt_param_str(p, "dir");
	struct fw *fw = ctx->shared;
	int ret;

	fw->lines = (uint64_t)pt_param_int(p, "lines");
	memcpy(fw->line, fw->lines > 500 ? line_many : line_few,
	       fw->lines > 500 ? sizeof(line_many) : sizeof(line_few));
	fw->linelen = strlen(fw->line);
	fw->io = (int)pt_param_int(p, "io");
	fw->block = (size_t)pt_param_int(p, "block");
	ret = parse_sync(pt_param_str(p, "sync"), &fw->sync, &fw->sync_every);
	if (ret) {
		snprintf(ctx->msg, sizeof(ctx->msg), "bad sync '%s'", pt_param_str(p, "sync"));
		return ret;
	}
	/* every:K beyond the file is one fsync at the end; this also keeps
	 * K * linelen from overflowing. */
	if (fw->sync_every > fw->lines)
		fw->sync_every = fw->lines;
	/* Without -p dir and without a run directory (a test calling the point
	 * directly), a private directory of our own, under TMPDIR. */
	if (!*dir && !ctx->tmpdir) {
		dir = getenv("TMPDIR");
		if (!dir || !*dir)
			dir = "/tmp";
	}
	if (*dir) {
		snprintf(fw->dir, sizeof(fw->dir), "%s/ptbench-filewrite.XXXXXX", dir);
		ret = pt_ctx_mkdtemp(ctx, fw->dir);
		if (ret) {
			snprintf(ctx->msg, sizeof(ctx->msg),
				 "cannot make a directory in %.100s: %s", dir, strerror(-ret));
			return ret;
		}
		fw->own_dir = true;
	} else {
		snprintf(fw->dir, sizeof(fw->dir), "%s", ctx->tmpdir);
	}
	fw->ready = true;
	return 0;
}

/* --- writing, with every blocking call in a blocking section --- */

/* Writes all of @len bytes at @fd, advancing *@off; retries on EINTR and
 * after short writes. 0 or a negative errno (*@off: where it stopped). */
static int write_full(struct pt_worker *w, int fd, const char *buf, size_t len, uint64_t *off)
{
	while (len > 0) {
		ssize_t n;

		/* errno survives the end of the blocking section. */
		pt_block_begin(w);
		n = write(fd, buf, len);
		pt_block_end(w);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO; /* no progress on a regular file: never loop */
		buf += n;
		len -= (size_t)n;
		*off += (uint64_t)n;
	}
	return 0;
}

static int fsync_retry(struct pt_worker *w, int fd)
{
	int r, e;

	do {
		pt_block_begin(w);
		r = fsync(fd);
		e = errno;
		pt_block_end(w);
	} while (r != 0 && e == EINTR);
	return r ? -e : 0;
}

/* A stdio stream whose flushes go through write_full, so that they too
 * release the GIL like BufferedWriter's raw writes. */
struct fw_cookie {
	struct pt_worker *w;
	int fd;
	uint64_t off; /* bytes that reached the file */
	int err;      /* first error of a flush */
};

static ssize_t cookie_write(void *c, const char *buf, size_t size)
{
	struct fw_cookie *ck = c;
	int ret = write_full(ck->w, ck->fd, buf, size, &ck->off);

	if (ret) {
		if (!ck->err)
			ck->err = -ret;
		errno = -ret;
		return 0; /* fopencookie(3): 0 on error, never negative */
	}
	return (ssize_t)size;
}

/* Writes the lines through stdio, one fwrite per line (Python's f.write). */
static int write_stdio(struct pt_worker *w, const struct fw *fw, int fd, uint64_t *off,
		       const char **what)
{
	struct fw_cookie ck = { .w = w, .fd = fd };
	cookie_io_functions_t io = { .write = cookie_write };
	char *buf = malloc(fw->block);
	FILE *f;
	int ret = 0;

	*what = "write";
	if (!buf)
		return -ENOMEM;
	f = fopencookie(&ck, "w", io);
	if (!f) {
		free(buf);
		return -ENOMEM;
	}
	/* glibc ignores the size when handed no buffer: give it one. */
	setvbuf(f, buf, _IOFBF, fw->block);
	for (uint64_t i = 1; i <= fw->lines; i++) {
		if (fwrite(fw->line, 1, fw->linelen, f) != fw->linelen || ck.err) {
			ret = ck.err ? -ck.err : -EIO;
			goto out;
		}
		pt_tick(w);
		if (fw->sync == SYNC_EVERY && (i % fw->sync_every == 0 || i == fw->lines)) {
			if (fflush(f) != 0) {
				ret = ck.err ? -ck.err : -EIO;
				goto out;
			}
			*what = "fsync";
			ret = fsync_retry(w, fd);
			if (ret)
				goto out;
			*what = "write";
		}
	}
	if (fflush(f) != 0 || ck.err)
		ret = ck.err ? -ck.err : -EIO;
out:
	/* After a failure the rest of the buffer is dropped, not written by
	 * fclose. No close hook: the caller closes fd. */
	if (ret)
		__fpurge(f);
	fclose(f);
	free(buf);
	*off = ck.off;
	return ret;
}

/* Writes the same bytes as whole blocks of a prepared pattern, cut at
 * the fsync points of sync=every:K. */
static int write_blocks(struct pt_worker *w, const struct fw *fw, int fd, uint64_t *off,
			const char **what)
{
	uint64_t total = fw->lines * fw->linelen, step = 0, next_sync = total;
	size_t plen = fw->block + fw->linelen;
	char *pat = malloc(plen);
	int ret = 0;

	*what = "write";
	if (!pat)
		return -ENOMEM;
	/* pat + (offset % linelen) holds the file's bytes from offset on. */
	for (size_t i = 0; i < plen; i++)
		pat[i] = fw->line[i % fw->linelen];
	if (fw->sync == SYNC_EVERY) {
		step = fw->sync_every * fw->linelen;
		next_sync = step < total ? step : total;
	}
	while (*off < total) {
		uint64_t chunk = total - *off;

		if (chunk > fw->block)
			chunk = fw->block;
		if (*off + chunk > next_sync)
			chunk = next_sync - *off;
		ret = write_full(w, fd, pat + *off % fw->linelen, (size_t)chunk, off);
		if (ret)
			break;
		pt_tick(w);
		if (fw->sync == SYNC_EVERY && *off == next_sync) {
			*what = "fsync";
			ret = fsync_retry(w, fd);
			if (ret)
				break;
			*what = "write";
			next_sync = total - next_sync > step ? next_sync + step : total;
		}
	}
	free(pat);
	return ret;
}

static int fw_run(struct pt_worker *w)
{
	const struct fw *fw = pt_ctx_of(w)->shared;
	char path[PATH_MAX];
	const char *what = "open";
	uint64_t off = 0;
	int fd, ret, e;

	file_path(fw, w->id, path, sizeof(path));
	do {
		/* Opening a FIFO blocks until a reader comes: a blocking call. */
		pt_block_begin(w);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		e = errno;
		pt_block_end(w);
	} while (fd < 0 && e == EINTR);
	if (fd < 0) {
		ret = -e;
		goto fail;
	}
	ret = fw->io == IO_STDIO ? write_stdio(w, fw, fd, &off, &what)
				 : write_blocks(w, fw, fd, &off, &what);
	if (!ret && fw->sync == SYNC_END) {
		what = "fsync";
		ret = fsync_retry(w, fd);
	}
	/* close() is not retried on EINTR: Linux has released the fd already.
	 * Its error still counts (a delayed ENOSPC on some file systems). */
	pt_block_begin(w);
	e = close(fd) ? errno : 0;
	pt_block_end(w);
	if (!ret && e && e != EINTR) {
		what = "close";
		ret = -e;
	}
	if (ret)
		goto fail;
	w->slot->ops = fw->lines;
	return 0;

fail:
	/* A full disk or a size limit leaves no partial file behind, and frees
	 * the space for the other workers at once. */
	if (fd >= 0)
		unlink(path);
	if (fd < 0)
		snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: %.24s: open: %s", w->name,
			 base_name(path), strerror(-ret));
	else
		snprintf(w->slot->msg, sizeof(w->slot->msg), "%s: %.24s: %s at byte %llu: %s%s",
			 w->name, base_name(path), what, (unsigned long long)off,
			 strerror(-ret),
			 ret == -EFBIG ? " (file-size limit: ulimit -f, or the file system's)"
				       : "");
	return ret;
}

/* --- verification --- */

/* Checks that @path holds exactly fw->lines copies of fw->line; 0, or
 * -EIO with a message naming the worker and the first bad byte. */
static int verify_file(const struct fw *fw, const char *who, const char *path, char *msg,
		       size_t msglen)
{
	enum { CHUNK = 1 << 16 };
	uint64_t total = fw->lines * fw->linelen, off = 0;
	size_t plen = CHUNK + fw->linelen;
	char *buf = malloc(CHUNK), *pat = malloc(plen);
	const char *name = base_name(path);
	struct stat sb;
	int fd, ret = 0;

	if (!buf || !pat) {
		free(buf);
		free(pat);
		snprintf(msg, msglen, "%s: %.24s: out of memory to verify", who, name);
		return -ENOMEM;
	}
	for (size_t i = 0; i < plen; i++)
		pat[i] = fw->line[i % fw->linelen];
	/* O_NONBLOCK: if someone put a FIFO there, do not wait for a writer. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(msg, msglen, "%s: %.24s: cannot open to verify: %s", who, name,
			 strerror(errno));
		ret = -EIO;
		goto out;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		snprintf(msg, msglen, "%s: %.24s is not a regular file", who, name);
		ret = -EIO;
		goto out_close;
	}
	for (;;) {
		ssize_t n = read(fd, buf, CHUNK);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(msg, msglen, "%s: %.24s: read at byte %llu: %s", who, name,
				 (unsigned long long)off, strerror(errno));
			ret = -EIO;
			break;
		}
		if (n == 0)
			break;
		/* Bytes past the expected end are reported as a size error. */
		size_t cmp = (uint64_t)n > total - off ? (size_t)(total - off) : (size_t)n;
		const char *want = pat + off % fw->linelen;

		if (memcmp(buf, want, cmp) != 0) {
			size_t i = 0;

			while (buf[i] == want[i])
				i++;
			uint64_t at = off + i;

			snprintf(msg, msglen,
				 "%s: %.24s: byte %llu (line %llu, byte %llu of it) is 0x%02x, "
				 "expected 0x%02x",
				 who, name, (unsigned long long)at,
				 (unsigned long long)(at / fw->linelen + 1),
				 (unsigned long long)(at % fw->linelen), (unsigned char)buf[i],
				 (unsigned char)want[i]);
			ret = -EIO;
			break;
		}
		off += (uint64_t)n;
	}
	if (!ret && off != total) {
		snprintf(msg, msglen,
			 "%s: %.24s holds %llu bytes, expected %llu (%llu lines of %zu)", who, name,
			 (unsigned long long)off, (unsigned long long)total,
			 (unsigned long long)fw->lines, fw->linelen);
		ret = -EIO;
	}
out_close:
	close(fd);
out:
	free(buf);
	free(pat);
	return ret;
}

static int fw_finish(struct pt_ctx *ctx, const struct pt_team_stats *st)
{
	const struct fw *fw = ctx->shared;
	char path[PATH_MAX];
	double bytes = (double)ctx->nworkers * (double)fw->lines * (double)fw->linelen;
	double wall = (double)st->wall_ns / 1e9;

	for (int i = 0; i < ctx->nworkers; i++) {
		file_path(fw, i, path, sizeof(path));
		int ret = verify_file(fw, ctx->team->workers[i].name, path, ctx->msg,
				      sizeof(ctx->msg));
		if (ret)
			return ret;
	}
	if (wall > 0) {
		ctx->metric[M_MB_PER_S] = bytes / wall / 1e6;
		ctx->metric[M_LINES_PER_S] = (double)ctx->nworkers * (double)fw->lines / wall;
	}
	return 0;
}

static void fw_teardown(struct pt_ctx *ctx)
{
	struct fw *fw = ctx->shared;
	char path[PATH_MAX];

	if (!fw->ready)
		return;
	for (int i = 0; i < ctx->nworkers; i++) {
		file_path(fw, i, path, sizeof(path));
		unlink(path);
	}
	if (fw->own_dir)
		rmdir(fw->dir);
	fw->ready = false;
}

/* Per line, on the development machine (2 workers, /tmp on a virtio
 * disk): about 32 ns through stdio, 5 ns as write(2) blocks; an fsync a
 * few ms. A guess for the plan's time estimate, not a figure. */
static double fw_estimate(const struct pt_params *p, enum pt_model m, int n, int npus)
{
	double lines = (double)pt_param_int(p, "lines");
	double per = lines * (pt_param_int(p, "io") == IO_STDIO ? 35e-9 : 6e-9);
	int mode, par = m == PT_MODEL_THREADS || m == PT_MODEL_PROCS || m == PT_MODEL_FT ? (n < npus ? n : npus) : 1;
	uint64_t every;

	if (parse_sync(pt_param_str(p, "sync"), &mode, &every) == 0 && mode != SYNC_NONE)
		per += 0.005 * (mode == SYNC_EVERY ? lines / (double)every + 1 : 1);
	return per * n / (par > 0 ? par : 1);
}

const struct pt_workload pt_wl_filewrite = {
	.name = "filewrite",
	.kind = PT_KIND_IO,
	.summary = "each worker writes lines to its own file (stdio or write(2), fsync); verified",
	.params = params,
	.metrics = metrics,
	.models = PT_MODELS_ALL,
	.min_workers = 1,
	/* The measurement of the issue: 2 workers, stdio against write(2). */
	.size = "lines",
	.suite = { .workers = "1,2", .sweep = "io=stdio,write", .models = "serial,threads,procs,gil" },
	.estimate_s = fw_estimate,
	.validate = fw_validate,
	.shared_size = fw_shared_size,
	.setup = fw_setup,
	.run = fw_run,
	.finish = fw_finish,
	.teardown = fw_teardown,
};
