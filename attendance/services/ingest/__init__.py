"""Device ingestion, from the endpoint to the stored punch, in one package.

Read it in this order:

1. ``attendance/endpoints/`` (the HTTP views) admit a request: a known, approved
   device (ZKTeco serial number, Hikvision token), within its rate limit. Anything
   else is refused cheaply: at most a small prefix of the body is kept, a
   per-address limit applies before any row is written, and pending devices are
   capped and expire.
2. ``store.request_store`` appends the raw request (bytes, headers, the clock offset
   the upload shows) in the view's transaction; the device is answered only after
   the commit, so nothing acknowledged is lost. Parsing is queued on commit through
   ``jinhu.core.queue`` (a broker that is down only delays it).
3. ``claim`` is the one claim discipline: a request is claimed with a row lock
   (``FOR UPDATE SKIP LOCKED``) *inside* the transaction that writes its rows and
   marks it parsed. A parse that fails for any reason (a database error, a killed
   worker) rolls back its claim with its rows, and the sweep parses it again.
4. ``parse.request_parse`` (one request, any protocol, the reference path and the
   only one on SQLite) decodes the body, parses it with the pure protocol modules
   (``attendance/core/protocols/``), turns the records into rows (``records.convert``)
   and writes them (``writes``). On PostgreSQL, ATTLOG backlogs are parsed many
   uploads per statement by ``attlog_sql`` (``parse.attlog_drain``), pinned to the
   reference path by ``tests/devices/test_attlog_sql.py``.
5. The village-days with new punches are marked for judging in the same
   transaction (``attendance.services.outcomes.outcomes_judge_later``).
6. ``parse.ingest_sweep`` runs every minute (beat) and whenever a worker connects to
   the broker: it parses whatever is stored and unparsed, and judges whatever is
   marked, so a lost task, a killed worker or a Redis outage costs at most a minute
   once a worker is back. ``tests/devices/test_faults.py`` proves it.
"""
