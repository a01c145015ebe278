# The two everyday commands: `make run` serves the site, `make test` runs the suite
# (on SQLite, then on a throwaway PostgreSQL server when one is installed).
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format audit bench clean

$(STAMP): pyproject.toml
	@PYTHON=$$(scripts/find-python) && echo "Using $$PYTHON" && "$$PYTHON" -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# The development server, and beside it the task worker, which "sends" each new lead's
# notification (DEBUG's console backend prints the email). The worker stops with the server.
run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_content --skip-existing fixtures/*.yaml
	$(PY) manage.py db_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	scripts/test-all

# Lighthouse (mobile) on the comparison page, a wizard step and a result, served by the
# production command with DEBUG off; writes docs/quality.md (AUDIT_ARGS="--output FILE": elsewhere)
# and fails below 100 in accessibility, best practices or SEO. Needs Node and Chromium
# (apt-get install -y chromium).
audit: $(STAMP)
	@if [ ! -x node_modules/.bin/lighthouse ]; then \
		if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; \
		else npm install --no-audit --no-fund; fi; \
	fi
	$(PY) scripts/audit.py $(AUDIT_ARGS)

# Throughput against a static file of the same size, the comparison page while 20 clients
# trickle POST bodies, what 1,000 wizard finishes write, SQL queries, first-visit bytes and a
# 60 s soak with memory sampling, on the production command with DEBUG off (loopback only);
# writes docs/benchmarks.md and fails when a target is missed. Uses wrk (apt-get install -y
# wrk), else a Python load generator. BENCH_ARGS="--quick" is a one-minute smoke run that
# writes no report; BENCH_ARGS="--output FILE" writes it elsewhere.
bench: $(STAMP)
	$(PY) -m bench.run $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache db.sqlite3 staticfiles
