# eBPF objects: compiled with clang (CO-RE, BTF), embedded as skeletons.
noinst_HEADERS += bpf/sp_event.h
# The kernel sensor's parts, included by safepip.bpf.c.
bpf_parts = bpf/sp_common.bpf.h bpf/sp_proc.bpf.h bpf/sp_files.bpf.h bpf/sp_net.bpf.h \
	bpf/sp_sys.bpf.h
EXTRA_DIST += bpf/safepip.bpf.c $(bpf_parts)

if BPF
AM_V_BPF = $(am__v_BPF_$(V))
am__v_BPF_ = $(am__v_BPF_$(AM_DEFAULT_VERBOSITY))
am__v_BPF_0 = @echo "  BPF     " $@;
am__v_BPF_1 =
AM_V_SKEL = $(am__v_SKEL_$(V))
am__v_SKEL_ = $(am__v_SKEL_$(AM_DEFAULT_VERBOSITY))
am__v_SKEL_0 = @echo "  SKEL    " $@;
am__v_SKEL_1 =

BPF_CFLAGS = -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(BPF_TARGET_ARCH) \
	-Wall -Werror -Wno-unused-function -Wno-compare-distinct-pointer-types \
	-I$(top_builddir)/bpf -I$(top_srcdir)/bpf $(LIBBPF_CFLAGS) $(BPF_SYS_INCLUDE)

bpf/vmlinux.h: $(VMLINUX_BTF)
	$(AM_V_GEN)$(MKDIR_P) bpf && \
	$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $@.tmp && mv -f $@.tmp $@

# Custom rules get no dependency tracking: list the shared header explicitly.
bpf/safepip.bpf.o: $(top_srcdir)/bpf/safepip.bpf.c $(top_srcdir)/bpf/sp_event.h \
		$(addprefix $(top_srcdir)/,$(bpf_parts)) bpf/vmlinux.h
	$(AM_V_BPF)$(MKDIR_P) bpf && \
	$(CLANG) $(BPF_CFLAGS) -c $(top_srcdir)/bpf/safepip.bpf.c -o $@.tmp && \
	$(LLVM_STRIP) -g $@.tmp && mv -f $@.tmp $@

bpf/safepip.skel.h: bpf/safepip.bpf.o
	$(AM_V_SKEL)$(BPFTOOL) gen skeleton $< name safepip_bpf > $@.tmp && mv -f $@.tmp $@

.SECONDARY: bpf/safepip.bpf.o
BUILT_SOURCES += bpf/safepip.skel.h
nodist_noinst_HEADERS += bpf/safepip.skel.h
CLEANFILES += bpf/safepip.skel.h bpf/safepip.bpf.o bpf/vmlinux.h
endif

# The kernel sensor's manual: records, counters, rules, lost records, security.
dist_man_MANS += doc/safe-pip-kernel.7
