"""Load the Sakai demo organisation, counts and users (idempotent), and list the logins."""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.management.base import BaseCommand

from paperless.core.fiscal import fiscal_year, fy_era_label, month_label
from paperless.demo.seed import SeedResult, seed_demo


def _width(text: str) -> int:
    # Full-width (Japanese) characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _row(cells: list[str], widths: list[int]) -> str:
    padded = [c + " " * (w - _width(c)) for c, w in zip(cells, widths, strict=True)]
    return "  " + "  ".join(padded).rstrip()


def summary_lines(result: SeedResult) -> list[str]:
    first, last = result.first_month, result.last_month
    lines = [
        f"堺市のデモデータを用意しました（{result.today:%Y-%m-%d} 現在）。",
        f"  組織: {result.units:,} 件（今回作成 {result.units_created:,} 件）"
        f"、うち所属 {result.departments:,}（ほかに統合で廃止 {result.departments_closed}）",
        f"  月別枚数: {result.counts:,} 件（今回作成 {result.counts_created:,} 件）",
        f"  機器台帳・検針値: 堺区役所の3所属（複合機 {result.meters.devices} 台、"
        f"検針値 {result.meters.readings:,} 件、検針値から作成した月別枚数 "
        f"{result.meters.counts_created:,} 件）",
        f"  期間: {month_label(first)}〜{month_label(last)}"
        f"（{fy_era_label(fiscal_year(first))}〜{fy_era_label(fiscal_year(last))}）",
        "  目標設定: 2020年度から 基準年度 2020年度・取組基準 30%・全市目標 50%"
        + ("（今回作成）" if result.policy_created else "（登録済み・変更なし）"),
        f"  改善の取組: 今回作成 {result.notes_created} 件",
        "",
        "デモ用ログイン:",
    ]
    header = ["ユーザー名", "パスワード", "役割", "所属"]
    rows = [[u, p or "（変更なし）", role, unit] for u, p, role, unit in result.logins]
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines += [_row(r, widths) for r in [header, *rows]]
    if any(p is None for _, p, _, _ in result.logins):
        lines.append(
            "  既存ユーザーのパスワードは変更していません。"
            "デモ用に戻すには --reset-passwords を付けて実行してください。"
        )
    lines.append(
        "※ これらのパスワードはローカルでのデモ専用です。"
        "サーバー（本番・検証環境）では絶対に使わないでください。"
    )
    return lines


class Command(BaseCommand):
    help = "堺市のデモ用の組織・月別枚数・ユーザーを登録します（何度実行しても重複しません）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="既存のデモユーザーのパスワードもデモ用パスワードに戻します。",
        )
        parser.add_argument("--quiet", action="store_true", help="エラー以外は表示しません。")

    def handle(self, *args, reset_passwords: bool = False, quiet: bool = False, **options):
        if not settings.DEBUG and not quiet:
            self.stderr.write(
                "警告: DJANGO_DEBUG が無効です。デモ用ユーザーは公開されたサーバーに"
                "登録しないでください。"
            )
        result = seed_demo(reset_passwords=reset_passwords)
        if not quiet:
            self.stdout.write("\n".join(summary_lines(result)))
