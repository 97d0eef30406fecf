"""Faults drilled: a parse that fails for any reason is retried, and nothing is lost.

A transient database error is injected into the parse of each kind of request
(the connection drops half-way: some rows written, the request not yet marked).
The request stays stored and unparsed with no rows; the sweep parses it again and
the stored counts are exactly those of a clean parse.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import pytest
from django.db import OperationalError, connection

from attendance.models import (
    DeviceEvent,
    DeviceRequest,
    PendingJudgement,
    PinMapping,
    Punch,
    QuarantinedLine,
)
from attendance.services import outcomes
from attendance.services.devices import device_register
from attendance.services.ingest import parse
from tests.factories import CadreFactory
from tests.payloads import RawRequest, payload, requests

#: the request marked parsed: the last write of a parse, after all its rows
MARK = re.compile(r'UPDATE "?attendance_devicerequest"?')
#: a row written: the middle of a parse
ROWS = re.compile(r'INSERT (OR IGNORE )?INTO "?attendance_(punch|deviceevent|quarantinedline)"?')


@contextlib.contextmanager
def failing(pattern: re.Pattern):
    """Every statement matching ``pattern`` fails as if the server had gone away."""
    hits = []

    def wrapper(execute, sql, params, many, context):
        if pattern.search(sql):
            hits.append(sql)
            raise OperationalError("injected: server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield hits


def store_only(client, raw: RawRequest, *, path=None, query=None) -> DeviceRequest:
    """Post through the real view; the parse queued on commit is not run (a lost task)."""
    from urllib.parse import urlencode

    url = path or raw.path
    q = raw.query if query is None else query
    if q:
        url += "?" + urlencode(q)
    response = client.generic("POST", url, raw.body, content_type=raw.content_type or "text/plain")
    assert response.status_code == 200, response.content
    return DeviceRequest.objects.order_by("-pk").first()


def rows_of(stored: DeviceRequest):
    return (
        sorted(
            Punch.objects.filter(request=stored).values_list(
                "pin", "raw_time", "status", "verify", "cadre_id", "line_no", "flags"
            )
        ),
        sorted(QuarantinedLine.objects.filter(request=stored).values_list("line_no", "reason")),
        sorted(DeviceEvent.objects.filter(request=stored).values_list("line_no", "kind", "code")),
    )


def clean_rows():
    """As before the reference parse (the device not yet heard from, no rows)."""
    from django.core.cache import cache

    from attendance.services import liveness

    Punch.objects.all().delete()
    QuarantinedLine.objects.all().delete()
    DeviceEvent.objects.all().delete()
    cache.clear()
    liveness.clear_local()


@pytest.fixture
def v3_device(village_a, subdistrict_admin):
    device, _ = device_register(
        actor=subdistrict_admin,
        kind="zk_clock",
        village=village_a,
        serial_number="AJYD214560078",
        installed_on=dt.date(2025, 1, 1),
    )
    PinMapping.objects.create(device=device, pin="1001", cadre=CadreFactory(village=village_a))
    return device


def hik(token, body, content_type):
    return RawRequest("POST", f"/hik/events/{token}/", {}, {"content-type": content_type}, body)


def _kinds(zk_clock, hik_terminal, v3_device):
    multipart = requests("hik_multipart.txt")[0]
    return {
        "attlog": requests("zk_attlog_post.txt")[0],
        "attlog_gb18030": RawRequest(
            "POST",
            "/iclock/cdata",
            {"SN": zk_clock.serial_number, "table": "ATTLOG"},
            {},
            "1001\t2026-11-20 08:01:02\t0\t1\n张三\t2026-11-20 08:02:00\t0\t1\n".encode("gbk"),
        ),
        "operlog": requests("zk_operlog_post.txt")[0],
        "rtlog": requests("zk_v3_registry_rtlog.txt")[3],
        "hik_json": hik(hik_terminal.plain_token, payload("hik_acsevent.json"), "application/json"),
        "hik_xml": hik(
            hik_terminal.plain_token, payload("hik_eventnotification.xml"), "application/xml"
        ),
        "hik_multipart": hik(hik_terminal.plain_token, multipart.body, multipart.content_type),
    }


KINDS = ["attlog", "attlog_gb18030", "operlog", "rtlog", "hik_json", "hik_xml", "hik_multipart"]


@pytest.mark.parametrize("where", [MARK, ROWS], ids=["before-the-mark", "writing-rows"])
@pytest.mark.parametrize("kind", KINDS)
def test_a_failed_parse_is_parsed_again_by_the_sweep(
    kind, where, client, zk_clock, hik_terminal, v3_device, settings
):
    settings.JINHU_DEVICE_KEEP_PICTURES = True
    raw = _kinds(zk_clock, hik_terminal, v3_device)[kind]
    # The reference: the same request parsed without a fault.
    reference_request = store_only(client, raw)
    reference_result = parse.request_parse(reference_request.pk)
    reference = rows_of(reference_request)
    assert reference_result is not None and any(reference)
    clean_rows()

    stored = store_only(client, raw)
    with failing(where) as hits, pytest.raises(OperationalError):
        parse.request_parse(stored.pk)
    assert hits, "the fault was not reached"
    stored.refresh_from_db()
    assert stored.parsed_at is None and stored.result == {}
    assert rows_of(stored) == ([], [], [])  # nothing half-written

    # The sweep (beat, every minute; or a worker connecting) parses it again.
    assert parse.ingest_sweep(grace=dt.timedelta(0))["parsed"] >= 1
    stored.refresh_from_db()
    assert stored.parsed_at is not None
    # Exactly the clean parse's rows (the reference's rows were deleted, so nothing
    # counts as a duplicate of them) and its counts.
    assert [[r for r in group] for group in rows_of(stored)] == [
        [r for r in group] for group in reference
    ]
    assert stored.result == reference_result.as_dict()
    # Running the sweep again changes nothing.
    parse.ingest_sweep(grace=dt.timedelta(0))
    assert rows_of(stored) == reference


@pytest.mark.postgres
@pytest.mark.parametrize("where", [MARK, re.compile(r"string_to_table")], ids=["mark", "statement"])
def test_a_failed_set_based_drain_is_drained_again(where, client, zk_clock):
    uploads = [
        RawRequest(
            "POST",
            "/iclock/cdata",
            {"SN": zk_clock.serial_number, "table": "ATTLOG"},
            {},
            "".join(
                f"1001\t2026-11-{day:02d} 08:{n:02d}:00\t0\t1\t0\t0\t0\n" for n in range(20)
            ).encode(),
        )
        for day in (16, 17, 18)
    ]
    stored = [store_only(client, raw) for raw in uploads]
    with failing(where) as hits, pytest.raises(OperationalError):
        parse.attlog_drain()
    assert hits
    assert not Punch.objects.exists()
    assert DeviceRequest.objects.filter(pk__in=[s.pk for s in stored], parsed_at=None).count() == 3
    parse.ingest_sweep(grace=dt.timedelta(0))
    assert Punch.objects.count() == 60
    for s in stored:
        s.refresh_from_db()
        assert s.result == {
            "punches_new": 20,
            "punches_duplicate": 0,
            "quarantined": 0,
            "events": 0,
        }


@pytest.mark.postgres
def test_a_request_being_parsed_is_skipped_and_a_dead_claim_is_no_claim(
    transactional_db, client, zk_clock, monkeypatch
):
    import threading

    from django.db import transaction

    from attendance.services.ingest import claim
    from jinhu.core import queue

    monkeypatch.setattr(queue, "enqueue", lambda *a, **kw: True)  # no task: a lost one
    stored = store_only(client, requests("zk_attlog_post.txt")[0])
    holding, release = threading.Event(), threading.Event()

    def worker_that_dies_half_way():
        try:
            with transaction.atomic():
                assert claim.claim_one(stored.pk) is not None
                holding.set()
                release.wait(20)
                raise OperationalError("injected: the worker's connection dropped")
        except OperationalError:
            pass
        finally:
            connection.close()

    thread = threading.Thread(target=worker_that_dies_half_way)
    thread.start()
    assert holding.wait(20)
    # Another worker skips the locked request instead of waiting or parsing it twice.
    assert parse.request_parse(stored.pk) is None
    release.set()
    thread.join(20)
    # The dead claim went with its transaction: the request is parsed now, once.
    assert parse.request_parse(stored.pk) is not None
    assert Punch.objects.count() == 5
    assert parse.request_parse(stored.pk) is None


# ---------------------------------------------------------------------------
# Judging marks live in the database, not in Redis
# ---------------------------------------------------------------------------
def test_marks_survive_without_any_task_and_the_sweep_judges_them(
    village_a, monkeypatch, django_capture_on_commit_callbacks
):
    from jinhu.core import queue

    sent = []
    monkeypatch.setattr(queue, "enqueue", lambda name, *args, **kw: sent.append(name))
    day = dt.date(2026, 11, 20)
    with django_capture_on_commit_callbacks(execute=True):
        outcomes.outcomes_judge_later(village_a.pk, [day, day.isoformat()])
    assert sent == ["attendance.outcomes_judge_pending"]  # queued once, then "lost"
    assert list(PendingJudgement.objects.values_list("village_id", "day")) == [(village_a.pk, day)]
    monkeypatch.undo()
    judged = []
    monkeypatch.setattr(
        outcomes, "outcomes_judge", lambda village, days, **kw: judged.append(days) or {}
    )
    result = parse.ingest_sweep(grace=dt.timedelta(0))
    assert result["villages_judged"] == 1 and judged == [[day]]
    assert not PendingJudgement.objects.exists()


def test_a_day_marked_again_while_being_judged_stays_marked(village_a, monkeypatch):
    day = dt.date(2026, 11, 20)
    outcomes.outcomes_mark({village_a.pk: [day]})
    original = outcomes.outcomes_judge

    def judge_while_a_punch_arrives(village, days, **kwargs):
        outcomes.outcomes_mark({village_a.pk: [day]})  # committed meanwhile elsewhere
        return original(village, days, **kwargs)

    monkeypatch.setattr(outcomes, "outcomes_judge", judge_while_a_punch_arrives)
    outcomes.outcomes_judge_pending(village_a.pk)
    mark = PendingJudgement.objects.get()
    assert mark.version == 2  # the newer mark survives for the next run
    monkeypatch.setattr(outcomes, "outcomes_judge", original)
    outcomes.outcomes_judge_pending(village_a.pk)
    assert not PendingJudgement.objects.exists()
