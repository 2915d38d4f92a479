// SPDX-License-Identifier: MIT
// fault: a self-test of the driver's containment, not a benchmark. One
// worker (the victim) segfaults, blocks forever, fails or calls exit() while
// the others count down; the point must come out crashed, timeout or failed
// and the run must go on. Never part of the default suite.
#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

static const struct pt_param_def params[] = {
	{ .name = "mode", .type = PT_PARAM_ENUM, .def = "crash", .choices = "crash|hang|fail|exit",
	  .help = "what the victim does: segfault, block forever, return an error, exit(3)" },
	{ .name = "victim", .type = PT_PARAM_INT, .def = "0",
	  .help = "index of the faulting worker (below the worker count)",
	  .min = 0, .max = PT_MAX_WORKERS - 1 },
	{ 0 },
};

enum { MODE_CRASH, MODE_HANG, MODE_FAIL, MODE_EXIT };

/* What each other worker counts down meanwhile: about a millisecond. */
#define OTHERS_WORK 1000000

/* A file in the repetition's private directory that only teardown removes:
 * after a crash, a hang or an exit it is left for the driver to clean up,
 * which is what the reliability tests check. */
static int fault_setup(struct pt_ctx *ctx)
{
	int64_t victim = pt_param_int(ctx->params, "victim");
	char *path;
	int fd;

	if (victim >= ctx->nworkers) {
		snprintf(ctx->msg, sizeof(ctx->msg), "victim=%lld but only %d worker%s",
			 (long long)victim, ctx->nworkers, ctx->nworkers > 1 ? "s" : "");
		return -EINVAL;
	}
	if (!ctx->tmpdir)
		return 0;
	if (asprintf(&path, "%s/fault.XXXXXX", ctx->tmpdir) < 0)
		return -ENOMEM;
	fd = mkstemp(path);
	if (fd < 0) {
		int e = errno;

		snprintf(ctx->msg, sizeof(ctx->msg), "mkstemp in %s: %s", ctx->tmpdir, strerror(e));
		free(path);
		return -e;
	}
	close(fd);
	ctx->priv = path;
	return 0;
}

static void fault_teardown(struct pt_ctx *ctx)
{
	if (ctx->priv) {
		unlink(ctx->priv);
		free(ctx->priv);
		ctx->priv = NULL;
	}
}

/* A real segfault: a volatile store through a null pointer that the
 * compiler cannot see is null (the pointer is itself a volatile object); a
 * plain store would be dropped as dead before abort(). No core file: with a
 * pipe in core_pattern the kernel ignores RLIMIT_CORE 0, but never dumps a
 * process that is not dumpable (core(5), PR_SET_DUMPABLE in prctl(2)).
 * Not instrumented by UBSan, which would report the null store and exit:
 * left to the signal, a sanitizer's SEGV handler reports it and aborts
 * (ASan with abort_on_error=1, as `make test` runs it) or exits (TSan). */
__attribute__((no_sanitize("undefined"))) static _Noreturn void segfault_now(void)
{
	struct rlimit none = { 0, 0 };
	volatile int *volatile p = NULL;

	/* Results deliberately unused: a failure only risks a core file, and
	 * the segfault must happen all the same. */
	(void)setrlimit(RLIMIT_CORE, &none);
	(void)prctl(PR_SET_DUMPABLE, 0);
	*p = 1;
	abort(); /* not reached; keeps the promise of _Noreturn */
}

static int fault_run(struct pt_worker *w)
{
	const struct pt_params *p = pt_ctx_of(w)->params;

	if (w->id == pt_param_int(p, "victim")) {
		switch (pt_param_int(p, "mode")) {
		case MODE_CRASH:
			segfault_now();
		case MODE_HANG:
			/* Blocked for good, the GIL released like any blocking call;
			 * only the driver's timeout ends this. */
			pt_block_begin(w);
			for (;;)
				pause();
		case MODE_FAIL:
			snprintf(w->slot->msg, sizeof(w->slot->msg),
				 "%s: injected failure (mode=fail)", w->name);
			return -EIO;
		case MODE_EXIT:
			exit(3);
		}
	}
	/* The others work meanwhile, so a crash hits a running team. */
	pt_count_down_ticking(w, OTHERS_WORK, PT_TICK_ITERS);
	w->slot->ops = OTHERS_WORK;
	return 0;
}

const struct pt_workload pt_wl_fault = {
	.name = "fault",
	.kind = PT_KIND_SELFTEST,
	.summary = "self-test: worker K segfaults, hangs, fails or calls exit(3)",
	.params = params,
	.models = PT_MODELS_ALL,
	.min_workers = 1,
	.setup = fault_setup,
	.run = fault_run,
	.teardown = fault_teardown,
};
