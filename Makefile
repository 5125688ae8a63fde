# OCOP Hậu Giang. `make run` serves the demo on http://127.0.0.1:5000; `make test` runs the checks.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := app:create_app
PO := $(wildcard translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: setup run worker test lint format serve bench bench-mail bench-postgres bench-recall messages clean

setup: $(VENV)/.installed $(MO)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ -l $*

# The web server and a job worker together (Procfile); Ctrl-C stops both. Readable log lines
# (LOG_FORMAT=text); production writes JSON ones.
run: setup
	$(BIN)/flask init-db
	$(BIN)/flask seed-demo --if-empty
	@echo ""
	@echo "  OCOP Hậu Giang is starting: open http://127.0.0.1:5000"
	@echo "  Demo logins (password demo1234): admin@ocop.demo, buyer@ocop.demo, htx.kynhu@ocop.demo"
	@echo "  Ctrl-C stops the web server and the job worker."
	@echo ""
	LOG_FORMAT=text PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start

# A job worker alone (mail, reminders, expiry). With REDIS_URL, run one or more on any machine.
worker: setup
	$(BIN)/huey_consumer jobs_worker.queue --workers 2 --worker-type thread

test: setup lint
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(VENV)/.installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Production: gunicorn with the settings in gunicorn.conf.py. Needs SECRET_KEY (and usually
# DATABASE_URL and REDIS_URL) in the environment; see README "Running in production".
serve: setup
	$(BIN)/flask init-db
	OCOP_ENV=production $(BIN)/gunicorn -c gunicorn.conf.py "app:create_app()"

# Page speed against a one-route app (bench/catalogue.py; needs wrk), CPU ms per page
# in-process (bench/page_cpu.py), then bench-mail.
bench: setup
	$(BIN)/python bench/catalogue.py
	$(BIN)/python -m bench.page_cpu
	$(BIN)/python -m bench.checkout_mail

# Checkout with an SMTP server that takes 5 s per mail, against no mail server (the outbox).
bench-mail: setup
	$(BIN)/python -m bench.checkout_mail

# The same on PostgreSQL, then the livestream sale (bench/livestream.py) on its database.
bench-postgres: setup
	$(BIN)/python bench/catalogue.py --postgres
	$(BIN)/python bench/livestream.py --postgres

# How long a recall takes to find its buyers on 200,000 orders (bench/bench_recall.py; seeds
# its own database). On PostgreSQL: make bench-recall BENCH_ARGS=--postgres
bench-recall: setup
	$(BIN)/python -m bench.bench_recall $(BENCH_ARGS)

# Extract the interface strings and merge them into each language's catalogue.
messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l -k lazy_pgettext:1c,2 -o translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) translations/*/LC_MESSAGES/*.mo
