# Tests of the LD_PRELOAD shim (preload/) and its supervisor side.
# Every integration test runs safe-pip with the shim of the build tree.
AM_TESTS_ENVIRONMENT += \
	SAFE_PIP_PRELOAD='$(abs_top_builddir)/preload/.libs/libsafepip-preload.so'; \
	export SAFE_PIP_PRELOAD;

shim_integration_tests = \
	tests/integration/shim-hooks.test \
	tests/integration/shim-prevent.test \
	tests/integration/shim-tamper.test
TESTS += $(shim_integration_tests)
EXTRA_DIST += $(shim_integration_tests) tests/lib/logq.py
