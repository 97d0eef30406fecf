# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-moments venv lint lint-imports typecheck coverage format check demo clean otp

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

# Set up and serve the demo on the embedded default (SQLite, eager tasks).
run: venv
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py load_demo
	@echo "锦湖街道平台：http://$(HOST):$(PORT)/  （公开值班表：http://$(HOST):$(PORT)/duty/）"
	DEBUG=1 JINHU_PUBLIC_BASE_URL=$${JINHU_PUBLIC_BASE_URL:-http://$(HOST):$(PORT)} \
		$(BIN)/python manage.py runserver $(HOST):$(PORT)

# The demo staff accounts' current two-factor codes (make run requires two-factor).
otp: venv
	@DEBUG=1 $(BIN)/python manage.py demo_otp

# The whole suite. With DATABASE_URL / REDIS_URL set it runs on PostgreSQL and
# Redis; with JINHU_REQUIRE_SERVICES=1 a test that would skip for a missing
# service fails instead. pytest's exit code 5 ("no tests ran") is a failure.
test: venv
	@$(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "make test: no tests were collected" >&2; exit 1; fi; \
	exit $$rc

# The time-sensitive tests (marked) at other moments than the suite's default: a
# weekday night, a Saturday that is a 调休 workday, a public holiday, 1 January just
# after midnight, the last minute of a month, 31 December. CI runs it after `make test`.
MOMENTS ?= 2026-11-25T02:30+08:00 2026-10-10T09:30+08:00 2026-10-02T11:00+08:00 \
	2027-01-01T00:05+08:00 2026-11-30T23:59+08:00 2026-12-31T15:00+08:00
test-moments: venv
	@for moment in $(MOMENTS); do \
		echo "== the time-sensitive tests at $$moment"; \
		JINHU_TEST_NOW=$$moment $(BIN)/python -m pytest -q -m time_sensitive $(PYTEST_ARGS); \
		rc=$$?; if [ $$rc -eq 5 ]; then echo "no time-sensitive tests collected" >&2; exit 1; fi; \
		if [ $$rc -ne 0 ]; then exit $$rc; fi; \
	done

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The import contracts (layers, independence, selectors only, pure cores): pyproject.toml.
lint-imports: venv
	$(BIN)/lint-imports

# mypy with django-stubs: every app checked, core/ and services/ strictly.
typecheck: venv
	DEBUG=1 $(BIN)/mypy

# The suite with line coverage, then the floor per app (COVERAGE_FLOOR, default 90 %).
# CI runs it on PostgreSQL and Redis (the README's test command, with PYTEST_ARGS).
coverage: venv
	@$(MAKE) --no-print-directory test PYTEST_ARGS="--cov --cov-report= $(PYTEST_ARGS)"
	$(BIN)/python -m tests.coverage_floor

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: venv
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

demo: venv
	DEBUG=1 $(BIN)/python manage.py load_demo

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache
