// SPDX-License-Identifier: MIT
// The forkserver and spawn start methods (multiprocessing's, Python 3.4+):
// a server process that forks workers on request, and fork + exec of a
// fresh copy of the binary that attaches to the team's arena.
#include "start.h"

#include "clock.h"
#include "pystart.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define ENV_REQ "PT_SPAWN_WORKER"
#define ENV_ARGS "PT_SPAWN_ARGS"

/* A reply that does not come within this long means the server is gone. */
#define REPLY_NS (10 * PT_NSEC_PER_SEC)

static const char *spawn_exe = "/proc/self/exe";
static char last_error[256];

void pt_start_set_exe(const char *path)
{
	spawn_exe = path ? path : "/proc/self/exe";
}

const char *pt_start_last_error(void)
{
	return last_error;
}

const struct pt_start_method *pt_start_find(const char *name)
{
	static const struct pt_start_method *const all[] = { &pt_start_fork, &pt_start_forkserver,
							     &pt_start_spawn };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(name, all[i]->name) == 0)
			return all[i];
	return NULL;
}

static ssize_t read_retry(int fd, void *buf, size_t len)
{
	ssize_t k;

	while ((k = read(fd, buf, len)) < 0 && errno == EINTR)
		;
	return k;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t k = write(fd, p, len);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

/* --- forkserver --- */

/* Descriptors a request may carry (SCM_MAX_FD is 253). */
#define FS_MAX_FDS 200

/* A request: start @main(@arg) (a team worker, whose struct the server's
 * memory holds as the spawner's did when the server was forked), or a child
 * task whose pt_task travels by value. The reply socket and the requester's
 * open descriptors come along (SCM_RIGHTS), and the child gets them at the
 * same numbers: the pipes a workload's setup made after the server was
 * forked (multiprocessing passes a child its handles the same way). */
struct fs_req {
	int op;
	bool py_on;		/* FS_PYTHON: model Python's costs (lib/pystart.h) */
	struct pt_py_counts *py_counts;
	pt_proc_main_fn main;
	void *arg;
	bool by_value;
	struct pt_task task;
	int nfds;
	int fds[FS_MAX_FDS];	/* their numbers in the requester */
};
enum { FS_START = 1, FS_STOP = 2, FS_PYTHON = 3 };

/* Replies on the request's own socket: the pid (or an errno), then, when
 * the process has ended, its wait status. */
struct fs_started {
	pid_t pid;
	int err;
};

/* The server of the team in this process (inherited by its workers, so that
 * they can ask it for child tasks). */
static struct {
	const struct pt_team *team;
	pid_t server;	/* in its owner, the server's pid */
	pid_t owner;	/* the process that started it */
	int ctrl;	/* requests go here */
} fs = { .ctrl = -1 };

/* In a requesting process: the reply socket of each process it started. */
static pthread_mutex_t fs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fs_child {
	pid_t pid;
	int fd;
} *fs_children;
static size_t fs_nchildren, fs_cap;

static int fs_remember(pid_t pid, int fd)
{
	int ret = 0;

	pthread_mutex_lock(&fs_lock);
	if (fs_nchildren == fs_cap) {
		size_t ncap = fs_cap ? 2 * fs_cap : 16;
		struct fs_child *n = realloc(fs_children, ncap * sizeof(*n));

		if (!n)
			ret = -ENOMEM;
		else {
			fs_children = n;
			fs_cap = ncap;
		}
	}
	if (!ret)
		fs_children[fs_nchildren++] = (struct fs_child){ pid, fd };
	pthread_mutex_unlock(&fs_lock);
	return ret;
}

/* The reply socket of @pid, removed from the table when @take; -1 if none. */
static int fs_lookup(pid_t pid, bool take)
{
	int fd = -1;

	pthread_mutex_lock(&fs_lock);
	for (size_t i = 0; i < fs_nchildren; i++) {
		if (fs_children[i].pid != pid)
			continue;
		fd = fs_children[i].fd;
		if (take)
			fs_children[i] = fs_children[--fs_nchildren];
		break;
	}
	pthread_mutex_unlock(&fs_lock);
	return fd;
}

/* The server's table of the processes it forked and their reply sockets. */
struct fs_table {
	struct fs_child *v;
	size_t n, cap;
};

static void server_child(struct fs_table *tab, int srv, int sfd, int reply, const int *got,
			 const struct fs_req *rq, pid_t server)
{
	struct pt_task task = rq->task;
	int high[FS_MAX_FDS], floor = 0;
	sigset_t none;

	/* Dies with the server, which dies with the point. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != server)
		_exit(127);
	for (size_t i = 0; i < tab->n; i++)
		close(tab->v[i].fd);
	close(srv);
	close(sfd);
	close(reply);
	/* The requester's descriptors at their numbers: first out of the way
	 * of every target, then into place. */
	for (int i = 0; i < rq->nfds; i++) {
		if (rq->fds[i] >= floor)
			floor = rq->fds[i] + 1;
		if (got[i] >= floor)
			floor = got[i] + 1;
	}
	for (int i = 0; i < rq->nfds; i++) {
		high[i] = fcntl(got[i], F_DUPFD, floor);
		if (high[i] < 0)
			_exit(126);
		close(got[i]);
	}
	for (int i = 0; i < rq->nfds; i++) {
		if (dup2(high[i], rq->fds[i]) < 0)
			_exit(126);
		close(high[i]);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	_exit(rq->main(rq->by_value ? (void *)&task : rq->arg));
}

/* Reports every ended child on its reply socket. */
static void server_reap(struct fs_table *tab)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (size_t i = 0; i < tab->n; i++) {
			if (tab->v[i].pid != pid)
				continue;
			write_all(tab->v[i].fd, &st, sizeof(st));
			close(tab->v[i].fd);
			tab->v[i] = tab->v[--tab->n];
			break;
		}
	}
}

/* The server's loop: requests on @srv, child ends on a signalfd. Ends on a
 * stop request or when every requester has gone. */
static void server_main(int srv)
{
	struct fs_table tab = { 0 };
	pid_t self = getpid();
	sigset_t chld;
	int sfd;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	sfd = signalfd(-1, &chld, SFD_CLOEXEC);
	if (sfd < 0)
		_exit(126);
	for (;;) {
		struct pollfd p[2] = { { .fd = srv, .events = POLLIN }, { .fd = sfd, .events = POLLIN } };
		char cbuf[CMSG_SPACE(sizeof(int) * (FS_MAX_FDS + 1))];
		static struct fs_req rq;
		struct iovec iov = { &rq, sizeof(rq) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
				     .msg_controllen = sizeof(cbuf) };
		struct cmsghdr *cm;
		struct fs_started rep = { 0 };
		int got[FS_MAX_FDS + 1], ngot = 0, reply = -1;
		ssize_t k;

		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[1].revents & POLLIN) {
			struct signalfd_siginfo si;

			read_retry(sfd, &si, sizeof(si));
			server_reap(&tab);
		}
		if (!(p[0].revents & (POLLIN | POLLHUP)))
			continue;
		k = recvmsg(srv, &mh, MSG_CMSG_CLOEXEC);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break; /* every requester gone */
		cm = CMSG_FIRSTHDR(&mh);
		if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS) {
			ngot = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
			memcpy(got, CMSG_DATA(cm), (size_t)ngot * sizeof(int));
			reply = got[0];
		}
		if (rq.op == FS_STOP || (size_t)k != sizeof(rq) || reply < 0 ||
		    rq.nfds != ngot - 1) {
			for (int i = 0; i < ngot; i++)
				close(got[i]);
			if (rq.op == FS_STOP)
				break;
			continue;
		}
		if (rq.op == FS_PYTHON) {
			/* The server holds an interpreter, as Python's does:
			 * its children inherit it and the setting. */
			pt_py_set(rq.py_on, rq.py_counts);
			rep.err = rq.py_on ? -pt_py_image(pt_py_cost(PT_PY_FORKSERVER)->image_kib) : 0;
			write_all(reply, &rep, sizeof(rep));
			close(reply);
			continue;
		}
		if (tab.n == tab.cap) {
			size_t ncap = tab.cap ? 2 * tab.cap : 16;
			struct fs_child *n = realloc(tab.v, ncap * sizeof(*n));

			if (!n) {
				rep.err = ENOMEM;
				write_all(reply, &rep, sizeof(rep));
				for (int i = 0; i < ngot; i++)
					close(got[i]);
				continue;
			}
			tab.v = n;
			tab.cap = ncap;
		}
		rep.pid = fork();
		if (rep.pid == 0)
			server_child(&tab, srv, sfd, reply, got + 1, &rq, self);
		for (int i = 1; i < ngot; i++)
			close(got[i]);
		if (rep.pid < 0) {
			rep.err = errno;
			write_all(reply, &rep, sizeof(rep));
			close(reply);
			continue;
		}
		tab.v[tab.n++] = (struct fs_child){ rep.pid, reply };
		write_all(reply, &rep, sizeof(rep));
	}
	/* What is left dies with the server (PR_SET_PDEATHSIG). */
	_exit(0);
}

/* Starts the team's server in the calling process (its owner): once per
 * team, from pt_team_prepare() (before the workload's setup: the server is
 * small, as Python's, and does not inherit what setup makes; the
 * descriptors a worker needs come with each request), or else at the first
 * start. */
static int fs_ensure(struct pt_team *t)
{
	pid_t owner = getpid(), pid;
	int sv[2];

	if (fs.team == t && fs.ctrl >= 0)
		return 0;
	if (fs.ctrl >= 0 && fs.owner != owner) {
		/* Inherited from another team's server: not ours to stop. */
		close(fs.ctrl);
		fs.ctrl = -1;
	}
	if (fs.ctrl >= 0)
		return -EBUSY; /* another team of this process has one */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != owner)
			_exit(127);
		/* The server keeps the requesters' end open: its children
		 * inherit it to ask for child tasks. */
		fs.team = t;
		fs.ctrl = sv[1];
		fs.owner = owner;
		server_main(sv[0]);
	}
	close(sv[0]);
	fs.team = t;
	fs.server = pid;
	fs.owner = owner;
	fs.ctrl = sv[1];
	return 0;
}

/* The calling process's open descriptors but @skip (-1s allowed), into
 * @fds; their count, or -EMFILE past FS_MAX_FDS. */
static int open_fds(int *fds, const int *skip, int nskip)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);
		bool skipped = e->d_name[0] < '0' || e->d_name[0] > '9' || fd == dirfd(d);

		for (int i = 0; i < nskip && !skipped; i++)
			skipped = fd == skip[i];
		if (skipped)
			continue;
		if (n == FS_MAX_FDS) {
			n = -EMFILE;
			break;
		}
		fds[n++] = fd;
	}
	closedir(d);
	return n;
}

/* Sends request @rq (its nfds descriptors, after @reply) to the server and
 * reads the first reply on @reply's peer @rfd into @rep. 0 or a negative
 * errno (last_error says why). */
static int fs_call(struct fs_req *rq, int reply, int rfd, struct fs_started *rep)
{
	char cbuf[CMSG_SPACE(sizeof(int) * (FS_MAX_FDS + 1))];
	struct iovec iov = { rq, sizeof(*rq) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	struct pollfd p;
	ssize_t n;
	int ret;

	memset(cbuf, 0, sizeof(cbuf));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)(rq->nfds + 1));
	memcpy(CMSG_DATA(cm), &reply, sizeof(int));
	memcpy(CMSG_DATA(cm) + sizeof(int), rq->fds, sizeof(int) * (size_t)rq->nfds);
	mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)(rq->nfds + 1));
	while ((n = sendmsg(fs.ctrl, &mh, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	if (n < 0)
		return -errno;
	p = (struct pollfd){ .fd = rfd, .events = POLLIN };
	while ((ret = poll(&p, 1, (int)(REPLY_NS / PT_NSEC_PER_MSEC))) < 0 && errno == EINTR)
		;
	if (ret <= 0 || read_retry(rfd, rep, sizeof(*rep)) != (ssize_t)sizeof(*rep)) {
		snprintf(last_error, sizeof(last_error), "forkserver: no reply from the server");
		return -EPIPE;
	}
	return rep->err ? -rep->err : 0;
}

static int forkserver_start(struct pt_team *t, struct pt_worker *w, struct pt_task *k,
			    pt_proc_main_fn main, void *arg)
{
	static _Thread_local struct fs_req rq;
	struct fs_started rep;
	int sv[2], ret;

	memset(&rq, 0, sizeof(rq));
	rq.op = FS_START;
	rq.main = main;
	rq.arg = arg;
	last_error[0] = '\0';
	if (!w) {
		/* A child task: its pt_task lives in this process's memory. */
		if (arg != k)
			return -EINVAL;
		rq.by_value = true;
		rq.task = *k;
	}
	ret = fs_ensure(t);
	if (ret)
		return ret;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	{
		int skip[] = { fs.ctrl, sv[0], sv[1] };

		rq.nfds = open_fds(rq.fds, skip, 3);
	}
	if (rq.nfds < 0) {
		snprintf(last_error, sizeof(last_error),
			 "forkserver: more than %d descriptors to pass", FS_MAX_FDS);
		ret = rq.nfds;
		close(sv[1]);
		goto fail;
	}
	ret = fs_call(&rq, sv[1], sv[0], &rep);
	close(sv[1]);
	if (ret)
		goto fail;
	ret = fs_remember(rep.pid, sv[0]);
	if (ret) {
		kill(rep.pid, SIGKILL);
		goto fail;
	}
	k->pid = rep.pid;
	return 0;
fail:
	close(sv[0]);
	return ret;
}

int pt_start_python(struct pt_team *t, bool on, struct pt_py_counts *counts)
{
	struct fs_req rq = { .op = FS_PYTHON, .py_on = on, .py_counts = counts };
	struct fs_started rep;
	int sv[2], ret;

	pt_py_set(on, counts);
	/* This process is a Python interpreter: its heap is what a fork
	 * copies the page tables of, threads or not. */
	ret = on ? pt_py_image(pt_py_cost(PT_PY_FORK)->image_kib) : 0;
	if (ret || t->cfg.model != PT_MODEL_PROCS || t->cfg.start != &pt_start_forkserver ||
	    fs.team != t || fs.ctrl < 0 || fs.owner != getpid())
		return ret;
	/* The server started before the workload's setup: tell it now,
	 * before the clock starts. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	ret = fs_call(&rq, sv[1], sv[0], &rep);
	close(sv[0]);
	close(sv[1]);
	return ret;
}

/* The server reports the end of the processes it forked. */
static pid_t forkserver_reap(struct pt_team *t, struct pt_task *k, int flags)
{
	int fd = fs_lookup(k->pid, false), st;
	ssize_t n;

	(void)t;
	if (fd < 0)
		return -ECHILD;
	if (flags & WNOHANG) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 0) <= 0)
			return 0;
	}
	n = read_retry(fd, &st, sizeof(st));
	fs_lookup(k->pid, true);
	close(fd);
	/* The server gone without a word: its children died with it. */
	k->wstatus = n == (ssize_t)sizeof(st) ? st : SIGKILL;
	return k->pid;
}

static long server_rss_kib = -1;

long pt_start_forkserver_rss_kib(void)
{
	return server_rss_kib;
}

/* VmRSS of process @pid, in KiB, or -1. */
static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static void forkserver_stop(struct pt_team *t)
{
	struct fs_req rq = { .op = FS_STOP };
	int st;

	if (fs.team != t || fs.ctrl < 0)
		return;
	if (fs.owner == getpid()) {
		server_rss_kib = rss_kib(fs.server);
		send(fs.ctrl, &rq, sizeof(rq), MSG_NOSIGNAL);
		close(fs.ctrl);
		while (waitpid(fs.server, &st, 0) < 0 && errno == EINTR)
			;
	} else {
		close(fs.ctrl);
	}
	fs.ctrl = -1;
	fs.team = NULL;
}

const struct pt_start_method pt_start_forkserver = {
	.name = "forkserver",
	.start = forkserver_start,
	.reap = forkserver_reap,
	.stop = forkserver_stop,
	.prepare = fs_ensure,
};

/* --- spawn --- */

/* Code addresses travel as offsets from this function: the spawned process
 * runs the same binary, which may be loaded elsewhere (PIE). */
static void anchor(void)
{
}

static int spawn_start(struct pt_team *t, struct pt_worker *w, struct pt_task *k,
		       pt_proc_main_fn main, void *arg)
{
	char req[320], **envp = NULL;
	const char *argv[] = { "ptbench-worker", NULL };
	uintptr_t fn = 0, targ = 0;
	size_t nenv = 0;
	int ep[2], err = 0, ret = 0, id;
	pid_t parent = getpid(), pid;
	ssize_t n;

	(void)main;
	(void)arg;
	last_error[0] = '\0';
	if (w) {
		id = w->id;
	} else {
		id = k->parent->id;
		fn = (uintptr_t)k->fn - (uintptr_t)anchor;
		targ = (uintptr_t)k->arg;
		/* Only what the new process can see: the arena. */
		if (k->arg && ((char *)k->arg < (char *)t->arena.base ||
			       (char *)k->arg >= (char *)t->arena.base + t->arena.size))
			return -EINVAL;
	}
	if (t->arena.fd < 0)
		return -EBADF;
	/* Everything is built before the fork: the child only execs. */
	snprintf(req, sizeof(req),
		 ENV_REQ "=%d:%" PRIxPTR ":%zu:%d:%d:%d:%d:%d:%" PRIu64 ":%" PRIxPTR ":%" PRIxPTR
			 ":%d:%" PRIxPTR,
		 t->arena.fd, (uintptr_t)t->arena.base, t->arena.size, id, w ? w->bind_pu : -1,
		 t->cfg.nworkers,
		 t->cfg.neighbours, t->cfg.ndaemons, t->cfg.duration_ns, fn, targ, pt_py_on() ? 1 : 0,
		 (uintptr_t)pt_py_counts());
	while (environ && environ[nenv])
		nenv++;
	envp = calloc(nenv + 3, sizeof(*envp));
	if (!envp)
		return -ENOMEM;
	nenv = 0;
	for (char **e = environ; e && *e; e++)
		if (strncmp(*e, ENV_REQ "=", sizeof(ENV_REQ)) && strncmp(*e, ENV_ARGS "=", sizeof(ENV_ARGS)))
			envp[nenv++] = *e;
	envp[nenv++] = req;
	if (t->cfg.spawn_args && asprintf(&envp[nenv++], ENV_ARGS "=%s", t->cfg.spawn_args) < 0) {
		free(envp);
		return -ENOMEM;
	}
	/* The exec's errno comes back through a close-on-exec pipe. */
	if (pipe2(ep, O_CLOEXEC) < 0) {
		ret = -errno;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(ep[0]);
		close(ep[1]);
		goto out;
	}
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
			_exit(127);
		/* The arena's descriptor crosses the exec. */
		if (fcntl(t->arena.fd, F_SETFD, 0) < 0)
			err = errno;
		else
			execve(spawn_exe, (char *const *)argv, envp);
		err = err ? err : errno;
		write_all(ep[1], &err, sizeof(err));
		_exit(127);
	}
	close(ep[1]);
	n = read_retry(ep[0], &err, sizeof(err));
	close(ep[0]);
	if (n == (ssize_t)sizeof(err)) {
		int st;

		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		snprintf(last_error, sizeof(last_error), "spawn: cannot exec '%s': %s", spawn_exe,
			 strerror(err));
		ret = -err;
		goto out;
	}
	k->pid = pid;
out:
	if (t->cfg.spawn_args)
		free(envp[nenv - 1]);
	free(envp);
	return ret;
}

/* The spawned process is the spawner's child: reaped as fork's are. */
static pid_t spawn_reap(struct pt_team *t, struct pt_task *k, int flags)
{
	return pt_start_fork.reap(t, k, flags);
}

const struct pt_start_method pt_start_spawn = {
	.name = "spawn",
	.start = spawn_start,
	.reap = spawn_reap,
	.arena_fd = true,
};

bool pt_spawn_request(struct pt_spawn_req *r)
{
	const char *e = getenv(ENV_REQ);
	uintptr_t base, fn, arg, counts;
	int used = 0, py;

	if (!e)
		return false;
	memset(r, 0, sizeof(*r));
	if (sscanf(e, "%d:%" SCNxPTR ":%zu:%d:%d:%d:%d:%d:%" SCNu64 ":%" SCNxPTR ":%" SCNxPTR
		   ":%d:%" SCNxPTR "%n",
		   &r->fd, &base, &r->size, &r->id, &r->bind_pu, &r->nworkers, &r->neighbours,
		   &r->ndaemons, &r->duration_ns, &fn, &arg, &py, &counts, &used) != 13 ||
	    e[used] || (py != 0 && py != 1) ||
	    (counts && (counts < base || counts + sizeof(struct pt_py_counts) > base + r->size))) {
		fprintf(stderr, "ptbench: malformed %s='%s'\n", ENV_REQ, e);
		_exit(127);
	}
	r->base = (void *)base;
	r->fn = fn ? (pt_body_fn)((uintptr_t)anchor + fn) : NULL;
	r->arg = (void *)arg;
	r->python = py;
	r->py_counts = (struct pt_py_counts *)counts;
	r->args = getenv(ENV_ARGS);
	if (r->args) {
		r->args = strdup(r->args);
		if (!r->args)
			_exit(127);
	}
	unsetenv(ENV_REQ);
	unsetenv(ENV_ARGS);
	return true;
}
