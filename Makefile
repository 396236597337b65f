# The two quick-start commands (README): `make demo` and `make test`.
PYTHON ?= python3

.PHONY: install demo test test-fast

# Two packages install with --no-deps, their real needs coming from requirements.txt:
# - musicnn 0.1.0 (pretrained music embeddings, weights inside the wheel) pins numpy<1.17 in its
#   metadata but runs on today's stack (with tensorflow-cpu, tf-keras and librosa);
# - tf-keras (the Keras 2 that musicnn's TF1 graph code needs) requires the package named
#   `tensorflow`, which would install a second, GPU-sized copy of TensorFlow over tensorflow-cpu.
install:
	$(PYTHON) -m pip install --quiet -r requirements.txt
	$(PYTHON) -m pip install --quiet --no-deps musicnn==0.1.0 "tf-keras==2.21.*"

demo: install
	$(PYTHON) -m musicgenre demo

test: install
	$(PYTHON) -m pytest -n 2

test-fast:
	$(PYTHON) -m pytest -n 2 -m "not slow"
