# policy/: the YAML policy library.  No printing, no exiting: errors come
# back as values (policy/policy.h).  Linked by guard/safe-pip and the tests.
noinst_LIBRARIES += policy/libsppolicy.a

policy_libsppolicy_a_SOURCES = \
	policy/policy.h policy/internal.h \
	policy/pep440.c policy/pep440.h \
	policy/reqs.c policy/reqs.h \
	policy/pipconf.c policy/pipconf.h \
	policy/typosquat.c policy/typosquat.h \
	policy/glob.c \
	policy/match.c \
	policy/net.c \
	policy/policy.c \
	policy/rules.c \
	policy/schema.c \
	policy/show.c \
	policy/util.c \
	policy/yaml.c
# The default policy and the popular-package list stay readable files in
# the tree; the build turns them into C arrays.
nodist_policy_libsppolicy_a_SOURCES = policy/default_yaml.c policy/popular_tsv.c
policy_libsppolicy_a_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS)

policy/default_yaml.c: $(top_srcdir)/policy/default.yaml $(top_srcdir)/policy/embed.sh
	$(AM_V_GEN)$(MKDIR_P) policy && \
	$(SHELL) $(top_srcdir)/policy/embed.sh $(top_srcdir)/policy/default.yaml sp_default_yaml > $@.tmp && \
	mv -f $@.tmp $@

policy/popular_tsv.c: $(top_srcdir)/policy/data/pypi-popular.tsv $(top_srcdir)/policy/embed.sh
	$(AM_V_GEN)$(MKDIR_P) policy && \
	$(SHELL) $(top_srcdir)/policy/embed.sh $(top_srcdir)/policy/data/pypi-popular.tsv sp_popular_tsv > $@.tmp && \
	mv -f $@.tmp $@

CLEANFILES += policy/default_yaml.c policy/popular_tsv.c
EXTRA_DIST += policy/default.yaml policy/data/pypi-popular.tsv policy/embed.sh policy/rules.def

# The library's own users (the guard, the tests) link this.
POLICY_LIBS = policy/libsppolicy.a $(YAML_LIBS)

# ---------------------------------------------------------------- checks
# Valgrind over the library's unit tests (they are listed in tests/local.mk).
TESTS += tests/unit/policy-valgrind.test
EXTRA_DIST += tests/unit/policy-valgrind.test

# libFuzzer on the loader, for SP_FUZZ_SECONDS (default 60) in make check.
# Built with clang from the library's sources, outside automake's
# compilation rules, because it needs clang's fuzzer runtime.
TESTS += tests/fuzz/policy-fuzz.test
EXTRA_DIST += tests/fuzz/policy-fuzz.test tests/fuzz/fuzz_policy.c tests/fuzz/corpus
fuzz_policy_sources = $(filter %.c,$(policy_libsppolicy_a_SOURCES)) tests/fuzz/fuzz_policy.c
if FUZZER
check_DATA += tests/fuzz/fuzz-policy
CLEANFILES += tests/fuzz/fuzz-policy
tests/fuzz/fuzz-policy: $(addprefix $(top_srcdir)/,$(fuzz_policy_sources)) \
		$(nodist_policy_libsppolicy_a_SOURCES) $(top_srcdir)/policy/policy.h \
		$(top_srcdir)/policy/internal.h $(top_srcdir)/policy/rules.def
	$(AM_V_CCLD)$(MKDIR_P) tests/fuzz && \
	$(FUZZ_CC) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-include $(top_builddir)/config.h -I$(top_srcdir) -I$(top_builddir) $(YAML_CFLAGS) \
		$(addprefix $(top_srcdir)/,$(fuzz_policy_sources)) $(nodist_policy_libsppolicy_a_SOURCES) \
		$(YAML_LIBS) -o $@.tmp && mv -f $@.tmp $@
endif

# make bench: matching speed (1,000 rules, 100,000 lookups).  Other
# benchmarks hang themselves on "bench" the same way.
check_PROGRAMS += tests/bench/bench-policy
tests_bench_bench_policy_SOURCES = tests/bench/bench_policy.c
tests_bench_bench_policy_LDADD = $(POLICY_LIBS)
bench: bench-policy
bench-policy: tests/bench/bench-policy$(EXEEXT)
	@echo "== policy matching"
	@./tests/bench/bench-policy$(EXEEXT)
.PHONY: bench bench-policy

# The policy format's manual page, with the version filled in.
man5_MANS = doc/safe-pip-policy.5
EXTRA_DIST += doc/safe-pip-policy.5.in
CLEANFILES += doc/safe-pip-policy.5
doc/safe-pip-policy.5: $(top_srcdir)/doc/safe-pip-policy.5.in
	$(AM_V_GEN)$(MKDIR_P) doc && \
	sed 's/[@]VERSION[@]/$(PACKAGE_VERSION)/g' $(top_srcdir)/doc/safe-pip-policy.5.in > $@.tmp && \
	mv -f $@.tmp $@
