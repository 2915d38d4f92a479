// SPDX-License-Identifier: MIT
// hwloc topology: machine summary, placement plans, CPU binding.
#include "topo.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const bind_names[PT_BIND_COUNT] = {
	[PT_BIND_NONE] = "none",
	[PT_BIND_COMPACT] = "compact",
	[PT_BIND_SCATTER] = "scatter",
};

const char *pt_bind_name(enum pt_bind b)
{
	if ((unsigned)b >= PT_BIND_COUNT)
		return "unknown";
	return bind_names[b];
}

int pt_bind_parse(const char *s, enum pt_bind *out)
{
	if (!s || !out)
		return -EINVAL;
	for (int b = 0; b < PT_BIND_COUNT; b++) {
		if (strcmp(s, bind_names[b]) == 0) {
			*out = (enum pt_bind)b;
			return 0;
		}
	}
	return -EINVAL;
}

static int neg_errno(int fallback)
{
	return errno > 0 ? -errno : -fallback;
}

int pt_topo_init(struct pt_topo *t)
{
	const char *desc = getenv("HWLOC_SYNTHETIC");
	hwloc_topology_t topo;
	int ret;

	memset(t, 0, sizeof(*t));
	errno = 0;
	if (hwloc_topology_init(&topo) < 0)
		return neg_errno(ENOMEM);

	/* Instruction caches are filtered out by default; the summary wants
	 * them. Failure only loses L1i from the summary. */
	hwloc_topology_set_icache_types_filter(topo, HWLOC_TYPE_FILTER_KEEP_ALL);

	if (desc && desc[0]) {
		/* Explicit, so a bad description is our error to report rather
		 * than something hwloc silently falls back from. */
		if (hwloc_topology_set_synthetic(topo, desc) < 0) {
			ret = -EINVAL;
			goto err_destroy;
		}
		t->synthetic = true;
		snprintf(t->synthetic_desc, sizeof(t->synthetic_desc), "%s", desc);
	} else if (desc) {
		/* Set but empty: hwloc would try to parse "" itself. */
		hwloc_topology_set_components(topo, HWLOC_TOPOLOGY_COMPONENTS_FLAG_BLACKLIST,
					      "synthetic");
	}

	errno = 0;
	if (hwloc_topology_load(topo) < 0) {
		ret = neg_errno(EIO);
		goto err_destroy;
	}

	t->topo = topo;
	t->npus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	t->ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	t->npackages = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
	t->nnuma = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE);
	if (t->npus <= 0) {
		ret = -ENODEV;
		goto err_clear;
	}
	if (t->ncores <= 0)
		t->ncores = t->npus;
	if (t->npackages < 0)
		t->npackages = 0;
	if (t->nnuma < 0)
		t->nnuma = 0;
	return 0;

err_clear:
	memset(t, 0, sizeof(*t));
err_destroy:
	hwloc_topology_destroy(topo);
	return ret;
}

void pt_topo_destroy(struct pt_topo *t)
{
	if (t->topo)
		hwloc_topology_destroy(t->topo);
	memset(t, 0, sizeof(*t));
}

/*
 * Ordering keys of one PU. A "unit" is the PU's core, or the PU itself when
 * hwloc has no cores. The NUMA group is the PU's NUMA node when that node
 * lies inside the package (several NUMA nodes per package), else NULL.
 */
struct slot {
	hwloc_obj_t pu, unit, pkg, numa, group;
	int smt;  /* rank of the PU inside its unit: 0 first, 1 sibling... */
	int unit_ord; /* rank of the unit in logical order */
	int pkg_ord;  /* rank of the package */
	int group_ord; /* rank of the NUMA group inside its package */
	int rank;  /* rank of the unit inside its (package, NUMA group) */
};

static hwloc_obj_t pu_numa(hwloc_topology_t topo, hwloc_obj_t pu)
{
	hwloc_obj_t n = NULL;

	/* The first node whose CPUs include the PU: its local DRAM, before
	 * any high-bandwidth node that shares the same CPUs. */
	while ((n = hwloc_get_next_obj_by_type(topo, HWLOC_OBJ_NUMANODE, n)))
		if (hwloc_bitmap_isincluded(pu->cpuset, n->cpuset))
			return n;
	return NULL;
}

static void slot_fill(hwloc_topology_t topo, struct slot *s, int i)
{
	hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, (unsigned)i);
	struct slot *e = &s[i];
	int next_unit = 0, next_pkg = 0, next_group = 0, rank = 0;

	e->pu = pu;
	e->unit = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, pu);
	if (!e->unit)
		e->unit = pu;
	e->pkg = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_PACKAGE, pu);
	e->numa = pu_numa(topo, pu);
	e->group = NULL;
	if (e->numa && e->pkg && hwloc_bitmap_isincluded(e->numa->cpuset, e->pkg->cpuset) &&
	    !hwloc_bitmap_isequal(e->numa->cpuset, e->pkg->cpuset))
		e->group = e->numa;

	/* Ranks by order of first appearance among the PUs before this one,
	 * which hwloc lists in tree order. Quadratic, but PUs are few. */
	e->smt = 0;
	e->unit_ord = e->pkg_ord = e->group_ord = e->rank = -1;
	for (int k = 0; k < i; k++) {
		const struct slot *p = &s[k];

		if (p->unit == e->unit) {
			e->smt++;
			e->unit_ord = p->unit_ord;
			e->rank = p->rank;
		}
		if (p->unit_ord >= next_unit)
			next_unit = p->unit_ord + 1;
		if (p->pkg == e->pkg) {
			e->pkg_ord = p->pkg_ord;
			if (p->group == e->group) {
				e->group_ord = p->group_ord;
				if (p->smt == 0)
					rank++;
			}
			if (p->group_ord >= next_group)
				next_group = p->group_ord + 1;
		}
		if (p->pkg_ord >= next_pkg)
			next_pkg = p->pkg_ord + 1;
	}
	if (e->unit_ord < 0)
		e->unit_ord = next_unit;
	if (e->pkg_ord < 0)
		e->pkg_ord = next_pkg;
	if (e->group_ord < 0)
		e->group_ord = next_group;
	if (e->rank < 0)
		e->rank = rank;
}

static int cmp_int(int a, int b)
{
	return (a > b) - (a < b);
}

/* Every core's first PU before any sibling, then cores in order. */
static int cmp_compact(const void *pa, const void *pb)
{
	const struct slot *a = pa, *b = pb;
	int c;

	if ((c = cmp_int(a->smt, b->smt)))
		return c;
	return cmp_int(a->unit_ord, b->unit_ord);
}

/* Siblings last; then the n-th core of each NUMA group of each package before
 * anybody's (n+1)-th: the innermost key cycles fastest, so consecutive
 * workers alternate packages, then NUMA groups, then cores. */
static int cmp_scatter(const void *pa, const void *pb)
{
	const struct slot *a = pa, *b = pb;
	int c;

	if ((c = cmp_int(a->smt, b->smt)) || (c = cmp_int(a->rank, b->rank)) ||
	    (c = cmp_int(a->group_ord, b->group_ord)) || (c = cmp_int(a->pkg_ord, b->pkg_ord)))
		return c;
	return cmp_int(a->unit_ord, b->unit_ord);
}

int pt_topo_plan(const struct pt_topo *t, enum pt_bind policy, int n, struct pt_place *out)
{
	struct slot *s;

	if (!t || n < 0 || (n > 0 && !out) || (unsigned)policy >= PT_BIND_COUNT)
		return -EINVAL;
	if (policy == PT_BIND_NONE) {
		for (int w = 0; w < n; w++)
			out[w] = (struct pt_place){ w, -1, -1, -1, -1, -1 };
		return 0;
	}
	if (!t->topo || t->npus <= 0)
		return -EINVAL;
	if (n == 0)
		return 0;

	s = calloc((size_t)t->npus, sizeof(*s));
	if (!s)
		return -ENOMEM;
	for (int i = 0; i < t->npus; i++)
		slot_fill(t->topo, s, i);
	qsort(s, (size_t)t->npus, sizeof(*s),
	      policy == PT_BIND_COMPACT ? cmp_compact : cmp_scatter);

	for (int w = 0; w < n; w++) {
		const struct slot *e = &s[w % t->npus];

		out[w] = (struct pt_place){
			.worker = w,
			.pu_os = (int)e->pu->os_index,
			.pu = (int)e->pu->logical_index,
			.core = e->unit != e->pu ? (int)e->unit->logical_index : -1,
			.package = e->pkg ? (int)e->pkg->logical_index : -1,
			.numa = e->numa ? (int)e->numa->logical_index : -1,
		};
	}
	free(s);
	return 0;
}

int pt_topo_auto_workers(const struct pt_topo *t, int *out, int max)
{
	int npus, k = 0;

	if (!t || max < 0 || (max > 0 && !out))
		return -EINVAL;
	npus = t->npus > 0 ? t->npus : 1;
	for (int w = 1; w < npus && k < max; w *= 2)
		out[k++] = w;
	if (k < max)
		out[k++] = npus;
	return k;
}

int pt_topo_bind(const struct pt_topo *t, int pu_os, enum pt_bind_scope scope)
{
	hwloc_obj_t pu;
	int flags, ret = 0;

	if (!t || !t->topo || pu_os < 0)
		return -EINVAL;
	/* hwloc's synthetic backend "binds" by returning success. */
	if (t->synthetic || !hwloc_topology_is_thissystem(t->topo))
		return -ENOTSUP;
	switch (scope) {
	case PT_BIND_THREAD:
		flags = HWLOC_CPUBIND_THREAD;
		break;
	case PT_BIND_PROCESS:
		flags = HWLOC_CPUBIND_PROCESS;
		break;
	default:
		return -EINVAL;
	}
	pu = hwloc_get_pu_obj_by_os_index(t->topo, (unsigned)pu_os);
	if (!pu)
		return -EINVAL;

	/* The PU's own cpuset: nothing is allocated, and the Linux hooks act
	 * on the caller (sched_setaffinity(0) or /proc/self/task), so this
	 * works unchanged in a child forked after the topology was loaded. */
	errno = 0;
	if (hwloc_set_cpubind(t->topo, pu->cpuset, flags) < 0)
		ret = neg_errno(EIO);
	return ret;
}

struct cache_name {
	hwloc_obj_type_t type;
	const char *name;
};

static const struct cache_name caches[] = {
	{ HWLOC_OBJ_L1CACHE, "L1d" },  { HWLOC_OBJ_L1ICACHE, "L1i" },
	{ HWLOC_OBJ_L2CACHE, "L2" },   { HWLOC_OBJ_L2ICACHE, "L2i" },
	{ HWLOC_OBJ_L3CACHE, "L3" },   { HWLOC_OBJ_L3ICACHE, "L3i" },
	{ HWLOC_OBJ_L4CACHE, "L4" },   { HWLOC_OBJ_L5CACHE, "L5" },
};
#define NCACHES (sizeof(caches) / sizeof(caches[0]))

/* The caches above the first PU: what one worker sees, even where cache
 * levels sit at several depths. */
static hwloc_obj_t first_cache(const struct pt_topo *t, hwloc_obj_type_t type)
{
	hwloc_obj_t o = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_PU, 0);

	for (; o; o = o->parent)
		if (o->type == type)
			return o;
	return NULL;
}

static const char *cpu_model(const struct pt_topo *t)
{
	hwloc_obj_t o = NULL;
	const char *m;

	/* Linux puts CPUModel on packages, some other backends on the root. */
	while ((o = hwloc_get_next_obj_by_type(t->topo, HWLOC_OBJ_PACKAGE, o)))
		if ((m = hwloc_obj_get_info_by_name(o, "CPUModel")))
			return m;
	return hwloc_obj_get_info_by_name(hwloc_get_root_obj(t->topo), "CPUModel");
}

static void print_size(FILE *out, uint64_t b)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (b >= 1024 && b % 1024 == 0 && u < 3) {
		b /= 1024;
		u++;
	}
	if (u < 0)
		fprintf(out, "%lluB", (unsigned long long)b);
	else
		fprintf(out, "%llu%c", (unsigned long long)b, units[u]);
}

static const char *plural(int n)
{
	return n == 1 ? "" : "s";
}

void pt_topo_describe(const struct pt_topo *t, FILE *out)
{
	const char *sep = "; ";
	const char *model;

	if (!t || !t->topo) {
		fputs("topology not loaded\n", out);
		return;
	}
	fprintf(out, "%d package%s, %d NUMA node%s, %d core%s, %d PU%s (SMT %s)",
		t->npackages, plural(t->npackages), t->nnuma, plural(t->nnuma), t->ncores,
		plural(t->ncores), t->npus, plural(t->npus), t->npus > t->ncores ? "on" : "off");
	for (size_t i = 0; i < NCACHES; i++) {
		hwloc_obj_t c = first_cache(t, caches[i].type);
		int count;

		if (!c || !c->attr)
			continue;
		fprintf(out, "%s%s ", sep, caches[i].name);
		print_size(out, c->attr->cache.size);
		count = hwloc_get_nbobjs_by_type(t->topo, caches[i].type);
		if (count > 1)
			fprintf(out, " x%d", count);
		sep = ", ";
	}
	model = cpu_model(t);
	if (model)
		fprintf(out, "; %s", model);
	if (t->synthetic)
		fprintf(out, "; synthetic \"%s\"", t->synthetic_desc);
	fputc('\n', out);
}

void pt_topo_print_plan(const struct pt_topo *t, enum pt_bind policy, int n, FILE *out)
{
	struct pt_place *p;
	int ret;

	if (n <= 0)
		return;
	p = calloc((size_t)n, sizeof(*p));
	if (!p) {
		fprintf(out, "plan: %s\n", strerror(ENOMEM));
		return;
	}
	ret = pt_topo_plan(t, policy, n, p);
	if (ret < 0) {
		fprintf(out, "plan: %s\n", strerror(-ret));
		goto out_free;
	}
	for (int w = 0; w < n; w++) {
		if (policy == PT_BIND_NONE)
			fprintf(out, "worker=%d pu=- core=- package=-\n", w);
		else
			fprintf(out, "worker=%d pu=%d core=%d package=%d\n", w, p[w].pu_os,
				p[w].core, p[w].package);
	}
out_free:
	free(p);
}

/* json_object_set_new() consumes @v even on failure, and fails on NULL. */
static int set(json_t *o, const char *k, json_t *v)
{
	return json_object_set_new(o, k, v);
}

json_t *pt_topo_json(const struct pt_topo *t)
{
	json_t *o, *c, *m;
	const char *model;
	char ver[32];
	unsigned v;

	if (!t || !t->topo)
		return NULL;
	o = json_object();
	if (!o)
		return NULL;
	if (set(o, "packages", json_integer(t->npackages)) ||
	    set(o, "numa_nodes", json_integer(t->nnuma)) ||
	    set(o, "cores", json_integer(t->ncores)) || set(o, "pus", json_integer(t->npus)) ||
	    set(o, "smt", json_boolean(t->npus > t->ncores)))
		goto err;

	c = json_object();
	if (set(o, "caches", c))
		goto err;
	for (size_t i = 0; i < NCACHES; i++) {
		hwloc_obj_t ca = first_cache(t, caches[i].type);

		if (ca && ca->attr &&
		    set(c, caches[i].name, json_integer((json_int_t)ca->attr->cache.size)))
			goto err;
	}

	if (set(o, "synthetic", json_boolean(t->synthetic)) ||
	    set(o, "synthetic_desc", t->synthetic ? json_string(t->synthetic_desc) : json_null()))
		goto err;
	model = cpu_model(t);
	m = model ? json_string(model) : NULL;
	/* json_string() refuses invalid UTF-8: record no model rather than
	 * fail the whole summary (or emit JSON that will not dump). */
	if (set(o, "cpu_model", m ? m : json_null()))
		goto err;

	v = hwloc_get_api_version();
	snprintf(ver, sizeof(ver), "%u.%u.%u", v >> 16, (v >> 8) & 0xff, v & 0xff);
	if (set(o, "hwloc_api_version", json_string(ver)))
		goto err;
	return o;

err:
	json_decref(o);
	return NULL;
}
