"""What a file may cost, and the error that refuses it: shared by every file check.

``Limits`` holds the size, row, column, cell, time and memory limits (from settings
through ``Limits.from_settings``); ``TableError`` is the one error a file that cannot be
read raises, with a stable ``code`` and a Japanese ``message``. Pure: no Django at import.
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024


class TableError(Exception):
    """The file cannot be read at all. ``code`` is stable, ``message`` is for the user;
    ``detail`` (the reader's own error, in English) is for the log only."""

    def __init__(self, code: str, message: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.detail = detail


@dataclass(frozen=True)
class Limits:
    """What a file may cost. Defaults match the settings' defaults."""

    max_bytes: int = 10 * MB
    max_rows: int = 200_000
    max_columns: int = 200
    max_seconds: float = 60
    max_uncompressed: int = 200 * MB
    # Cells of the grid a reader allocates (rows x columns up to the farthest value).
    max_cells: int = 5_000_000
    max_members: int = 1_000
    # Address space the reading process may add to what it already has.
    max_memory: int = 1024 * MB

    @classmethod
    def from_settings(cls) -> Limits:
        from django.conf import settings

        return cls(
            max_bytes=settings.UPLOAD_MAX_BYTES,
            max_rows=settings.UPLOAD_MAX_ROWS,
            max_columns=settings.UPLOAD_MAX_COLUMNS,
            max_seconds=settings.UPLOAD_MAX_SECONDS,
            max_uncompressed=settings.UPLOAD_MAX_UNCOMPRESSED_BYTES,
            max_cells=settings.UPLOAD_MAX_CELLS,
            max_memory=settings.UPLOAD_MAX_MEMORY_BYTES,
        )


def too_large(filename: str, max_bytes: int) -> TableError:
    return TableError(
        "file_too_large",
        f"ファイル「{filename}」が大きすぎます（上限 {max_bytes / MB:g} MB）。"
        "不要なシートや行を削除するか、ファイルを分けてください。",
    )


def declaration_refused(filename: str) -> TableError:
    return TableError(
        "xml_bomb",
        f"「{filename}」に Excel が作らない XML の宣言（DOCTYPE・ENTITY）があります。"
        "安全のため読み込みを中止しました。Excel で開いて保存し直してください。",
    )


def grid_error(
    where: str, rows: int, cols: int, limits: Limits, *, far: str, wide_row: int | None = 0
) -> TableError | None:
    """Why a grid of ``rows`` x ``cols`` (up to its farthest cell) is over the limits.

    ``where`` names the sheet, ``far`` says how far it reaches; ``wide_row`` is the first
    row that is too wide (0: the last row, None: no row to name).
    """
    if rows > limits.max_rows:
        return TableError(
            "too_many_rows",
            f"{where}の行数が上限（{limits.max_rows:,}行）を超えています（{far}）。"
            "不要な行を削除するか、ファイルを分けてください。",
        )
    if cols > limits.max_columns:
        row = "" if wide_row is None else f"の行{wide_row or rows}"
        return TableError(
            "too_many_columns",
            f"{where}{row}の列数が上限（{limits.max_columns:,}列）を超えています。{far}。"
            "不要な列を削除してください。",
        )
    if rows * cols > limits.max_cells:
        return TableError(
            "too_many_cells",
            f"{where}は{far}（{rows:,}行 × {cols:,}列）。セルの数の上限は"
            f" {limits.max_cells:,}個です。離れた場所にある不要なセルや列を削除してください。",
        )
    return None


def column_number(letters: str) -> int:
    """1-based column number of Excel letters: "A" → 1, "XFD" → 16384."""
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def column_letters(number: int) -> str:
    """Excel letters of a 1-based column number."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
