# tests/bench/: `make bench` measures safe-pip against plain pip (wall time,
# interleaved, medians) and the kernel sensor itself; it prints, it does
# not judge.  Needs root for the kernel sensor.
EXTRA_PROGRAMS += tests/bench/ks_bench
tests_bench_ks_bench_SOURCES = tests/bench/ks_bench.c $(guard_core_sources)
tests_bench_ks_bench_CFLAGS = $(AM_CFLAGS) $(LIBBPF_CFLAGS) $(YAML_CFLAGS)
tests_bench_ks_bench_LDADD = $(POLICY_LIBS) $(LIBBPF_LIBS) $(YAML_LIBS) -lm -lpthread
CLEANFILES += tests/bench/ks_bench

EXTRA_DIST += tests/bench/bench.py tests/bench/ks_bench.c \
	tests/fixtures/bench-pure tests/fixtures/bench-cext tests/fixtures/score-probe

BENCH_RUNS = 10
BENCH_LATENCY_RUNS = 40
BENCH_ONLY =
bench: all tests/bench/ks_bench tests/testenv/.stamp
	BENCH_ONLY='$(BENCH_ONLY)' $(PYTHON3) $(top_srcdir)/tests/bench/bench.py "$(abs_top_builddir)" "$(abs_top_srcdir)" \
		$(BENCH_RUNS) $(BENCH_LATENCY_RUNS)
.PHONY: bench
