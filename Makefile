# Two commands: `make demo` and `make test`. Each builds its own virtualenv with pinned
# dependencies (requirements*.txt), so nothing needs installing by hand.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test lint eval clean

$(BIN)/newstrace: pyproject.toml requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip==25.3
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	@touch $@

$(VENV)/.dev: $(BIN)/newstrace requirements-dev.txt
	$(BIN)/pip install -q -r requirements-dev.txt
	@touch $@

demo: $(BIN)/newstrace
	$(BIN)/newstrace scan examples/seeds

test: $(VENV)/.dev
	@scripts/ensure_chromium.sh || echo "chromium unavailable: browser tests will be skipped"
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/python -m pytest -q

eval: $(BIN)/newstrace
	$(BIN)/newstrace eval all --markdown docs/QUALITY.md

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
