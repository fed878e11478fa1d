# tests/: cmocka unit tests (TAP through CMOCKA_MESSAGE_OUTPUT) and
# integration tests (shell, TAP) driving the real safe-pip, pip and kernel.
TEST_EXTENSIONS = .test
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TEST_LOG_DRIVER = $(LOG_DRIVER)
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	SAFE_PIP='$(abs_top_builddir)/guard/safe-pip'; export SAFE_PIP; \
	SP_WORK='$(abs_top_builddir)/tests/work'; export SP_WORK; \
	PYTHON3='$(PYTHON3)'; export PYTHON3; \
	CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT;

noinst_HEADERS += tests/cmocka_all.h

if UNIT_TESTS
unit_tests = \
	tests/unit/test_cli \
	tests/unit/test_dist \
	tests/unit/test_jsonw \
	tests/unit/test_proctab
check_PROGRAMS += $(unit_tests)
TESTS += $(unit_tests)

unit_cflags = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
unit_ldadd = $(CMOCKA_LIBS)
tests_unit_test_cli_SOURCES = tests/unit/test_cli.c guard/cli.c guard/util.c
tests_unit_test_cli_CFLAGS = $(unit_cflags)
tests_unit_test_cli_LDADD = $(unit_ldadd)
tests_unit_test_dist_SOURCES = tests/unit/test_dist.c guard/dist.c guard/util.c
tests_unit_test_dist_CFLAGS = $(unit_cflags)
tests_unit_test_dist_LDADD = $(unit_ldadd)
tests_unit_test_jsonw_SOURCES = tests/unit/test_jsonw.c guard/jsonw.c guard/proctab.c guard/util.c
tests_unit_test_jsonw_CFLAGS = $(unit_cflags)
tests_unit_test_jsonw_LDADD = $(unit_ldadd) -lm
tests_unit_test_proctab_SOURCES = tests/unit/test_proctab.c guard/proctab.c guard/util.c
tests_unit_test_proctab_CFLAGS = $(unit_cflags)
tests_unit_test_proctab_LDADD = $(unit_ldadd)

# policy/: the library's own unit tests (linked with the library itself)
policy_unit_tests = \
	tests/unit/test_pep440 \
	tests/unit/test_policy_layers \
	tests/unit/test_policy_load \
	tests/unit/test_policy_match \
	tests/unit/test_reqs \
	tests/unit/test_typosquat
check_PROGRAMS += $(policy_unit_tests)
TESTS += $(policy_unit_tests)
tests_unit_test_pep440_SOURCES = tests/unit/test_pep440.c
tests_unit_test_pep440_CFLAGS = $(unit_cflags)
tests_unit_test_pep440_LDADD = $(POLICY_LIBS) $(unit_ldadd)
tests_unit_test_policy_layers_SOURCES = tests/unit/test_policy_layers.c
tests_unit_test_policy_layers_CFLAGS = $(unit_cflags)
tests_unit_test_policy_layers_LDADD = $(POLICY_LIBS) $(unit_ldadd)
tests_unit_test_policy_load_SOURCES = tests/unit/test_policy_load.c
tests_unit_test_policy_load_CFLAGS = $(unit_cflags)
tests_unit_test_policy_load_LDADD = $(POLICY_LIBS) $(unit_ldadd)
tests_unit_test_policy_match_SOURCES = tests/unit/test_policy_match.c
tests_unit_test_policy_match_CFLAGS = $(unit_cflags)
tests_unit_test_policy_match_LDADD = $(POLICY_LIBS) $(unit_ldadd)
tests_unit_test_reqs_SOURCES = tests/unit/test_reqs.c
tests_unit_test_reqs_CFLAGS = $(unit_cflags)
tests_unit_test_reqs_LDADD = $(POLICY_LIBS) $(unit_ldadd)
tests_unit_test_typosquat_SOURCES = tests/unit/test_typosquat.c
tests_unit_test_typosquat_CFLAGS = $(unit_cflags)
tests_unit_test_typosquat_LDADD = $(POLICY_LIBS) $(unit_ldadd)
endif

integration_tests = \
	tests/integration/benign-install.test \
	tests/integration/connect-stopped.test \
	tests/integration/daemon-killed.test \
	tests/integration/passthrough.test \
	tests/integration/policy-cli.test \
	tests/integration/policy-deny-session.test \
	tests/integration/policy-monitor.test \
	tests/integration/policy-names.test \
	tests/integration/policy-network.test
TESTS += $(integration_tests)

EXTRA_DIST += $(integration_tests) \
	tests/lib/harness.sh tests/lib/mkenv.sh tests/lib/sdist.py tests/lib/sink.py \
	tests/lib/treehash.py tests/fixtures

# The offline wheelhouse and venv template every integration test copies.
check_DATA += tests/work/.stamp
tests/work/.stamp: $(top_srcdir)/tests/lib/mkenv.sh
	$(AM_V_GEN)$(SHELL) $(top_srcdir)/tests/lib/mkenv.sh tests/work $(PYTHON3) >/dev/null && touch $@

clean-local: clean-tests-work
clean-tests-work:
	-rm -rf tests/work tests/work.tmp
.PHONY: clean-tests-work

# ---- without the kernel sensor: the seccomp fallback, Landlock, `docker build` ----
# tests/lib/dockeremu emulates `docker build`; tests/lib/sp_static is a
# statically linked helper (raw system calls, no dynamic loader).
check_PROGRAMS += tests/lib/dockeremu tests/lib/sp_static
tests_lib_dockeremu_SOURCES = tests/lib/dockeremu.c
tests_lib_dockeremu_CFLAGS = $(WARN_CFLAGS)
tests_lib_dockeremu_LDFLAGS =
tests_lib_sp_static_SOURCES = tests/lib/sp_static.c
tests_lib_sp_static_CFLAGS = $(WARN_CFLAGS)
tests_lib_sp_static_LDFLAGS = -static

container_tests = \
	tests/integration/container-benign.test \
	tests/integration/container-stopped.test \
	tests/integration/container-files.test \
	tests/integration/container-processes.test \
	tests/integration/container-unprivileged.test \
	tests/integration/container-require.test \
	tests/integration/container-landlock.test \
	tests/integration/container-example.test \
	tests/integration/container-policy.test \
	tests/integration/shims.test \
	tests/integration/filecaps.test
TESTS += $(container_tests)
EXTRA_DIST += $(container_tests) tests/lib/container.sh

if UNIT_TESTS
# the fallback's pieces, linked with the guard's own objects
check_PROGRAMS += tests/unit/test_fallback
TESTS += tests/unit/test_fallback
tests_unit_test_fallback_SOURCES = tests/unit/test_fallback.c $(guard_core_sources)
tests_unit_test_fallback_CFLAGS = $(unit_cflags) $(LIBBPF_CFLAGS) $(YAML_CFLAGS)
tests_unit_test_fallback_LDADD = $(POLICY_LIBS) $(LIBBPF_LIBS) $(YAML_LIBS) $(unit_ldadd) -lm -lpthread
endif

# make bench-fallback (part of make bench): installs under safe-pip, with
# the kernel sensor and with the seccomp fallback, against plain pip.
bench: bench-fallback
bench-fallback: tests/lib/dockeremu$(EXEEXT) guard/safe-pip$(EXEEXT) tests/work/.stamp
	@top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' PYTHON3='$(PYTHON3)' \
		$(SHELL) $(top_srcdir)/tests/bench/fallback-bench.sh
.PHONY: bench-fallback
EXTRA_DIST += tests/bench/fallback-bench.sh
