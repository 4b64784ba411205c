"""Import the org master (所属の一覧) from an .xlsx or .csv file."""

from paperless.importing.master.org import import_org
from paperless.management.master_command import MasterImportCommand


class Command(MasterImportCommand):
    help = (
        "組織マスタ（.xlsx / .csv）を取り込みます。所属コードで照合して新規作成・更新し、"
        "削除はしません。エラーが1件でもあれば何も登録しません。"
        "終了コード: 0 成功、1 データのエラー、2 ファイルを読めない。"
    )
    file_help = "組織マスタのファイル（.xlsx または .csv）"
    importer = staticmethod(import_org)
