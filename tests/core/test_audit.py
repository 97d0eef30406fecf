"""The change history (操作日志): every model a person edits is audited with actor, time
and village; reviewer scores keep every entry; sign-ins appear; the staff page filters
and exports; entries younger than 180 days are never pruned."""

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from demonstration_belt.models import Agreement, Indicator, ReviewerScore
from demonstration_belt.services import scores
from jinhu.core import clock
from tests.factories import PASSWORD, CadreFactory
from villages.services import audit
from villages.services import registry as services

#: tables written by machines (devices, jobs) or derived from audited rows; each with why
NOT_AUDITED = {
    "attendance.DeviceRequest": "raw device requests: append-only, kept as they came",
    "attendance.Punch": "punches: parsed from the requests",
    "attendance.QuarantinedLine": (
        "refused device lines: parsed from the requests (settling one records who, when and how"
        " on the line itself)"
    ),
    "attendance.DeviceEvent": "device events: parsed from the requests",
    "attendance.Reconciliation": "device record counts: asked for by a job",
    "attendance.DutySlot": "slots: computed from the audited rotation and overrides",
    "attendance.SlotOutcome": "outcomes: judged from punches and audited leave",
    "attendance.DutyTally": "tallies: computed from the outcomes",
    "attendance.DutyPromise": "yearly duty-promise counts: computed from the outcomes",
    "operations.BackupRun": "a record the backup job writes",
    "operations.DrillRun": "a record the restore drill writes",
    "operations.Heartbeat": "written by the worker and beat",
    "operations.TaskTally": "counted by the worker's signals",
    "notifications.Notification": "written by the rules' job; a read mark is the reader's own",
    "notifications.Delivery": "itself the delivery log",
    "attendance.PendingJudgement": "a job's to-do marks",
    "demonstration_belt.ReportEvent": "itself the report's append-only history",
    "demonstration_belt.VillageScore": "computed; changes kept in ScoreHistory",
    "demonstration_belt.ScoreHistory": "itself the score history",
    "demonstration_belt.ReviewerScoreEntry": "itself the reviewer scores' history",
    "auth.Permission": "created by migrations",
    "villages.AccountState": "a flag set with the audited password change (User is audited)",
}


def test_every_model_a_person_edits_is_audited():
    missing = []
    apps_ = (
        "villages",
        "attendance",
        "collective_economy",
        "demonstration_belt",
        "operations",
        "notifications",
    )
    for label in (*apps_, "auth"):
        for model in apps.get_app_config(label).get_models():
            if not auditlog.contains(model) and model._meta.label not in NOT_AUDITED:
                missing.append(model._meta.label)
    assert not missing, f"not audited and not listed as a machine table: {missing}"
    for label in NOT_AUDITED:
        assert not auditlog.contains(apps.get_model(label)), f"{label} is audited after all"


def _entries(model, **filters):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), **filters
    ).order_by("pk")


def test_an_edit_records_actor_time_and_village(secretary_a, village_a, cadre_a, moment):
    services.cadre_save(actor=secretary_a, cadre=cadre_a, data={"office_phone": "0571-8888888"})
    entry = _entries(type(cadre_a), object_id=cadre_a.pk).last()
    assert entry.actor == secretary_a
    assert entry.additional_data == {"village": village_a.pk}
    assert entry.changes["office_phone"][1] == "0571-8888888"
    assert abs(entry.timestamp - clock.now()) < dt.timedelta(minutes=1)


def test_reviewer_scores_keep_every_entry_and_the_approval(
    client, village_a, instructor_a, subdistrict_admin
):
    agreement = Agreement.objects.create(village=village_a, year=2026, party_a="书记")
    indicator = Indicator.objects.create(
        agreement=agreement,
        order=1,
        name="实地评议",
        kind="reviewer",
        standard_score=D(10),
        reviewer_scored=True,
    )
    first = scores.reviewer_score_enter(
        actor=instructor_a, indicator=indicator, month=10, score=D(7), reason="点位不规范"
    )
    scores.reviewer_score_enter(
        actor=instructor_a, indicator=indicator, month=10, score=D(8), reason="已部分整改"
    )
    stale = first.entries.order_by("pk").first().pk
    with pytest.raises(Exception, match="重新录入"):
        scores.reviewer_score_approve(
            actor=subdistrict_admin, reviewer_score=first, seen_entry=stale
        )
    latest = first.entries.order_by("pk").last().pk
    scores.reviewer_score_approve(actor=subdistrict_admin, reviewer_score=first, seen_entry=latest)
    row = ReviewerScore.objects.get()
    history = [
        (e.action, e.score, e.reason, e.by.username) for e in row.entries.order_by("at", "pk")
    ]
    assert history == [
        ("entered", D(7), "点位不规范", "instructor-a"),
        ("entered", D(8), "已部分整改", "instructor-a"),
        ("approved", D(8), "已部分整改", "admin-cast"),
    ]
    assert row.scored_at is not None and row.approved_by == subdistrict_admin
    logged = _entries(ReviewerScore, object_id=row.pk)
    assert logged.count() == 3
    assert {e.additional_data["village"] for e in logged} == {village_a.pk}
    assert [e.actor.username for e in logged] == ["instructor-a", "instructor-a", "admin-cast"]


def test_pin_remapping_and_admonishments_name_who_did_them(
    village_a, subdistrict_admin, secretary_a
):
    from attendance.models import PinMapping
    from attendance.services.devices import device_register, pin_map
    from demonstration_belt.models import Proposal

    device, _token = device_register(
        actor=subdistrict_admin,
        kind="zk_clock",
        village=village_a,
        serial_number="CQZ7224960001",
        installed_on=dt.date(2025, 1, 1),
        location="值班室",
    )
    cadre = CadreFactory(village=village_a, name="王五")
    pin_map(actor=subdistrict_admin, device=device, pin="1007", cadre=cadre)
    mapping = PinMapping.objects.get()
    entry = _entries(PinMapping, object_id=mapping.pk).get()
    assert entry.actor == subdistrict_admin and entry.additional_data["village"] == village_a.pk

    proposal = Proposal.objects.create(
        village=village_a, year=2026, kind="admonish", status="confirmed", grounds="低于约谈线"
    )
    admonishment = scores.admonishment_record(
        actor=subdistrict_admin,
        proposal=proposal,
        held_on=dt.date(2026, 11, 20),
        interviewer="党工委书记",
        interviewees="甲村书记",
        issues="坐班不到位",
        items=[("整改坐班", "甲村书记", dt.date(2026, 12, 31))],
    )
    assert admonishment.recorded_by == subdistrict_admin and admonishment.recorded_at
    assert _entries(type(admonishment), object_id=admonishment.pk).get().actor == (
        subdistrict_admin
    )


def test_a_password_set_by_an_administrator_is_recorded_without_the_hash(
    client, subdistrict_admin, secretary_a
):
    client.force_login(subdistrict_admin)
    response = client.post(
        f"/admin/auth/user/{secretary_a.pk}/password/",
        {"password1": "Xin-mima-2026!", "password2": "Xin-mima-2026!", "usable_password": "true"},
    )
    assert response.status_code == 302
    entry = _entries(type(secretary_a), object_id=secretary_a.pk).exclude(action=3).last()
    assert entry.actor == subdistrict_admin
    secretary_a.refresh_from_db()
    assert secretary_a.password not in str(entry.changes)
    assert "password" in entry.changes


def test_sign_ins_and_failed_attempts_are_in_the_log(client, secretary_a):
    client.post("/accounts/login/", {"username": "secretary-a", "password": "wrong"})
    client.post("/accounts/login/", {"username": "no-such-user", "password": "wrong"})
    client.post("/accounts/login/", {"username": "secretary-a", "password": PASSWORD})
    events = [
        (e.object_repr, e.additional_data["event"], e.actor_id)
        for e in LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("pk")
    ]
    assert events == [
        ("secretary-a", "sign_in_failed", None),
        ("no-such-user", "sign_in_failed", None),
        ("secretary-a", "sign_in", secretary_a.pk),
    ]


def test_the_log_page_is_for_staff_filters_and_exports(
    client, subdistrict_admin, secretary_a, village_a, village_b, cadre_a
):
    other = CadreFactory(village=village_b, name="乙村干部")
    services.cadre_save(actor=secretary_a, cadre=cadre_a, data={"office_phone": "0571-1111111"})
    services.cadre_save(actor=subdistrict_admin, cadre=other, data={"office_phone": "0571-2222222"})
    client.post("/accounts/login/", {"username": "secretary-a", "password": "wrong"})

    client.force_login(secretary_a)
    assert client.get("/audit/").status_code == 403
    assert "操作日志" not in client.get("/").content.decode()

    client.force_login(subdistrict_admin)
    assert "/audit/" in client.get("/").content.decode()
    page = client.get("/audit/").content.decode()
    assert "甲村书记" in page and "修改" in page and "登录失败" in page

    by_village = client.get(f"/audit/?village={village_a.pk}").content.decode()
    assert "0571-1111111" in by_village and "0571-2222222" not in by_village
    by_person = client.get(f"/audit/?person={subdistrict_admin.pk}").content.decode()
    assert "0571-2222222" in by_person and "0571-1111111" not in by_person
    failed = client.get("/audit/?kind=sign_in_failed").content.decode()
    assert "登录失败" in failed and "0571-1111111" not in failed
    cadre_kind = str(ContentType.objects.get_for_model(type(cadre_a)).pk)
    assert "0571-2222222" in client.get(f"/audit/?kind={cadre_kind}").content.decode()
    today = clock.today()
    assert (
        "0571-2222222"
        not in client.get(f"/audit/?end={today - dt.timedelta(days=1)}").content.decode()
    )
    bad = client.get("/audit/?start=2026-12-01&end=2026-11-01")
    assert "截止日期不能早于起始日期" in bad.content.decode()

    exported = client.get(f"/audit/?village={village_a.pk}&export=csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["时间", "操作人", "地址"]
    assert any("0571-1111111" in cell for row in rows[1:] for cell in row)


def test_pruning_keeps_at_least_180_days(subdistrict_admin, cadre_a, moment):
    services.cadre_save(
        actor=subdistrict_admin, cadre=cadre_a, data={"office_phone": "0571-3333333"}
    )
    now = clock.now()
    old = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(type(cadre_a)),
        object_pk=str(cadre_a.pk),
        object_repr="旧记录",
        action=1,
        timestamp=now - dt.timedelta(days=181),
    )
    young = LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(type(cadre_a)),
        object_pk=str(cadre_a.pk),
        object_repr="较新记录",
        action=1,
        timestamp=now - dt.timedelta(days=179),
    )
    with pytest.raises(ValueError, match="180"):
        audit.prune(keep_days=179)
    with pytest.raises(CommandError, match="180"):
        call_command("prune_audit", keep_days=30)
    assert audit.prune(keep_days=180) == 1
    assert not LogEntry.objects.filter(pk=old.pk).exists()
    assert LogEntry.objects.filter(pk=young.pk).exists()
    call_command("prune_audit")  # (default: JINHU_AUDIT_KEEP_DAYS, 365)
    assert LogEntry.objects.filter(pk=young.pk).exists()


def test_the_admin_names_the_log_and_login_protection_in_chinese(client, subdistrict_admin):
    client.force_login(subdistrict_admin)
    index = client.get("/admin/").content.decode()
    for english in (
        "AUDIT LOG",
        "Audit log",
        "AXES",
        "Axes",
        "Access attempts",
        "Access logs",
        "OTP_TOTP",
        "TOTP devices",
        "Static devices",
    ):
        assert english not in index, english
    assert "操作日志" in index and "登录保护" in index and "登录失败记录" in index
