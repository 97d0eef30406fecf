"""Benchmark: the notification job and the bell at city scale (issue 16).

Run:  .venv/bin/python bench/notifications.py      (needs PostgreSQL; a minute or two)

Builds ``jinhu_bench_notify``: 1,000 villages with a secretary each, an instructor per
ten villages, 20 staff; three findings, a suggestion and two contracts per village, a
clock each (one in ten silent), three months of reports in every state, recent returns
and approvals, patrol findings, and ten months of accounts (one village in five weak).
Then, in one run:

1. the first evaluation of every rule (everything is new: the catch-up after an install
   or a long outage), and the notices and deliveries it writes;
2. the steady state, the run beat repeats every five minutes when nothing changed:
   its time as a share of the five-minute period (target ≤ 5 %);
3. the bell on every page: the unread count for a staff member holding the most notices
   (median of 50), and the queries it adds to the home page (target: exactly one).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_env, fresh_database, manage, psql, save, say

DB = "jinhu_bench_notify"
VILLAGES = int(os.environ.get("BENCH_VILLAGES", "1000"))

GENERATE = f"""
SET synchronous_commit = off;
INSERT INTO villages_subdistrict (code, name, party_committee_name, party_secretary_name, address)
  VALUES ('city', '基准测试市', '', '', '');
INSERT INTO villages_village (subdistrict_id, code, name, kind, population, households, address,
  duty_phone, sort_order, is_active, is_demo)
  SELECT (SELECT id FROM villages_subdistrict), 'v' || lpad(n::text, 4, '0'), '村' || n,
         'village', 2000, 600, '', '0571-00000000', n, true, true
  FROM generate_series(1, {VILLAGES}) n;
INSERT INTO attendance_device (village_id, kind, name, serial_number, location, time_zone,
  status, police_linked, platform_channel, duty_phone, note, created_at, token_hint,
  allowed_network, push_version, firmware, stamps, last_seen_at, installed_on)
  SELECT id, 'zk_clock', '', 'B' || id, '', 'Asia/Shanghai', 'active', false, '', '', '', now(),
         '', '', '', '', '{{}}',
         CASE WHEN id % 10 = 0 THEN now() - interval '5 hours' ELSE now() END, date '2024-01-01'
  FROM villages_village;
"""

POPULATE = """
import datetime as dt
from decimal import Decimal
from django.contrib.auth import get_user_model
from attendance.models import PatrolCheck, PatrolFinding
from collective_economy.models import Contract, MonthlyAccount
from demonstration_belt.models import Finding, MonthlyReport, ReportEvent, Suggestion
from jinhu.core import clock, periods
from villages.models import Profile, Village, VillageAssignment
from villages.selectors import Cadre
User = get_user_model()
villages = list(Village.objects.order_by("pk"))
today = clock.today()
def users(prefix, n):
    User.objects.bulk_create([User(username=f"{prefix}{i}", password="!") for i in range(n)])
    return list(User.objects.filter(username__startswith=prefix).order_by("pk"))
secretaries = users("s", len(villages))
instructors = users("i", len(villages) // 10)
staff = users("staff", 20)
Profile.objects.bulk_create(
    [Profile(user=u, role="secretary", display_name=u.username) for u in secretaries]
    + [Profile(user=u, role="instructor", display_name=u.username) for u in instructors]
    + [Profile(user=u, role="staff", display_name=u.username) for u in staff]
)
VillageAssignment.objects.bulk_create(
    [VillageAssignment(user=s, village=v, role="secretary") for s, v in zip(secretaries, villages)]
    + [VillageAssignment(user=instructors[i // 10], village=v, role="instructor")
       for i, v in enumerate(villages)]
)
findings, suggestions, contracts, accounts = [], [], [], []
for i, v in enumerate(villages):
    for days in (-5, 2, 30):
        findings.append(Finding(village=v, description=f"问题{days}", owner="某",
                                deadline=today + dt.timedelta(days=days)))
    suggestions.append(Suggestion(village=v, source="salon", content="建议", received_on=today,
                                  due_on=today + dt.timedelta(days=15)))
    for days in (30, 400):
        contracts.append(Contract(village=v, title="租赁", kind="lease", counterparty="甲",
                                  amount=Decimal("1000.00"), starts_on=dt.date(2024, 1, 1),
                                  ends_on=today + dt.timedelta(days=days)))
    income = Decimal("1000.00") if i % 5 == 0 else Decimal("20000.00")
    for month in range(1, 11):
        accounts.append(MonthlyAccount(village=v, year=today.year, month=month,
                                       operating_income=income, other_income=income,
                                       expenses=Decimal("0"), updated_by=staff[0]))
Finding.objects.bulk_create(findings)
Suggestion.objects.bulk_create(suggestions)
Contract.objects.bulk_create(contracts)
MonthlyAccount.objects.bulk_create(accounts)
month = periods.previous_month(today)
reports, events = [], []
for back in range(3):
    for i, v in enumerate(villages):
        status = ("approved", "draft", "submitted", "returned")[(i + back) % 4]
        if i % 7 == 0:
            continue  # (missing)
        reports.append(MonthlyReport(village=v, year=month.year, month=month.month,
                                     status=status, due_on=periods.report_deadline(month, 5),
                                     submitted_at=clock.now()))
    month = month.previous()
MonthlyReport.objects.bulk_create(reports)
for report in MonthlyReport.objects.filter(status__in=["approved", "returned"]):
    events.append(ReportEvent(report=report, action="approve" if report.status == "approved"
                              else "return", actor=staff[0], comment="意见"))
ReportEvent.objects.bulk_create(events)
Cadre.objects.bulk_create([Cadre(village=v, name="干部", gender="M", birth_date=dt.date(1975, 1, 1),
                                 education=40) for v in villages[::5]])
cadres = {c.village_id: c for c in Cadre.objects.all()}
checks = PatrolCheck.objects.bulk_create([
    PatrolCheck(village_id=vid, checked_at=clock.now(), checked_by=staff[0], method="video",
                cadre=c, result="away_unreported") for vid, c in cadres.items()])
PatrolFinding.objects.bulk_create([
    PatrolFinding(patrol=p, village_id=p.village_id, cadre=p.cadre, day=today,
                  confirmed_by=staff[0], reason="核实") for p in checks])
print("POPULATED", len(villages))
"""

MEASURE = """
import statistics, time
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.contrib.auth import get_user_model
from notifications.models import Notification
from notifications.selectors import unread_count
from notifications.services import evaluate
t = time.perf_counter()
outcomes = evaluate.evaluate_all()
first = time.perf_counter() - t
notices = Notification.objects.count()
steady = []
for _ in range(3):
    t = time.perf_counter()
    evaluate.evaluate_all()
    steady.append(time.perf_counter() - t)
assert Notification.objects.count() == notices
user = get_user_model().objects.get(username="staff0")
held = Notification.objects.filter(recipient=user).count()
counts = []
for _ in range(50):
    t = time.perf_counter()
    unread_count(user)
    counts.append(time.perf_counter() - t)
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(user)
client.get("/")
with CaptureQueriesContext(connection) as page:
    client.get("/")
bell = sum("notifications_notification" in q["sql"] for q in page.captured_queries)
print("MEASURE", first, notices, statistics.median(steady), held,
      statistics.median(counts) * 1000, len(page), bell)
"""


def main() -> int:
    env = bench_env(DB)
    say(f"Building {DB}: {VILLAGES} villages, their people, records and accounts…")
    fresh_database(DB)
    manage(env, "migrate", "--noinput")
    manage(env, "collectstatic", "--noinput")
    psql(GENERATE, DB)
    manage(env, "shell", "-c", POPULATE)
    psql("VACUUM ANALYZE", DB)
    out = manage(env, "shell", "-c", MEASURE).split("MEASURE")[1].split()
    first, notices, steady = float(out[0]), int(out[1]), float(out[2])
    held, count_ms, queries, bell = int(out[3]), float(out[4]), int(out[5]), int(out[6])
    share = steady / 300
    say(f"first evaluation (everything new): {first:.1f} s, {notices:,} notices written")
    say(
        f"steady state (nothing new): {steady:.2f} s = {share:.1%} of the five-minute period "
        f"(target ≤ 5 %)"
    )
    say(
        f"bell: unread count for a staff member holding {held:,} notices: {count_ms:.2f} ms "
        f"(median); the home page makes {queries} queries, {bell} of them the bell's (target 1)"
    )
    result = {
        "villages": VILLAGES,
        "first_s": first,
        "notices": notices,
        "steady_s": steady,
        "steady_share_of_period": share,
        "bell_count_ms": count_ms,
        "staff_notices": held,
        "home_queries": queries,
        "bell_queries": bell,
    }
    say(f"written to {save('notifications', result)}")
    return 0 if share <= 0.05 and bell == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
