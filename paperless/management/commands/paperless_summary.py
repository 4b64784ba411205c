"""Print the reduction summary of a unit and every unit below it, as JSON.

The same data as /api/summary.json, for scripts and the city's data platform:
``{"period": {"from": "YYYY-MM", "to": "YYYY-MM"}, "units": [...]}``, rates as
fractions (0.371), null where undefined.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from paperless.core.period import PeriodError, base_year_problem, parse_period
from paperless.reads import periods, summary, units


class Command(BaseCommand):
    help = (
        "所属とその下のすべての所属の削減率を JSON で出力します"
        "（既定：全市、今年度の最新月までの累計）。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--fy", help="年度（西暦、例 2022）。年度全体（今年度は最新月まで）")
        parser.add_argument("--from", dest="start", help="開始月 YYYY-MM（--to と一緒に）")
        parser.add_argument("--to", dest="end", help="終了月 YYYY-MM（--from と一緒に）")
        parser.add_argument("--latest", action="store_true", help="最新の締まった月だけ")
        parser.add_argument("--unit", help="所属コード（既定：全市）")
        parser.add_argument(
            "--json", action="store_true", help="JSON で出力します（現在の出力形式はこれだけです）"
        )

    def handle(
        self, *args, fy=None, start=None, end=None, latest=False, unit=None, **options
    ) -> None:
        today = timezone.localdate()
        try:
            period = parse_period(
                fy=fy,
                start=start,
                end=end,
                latest=latest,
                today=today,
                years=periods.years_on_record(today),
            )
        except PeriodError as error:
            raise CommandError(str(error)) from None
        if problem := base_year_problem(period, periods.base_year_for(period.fy)):
            raise CommandError(problem)
        target = units.unit_by_code(unit) if unit else units.root_unit()
        if target is None:
            raise CommandError(
                f"所属コード「{unit}」はありません。" if unit else "組織が登録されていません。"
            )
        body = summary.unit_summary(code=target.code, period=period, visible_ids=None)
        self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
