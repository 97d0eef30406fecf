import pytest
from django.core.management import call_command

from demonstration_belt.services.scores import score_period
from tests.factories import VillageFactory
from tests.scoring.test_job import agreement_for

# Written relative to the moment the suite runs at: CI runs it at several.
pytestmark = pytest.mark.time_sensitive


@pytest.fixture
def demo(db):
    call_command("load_demo", verbosity=0)


@pytest.mark.parametrize(
    "url",
    [
        "/belt/dashboard/",
        "/belt/dashboard/?month=0",
        "/belt/figures/",
        "/belt/bulletin/",
        "/belt/proposals/",
    ],
)
def test_dashboard_pages_query_count_does_not_grow(
    client, subdistrict_admin, url, django_assert_max_num_queries
):
    for _ in range(2):
        agreement_for(VillageFactory())
    score_period(year=2026, month=10)
    client.force_login(subdistrict_admin)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _ in range(15):
        agreement_for(VillageFactory())
    score_period(year=2026, month=10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        larger = client.get(url)
    # (A page that failed would query less: the count says something only for a page.)
    assert larger.status_code == 200 and larger.content != b""


def test_secretary_sees_only_own_breakdown(client, demo):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="shuji-yongfeng"))
    assert client.get("/belt/scores/hongqiao/").status_code == 404
    response = client.get("/belt/scores/yongfeng/?month=0")
    assert response.status_code == 200 and 'data-testid="breakdown"' in response.content.decode()
    board = client.get("/belt/dashboard/?month=0").content.decode()
    assert "咏风村" in board and "虹桥村" not in board


def test_bulletin_excel_has_chinese_sheets(client, demo):
    import io

    import openpyxl
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username="admin"))
    response = client.get("/belt/bulletin/?month=0&export=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["排名", "得分明细"]
    assert [c.value for c in book["排名"][1]][:3] == ["排名", "村（社区）", "得分"]


def test_headline_figures_drill_down(client, demo):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    client.force_login(get_user_model().objects.get(username="admin"))
    body = client.get("/belt/figures/").content.decode()
    assert "49.4" in body and "47.5" in body
    year = timezone.localdate().year
    assert f"/attendance/dutylog/entries/?year={year}" in body


def test_the_board_shows_its_first_rows_even_when_many_villages_tie(
    client, subdistrict_admin, settings, monkeypatch
):
    """Equal totals share a rank, but the board lists only its first rows (by the
    villages' order) and says how many equal ones it left out."""
    from demonstration_belt import selectors
    from demonstration_belt.models import VillageScore

    monkeypatch.setattr(selectors, "TOP", 3)
    for _ in range(6):
        agreement_for(VillageFactory())
    score_period(year=2026, month=10)
    assert VillageScore.objects.filter(year=2026, month=10).values("total").distinct().count() == 1
    client.force_login(subdistrict_admin)
    page = client.get("/belt/dashboard/?year=2026&month=10")
    rows = page.context["rows"]
    assert len(rows) == 3 and all(r["rank"] == 1 for r in rows)
    assert page.context["ties_left_out"] == 3
    assert "与第 3 名得分相同的另有 3 个村未列出" in page.content.decode()
