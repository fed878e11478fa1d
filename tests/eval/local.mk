# tests/eval/: `make eval` installs every fixture of the behaviour corpus
# (tests/corpus) with plain pip and through safe-pip, and prints the table.
# Separate from `make check`: it needs root and takes minutes.
#   make eval EVAL_ONLY=name,name   only these fixtures
#   make eval EVAL_MODES=guarded    skip the plain-pip runs
#   make eval EVAL_STRICT=1         fail unless the bar is met
EVAL_ONLY =
EVAL_MODES = plain,guarded
EVAL_STRICT =
eval_files = tests/eval/eval.py tests/eval/corpus.py tests/eval/report.py \
	tests/eval/runner.py tests/eval/sandbox.py tests/eval/services.py tests/eval/selftest.py \
	tests/eval/payloads tests/eval/bin tests/eval/selftest.test
EXTRA_DIST += $(eval_files) tests/corpus
TESTS += tests/eval/selftest.test

eval: all tests/testenv/.stamp
	$(PYTHON3) $(top_srcdir)/tests/eval/eval.py \
		--safe-pip $(abs_top_builddir)/guard/safe-pip --srcdir $(abs_top_srcdir) \
		--work $(abs_top_builddir)/tests/eval-work \
		--wheelhouse $(abs_top_builddir)/tests/testenv/wheelhouse \
		--venv-template $(abs_top_builddir)/tests/testenv/venv-template \
		--json $(abs_top_builddir)/tests/eval-results.json \
		--modes '$(EVAL_MODES)' --only '$(EVAL_ONLY)' $(if $(EVAL_STRICT),--strict)
.PHONY: eval

clean-local: clean-eval
clean-eval:
	-rm -rf tests/eval-work tests/eval-results.json
.PHONY: clean-eval
