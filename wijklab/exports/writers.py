"""Streaming CSV and xlsx writers: columns and plain rows in, chunks out.

Both writers consume ``rows`` one at a time (it may be a database cursor of 100,000 rows) and
never hold them all. CSV text is neutralised against formula injection; xlsx text is written as
string cells, which a spreadsheet never evaluates. Formats are Dutch: ``;`` as the CSV delimiter,
a decimal comma, and times in Europe/Amsterdam.
"""

from __future__ import annotations

import contextlib
import csv
import io
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import IO, Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
KINDS = ("text", "int", "date", "datetime", "decimal")
CSV_ROWS_PER_CHUNK = 500
XLSX_CHUNK_BYTES = 64 * 1024
SHEET_TITLE_MAX = 31

_FORMULA_STARTS = ("=", "+", "-", "@")
_CONTROL_STARTS = ("\t", "\r")
_ONE_DECIMAL = Decimal("0.1")

_XLSX_NUMBER_FORMATS = {
    "int": "0",
    "date": "DD-MM-YYYY",
    "datetime": "DD-MM-YYYY HH:MM",
    "decimal": "0.0",
}
# openpyxl infers a formula from a leading "=" and an error from "#N/A" and the like.
_XLSX_INFERRED_STARTS = ("=", "#")
_XLSX_DEFAULT_WIDTHS = {"text": 30, "int": 10, "date": 12, "datetime": 17, "decimal": 10}
# Room for the autofilter's drop-down button next to the header label.
_XLSX_HEADER_PADDING = 4
_SHEET_TITLE_TRANSLATION = str.maketrans(
    {"/": "-", "\\": "-", ":": " ", "[": " ", "]": " ", "*": " ", "?": " "}
)


@dataclass(frozen=True)
class Column:
    """One exported column: a key for the caller, a (lazily translated) label and a kind."""

    key: str
    label: object
    kind: str = "text"
    width: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Unknown column kind {self.kind!r}; expected one of {KINDS}")


@dataclass
class Sheet:
    """One xlsx worksheet: its title, columns and rows (an iterable consumed once)."""

    title: str
    columns: list[Column]
    rows: Iterable[Sequence]


def neutralise(value: str) -> str:
    """Prefix ``'`` to CSV text that a spreadsheet could read as a formula (OWASP CSV injection).

    Prefixed: text whose first character is ``=`` ``+`` ``-`` ``@``, a tab or a carriage
    return, and also text whose first character after leading whitespace is ``=`` ``+`` ``-``
    or ``@`` (``" =1+1"``), because some spreadsheet imports trim spaces before they look for a
    formula. The text itself is kept. A negative number in a *text* column (``"-5"``) is
    prefixed too; the numeric kinds are formatted by the writer and never neutralised.
    """
    if value.startswith(_CONTROL_STARTS) or value.lstrip().startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def _in_amsterdam(moment: datetime) -> datetime:
    # Timestamps are stored as aware UTC; a naive one is UTC too, never the server's local time.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(AMSTERDAM)


def _as_date(value: date) -> date:
    return _in_amsterdam(value).date() if isinstance(value, datetime) else value


def _one_decimal(value: Any) -> Decimal:
    # Via str() so a float rounds as it reads (0.25 -> 0.3), the way Excel rounds what it shows.
    rounded = Decimal(str(value)).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _csv_text(value: Any) -> str:
    return "" if value is None else neutralise(str(value))


def _csv_int(value: Any) -> str:
    return "" if value is None else str(value)


def _csv_date(value: Any) -> str:
    return "" if value is None else _as_date(value).isoformat()


def _csv_datetime(value: Any) -> str:
    return "" if value is None else _in_amsterdam(value).strftime("%Y-%m-%d %H:%M")


def _csv_decimal(value: Any) -> str:
    return "" if value is None else f"{_one_decimal(value):f}".replace(".", ",")


_CSV_FORMATTERS: dict[str, Callable[[Any], str]] = {
    "text": _csv_text,
    "int": _csv_int,
    "date": _csv_date,
    "datetime": _csv_datetime,
    "decimal": _csv_decimal,
}


def _drain(buffer: io.StringIO) -> str:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text


def csv_chunks(columns: list[Column], rows: Iterable[Sequence]) -> Iterator[str]:
    """The rows as a Dutch Excel CSV: BOM, a header of labels, ``;``-separated, ``\\r\\n`` ends.

    Yields the BOM with the header first, then one chunk per 500 rows. A row whose length
    differs from the columns raises ``ValueError``.
    """
    formatters = [_CSV_FORMATTERS[column.kind] for column in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([neutralise(str(column.label)) for column in columns])
    yield _drain(buffer)
    for count, row in enumerate(rows, 1):
        writer.writerow([format_(value) for format_, value in zip(formatters, row, strict=True)])
        if count % CSV_ROWS_PER_CHUNK == 0:
            yield _drain(buffer)
    if buffer.tell():
        yield _drain(buffer)


def _xlsx_text(value: Any) -> str | None:
    if value is None:
        return None
    # Control characters are not allowed in the sheet's XML: drop them rather than fail. A
    # carriage return would silently become a line feed when the XML is read: say so here.
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text or None


def _xlsx_date(value: Any) -> date | None:
    return None if value is None else _as_date(value)


def _xlsx_datetime(value: Any) -> datetime | None:
    return None if value is None else _in_amsterdam(value).replace(tzinfo=None)


def _xlsx_number(value: Any) -> Any:
    return value


_XLSX_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "text": _xlsx_text,
    "int": _xlsx_number,
    "date": _xlsx_date,
    "datetime": _xlsx_datetime,
    "decimal": _xlsx_number,
}


def _sheet_titles(titles: Iterable[str]) -> list[str]:
    """Titles Excel accepts: no ``[]:*?/\\``, at most 31 characters, unique ignoring case."""
    cleaned: list[str] = []
    taken: set[str] = set()
    for number, title in enumerate(titles, 1):
        text = ILLEGAL_CHARACTERS_RE.sub("", str(title).translate(_SHEET_TITLE_TRANSLATION))
        # Excel refuses a title that starts or ends with an apostrophe.
        text = " ".join(text.split()).strip("'")[:SHEET_TITLE_MAX].strip() or f"Blad {number}"
        candidate, copy = text, 2
        while candidate.casefold() in taken:
            suffix = f" ({copy})"
            candidate = text[: SHEET_TITLE_MAX - len(suffix)].rstrip() + suffix
            copy += 1
        taken.add(candidate.casefold())
        cleaned.append(candidate)
    return cleaned


def _string_cell(worksheet: Any, text: str | None) -> WriteOnlyCell:
    cell = WriteOnlyCell(worksheet, value=text)
    # openpyxl infers a formula from a leading "=": an explicit string type keeps it text.
    cell.data_type = "s"
    return cell


def _write_sheet(worksheet: Any, columns: list[Column], rows: Iterable[Sequence]) -> None:
    # Views and column widths are written before the first row: set them first.
    worksheet.freeze_panes = "A2"
    for index, column in enumerate(columns, 1):
        label = str(column.label)
        width = column.width or max(
            _XLSX_DEFAULT_WIDTHS[column.kind], len(label) + _XLSX_HEADER_PADDING
        )
        worksheet.column_dimensions[get_column_letter(index)].width = width

    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = _string_cell(worksheet, _xlsx_text(column.label))
        cell.font = bold
        header.append(cell)
    worksheet.append(header)

    # One styled cell per column, refilled for every row: append() writes the row at once, so
    # reusing the cell is safe and spares a style lookup per value.
    cells = []
    for column in columns:
        cell = WriteOnlyCell(worksheet)
        if column.kind in _XLSX_NUMBER_FORMATS:
            cell.number_format = _XLSX_NUMBER_FORMATS[column.kind]
        cells.append(cell)
    converters = [_XLSX_CONVERTERS[column.kind] for column in columns]
    is_text = [column.kind == "text" for column in columns]

    count = 0
    for row in rows:
        values = []
        for cell, convert, text, value in zip(cells, converters, is_text, row, strict=True):
            value = convert(value)
            if value is None or (text and not value.startswith(_XLSX_INFERRED_STARTS)):
                # A plain str is cheaper than a cell and openpyxl stores it as a string; only text
                # it would read as a formula or an error needs the cell with the explicit type.
                values.append(value)
                continue
            cell.value = value
            if text:
                cell.data_type = "s"
            values.append(cell)
        worksheet.append(values)
        count += 1

    if columns:
        worksheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"


def _discard(workbook: Workbook) -> None:
    """Close and delete the temporary file openpyxl keeps per write-only sheet.

    openpyxl deletes them when the workbook is saved or at interpreter exit; after a failure
    half-way (a database error in ``rows``), a long-running worker would keep them until then.
    """
    for worksheet in workbook.worksheets:
        with contextlib.suppress(Exception):
            if not worksheet.closed:
                worksheet.close()
            worksheet._writer.cleanup()


def _write_workbook(sheets: list[Sheet], out: IO[bytes]) -> None:
    workbook = Workbook(write_only=True)
    try:
        for sheet, title in zip(sheets, _sheet_titles(s.title for s in sheets), strict=True):
            _write_sheet(workbook.create_sheet(title), sheet.columns, sheet.rows)
        workbook.save(out)
    except BaseException:
        _discard(workbook)
        raise


def xlsx_chunks(sheets: list[Sheet]) -> Iterator[bytes]:
    """The sheets as an xlsx workbook, in 64 KiB chunks.

    The rows are streamed into a write-only workbook in a temporary file, so the first chunk
    comes only once the whole workbook is written. Headers are bold, frozen and filtered; text
    is kept as is in string cells (never a formula), except that the control characters Excel
    refuses are dropped, line ends become ``\n`` (as Excel writes them) and text is cut at
    32,767 characters (Excel's limit per cell); dates and times are real date cells in
    Europe/Amsterdam time.
    """
    with tempfile.TemporaryFile() as out:
        _write_workbook(sheets, out)
        out.seek(0)
        while chunk := out.read(XLSX_CHUNK_BYTES):
            yield chunk
