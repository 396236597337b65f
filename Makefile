# The two quick-start commands (README): `make demo` and `make test`; `make docs` builds the documentation.
PYTHON ?= python3

.PHONY: install browser demo docs test test-fast

# Two packages install with --no-deps, their real needs coming from requirements.txt:
# - musicnn 0.1.0 (pretrained music embeddings, weights inside the wheel) pins numpy<1.17 in its
#   metadata but runs on today's stack (with tensorflow-cpu, tf-keras and librosa);
# - tf-keras (the Keras 2 that musicnn's TF1 graph code needs) requires the package named
#   `tensorflow`, which would install a second, GPU-sized copy of TensorFlow over tensorflow-cpu.
install:
	$(PYTHON) -m pip install --quiet -r requirements.txt
	$(PYTHON) -m pip install --quiet --no-deps musicnn==0.1.0 "tf-keras==2.21.*"

# The review page's test (tests/test_review_stage.py) opens it in a real browser: Debian's chromium,
# driven by Playwright (a test dependency). Playwright's own browser downloads are not used: many
# machines cannot reach them, every Debian-based one reaches its package mirror. Elsewhere, install
# Chromium yourself (the test looks for chromium or chromium-browser on PATH) or the test is skipped.
browser:
	@command -v chromium >/dev/null || command -v chromium-browser >/dev/null || { \
	  sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  if command -v apt-get >/dev/null; then \
	    $$sudo apt-get install -y -qq chromium >/dev/null || { $$sudo apt-get update -qq && $$sudo apt-get install -y -qq chromium >/dev/null; }; \
	  fi; \
	  command -v chromium >/dev/null || echo "make browser: Chromium is not installed; the review page's browser test will be skipped"; }

docs: install
	NO_MKDOCS_2_WARNING=1 $(PYTHON) -m mkdocs build --strict   # into build/site; open build/site/index.html

demo: install
	$(PYTHON) -m musicgenre demo

test: install browser
	$(PYTHON) -m pytest -n 2 --dist loadgroup

test-fast:
	$(PYTHON) -m pytest -n 2 --dist loadgroup -m "not slow"
