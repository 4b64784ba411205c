"""The first page: the city's rate and the wards, from the database, in few queries."""

from datetime import date

import pytest
import time_machine

from paperless.core.fiscal import fiscal_months
from tests.conftest import add_counts

pytestmark = pytest.mark.django_db

TODAY = date(2023, 2, 15)  # latest complete month 2023-01, FY2022 to date


@pytest.fixture
def counts(tree):
    base = fiscal_months(2020)
    fy22 = [m for m in fiscal_months(2022) if m <= date(2023, 1, 1)]
    add_counts(tree["sakai_shimin"], base, 600, 400, excluded=200)  # 1,000 a month
    add_counts(tree["sakai_shimin"], fy22, 360, 240, excluded=200)  # −40%
    add_counts(tree["naka_shimin"], base, 600, 400)
    add_counts(tree["naka_shimin"], fy22, 500, 400)  # −10%, lagging


@time_machine.travel(TODAY)
def test_executive_sees_city_rate_and_ward_statuses(client, users, counts):
    client.force_login(users["executive"])
    response = client.get("/")
    assert response.status_code == 200
    rows = {r["code"]: r for r in response.context["page"].wards}
    assert rows["110000"]["status"] == "achieved"
    assert rows["110000"]["rate"] == pytest.approx(0.4)
    assert rows["120000"]["status"] == "lagging"
    city = response.context["headline"]["unit"]
    assert city["rate"] == pytest.approx(1 - 1500 / 2000)
    body = response.content.decode()
    assert "令和4年度" in body and "40.0%" in body and "未達" in body


@time_machine.travel(TODAY)
def test_department_head_sees_only_own_department(client, users, counts):
    client.force_login(users["head"])
    response = client.get("/", follow=True)
    assert response.redirect_chain == [("/units/110100/", 302)]
    assert response.context["headline"]["unit"]["code"] == "110100"
    assert "中区" not in response.content.decode()


def test_anonymous_user_is_sent_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


@time_machine.travel(TODAY)
def test_home_query_count_does_not_grow_with_departments(
    client, users, counts, tree, django_assert_max_num_queries
):
    from paperless.models import Unit

    client.force_login(users["executive"])
    with django_assert_max_num_queries(14) as small:
        client.get("/")
    Unit.objects.bulk_create(
        Unit(code=f"13{i:04d}", name=f"課{i}", kind="department", parent=tree["naka"])
        for i in range(60)
    )
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/")
