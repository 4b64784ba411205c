"""Ward, bureau and department pages, and who may open which."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.base import ContentFile

from paperless.models import ActionNote, AlertDelivery, MonthlyCount, Unit, Upload
from paperless.reads import frames
from tests.conftest import add_counts
from tests.integration.dashboard_data import BASE, FY22, TODAY, counts, figures

pytestmark = pytest.mark.django_db
__all__ = ["counts"]


@pytest.fixture
def as_user(client, counts, users):
    def login(name: str):
        client.force_login(users[name])
        return client

    with time_machine.travel(TODAY, tick=False):
        yield login


def test_ward_page_shows_the_ward_and_its_departments(as_user):
    response = as_user("manager").get("/units/110000/")
    assert response.status_code == 200
    assert response.context["headline"]["unit"]["name"] == "堺区役所"
    children = figures(response.content.decode())["figure-children"]
    assert children["data"][0]["x"] == ["堺区 市民課", "堺区 企画総務課"]
    codes = [row.record["code"] for row in response.context["table"].rows]
    assert sorted(codes) == ["110100", "110200"]
    assert "中区" not in response.content.decode()


def test_manager_opens_the_dashboard_on_their_own_ward(as_user):
    response = as_user("manager").get("/?fy=2021")
    assert response.status_code == 302
    assert response.url == "/units/110000/?fy=2021"


def test_bureau_page_breaks_down_by_division_and_charts_every_department(as_user):
    response = as_user("executive").get("/units/200000/")
    found = figures(response.content.decode())
    assert found["figure-children"]["data"][0]["x"] == ["税務部"]
    assert "figure-departments" in found
    crumbs = [c["name"] for c in response.context["breadcrumbs"]]
    assert crumbs == ["堺市", "財政局"]


def test_department_page_has_twelve_months_against_the_baseline(as_user):
    response = as_user("head").get("/units/110100/")
    assert response.status_code == 200
    history = figures(response.content.decode())["figure-history"]
    names = [t["name"] for t in history["data"]]
    assert names == ["基準年度の同じ月", "取組基準のライン（基準×0.7）", "実績"]
    assert history["data"][2]["x"][0] == "2022年2月" and history["data"][2]["x"][-1] == "2023年1月"
    rows = response.context["page"].history_rows
    assert len(rows) == 12
    assert rows[-1]["current"] == 600 and rows[-1]["baseline"] == 1000
    # February and March 2022 (FY2021) have no counts here: no line, not zero.
    assert rows[0]["current"] is None


def test_department_page_lists_uploads_alerts_and_notes(as_user, users, tree):
    dept = tree["naka_shimin"]
    upload = Upload.objects.create(
        file=ContentFile(b"x", name="x.xlsx"),
        original_name="中区市民課_202212.xlsx",
        sha256="0" * 64,
        uploaded_by=users["head"],
        scope=dept,
        status=Upload.Status.COMMITTED,
    )
    MonthlyCount.objects.filter(department=dept, month=date(2022, 12, 1)).update(upload=upload)
    delivery = AlertDelivery.objects.create(
        week=date(2023, 2, 13),
        kind=AlertDelivery.Kind.LAGGING,
        recipient="shimin.naka@city.sakai.example",
        subject="【ペーパーレス】取組基準に届いていません",
        status=AlertDelivery.Status.SENT,
    )
    delivery.units.add(dept)
    other = AlertDelivery.objects.create(
        week=date(2023, 2, 13), kind="lagging", recipient="x@city.sakai.example", subject="別の所属"
    )
    other.units.add(tree["zeimu"])
    ActionNote.objects.create(
        department=dept,
        author=users["manager"],
        text="回覧をやめて共有フォルダで確認します。",
        noted_on=date(2023, 2, 1),
        target_month=date(2023, 3, 1),
    )
    body = as_user("executive").get("/units/120100/").content.decode()
    assert "中区市民課_202212.xlsx" in body
    assert "【ペーパーレス】取組基準に届いていません" in body and "別の所属" not in body
    assert "回覧をやめて共有フォルダで確認します。" in body
    assert "目標達成予定：2023年3月" in body


def test_lagging_department_sees_how_many_sheets_it_must_still_cut(as_user, tree):
    body = as_user("executive").get("/units/120100/").content.decode()
    # 9 comparable months: 8,100 − 0.7 × 9,000 = 1,800 sheets, 200 a month.
    assert "あと <strong>1,800枚</strong>" in body
    assert "1か月あたり約200枚" in body
    assert "2023年1月分が未報告です（期限から5日超過）" in body


def test_department_page_query_count_does_not_grow_with_departments(
    client, users, counts, tree, django_assert_max_num_queries
):
    client.force_login(users["executive"])
    with time_machine.travel(TODAY, tick=False):
        with django_assert_max_num_queries(25) as small:
            client.get("/units/120100/")
        for i in range(50):
            unit = Unit.objects.create(
                code=f"13{i:04d}", name=f"課{i}", kind="department", parent=tree["naka"]
            )
            add_counts(unit, BASE + FY22, 500, 400)
        cache.clear()
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get("/units/120100/")
        with django_assert_max_num_queries(len(small.captured_queries)):
            client.get("/units/120000/")


def test_ward_page_query_count_does_not_grow_with_departments(
    client, users, counts, tree, django_assert_max_num_queries
):
    client.force_login(users["manager"])
    with time_machine.travel(TODAY, tick=False):
        with django_assert_max_num_queries(25) as small:
            client.get("/units/110000/")
        for i in range(50):
            unit = Unit.objects.create(
                code=f"11{i + 10:02d}00", name=f"課{i}", kind="department", parent=tree["sakai"]
            )
            add_counts(unit, BASE + FY22, 500, 400)
        cache.clear()
        with django_assert_max_num_queries(len(small.captured_queries)):
            response = client.get("/units/110000/")
    assert response.context["department_count"] == 52


# --- Who may open what --------------------------------------------------------------


@pytest.mark.parametrize(
    ("user", "path"),
    [
        ("manager", "/units/120000/"),
        ("manager", "/units/120100/"),
        ("head", "/units/110200/"),
        ("head", "/units/110000/"),
        ("head", "/units/100000/"),
        ("nobody", "/units/110100/"),
        ("manager", "/units/999999/"),  # unknown: the same answer, existence not revealed
    ],
)
def test_a_unit_outside_ones_own_is_refused_with_a_japanese_page(as_user, user, path):
    response = as_user(user).get(path)
    assert response.status_code == 403
    body = response.content.decode()
    assert "この所属を表示する権限がないか、指定された所属がありません。" in body
    assert "ダッシュボードに戻る" in body


def test_unknown_unit_is_not_found_for_those_who_see_everything(as_user):
    assert as_user("executive").get("/units/999999/").status_code == 404


def test_user_without_units_is_told_whom_to_ask(as_user):
    response = as_user("nobody").get("/")
    assert response.status_code == 200
    assert "ICTイノベーション推進室" in response.content.decode()


def test_anonymous_visitor_is_sent_to_the_login_page(client, counts):
    for path in ("/units/110000/", "/export/departments.csv", "/report/meeting.xlsx"):
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_pages_below_the_city_read_the_baseline_a_predecessor_elsewhere_left(as_user, tree):
    # 中区 gets a department that took over 堺区 市民課's work (and its FY2020 baseline).
    heir = Unit.objects.create(
        code="120900", name="中区 統合窓口課", kind="department", parent=tree["naka"]
    )
    heir.predecessors.add(tree["sakai_shimin"])
    add_counts(heir, FY22, 300, 200)  # against 600 + 400 a month: a 50% cut
    client = as_user("executive")
    own = client.get("/units/120900/").context["headline"]["unit"]
    assert own["rate"] == pytest.approx(0.5)
    for url in ("/units/120000/", "/"):
        rows = {r.record["code"]: r.record for r in client.get(url).context["table"].rows}
        assert rows["120900"]["rate"] == pytest.approx(0.5), url
        assert rows["120900"]["baseline"] == 1000 * len(FY22), url
    ward = client.get("/units/120000/").context["headline"]["unit"]
    city = {r["code"]: r for r in client.get("/").context["page"].children}
    assert ward["current"] == city["120000"]["current"]
    assert ward["rate"] == pytest.approx(city["120000"]["rate"])


@pytest.fixture
def counts_reads(monkeypatch) -> list[tuple[list[int] | None, set[str]]]:
    """Each counts_frame call of the test: the departments asked for, the codes read."""
    reads = []
    original = frames.counts_frame

    def spy(**kwargs):
        frame = original(**kwargs)
        reads.append((kwargs.get("departments"), set(frame["department"])))
        return frame

    monkeypatch.setattr(frames, "counts_frame", spy)
    return reads


def test_a_department_page_reads_only_its_own_counts(as_user, counts_reads):
    client = as_user("executive")
    assert client.get("/units/110100/").status_code == 200
    assert client.get("/units/110000/").status_code == 200
    assert [read for _asked, read in counts_reads] == [{"110100"}, {"110100", "110200"}]


def test_a_unit_with_more_departments_than_an_sql_list_takes_reads_every_count(
    as_user, monkeypatch, counts_reads
):
    client = as_user("executive")
    expected = client.get("/units/110000/").context["headline"]["unit"]
    monkeypatch.setattr(frames, "MAX_IN_LIST", 1)
    counts_reads.clear()
    cache.clear()
    assert client.get("/units/110000/").context["headline"]["unit"] == expected
    assert [asked for asked, _read in counts_reads] == [None]
