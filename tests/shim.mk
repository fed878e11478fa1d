# Tests of the LD_PRELOAD shim (preload/) and its supervisor side.
# Every integration test runs safe-pip with the shim of the build tree.
AM_TESTS_ENVIRONMENT += \
	SAFE_PIP_PRELOAD='$(abs_top_builddir)/preload/.libs/libsafepip-preload.so'; \
	export SAFE_PIP_PRELOAD;
