"""Import the device register (機器台帳) from an .xlsx or .csv file."""

from paperless.importing.master.devices import import_devices
from paperless.management.master_command import MasterImportCommand


class Command(MasterImportCommand):
    help = (
        "機器台帳（.xlsx / .csv）を取り込みます。機器番号・部門ID・利用開始日で照合して"
        "新規作成・更新し、削除はしません。エラーが1件でもあれば何も登録しません。"
        "終了コード: 0 成功、1 データのエラー、2 ファイルを読めない。"
    )
    file_help = "機器台帳のファイル（.xlsx または .csv）"
    importer = staticmethod(import_devices)
