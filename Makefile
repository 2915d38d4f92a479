# SPDX-License-Identifier: MIT
# ptbench build. `make` builds build/ptbench; `make test` runs every test;
# SAN=thread or SAN=address,undefined builds everything under a sanitizer
# into its own directory (build/san-<name>/).

CC      ?= cc
SAN     ?=
comma   := ,
PKGS    := hwloc jansson
WARN    := -std=c11 -Wall -Wextra -Wshadow -Wundef -Wstrict-prototypes \
           -Wmissing-prototypes -Wformat=2 -Wwrite-strings
OPT     ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -Ilib -Iworkloads -Ibench
CFLAGS  ?=
CFLAGS  += $(WARN) $(OPT) -pthread -MMD -MP
LDLIBS  += -pthread -lm

# BUILDDIR lets several checkouts' builds share a tree without colliding.
BUILDDIR ?= build
ifneq ($(SAN),)
BUILD   := $(BUILDDIR)/san-$(subst $(comma),-,$(SAN))
CFLAGS  += -fsanitize=$(SAN) -fno-sanitize-recover=all -fno-omit-frame-pointer -O1
LDFLAGS += -fsanitize=$(SAN)
WERROR  := 1
else
BUILD   := $(BUILDDIR)
endif
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif

# pkg-config is asked only when building, so `make deps` and `make clean`
# work on a machine that lacks the libraries.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRIT_LIBS  = $(shell pkg-config --libs criterion 2>/dev/null)

LIB_SRC   := $(wildcard lib/*.c)
WORK_SRC  := $(wildcard workloads/*.c)
BENCH_SRC := $(filter-out bench/main.c bench/floors.c bench/power.c,$(wildcard bench/*.c))
TEST_SRC  := $(wildcard tests/*.c)
# Criterion cannot start under ThreadSanitizer (its BoxFort arena maps at
# fixed addresses inside TSan's shadow; Criterion issue #274): that build
# compiles the same tests against the stand-in in tests/shim/.
ifneq ($(findstring thread,$(SAN)),)
TEST_SRC  += tests/shim/runner.c
$(BUILD)/obj/tests/%.o: CPPFLAGS += -Itests/shim
CRIT_LIBS  =
endif

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIB      := $(BUILD)/libptbench.a
WORKLIB  := $(BUILD)/libptworkloads.a
BENCHLIB := $(BUILD)/libptdriver.a
PTBENCH  := $(BUILD)/ptbench
FLOORS   := $(BUILD)/floors
POWER    := $(BUILD)/power
TESTBIN  := $(BUILD)/tests/ptbench-tests

.PHONY: all deps test check-deps shape bench report compare calibrate clean
all: $(PTBENCH) $(FLOORS) $(POWER)

# Build provenance, recorded in meta.json. gitrev.h changes only when the
# revision does, so an unchanged tree does not rebuild.
$(BUILD)/obj/bench/meta.o: CPPFLAGS += -DPT_CC='"$(CC) $(shell $(CC) -dumpfullversion 2>/dev/null)"' \
    -DPT_CFLAGS='"$(strip $(OPT) $(if $(SAN),-fsanitize=$(SAN)))"'
GITREV := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(shell mkdir -p $(BUILD) && echo '#define PT_GIT_REV "$(GITREV)"' > $(BUILD)/gitrev.h.new && \
    (cmp -s $(BUILD)/gitrev.h.new $(BUILD)/gitrev.h || mv $(BUILD)/gitrev.h.new $(BUILD)/gitrev.h); rm -f $(BUILD)/gitrev.h.new)
CPPFLAGS += -I$(BUILD)

$(BUILD)/obj/%.o: %.c | check-deps
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

$(LIB): $(call obj,$(LIB_SRC))
	@rm -f $@
	$(AR) rcs $@ $^
$(WORKLIB): $(call obj,$(WORK_SRC))
	@rm -f $@
	$(AR) rcs $@ $^
$(BENCHLIB): $(call obj,$(BENCH_SRC))
	@rm -f $@
	$(AR) rcs $@ $^

$(PTBENCH): $(call obj,bench/main.c) $(BENCHLIB) $(WORKLIB) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(FLOORS): $(call obj,bench/floors.c) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(POWER): $(call obj,bench/power.c) $(LIB)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(TESTBIN): $(call obj,$(TEST_SRC)) $(BENCHLIB) $(WORKLIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(CRIT_LIBS) $(PKG_LIBS) $(LDLIBS)

# The build checks what it needs (pkg-config --exists, command -v), so any
# machine with the libraries builds, dpkg or not; `make test`, `make bench`
# and `make calibrate` also install what is missing on Debian/Ubuntu.
GOALS    := $(or $(MAKECMDGOALS),all)
DEPS_FOR := $(if $(filter-out report deps clean shape check-deps,$(GOALS)),build) \
            $(if $(filter test,$(GOALS)),test) \
            $(if $(filter bench calibrate,$(GOALS)),bench) \
            $(if $(filter report compare,$(GOALS)),report)
DEPS_HOW := $(if $(filter test bench calibrate,$(GOALS)),ensure,check)
check-deps:
	@CC="$(CC)" bash scripts/deps.sh $(DEPS_HOW) $(DEPS_FOR)

deps:
	bash scripts/deps.sh

# Criterion runs each test in its own process; --jobs 2 suits the 2-core
# CI machine. PTBENCH_BIN lets end-to-end tests run the binary of this build.
# A sanitizer report fails the test that caused it, in any process of it.
TEST_JOBS ?= 2
SAN_ENV := TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
           ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=1 \
           UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
           LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp
test: $(PTBENCH) $(TESTBIN) $(if $(SAN),,$(FLOORS))
	$(SAN_ENV) PTBENCH_BIN=$(abspath $(PTBENCH)) PTBENCH_ROOT=$(CURDIR) \
	    $(TESTBIN) --jobs $(TEST_JOBS) $(TEST_ARGS)
	@if [ -z "$(SAN)" ]; then bash scripts/test-scripts.sh; fi
	@if [ -z "$(SAN)" ]; then bash scripts/bench-shape.sh >/dev/null; fi

# bench/ as one pipeline: its include graph without a circle, prototypes in
# headers, no function over 80 lines.
shape:
	bash scripts/bench-shape.sh

BENCH_ARGS ?=
# BUDGET=SEC: the whole job's time (suite, calibration, report).
BUDGET ?=
bench: $(PTBENCH)
	BUDGET='$(BUDGET)' bash scripts/bench.sh $(BENCH_ARGS)

# The report layer (scripts/ptreport). Values reach the shell through the
# environment, quoted, so paths with spaces or shell metacharacters stay data.
RESULTS ?= results/latest
# The directory make was started from (make -C DIR keeps it in $(PWD)):
# report and compare run there, so relative paths and results/latest mean
# what they mean where the user typed the command, from any directory.
FROM_DIR := $(if $(wildcard $(PWD)/.),$(PWD),$(CURDIR))
# RESULTS only when given: else ptreport takes results/latest of FROM_DIR,
# or of this checkout when FROM_DIR has none.
report: export PT_RESULTS = $(if $(filter file default undefined,$(origin RESULTS)),,$(RESULTS))
report: export PT_FROM = $(FROM_DIR)
report: check-deps
	cd "$$PT_FROM" && python3 "$(CURDIR)/scripts/ptreport" report $${PT_RESULTS:+"$$PT_RESULTS"}

compare: export PT_A = $(A)
compare: export PT_B = $(B)
compare: export PT_C = $(C)
compare: export PT_D = $(D)
compare: export PT_OUT = $(OUT)
compare: export PT_FROM = $(FROM_DIR)
compare: check-deps $(PTBENCH)
	cd "$$PT_FROM" && python3 "$(CURDIR)/scripts/ptreport" compare --ptbench "$(abspath $(PTBENCH))" \
	    $${PT_OUT:+-o "$$PT_OUT"} -- "$$PT_A" "$$PT_B" $${PT_C:+"$$PT_C"} $${PT_D:+"$$PT_D"}

# RESULTS reaches calibrate.sh through the environment, verbatim ($(value):
# make does not expand it either), so a path with spaces, quotes, backquotes
# or $(...) stays a path; CALIBRATE_ARGS are options, split into words.
calibrate: export PT_RESULTS = $(value RESULTS)
calibrate: $(PTBENCH)
	PTBENCH=$(abspath $(PTBENCH)) bash scripts/calibrate.sh $(if $(FULL),--full) $(CALIBRATE_ARGS) -- "$$PT_RESULTS"

clean:
	rm -rf $(BUILDDIR)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
