# The two quick-start commands (README): `make demo` and `make test`.
PYTHON ?= python3

.PHONY: install demo test test-fast

# musicnn 0.1.0 (pretrained music embeddings, weights inside the wheel) pins numpy<1.17 in its
# metadata but runs on today's stack; --no-deps installs it without that pin (its real needs,
# tensorflow-cpu, tf-keras and librosa, come from requirements.txt).
install:
	$(PYTHON) -m pip install --quiet -r requirements.txt
	$(PYTHON) -m pip install --quiet --no-deps musicnn==0.1.0

demo: install
	$(PYTHON) -m musicgenre demo

test: install
	$(PYTHON) -m pytest -n 2

test-fast:
	$(PYTHON) -m pytest -n 2 -m "not slow"
