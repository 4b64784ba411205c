"""The command line of a master-data import (import_org, import_devices): one file in,
every error on standard error, exit 0 (done), 1 (data errors, nothing written) or 2
(the file cannot be read)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from paperless.importing.files.limits import TableError
from paperless.importing.master.result import ImportResult


class MasterImportCommand(BaseCommand):
    file_help = ""
    importer: Callable[..., ImportResult]

    def add_arguments(self, parser):
        parser.add_argument("file", help=self.file_help)
        parser.add_argument(
            "--dry-run", action="store_true", help="確認だけ行い、何も保存しません。"
        )

    def handle(self, *args, file: str, dry_run: bool, **options) -> None:
        path = Path(file)
        try:
            result = self.importer(path, filename=path.name, dry_run=dry_run)
        except TableError as exc:
            raise CommandError(exc.message, returncode=2) from None
        if result.errors:
            for error in result.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"{len(result.errors)}件のエラーがあるため、何も登録していません。", returncode=1
            )
        self.stdout.write(result.message())
