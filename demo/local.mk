# demo/: `make demo` installs an honest and a malicious package through
# safe-pip with the embedded default policy (offline, loopback only).
EXTRA_DIST += demo/run-demo.sh demo/demo-benign demo/demo-evil

# From the build tree: the shim is not installed yet, use the one just built.
demo: all
	SAFE_PIP_PRELOAD=$(abs_top_builddir)/preload/.libs/libsafepip-preload.so \
	$(SHELL) $(top_srcdir)/demo/run-demo.sh $(abs_top_builddir)/guard/safe-pip \
		$(abs_top_srcdir) $(abs_top_builddir)/demo-work
.PHONY: demo

clean-local: clean-demo
clean-demo:
	-rm -rf demo-work
.PHONY: clean-demo
