"""DataFrames as rows of plain Python values, for templates, e-mails and JSON.

Owns the one conversion every reader of the core's frames goes through, so pages,
e-mails, exports and the summary JSON show the same figures (DESIGN.md §2, Every rule
written once). Pure: no Django.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def _plain(column: pd.Series) -> list[Any]:
    """A column as plain Python values, None where missing; whole columns at a time."""
    numpy = isinstance(column.dtype, np.dtype)  # not pandas' nullable Int64 and the like
    if numpy and column.dtype.kind in "iub":  # integers and booleans: never missing
        return column.tolist()
    if numpy and column.dtype.kind == "f":
        plain = column.tolist()
        for i in np.flatnonzero(np.isnan(column.to_numpy())):
            plain[i] = None
        return plain
    plain = column.to_numpy(dtype=object).tolist()  # not tolist(): one call per value
    for i in np.flatnonzero(column.isna().to_numpy()):
        plain[i] = None
    return [value.item() if isinstance(value, np.generic) else value for value in plain]


def to_records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts of plain Python values; NaN and NA become None (named index kept).

    "No value" stays visible as None instead of a number, so a missing rate or gap is
    never shown as zero (DESIGN.md §2, Status; Reduction rate).
    """
    frame = df.reset_index() if df.index.name is not None else df
    columns = [str(c) for c in frame.columns]
    values = [_plain(frame.iloc[:, i]) for i in range(frame.shape[1])]
    return [dict(zip(columns, row, strict=True)) for row in zip(*values, strict=True)]
