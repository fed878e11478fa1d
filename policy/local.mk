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
