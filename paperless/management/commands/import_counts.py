"""Bulk-load monthly counts (`manage.py import_counts FILE [FILE ...]`)."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from paperless.importing.counts.service import FileOutcome, import_file
from paperless.importing.issues import more_lines
from paperless.models import Upload
from paperless.reads.users import user_by_username


class Command(BaseCommand):
    help = (
        "月別の印刷・コピー枚数（.xlsx / .xlsm / .xls / .csv）を取り込みます。複合機の検針値の"
        "ファイルは列見出しで見分け、機器台帳に沿って所属・月ごとの枚数にして取り込みます。ファイルごとに"
        "確認し、エラーのないファイルだけをそれぞれ登録します（エラーのあるファイルからは"
        "何も登録しません）。--user がなければ管理者として（範囲の制限なしに）取り込みます。"
        "終了コード: 0 すべて正常、1 データのエラーがあるファイルあり、"
        "2 読めない・受け付けられないファイルあり。"
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="取り込むファイル")
        parser.add_argument("--dry-run", action="store_true", help="確認だけ行い、保存しません。")
        parser.add_argument(
            "--json", action="store_true", help="ファイルごとに1行の JSON で結果を出力します。"
        )
        parser.add_argument("--user", help="このユーザーの権限（担当範囲）で取り込みます。")

    def handle(self, *args, files: list[str], dry_run: bool, user: str | None, **options):
        as_json = options["json"]
        actor = None
        if user:
            actor = user_by_username(user)
            if actor is None:
                raise CommandError(f"ユーザー「{user}」が見つかりません。", returncode=2)
        status = 0
        for path in files:
            outcome = import_file(path, user=actor, dry_run=dry_run)
            status = max(status, outcome.exit_status)
            if as_json:
                self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
            else:
                self._describe(outcome, dry_run=dry_run)
        if status:
            why = "読めないファイルがあります" if status == 2 else "エラーのあるファイルがあります"
            raise CommandError(f"{why}（終了コード {status}）。", returncode=status)

    def _describe(self, outcome: FileOutcome, *, dry_run: bool) -> None:
        data = outcome.as_json()
        head = (
            f"{outcome.name}: {data['records']:,}件（{data['departments']:,}所属、"
            f"{'・'.join(data['months'][:3])}{' ほか' if len(data['months']) > 3 else ''}）"
            f" 印刷 {data['print_total']:,} / コピー {data['copy_total']:,}"
        )
        if (plan := outcome.meters) is not None:
            head += (
                f"、検針値 {plan.readings:,}件（機器 {plan.devices:,}台、"
                f"未登録の検針値 {len(plan.new):,}件）"
            )
        for issue in outcome.errors:
            self.stderr.write(f"{outcome.name}: エラー {issue}")
        for issue in outcome.warnings:
            self.stderr.write(f"{outcome.name}: 注意 {issue}")
        for kind, more in (("エラー", outcome.more_errors), ("注意", outcome.more_warnings)):
            for line in more_lines(more):
                self.stderr.write(
                    f"{outcome.name}: ほかの{kind} {line['label']}（{line['code']}）"
                    f" {line['count']:,}件"
                )
        if outcome.parsed.refused:
            self.stderr.write(f"{outcome.name}: 読み込めませんでした。")
        elif not outcome.ok:
            self.stderr.write(f"{head} — {outcome.error_count:,}件のエラーのため登録しません。")
        elif dry_run:
            self.stdout.write(f"{head} — 確認のみ（保存していません）。")
        elif outcome.commit and outcome.commit.status == Upload.Status.COMMITTED:
            c = outcome.commit
            self.stdout.write(
                f"{head} — 登録しました（新規 {c.created:,}件、更新 {c.updated:,}件、"
                f"変更なし {c.unchanged:,}件）。"
            )
        else:
            self.stdout.write(f"{head} — 変更はありません。")
