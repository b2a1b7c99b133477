# Service IQ: `make run` serves the demo, `make test` runs the suite (installing what it needs),
# `make soak` its long load and fault runs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB := instance/survey.sqlite3
export FLASK_APP := wsgi

.PHONY: run test soak bench validate lint install system-deps translations messages clean

$(BIN)/activate:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip wheel

$(VENV)/.installed: $(BIN)/activate setup.cfg pyproject.toml
	$(BIN)/pip install --quiet -e '.[test,dev]'
	touch $@

install: $(VENV)/.installed translations

translations: $(VENV)/.installed
	@for po in translations/*/LC_MESSAGES/messages.po; do \
	  [ -f "$$po" ] || continue; \
	  $(BIN)/pybabel -q compile -i "$$po" -o "$${po%.po}.mo" || exit 1; \
	done

# Extract page texts and merge them into the Italian and French catalogs (then translate them).
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -o translations/messages.pot .
	@for lang in it fr; do \
	  if [ -f translations/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel -q update -N -i translations/messages.pot -d translations -l $$lang; \
	  else \
	    $(BIN)/pybabel -q init -i translations/messages.pot -d translations -l $$lang; \
	  fi; \
	done

instance/secret_key:
	@mkdir -p instance
	@$(BIN)/python -c "import secrets; print(secrets.token_hex(32))" > $@
	@chmod 600 $@

# init-db on every run: it creates the database the first time and brings an existing one to
# the code's schema after a pull (the server refuses a database behind; wsgi.py).
run: install instance/secret_key
	@export SURVEY_SECRET_KEY=$$(cat instance/secret_key); \
	if [ ! -f $(DB) ]; then \
	  $(BIN)/flask survey init-db && $(BIN)/flask survey demo || exit 1; \
	else \
	  $(BIN)/flask survey init-db >/dev/null || exit 1; \
	fi
	@echo "Serving on http://127.0.0.1:5000  (demo sign-in: admin@demo.example / demo-admin-pass)"
	@echo "Local mailbox (every email as its recipient sees it): http://127.0.0.1:5000/admin/mailbox"
	@echo "The scheduler and the mail dispatcher run beside the server (flask survey dev-worker)."
	@export SURVEY_SECRET_KEY=$$(cat instance/secret_key); \
	  $(BIN)/flask survey dev-worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask run --host 127.0.0.1 --port 5000

# What the tests need outside Python: PostgreSQL server binaries, Debian's Chromium for the
# browser tests (never a downloaded browser) and npm, in one apt-get run of whatever is
# missing (as root); then axe-core from npm into .cache/axe (tests/e2e injects it into pages).
AXE := .cache/axe/node_modules/axe-core/axe.min.js

system-deps:
	@missing=""; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/bin/chromedriver ] || missing="$$missing chromium-driver"; \
	command -v npm >/dev/null 2>&1 || [ -f $(AXE) ] || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq$$missing >/dev/null || exit 1; \
	  else \
	    echo "System packages missing:$$missing: run 'sudo apt-get install$$missing'"; exit 1; \
	  fi; \
	fi
	@[ -f $(AXE) ] || npm install --no-save --no-audit --no-fund --silent --prefix .cache/axe axe-core@4

# Two workers (pytest-xdist): each has its own PostgreSQL cluster, SMTP server, app servers
# and browser, all on free loopback ports and temporary folders.
TEST_WORKERS ?= 2
test: install system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS)

# The long runs (-m soak): the reliability suite (tests/soak, about eight minutes: 200
# simultaneous respondents, PostgreSQL restarted and workers killed under load, a mixed run
# with memory tracking; SURVEY_SOAK_SECONDS per database, default 90; figures in
# test-artifacts/soak/) and the big twin-worlds anonymity audit (tests/anonymity,
# SURVEY_TWIN_EXAMPLES random organisations, default 80).
soak: install system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider -m soak tests/soak tests/anonymity

bench: install system-deps
	$(BIN)/python -m bench

# Simulation study of the scoring model (docs/scoring.md, "The model, version 3"): coverage of
# every interval, false flags and badges, power; then whether the model finds the demo's planted
# patterns over 30 seeds (survey/demo/markers.py, docs/demo.md). Exits non-zero when a row is
# out of bounds.
validate: $(VENV)/.installed
	$(BIN)/python -m analysis.validate
	$(BIN)/python -m survey.demo.markers --seeds 30

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) instance *.egg-info
