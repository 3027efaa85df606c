"""CSV files people open in a spreadsheet: a cell never becomes a formula."""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Text starting like a formula (= + - @, tab, CR) gets a leading quote; None is
    empty; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


def csv_text(header: list[str], rows: Iterable[Iterable[Any]]) -> str:
    """A CSV document: the header row, then every row with its cells made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
