# tests/: cmocka unit tests (TAP through CMOCKA_MESSAGE_OUTPUT) and
# integration tests (shell, TAP) driving the real safe-pip, pip and kernel.
TEST_EXTENSIONS = .test
LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
TEST_LOG_DRIVER = $(LOG_DRIVER)
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; export top_srcdir; \
	top_builddir='$(abs_top_builddir)'; export top_builddir; \
	SAFE_PIP='$(abs_top_builddir)/guard/safe-pip'; export SAFE_PIP; \
	SP_WORK='$(abs_top_builddir)/tests/testenv'; export SP_WORK; \
	PYTHON3='$(PYTHON3)'; export PYTHON3; \
	CMOCKA_MESSAGE_OUTPUT=TAP; export CMOCKA_MESSAGE_OUTPUT;

noinst_HEADERS += tests/cmocka_all.h

if UNIT_TESTS
unit_tests = \
	tests/unit/test_cli \
	tests/unit/test_dist \
	tests/unit/test_fsutil \
	tests/unit/test_journal \
	tests/unit/test_jsonw \
	tests/unit/test_proctab \
	tests/unit/test_txn \
	tests/unit/test_txn_plan
# The kernel sensor's decoders, counters, tables and rules.
unit_tests += \
	tests/unit/test_kevent \
	tests/unit/test_kstats \
	tests/unit/test_systab
# The scorer, its judges and recorded event streams.
unit_tests += tests/unit/test_score
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
tests_unit_test_fsutil_SOURCES = tests/unit/test_fsutil.c guard/fsutil.c guard/util.c
tests_unit_test_fsutil_CFLAGS = $(unit_cflags)
tests_unit_test_fsutil_LDADD = $(unit_ldadd)
tests_unit_test_journal_SOURCES = tests/unit/test_journal.c guard/journal.c guard/fsutil.c guard/util.c
tests_unit_test_journal_CFLAGS = $(unit_cflags)
tests_unit_test_journal_LDADD = $(unit_ldadd)
tests_unit_test_txn_SOURCES = tests/unit/test_txn.c guard/txn.c guard/txn_made.c guard/stage.c guard/manifest.c \
	guard/recover.c guard/journal.c guard/fsutil.c guard/txn_plan.c guard/cgroup.c guard/util.c
tests_unit_test_txn_CFLAGS = $(unit_cflags)
tests_unit_test_txn_LDADD = $(unit_ldadd)
tests_unit_test_txn_plan_SOURCES = tests/unit/test_txn_plan.c guard/txn_plan.c guard/fsutil.c guard/util.c
tests_unit_test_txn_plan_CFLAGS = $(unit_cflags)
tests_unit_test_txn_plan_LDADD = $(unit_ldadd)

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
tests_unit_test_kevent_SOURCES = tests/unit/test_kevent.c guard/kevent.c guard/jsonw.c guard/systab.c
tests_unit_test_kevent_CFLAGS = $(unit_cflags)
tests_unit_test_kevent_LDADD = $(unit_ldadd) -lm
tests_unit_test_kstats_SOURCES = tests/unit/test_kstats.c guard/kstats.c
tests_unit_test_kstats_CFLAGS = $(unit_cflags)
tests_unit_test_kstats_LDADD = $(unit_ldadd)
tests_unit_test_score_SOURCES = tests/unit/test_score.c guard/score.c guard/signals.c guard/kstats.c
tests_unit_test_score_CFLAGS = $(unit_cflags)
tests_unit_test_score_LDADD = $(POLICY_LIBS) $(unit_ldadd)
tests_unit_test_systab_SOURCES = tests/unit/test_systab.c guard/systab.c
tests_unit_test_systab_CFLAGS = $(unit_cflags)
tests_unit_test_systab_LDADD = $(unit_ldadd)
if BPF
# The sensor with the real kernel (skips without root or eBPF).
unit_tests += tests/unit/test_ksensor
tests_unit_test_ksensor_SOURCES = tests/unit/test_ksensor.c guard/ksensor.c guard/systab.c guard/util.c
tests_unit_test_ksensor_CFLAGS = $(unit_cflags) $(LIBBPF_CFLAGS)
tests_unit_test_ksensor_LDADD = $(unit_ldadd) $(LIBBPF_LIBS) -lpthread
endif
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
	tests/integration/policy-network.test \
	tests/integration/txn-crash.test \
	tests/integration/txn-half.test \
	tests/integration/txn-outside.test \
	tests/integration/txn-overwrite.test \
	tests/integration/txn-pip-normal.test \
	tests/integration/txn-upgrade.test
# The kernel sensor's coverage, evasions, floods and counters.
integration_tests += \
	tests/integration/kernel-files.test \
	tests/integration/kernel-process.test \
	tests/integration/kernel-code.test \
	tests/integration/kernel-net.test \
	tests/integration/kernel-netrules.test \
	tests/integration/kernel-evasion.test \
	tests/integration/kernel-supervisor.test \
	tests/integration/kernel-flood.test \
	tests/integration/kernel-stats.test
# The live scorer: its rules, verdicts, reports and summary.
integration_tests += \
	tests/integration/score-benign.test \
	tests/integration/score-rules.test \
	tests/integration/score-net.test
TESTS += $(integration_tests)

EXTRA_DIST += $(integration_tests) \
	tests/lib/harness.sh tests/lib/mkenv.sh tests/lib/sdist.py tests/lib/sink.py \
	tests/lib/treehash.py tests/lib/txn.sh tests/lib/sp_stophook.py tests/fixtures \
	tests/lib/kernel.sh tests/lib/logq.py tests/lib/sumq.py tests/lib/dnssink.py tests/lib/private-resolv.sh

# The offline wheelhouse and venv template every integration test copies.
check_DATA += tests/testenv/.stamp
tests/testenv/.stamp: $(top_srcdir)/tests/lib/mkenv.sh
	$(AM_V_GEN)$(SHELL) $(top_srcdir)/tests/lib/mkenv.sh tests/testenv $(PYTHON3) >/dev/null && touch $@

# ---- make bench: the install transaction (prints tables, asserts nothing)
check_PROGRAMS += tests/bench/bench_txn
tests_bench_bench_txn_SOURCES = tests/bench/bench_txn.c guard/txn.c guard/txn_made.c guard/stage.c guard/manifest.c \
	guard/recover.c guard/journal.c guard/fsutil.c guard/txn_plan.c guard/cgroup.c guard/util.c
EXTRA_DIST += tests/bench/txn-e2e.sh
bench: bench-txn
bench-txn: tests/bench/bench_txn tests/testenv/.stamp guard/safe-pip
	@echo "install transaction: prepare, commit and rollback times"
	@tests/bench/bench_txn
	@echo
	@PYTHON3='$(PYTHON3)' $(SHELL) $(top_srcdir)/tests/bench/txn-e2e.sh $(abs_top_builddir)/guard/safe-pip \
		$(abs_top_srcdir) $(abs_top_builddir)/tests/testenv
.PHONY: bench bench-txn
# ---- end of the transaction's bench

clean-local: clean-tests-work
clean-tests-work:
	-rm -rf tests/testenv tests/testenv.tmp
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
bench-fallback: tests/lib/dockeremu$(EXEEXT) guard/safe-pip$(EXEEXT) tests/testenv/.stamp
	@top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' PYTHON3='$(PYTHON3)' \
		$(SHELL) $(top_srcdir)/tests/bench/fallback-bench.sh
.PHONY: bench-fallback
EXTRA_DIST += tests/bench/fallback-bench.sh
