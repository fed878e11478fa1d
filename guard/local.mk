# guard/: the safe-pip program
bin_PROGRAMS += guard/safe-pip

# Everything but main.c, so that unit tests link the same objects.
guard_core_sources = \
	guard/cgroup.c guard/cgroup.h \
	guard/cli.c guard/cli.h \
	guard/dist.c guard/dist.h \
	guard/exitcode.h \
	guard/gpolicy.c guard/gpolicy.h guard/gpolicy_session.c \
	guard/fsutil.c guard/fsutil.h \
	guard/journal.c guard/journal.h \
	guard/manifest.c \
	guard/recover.c \
	guard/stage.c \
	guard/txn.c guard/txn.h guard/txn_int.h guard/txn_made.c \
	guard/txn_plan.c guard/txn_plan.h \
	guard/txn_session.c \
	guard/jsonw.c guard/jsonw.h \
	guard/log.c \
	guard/monitor.c \
	guard/gpolicy_net.c \
	guard/proctab.c guard/proctab.h \
	guard/python.c guard/python.h \
	guard/report.c \
	guard/kevent.c guard/kevent.h \
	guard/kmon.c guard/kmon.h \
	guard/kstats.c guard/kstats.h \
	guard/session.c guard/session.h \
	guard/spawn.c guard/spawn.h \
	guard/systab.c guard/systab.h guard/systab.def \
	guard/util.c guard/util.h \
	guard/landlock.c guard/landlock.h \
	guard/seccomp.c guard/seccomp.h guard/seccomp_int.h guard/seccomp_decide.c \
	guard/seccomp_files.c guard/seccomp_filter.c guard/seccomp_procs.c \
	guard/privdrop.c guard/privdrop.h \
	guard/sensors.c guard/sensors.h \
	guard/shims.c guard/shims.h \
	guard/tree.c guard/tree.h

# The LD_PRELOAD shim's supervisor side; preload/shim_enc.c is shared with the shim.
guard_core_sources += \
	guard/decide.c guard/decide.h \
	guard/shimcorr.c guard/shimcorr.h \
	guard/shimkern.c guard/shimlog.c \
	guard/shimsrv.c guard/shimsrv.h guard/shimsrv_int.h \
	preload/shim_enc.c preload/shim_enc.h preload/shim_proto.h

# Live scoring: the scorer, the rules it judges, the --json summary.
guard_core_sources += \
	guard/gscore.c guard/gscore.h guard/gscore_int.h \
	guard/gscore_report.c guard/gscore_rules.c \
	guard/score.c guard/score.h \
	guard/signals.c guard/signals.h \
	guard/summary.c guard/summary.h

if BPF
guard_core_sources += guard/ksensor.c guard/ksensor.h
else
guard_core_sources += guard/ksensor_none.c guard/ksensor.h
endif

guard_safe_pip_SOURCES = guard/main.c $(guard_core_sources)
guard_safe_pip_CFLAGS = $(AM_CFLAGS) $(LIBBPF_CFLAGS) $(YAML_CFLAGS)
guard_safe_pip_LDADD = $(POLICY_LIBS) $(LIBBPF_LIBS) $(YAML_LIBS) -lm -lpthread


# --enable-file-caps (or FILE_CAPS=yes on make's command line): the
# installed binary gets what the kernel sensor needs, permitted only;
# safe-pip drops it all before reading any input (guard/privdrop.h,
# SECURITY.md).  Setting file capabilities needs root (CAP_SETFCAP).
SAFE_PIP_FILE_CAPS = cap_bpf,cap_perfmon,cap_net_admin+p
install-exec-hook: install-file-caps
install-file-caps:
	@if [ "$(FILE_CAPS)" = yes ]; then \
		echo "  SETCAP   $(DESTDIR)$(bindir)/safe-pip $(SAFE_PIP_FILE_CAPS)"; \
		$(SETCAP) $(SAFE_PIP_FILE_CAPS) "$(DESTDIR)$(bindir)/safe-pip" || { \
			echo "cannot set the file capabilities of $(DESTDIR)$(bindir)/safe-pip (needs root); as root:" >&2; \
			echo "  setcap $(SAFE_PIP_FILE_CAPS) $(bindir)/safe-pip" >&2; exit 1; }; \
	fi
.PHONY: install-file-caps

EXTRA_DIST += SECURITY.md examples/Dockerfile examples/policy.yaml
