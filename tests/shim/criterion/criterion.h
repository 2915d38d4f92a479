/* SPDX-License-Identifier: MIT */
/* A minimal stand-in for <criterion/criterion.h>, used only by the
 * ThreadSanitizer build (make test SAN=thread): Criterion 2.4 cannot start
 * under TSan, because its BoxFort arena maps shared memory at fixed
 * addresses that fall inside TSan's shadow range (Snaipe/Criterion issue
 * #274). The same test sources compile against either; like Criterion, the
 * runner (runner.c) runs each Test() in its own process with its .timeout. */
#ifndef PT_CRITERION_SHIM_H
#define PT_CRITERION_SHIM_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct crshim_test {
	const char *suite, *name;
	void (*fn)(void);
	double timeout;	/* seconds; 0: the runner's default */
	bool disabled;
	const char *description;
	struct crshim_test *next;
};

void crshim_register(struct crshim_test *t);
void crshim_fail(bool fatal, const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
_Noreturn void crshim_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* The message arguments are optional and always start with a literal. */
#define CRSHIM_CHECK(ok, fatal, expr, ...)                                              \
	do {                                                                            \
		if (!(ok))                                                              \
			crshim_fail((fatal), __FILE__, __LINE__, (expr), " " __VA_ARGS__); \
	} while (0)

#define cr_assert(e, ...) CRSHIM_CHECK((e), true, #e, __VA_ARGS__)
#define cr_expect(e, ...) CRSHIM_CHECK((e), false, #e, __VA_ARGS__)
#define cr_assert_not(e, ...) CRSHIM_CHECK(!(e), true, "!(" #e ")", __VA_ARGS__)
#define cr_expect_not(e, ...) CRSHIM_CHECK(!(e), false, "!(" #e ")", __VA_ARGS__)
#define CRSHIM_CMP(fatal, a, op, b, ...) CRSHIM_CHECK((a)op(b), fatal, #a " " #op " " #b, __VA_ARGS__)
#define cr_assert_eq(a, b, ...) CRSHIM_CMP(true, a, ==, b, __VA_ARGS__)
#define cr_expect_eq(a, b, ...) CRSHIM_CMP(false, a, ==, b, __VA_ARGS__)
#define cr_assert_neq(a, b, ...) CRSHIM_CMP(true, a, !=, b, __VA_ARGS__)
#define cr_expect_neq(a, b, ...) CRSHIM_CMP(false, a, !=, b, __VA_ARGS__)
#define cr_assert_lt(a, b, ...) CRSHIM_CMP(true, a, <, b, __VA_ARGS__)
#define cr_expect_lt(a, b, ...) CRSHIM_CMP(false, a, <, b, __VA_ARGS__)
#define cr_assert_leq(a, b, ...) CRSHIM_CMP(true, a, <=, b, __VA_ARGS__)
#define cr_expect_leq(a, b, ...) CRSHIM_CMP(false, a, <=, b, __VA_ARGS__)
#define cr_assert_gt(a, b, ...) CRSHIM_CMP(true, a, >, b, __VA_ARGS__)
#define cr_expect_gt(a, b, ...) CRSHIM_CMP(false, a, >, b, __VA_ARGS__)
#define cr_assert_geq(a, b, ...) CRSHIM_CMP(true, a, >=, b, __VA_ARGS__)
#define cr_expect_geq(a, b, ...) CRSHIM_CMP(false, a, >=, b, __VA_ARGS__)
#define cr_assert_null(p, ...) CRSHIM_CHECK((p) == NULL, true, #p " == NULL", __VA_ARGS__)
#define cr_expect_null(p, ...) CRSHIM_CHECK((p) == NULL, false, #p " == NULL", __VA_ARGS__)
#define cr_assert_not_null(p, ...) CRSHIM_CHECK((p) != NULL, true, #p " != NULL", __VA_ARGS__)
#define cr_expect_not_null(p, ...) CRSHIM_CHECK((p) != NULL, false, #p " != NULL", __VA_ARGS__)
#define cr_assert_str_eq(a, b, ...) CRSHIM_CHECK(strcmp((a), (b)) == 0, true, #a " == " #b, __VA_ARGS__)
#define cr_expect_str_eq(a, b, ...) CRSHIM_CHECK(strcmp((a), (b)) == 0, false, #a " == " #b, __VA_ARGS__)
#define cr_assert_arr_eq(a, b, n, ...) CRSHIM_CHECK(memcmp((a), (b), (n)) == 0, true, #a " == " #b, __VA_ARGS__)
#define cr_expect_arr_eq(a, b, n, ...) CRSHIM_CHECK(memcmp((a), (b), (n)) == 0, false, #a " == " #b, __VA_ARGS__)
#define cr_skip_test(...) crshim_skip(" " __VA_ARGS__)

#define Test(suite_, name_, ...)                                                      \
	static void suite_##_##name_(void);                                           \
	static struct crshim_test crshim_t_##suite_##_##name_ = {                      \
		.suite = #suite_, .name = #name_, .fn = suite_##_##name_, __VA_ARGS__ \
	};                                                                            \
	__attribute__((constructor)) static void crshim_r_##suite_##_##name_(void)    \
	{                                                                             \
		crshim_register(&crshim_t_##suite_##_##name_);                         \
	}                                                                             \
	static void suite_##_##name_(void)

#endif
