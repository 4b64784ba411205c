"""The alert e-mails as rendered from their three templates: subjects, text, HTML."""

from __future__ import annotations

from datetime import date

from paperless.alerts import emails
from paperless.alerts.planning import DIGEST, LAGGING, MANAGER, MISSING, PreviousDigest
from tests.unit.test_alert_planning import D1, D2, D3, D6, ORG, SITE, data, plan

AFTER_DEADLINE = date(2023, 1, 11)


def rendered(kind: str, recipient: str | None = None, **kwargs) -> emails.Rendered:
    as_of = kwargs.pop("as_of", AFTER_DEADLINE)
    messages = plan(data(**kwargs), as_of=as_of).by_kind(kind)
    message = next(m for m in messages if recipient is None or m.recipient == recipient)
    return emails.render(kind, message.context)


def test_lagging_subject_carries_the_period_the_rate_and_the_verdict():
    mail = rendered(LAGGING, "d1@city.example")
    assert mail.subject == "【ペーパーレス】2022年12月 削減率20.0%（目標30%未達）"


def test_lagging_subject_counts_departments_when_a_head_has_several():
    org = [row if row[0] != D6 else (*row[:4], "d1@city.example") for row in ORG]
    mail = rendered(LAGGING, "d1@city.example", org=org)
    assert mail.subject == "【ペーパーレス】2022年12月 目標30%未達の所属が2件あります"


def test_lagging_text_reads_in_japanese_with_gap_trend_rank_note_and_link():
    mail = rendered(LAGGING, "d1@city.example", notes={D1: "両面印刷を既定にします。"})
    text = mail.text
    assert "堺区役所 企画総務課（所属コード 110100）" in text
    assert "削減率 20.0%　取組基準30%まで あと 90枚" in text
    assert "2022年10月 20.0% → 2022年11月 20.0% → 2022年12月 20.0%" in text
    assert "4所属中 3位" in text
    assert "両面印刷を既定にします。" in text
    assert f"{SITE}/units/{D1}/" in text
    assert "\n\n\n" not in text


def test_html_body_escapes_what_users_wrote():
    mail = rendered(LAGGING, "d1@city.example", notes={D1: "<script>alert(1)</script>"})
    assert "<script>" not in mail.html
    assert "&lt;script&gt;" in mail.html
    assert f'href="{SITE}/units/{D1}/"' in mail.html
    assert "▲" in mail.html  # status is not told by colour alone


def test_missing_subject_and_body_give_the_deadline_and_the_upload_links():
    mail = rendered(MISSING, "d3@city.example")
    assert mail.subject == "【ペーパーレス】2022年12月分の枚数が未報告です（締切 1月10日）"
    assert f"{SITE}/uploads/template.xlsx?unit={D3}&month=2022-12" in mail.text
    assert f"{SITE}/uploads/new/" in mail.text
    assert f"{SITE}/uploads/template.xlsx?unit={D3}&amp;month=2022-12" in mail.html


def test_manager_subject_counts_lagging_and_not_reported():
    mail = rendered(MANAGER, "sakai-kucho@city.example")
    assert mail.subject == "【ペーパーレス】2022年12月 堺区役所 未達2所属・未報告1所属"
    assert "・企画総務課（110100）今年度 20.0%" in mail.text


def test_manager_subject_before_the_deadline_does_not_count_not_reported():
    mail = rendered(MANAGER, "sakai-kucho@city.example", as_of=date(2023, 1, 9))
    assert mail.subject == "【ペーパーレス】2022年12月 堺区役所 未達2所属"
    assert "締切後に未報告の所属をお知らせします" in mail.text


def test_digest_subject_has_city_rate_verdict_lagging_count_and_change():
    previous = PreviousDigest(week=date(2023, 1, 2), lagging=frozenset({D1, D2}))
    mail = rendered(DIGEST, previous=previous)
    assert (
        mail.subject
        == "【ペーパーレス】2022年12月 全市削減率28.9%（目標30%未達）未達3所属（前回比+1）"
    )
    assert "新たに基準を達成した所属: 市民課（40.0%）" in mail.text
    assert "堺区役所　27.1%　▲ 未達　未達 2所属　未報告 1所属" in mail.text


def test_digest_without_a_previous_record_says_there_is_no_comparison():
    mail = rendered(DIGEST)
    assert "前回比" not in mail.subject
    assert "前回の週次報告の記録がないため" in mail.text


def test_built_message_is_utf8_multipart_and_marked_automatic():
    mail = rendered(LAGGING, "d1@city.example")
    message = emails.build(to="d1@city.example", rendered=mail).message()
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text_part, html_part = message.get_payload()
    assert text_part.get_content_charset() == "utf-8"
    assert html_part.get_content_type() == "text/html"
    head = message.as_bytes().split(b"\n\n")[0]
    # Encoded words start on the Subject line itself, never after an empty first line.
    assert b"\nSubject: =?utf-8?b?" in head
