"""Show who gets which weekly alert (--dry-run), or send them now, exactly once."""

from __future__ import annotations

from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from paperless.alerts import delivery
from paperless.alerts.planning import WeekPlan
from paperless.core.fiscal import month_label
from paperless.models import AlertDelivery
from paperless.reads.deliveries import week_statuses

KIND_LABELS = dict(AlertDelivery.Kind.choices)
STATUS_LABELS = dict(AlertDelivery.Status.choices)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--week は YYYY-MM-DD で指定してください: {value!r}") from exc


def _label(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _unit(plan: WeekPlan, code: str) -> str:
    return f"{plan.names.get(code, '')}（{code}）"


def plan_header(plan: WeekPlan) -> list[str]:
    t = plan.timing
    reminders = (
        f"締切（{_label(t.deadline)}）を過ぎたため未報告の所属へ催促します"
        if t.reminders_due
        else f"締切（{_label(t.deadline)}）前のため未報告の催促はしません"
    )
    return [
        f"{_label(t.week)}の週のアラート（{_label(t.as_of)}時点・{month_label(t.latest)}までの実績）",
        f"  未達の所属 {len(plan.lagging)}、{month_label(t.latest)}分が未報告の所属 "
        f"{len(plan.missing)}。{reminders}。",
    ]


class Command(BaseCommand):
    help = (
        "週次アラート（未達の所属・未報告の所属・区長・局長・CDXO）を送信します。"
        "同じ週に同じ宛先へ同じ種類のメールは一度しか送りません。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="送信せず、誰にどのメールが届くかを表示します。",
        )
        parser.add_argument(
            "--week",
            type=_day,
            metavar="YYYY-MM-DD",
            help="この日の時点で計算します（週はその日を含む週。省略時は今日）。",
        )

    def handle(self, *args, dry_run: bool = False, week: date | None = None, **options) -> None:
        as_of = week or timezone.localdate()
        if dry_run:
            self._dry_run(as_of)
        else:
            self._send(as_of)

    def _dry_run(self, as_of: date) -> None:
        plan, _ = delivery.week_plan(as_of)
        recorded = week_statuses(plan.timing.week)
        lines = [*plan_header(plan), f"  送信予定 {len(plan.messages)}通（送信はしません）", ""]
        for message, rendered in delivery.render_plan(plan):
            state = recorded.get((message.recipient, message.kind))
            mark = f"［{STATUS_LABELS[state]}］" if state else ""
            units = "、".join(_unit(plan, code) for code in message.units[:6])
            if len(message.units) > 6:
                units += f" ほか{len(message.units) - 6}所属"
            lines += [
                f"{KIND_LABELS[message.kind]}　{message.recipient}　{mark}",
                f"    件名: {rendered.subject}",
                f"    対象の所属: {units or '（なし）'}",
            ]
        if plan.unaddressed:
            lines.append("")
            lines.append(
                "所属長のメールアドレスがないため送れない所属: "
                + "、".join(_unit(plan, code) for code in plan.unaddressed)
            )
        self.stdout.write("\n".join(lines))

    def _send(self, as_of: date) -> None:
        result = delivery.alert_week_send_inline(as_of=as_of)
        done, settled = result.outcomes, result.prepared.settled
        lines = [
            *plan_header(result.prepared.plan),
            f"  送信 {done['sent']}通、失敗 {done['failed']}通、"
            f"一時的なエラー（もう一度実行すると再送します）{done['retry']}通",
            f"  この週に処理済みのため送らなかったもの: 送信済み {settled['sent']}通、"
            f"失敗 {settled['failed']}通、送信せず {settled['skipped']}通",
            "  送信記録は管理画面の「アラート送信記録」と /alerts/deliveries/ で確認できます。",
            *interrupted_lines(result.prepared.interrupted),
        ]
        self.stdout.write("\n".join(lines))


def interrupted_lines(rows: list[delivery.Interrupted]) -> list[str]:
    """The rows left sending, for a person to resolve (they are never sent again)."""
    if not rows:
        return []
    return [
        f"  送信中のまま止まっている記録 {len(rows)}通（送信の途中で処理が止まったため、"
        "届いたかどうか分かりません。自動では送り直しません）:",
        *(
            f"    {_label(r.week)}の週　{r.kind_label}　{r.recipient}"
            f"（送信開始 {_moment(r.claimed_at)}）"
            for r in rows
        ),
        "  宛先に届いたかを確かめ、管理画面の「アラート送信記録」で"
        "「届いていた」か「届いていない（次の実行で送る）」を選んでください。",
    ]


def _moment(when: datetime | None) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else "不明"
