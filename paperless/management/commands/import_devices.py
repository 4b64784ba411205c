"""Import the device register (機器台帳) from an .xlsx or .csv file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from paperless.importing.files.limits import TableError
from paperless.importing.master.devices import import_devices


class Command(BaseCommand):
    help = (
        "機器台帳（.xlsx / .csv）を取り込みます。機器番号・部門ID・利用開始日で照合して"
        "新規作成・更新し、削除はしません。エラーが1件でもあれば何も登録しません。"
        "終了コード: 0 成功、1 データのエラー、2 ファイルを読めない。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="機器台帳のファイル（.xlsx または .csv）")
        parser.add_argument(
            "--dry-run", action="store_true", help="確認だけ行い、何も保存しません。"
        )

    def handle(self, *args, file: str, dry_run: bool, **options) -> None:
        path = Path(file)
        try:
            result = import_devices(path, filename=path.name, dry_run=dry_run)
        except TableError as exc:
            raise CommandError(exc.message, returncode=2) from None
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(result.errors)}件のエラーがあるため、何も登録していません。", returncode=1
            )
        self.stdout.write(result.message())
