# Two commands on a fresh Debian machine with Python 3.11:
#   make run    set up, then serve the dashboard on the bundled sample data
#   make test   set up, then run every test
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
PORT   ?= 8501
STAMP   = $(VENV)/.installed-$(shell sha256sum requirements.txt | cut -c1-12)

.PHONY: setup system run test bench check clean

setup: system $(STAMP)

# Debian packages the project needs (installed only when missing).
system:
	@scripts/setup-system.sh

$(STAMP): requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

# python -m par serve runs `streamlit run dashboard.py` with Streamlit's upload limit set
# from PAR_MAX_UPLOAD_MB (headless, no usage statistics).
run: setup
	$(BIN)/python -m par serve --port $(PORT)

test: setup
	$(BIN)/python -m pytest -q

check: setup
	$(BIN)/python -m par check criteria/*.yaml

bench: setup
	$(BIN)/python bench/bench_score.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis test-output bench/out
