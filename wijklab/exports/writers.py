"""Streaming CSV and xlsx writers: columns and plain rows in, chunks out.

Both writers consume ``rows`` one at a time (it may be a database cursor of 100,000 rows) and
never hold them all. CSV text is neutralised against formula injection; xlsx text is written as
string cells, which a spreadsheet never evaluates. Formats are Dutch: ``;`` as the CSV delimiter,
a decimal comma, and times in Europe/Amsterdam.
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from xml.sax.saxutils import quoteattr
from zoneinfo import ZoneInfo

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
# Number formats Excel knows by number; the others are declared in the styles from 164 on.
_XLSX_BUILTIN_FORMATS = {"0": 1, "0.00": 2}
# Cell formats in styles.xml: 0 plain, 1 the bold header, then one per number format.
_XLSX_HEADER_STYLE = 1
_XLSX_KIND_STYLES = {kind: index for index, kind in enumerate(_XLSX_NUMBER_FORMATS, 2)}
XLSX_CELL_MAX = 32_767
# zlib's fastest level: for 250,000 rows a fifth less CPU than its default (6) for a file a
# quarter larger (29 MB against 23 MB).
XLSX_COMPRESS_LEVEL = 1
# A worksheet without ZIP64 holds up to 4 GiB of XML (250,000 export rows take 0.3 GB). With
# force_zip64, Python streams an entry with 0xFFFFFFFF sizes in its local header and a ZIP64
# data descriptor but no ZIP64 field in the central directory, which Excel is reported to
# "repair"; without it the zip is the plain streamed kind Excel has long read.
XLSX_FORCE_ZIP64 = False
# Rows are handed to the zip in pieces of this many characters of XML.
_XLSX_PIECE_CHARS = 64 * 1024
# XML 1.0 allows neither these control characters nor lone surrogates, U+FFFE and U+FFFF.
_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_NS_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
# Excel's day 0 is 30 December 1899 (day 1 is 1 January 1900).
_EXCEL_EPOCH = date(1899, 12, 30).toordinal()
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
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    # Text that starts with a letter or digit cannot be read as a formula, and most text does.
    return text if text[:1].isalnum() else neutralise(text)


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
    # Characters XML does not allow are dropped rather than failing the export. A carriage
    # return would silently become a line feed when the XML is read: say so here.
    text = _XML_ILLEGAL_RE.sub("", str(value))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text[:XLSX_CELL_MAX] or None


def _xml_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _excel_days(day: date) -> int:
    days = day.toordinal() - _EXCEL_EPOCH
    # Excel counts a 29 February 1900 that never was: serials before 1 March 1900 are one less.
    return days - 1 if 0 < days <= 60 else days


def _number_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else None
    return None


# Each cell writer takes a value that is not None and the row number as text, and returns the
# cell's XML ("" for nothing to write). A value of the wrong type for its column (text in a
# number column, NaN) becomes a text cell rather than a broken file.
_CellWriter = Callable[[Any, str], str]


def _text_writer(letter: str, style: int = 0) -> _CellWriter:
    start = f'<c r="{letter}'
    # Inline strings: never a formula or an error value, whatever the text starts with.
    middle = (f'" s="{style}"' if style else '"') + ' t="inlineStr"><is><t xml:space="preserve">'

    def write(value: Any, row: str) -> str:
        text = value if type(value) is str else str(value)
        # Most text is printable and short: it needs no cleaning. Control characters, line
        # ends, lone surrogates and U+FFFE/U+FFFF are all unprintable.
        if not text.isprintable() or len(text) > XLSX_CELL_MAX:
            text = _xlsx_text(text)
        if not text:
            return ""
        if "&" in text or "<" in text or ">" in text:
            text = _xml_text(text)
        return start + row + middle + text + "</t></is></c>"

    return write


def _number_writer(letter: str, kind: str) -> _CellWriter:
    start, middle = f'<c r="{letter}', f'" s="{_XLSX_KIND_STYLES[kind]}"><v>'
    as_text = _text_writer(letter)

    def write(value: Any, row: str) -> str:
        number = str(value) if type(value) is int else _number_text(value)
        if number is None:
            return as_text(value, row)
        return start + row + middle + number + "</v></c>"

    return write


def _date_writer(letter: str, kind: str) -> _CellWriter:
    start, middle = f'<c r="{letter}', f'" s="{_XLSX_KIND_STYLES[kind]}"><v>'
    as_text = _text_writer(letter)

    def write(value: Any, row: str) -> str:
        if isinstance(value, datetime):
            value = _in_amsterdam(value).date()
        elif not isinstance(value, date):
            return as_text(value, row)
        return start + row + middle + str(_excel_days(value)) + "</v></c>"

    return write


def _datetime_writer(letter: str, kind: str) -> _CellWriter:
    start, middle = f'<c r="{letter}', f'" s="{_XLSX_KIND_STYLES[kind]}"><v>'
    as_text = _text_writer(letter)

    def write(value: Any, row: str) -> str:
        if isinstance(value, datetime):
            local = _in_amsterdam(value)
            seconds = local.hour * 3600 + local.minute * 60 + local.second
            serial = repr(_excel_days(local) + (seconds + local.microsecond / 1e6) / 86_400)
        elif isinstance(value, date):
            serial = str(_excel_days(value))
        else:
            return as_text(value, row)
        return start + row + middle + serial + "</v></c>"

    return write


_XLSX_CELL_WRITERS: dict[str, Callable[[str, str], _CellWriter]] = {
    "text": lambda letter, _kind: _text_writer(letter),
    "int": _number_writer,
    "date": _date_writer,
    "datetime": _datetime_writer,
    "decimal": _number_writer,
}


def _column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _sheet_titles(titles: Iterable[str]) -> list[str]:
    """Titles Excel accepts: no ``[]:*?/\\``, at most 31 characters, unique ignoring case."""
    cleaned: list[str] = []
    taken: set[str] = set()
    for number, title in enumerate(titles, 1):
        text = _XML_ILLEGAL_RE.sub("", str(title).translate(_SHEET_TITLE_TRANSLATION))
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


def _styles_xml() -> str:
    ids: dict[str, int] = {}
    formats = []
    for kind, code in _XLSX_NUMBER_FORMATS.items():
        ids[kind] = _XLSX_BUILTIN_FORMATS.get(code, 164 + len(formats))
        if code not in _XLSX_BUILTIN_FORMATS:
            formats.append(f'<numFmt numFmtId="{ids[kind]}" formatCode={quoteattr(code)}/>')
    plain = 'fillId="0" borderId="0" xfId="0"'
    cell_formats = [
        f'<xf numFmtId="0" fontId="0" {plain}/>',
        f'<xf numFmtId="0" fontId="1" {plain} applyFont="1"/>',
        *(
            f'<xf numFmtId="{ids[kind]}" fontId="0" {plain} applyNumberFormat="1"/>'
            for kind in _XLSX_NUMBER_FORMATS
        ),
    ]
    font = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
    return (
        f'{_XML_DECLARATION}<styleSheet xmlns="{_NS_MAIN}">'
        + (f'<numFmts count="{len(formats)}">{"".join(formats)}</numFmts>' if formats else "")
        + f'<fonts count="2"><font>{font}</font><font><b/>{font}</font></fonts>'
        + '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        f'</cellStyleXfs><cellXfs count="{len(cell_formats)}">{"".join(cell_formats)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    )


_XLSX_STYLES_XML = _styles_xml()


def _content_types_xml(sheet_count: int) -> str:
    kind = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{number}.xml"'
        f' ContentType="{kind}.worksheet+xml"/>'
        for number in range(1, sheet_count + 1)
    )
    return (
        f'{_XML_DECLARATION}<Types xmlns="{_NS_CONTENT_TYPES}">'
        '<Default Extension="rels"'
        ' ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{kind}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{kind}.styles+xml"/>'
        f"{sheets}</Types>"
    )


def _relationships_xml(targets: Iterable[tuple[str, str]]) -> str:
    items = "".join(
        f'<Relationship Id="rId{number}" Type="{_NS_RELATIONSHIPS}/{kind}" Target="{target}"/>'
        for number, (kind, target) in enumerate(targets, 1)
    )
    return (
        f'{_XML_DECLARATION}<Relationships xmlns="{_NS_PACKAGE_RELATIONSHIPS}">'
        f"{items}</Relationships>"
    )


def _workbook_xml(titles: list[str], filters: list[tuple[str, int] | None]) -> str:
    sheets = "".join(
        f'<sheet name={quoteattr(title)} sheetId="{number}" r:id="rId{number}"/>'
        for number, title in enumerate(titles, 1)
    )
    # Excel keeps a hidden name for each autofilter's range: write it as Excel does.
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
        + _xml_text("'" + title.replace("'", "''") + f"'!$A$1:${last[0]}${last[1]}")
        + "</definedName>"
        for index, (title, last) in enumerate(zip(titles, filters, strict=True))
        if last is not None
    )
    return (
        f'{_XML_DECLARATION}<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_RELATIONSHIPS}">'
        f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets>'
        + (f"<definedNames>{names}</definedNames>" if names else "")
        + "</workbook>"
    )


def _sheet_head(columns: list[Column], selected: bool) -> str:
    widths = []
    for number, column in enumerate(columns, 1):
        label = str(column.label)
        width = column.width or max(
            _XLSX_DEFAULT_WIDTHS[column.kind], len(label) + _XLSX_HEADER_PADDING
        )
        widths.append(f'<col min="{number}" max="{number}" width="{width}" customWidth="1"/>')
    tab = ' tabSelected="1"' if selected else ""
    return (
        f'{_XML_DECLARATION}<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_RELATIONSHIPS}">'
        f'<sheetViews><sheetView{tab} workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        + (f"<cols>{''.join(widths)}</cols>" if widths else "")
        + "<sheetData>"
    )


def _sheet_parts(
    columns: list[Column],
    rows: Iterable[Sequence],
    selected: bool,
    filters: list[tuple[str, int] | None],
) -> Iterator[str]:
    """The worksheet's XML in pieces of about 64 K characters, reading one row at a time.

    Appends the autofilter's last column and row to ``filters`` once the rows are read.
    """
    letters = [_column_letter(number) for number in range(1, len(columns) + 1)]
    writers = [
        _XLSX_CELL_WRITERS[column.kind](letter, column.kind)
        for column, letter in zip(columns, letters, strict=True)
    ]
    header = "".join(
        _text_writer(letter, _XLSX_HEADER_STYLE)(column.label, "1")
        for column, letter in zip(columns, letters, strict=True)
    )
    pending = [_sheet_head(columns, selected), f'<row r="1">{header}</row>']
    size = 0
    last = 1
    for last, row in enumerate(rows, 2):
        number = str(last)
        cells = "".join(
            [
                write(value, number)
                for write, value in zip(writers, row, strict=True)
                if value is not None
            ]
        )
        line = f'<row r="{number}">{cells}</row>'
        pending.append(line)
        size += len(line)
        if size >= _XLSX_PIECE_CHARS:
            yield "".join(pending)
            pending.clear()
            size = 0
    pending.append("</sheetData>")
    if letters:
        pending.append(f'<autoFilter ref="A1:{letters[-1]}{last}"/>')
        filters.append((letters[-1], last))
    else:
        filters.append(None)
    pending.append("</worksheet>")
    yield "".join(pending)


class _Sink:
    """Where ``zipfile`` writes the archive, and the stream takes it from: it never seeks."""

    def __init__(self) -> None:
        self._data = bytearray()

    def write(self, data: bytes) -> int:
        self._data += data
        return len(data)

    def flush(self) -> None:
        pass

    def chunks(self, size: int, *, last: bool = False) -> Iterator[bytes]:
        data = self._data
        while len(data) >= size:
            chunk = bytes(data[:size])
            del data[:size]
            yield chunk
        if last and data:
            chunk = bytes(data)
            data.clear()
            yield chunk


def xlsx_chunks(sheets: list[Sheet]) -> Iterator[bytes]:
    """The sheets as an xlsx workbook, streamed in 64 KiB chunks as the rows are read.

    Each worksheet is written row by row into a zip that goes out as it is compressed (the zip
    uses data descriptors, so nothing is sought back), so the first chunk comes after a few
    thousand rows and memory stays flat. Headers are bold, frozen and filtered; text is kept as
    is in inline string cells (never a formula), except that characters XML refuses are
    dropped, line ends become ``\\n`` (as Excel writes them) and text is cut at 32,767
    characters (Excel's limit per cell); dates and times are real date cells in
    Europe/Amsterdam time. A row whose length differs from the columns raises ``ValueError``.
    """
    titles = _sheet_titles(sheet.title for sheet in sheets)
    filters: list[tuple[str, int] | None] = []
    sink = _Sink()
    with zipfile.ZipFile(
        sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESS_LEVEL
    ) as archive:
        archive.writestr("[Content_Types].xml", _content_types_xml(len(sheets)))
        archive.writestr("_rels/.rels", _relationships_xml([("officeDocument", "xl/workbook.xml")]))
        archive.writestr("xl/styles.xml", _XLSX_STYLES_XML)
        # The fixed parts go out before a row is read, as CSV's header does: a view's streamed
        # query then starts once the response streams, not while the request is being torn
        # down (which would close a PostgreSQL server-side cursor under it).
        yield from sink.chunks(XLSX_CHUNK_BYTES, last=True)
        for number, sheet in enumerate(sheets, 1):
            name = f"xl/worksheets/sheet{number}.xml"
            with archive.open(name, "w", force_zip64=XLSX_FORCE_ZIP64) as entry:
                for piece in _sheet_parts(sheet.columns, sheet.rows, number == 1, filters):
                    entry.write(piece.encode())
                    yield from sink.chunks(XLSX_CHUNK_BYTES)
        # The workbook comes last: only now are the autofilters' last rows known.
        archive.writestr("xl/workbook.xml", _workbook_xml(titles, filters))
        targets = [("worksheet", f"worksheets/sheet{n}.xml") for n in range(1, len(sheets) + 1)]
        archive.writestr(
            "xl/_rels/workbook.xml.rels", _relationships_xml([*targets, ("styles", "styles.xml")])
        )
    yield from sink.chunks(XLSX_CHUNK_BYTES, last=True)
