# Tests of the LD_PRELOAD shim (preload/) and its supervisor side.
# Every integration test runs safe-pip with the shim of the build tree.
AM_TESTS_ENVIRONMENT += \
	SAFE_PIP_PRELOAD='$(abs_top_builddir)/preload/.libs/libsafepip-preload.so'; \
	export SAFE_PIP_PRELOAD;

shim_integration_tests = \
	tests/integration/shim-hooks.test \
	tests/integration/shim-prevent.test \
	tests/integration/shim-tamper.test \
	tests/integration/shim-standalone.test \
	tests/integration/shim-stress.test \
	tests/integration/shim-honest.test
TESTS += $(shim_integration_tests)
EXTRA_DIST += $(shim_integration_tests) tests/lib/logq.py

if UNIT_TESTS
shim_unit_tests = \
	tests/unit/test_shim_enc \
	tests/unit/test_decide \
	tests/unit/test_shimcorr
check_PROGRAMS += $(shim_unit_tests)
TESTS += $(shim_unit_tests)
tests_unit_test_shim_enc_SOURCES = tests/unit/test_shim_enc.c preload/shim_enc.c
tests_unit_test_shim_enc_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_shim_enc_LDADD = $(CMOCKA_LIBS)
tests_unit_test_decide_SOURCES = tests/unit/test_decide.c guard/decide.c guard/util.c \
	preload/shim_enc.c
tests_unit_test_decide_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_decide_LDADD = $(POLICY_LIBS) $(CMOCKA_LIBS)
tests_unit_test_shimcorr_SOURCES = tests/unit/test_shimcorr.c guard/shimcorr.c preload/shim_enc.c
tests_unit_test_shimcorr_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_shimcorr_LDADD = $(CMOCKA_LIBS)
endif

# Helpers the shim tests run: a stand-in supervisor and a stress program.
check_PROGRAMS += tests/shim/shimdriver tests/shim/stress
tests_shim_shimdriver_SOURCES = tests/shim/shimdriver.c preload/shim_enc.c
tests_shim_stress_SOURCES = tests/shim/stress.c
tests_shim_stress_CFLAGS = $(AM_CFLAGS) -pthread
tests_shim_stress_LDADD = -lpthread

# make bench: benchmarks print ratios against plain pip, run side by side.
bench: bench-shim
bench-shim: all $(check_DATA)
	$(AM_V_at)$(AM_TESTS_ENVIRONMENT) $(PYTHON3) $(top_srcdir)/tests/bench/shim_overhead.py $(BENCH_ROUNDS)
.PHONY: bench bench-shim
# (the fixtures are distributed with tests/fixtures)
EXTRA_DIST += tests/bench/shim_overhead.py
