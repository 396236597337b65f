# The two quick-start commands (README): `make demo` and `make test`.
PYTHON ?= python3

.PHONY: install demo test test-fast

install:
	$(PYTHON) -m pip install --quiet -r requirements.txt

demo: install
	$(PYTHON) -m musicgenre demo

test: install
	$(PYTHON) -m pytest -n 2

test-fast:
	$(PYTHON) -m pytest -n 2 -m "not slow"
