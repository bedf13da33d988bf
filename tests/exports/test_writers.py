"""The export writers: parse what they write back and compare; memory stays flat for big exports."""

from __future__ import annotations

import csv
import hashlib
import io
import os
import tempfile
import tracemalloc
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from flask_babel import lazy_gettext as _l

from wijklab.exports.writers import (
    CSV_ROWS_PER_CHUNK,
    XLSX_CHUNK_BYTES,
    Column,
    Sheet,
    csv_chunks,
    neutralise,
    xlsx_chunks,
)

COLUMNS = [
    Column("student", "Student"),
    Column("minutes", "Minuten", "int"),
    Column("date", "Datum", "date"),
    Column("verified_at", "Geverifieerd op", "datetime"),
    Column("hours", "Uren", "decimal"),
    Column("reflection", "Reflectie", width=60),
]
ROW = (
    "Zoë van den Berg",
    90,
    date(2026, 11, 28),
    datetime(2026, 11, 28, 13, 5, tzinfo=UTC),
    Decimal("12.5"),
    "Goed gesprek met bewoners.",
)
WINTER_UTC = datetime(2026, 11, 28, 13, 5, tzinfo=UTC)
SUMMER_UTC = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
NAMES = ["Zoë van den Berg", "Ayşe Yılmaz", "Yassine El Amrani", "Ðorđe Čolić", "李雷"]
LONG_TEXT = "Reflectie over de wijkavond. " * 400
MULTILINE = 'Eerste regel\nTweede regel;met puntkomma\r\nDerde "citaat"'
FORMULAS = [
    '=HYPERLINK("http://evil.example","klik")',
    "+31 6 12345678",
    "-1+1",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    "\n@SUM(A1)",
]


def write_csv(columns, rows) -> str:
    return "".join(csv_chunks(columns, rows))


def read_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), delimiter=";"))


def write_xlsx(*sheets: Sheet) -> bytes:
    return b"".join(xlsx_chunks(list(sheets)))


def read_xlsx(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def text_sheet(values) -> Sheet:
    return Sheet("Tekst", [Column("text", "Tekst")], [(value,) for value in values])


# --- neutralise -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", FORMULAS)
def test_neutralise_prefixes_a_quote_to_formula_like_text(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["", "Zoë", "a=b", "31 6 12345678", "'al gequote", "  gewone tekst", "#N/A"]
)
def test_neutralise_leaves_other_text_unchanged(value):
    assert neutralise(value) == value


def test_column_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        Column("when", "Wanneer", "time")


# --- CSV --------------------------------------------------------------------------------------


def test_csv_starts_with_a_bom_and_a_header_of_labels():
    chunks = list(csv_chunks(COLUMNS, [ROW]))

    assert chunks[0].startswith("\ufeff")
    assert read_csv(chunks[0]) == [[str(column.label) for column in COLUMNS]]
    assert "".join(chunks).encode("utf-8").startswith(b"\xef\xbb\xbf")


def test_csv_uses_semicolons_and_crlf_line_ends():
    text = write_csv(COLUMNS, [ROW])

    assert text == (
        "\ufeffStudent;Minuten;Datum;Geverifieerd op;Uren;Reflectie\r\n"
        "Zoë van den Berg;90;2026-11-28;2026-11-28 14:05;12,5;Goed gesprek met bewoners.\r\n"
    )


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (Column("n", "N", "int"), 0, "0"),
        (Column("n", "N", "int"), -3, "-3"),
        (Column("d", "D", "date"), date(2026, 1, 5), "2026-01-05"),
        # A timestamp for a date column counts on the Amsterdam calendar.
        (Column("d", "D", "date"), datetime(2026, 11, 28, 23, 30, tzinfo=UTC), "2026-11-29"),
        (Column("t", "T", "datetime"), WINTER_UTC, "2026-11-28 14:05"),
        (Column("t", "T", "datetime"), SUMMER_UTC, "2026-07-01 14:00"),
        # A naive timestamp is UTC, never the server's local time.
        (Column("t", "T", "datetime"), datetime(2026, 7, 1, 12, 0), "2026-07-01 14:00"),
        (Column("h", "H", "decimal"), Decimal("12.5"), "12,5"),
        (Column("h", "H", "decimal"), 12.5, "12,5"),
        (Column("h", "H", "decimal"), 3, "3,0"),
        (Column("h", "H", "decimal"), 0.25, "0,3"),
        (Column("h", "H", "decimal"), Decimal("1.04"), "1,0"),
        (Column("h", "H", "decimal"), -1.5, "-1,5"),
        (Column("h", "H", "decimal"), -0.01, "0,0"),
        (Column("h", "H", "decimal"), 1234567.89, "1234567,9"),
    ],
)
def test_csv_formats_each_kind_the_dutch_way(column, value, expected):
    assert read_csv(write_csv([column], [(value,)]))[1] == [expected]


def test_csv_writes_none_as_an_empty_field():
    rows = read_csv(write_csv(COLUMNS, [(None,) * len(COLUMNS)]))

    assert rows[1] == [""] * len(COLUMNS)


def test_csv_round_trips_names_long_text_and_newlines():
    rows = [(name, LONG_TEXT, MULTILINE) for name in NAMES]
    columns = [Column("name", "Naam"), Column("long", "Lang"), Column("note", "Notitie")]

    assert read_csv(write_csv(columns, rows))[1:] == [list(row) for row in rows]


@pytest.mark.parametrize("value", ["\u00a0=1+1", "\u3000@SUM(A1)", "\u2003-1+1"])
def test_csv_neutralises_a_formula_after_unicode_spaces(value):
    assert read_csv(write_csv([Column("text", "Tekst")], [(value,)]))[1] == ["'" + value]


@pytest.mark.parametrize("value", ["Ž=1+1", "٣-1", "²+1", "ǅ@x", "0=1"])
def test_csv_leaves_text_that_starts_with_a_letter_or_digit_alone(value):
    assert read_csv(write_csv([Column("text", "Tekst")], [(value,)]))[1] == [value]


@pytest.mark.parametrize("value", FORMULAS)
def test_csv_neutralises_formula_like_text(value):
    assert read_csv(write_csv([Column("text", "Tekst")], [(value,)]))[1] == ["'" + value]


def test_csv_neutralises_formula_like_labels():
    assert read_csv(write_csv([Column("x", "=1+1")], []))[0] == ["'=1+1"]


def test_csv_writes_lazy_labels_as_their_text(app):
    text = write_csv([Column("name", _l("Naam")), Column("date", _l("Datum"), "date")], [])

    assert read_csv(text) == [["Naam", "Datum"]]


def test_csv_with_no_rows_has_only_the_header():
    assert read_csv(write_csv(COLUMNS, iter(()))) == [[str(c.label) for c in COLUMNS]]


def test_csv_yields_a_chunk_per_500_rows():
    chunks = list(csv_chunks([Column("n", "N", "int")], ((n,) for n in range(1201))))

    assert [len(read_csv(chunk)) for chunk in chunks] == [1, 500, 500, 201]
    assert CSV_ROWS_PER_CHUNK == 500


def test_csv_reads_rows_only_as_the_chunks_are_consumed():
    taken = []

    def rows():
        for n in range(10_000):
            taken.append(n)
            yield (n,)

    chunks = csv_chunks([Column("n", "N", "int")], rows())
    next(chunks)
    next(chunks)

    assert len(taken) == CSV_ROWS_PER_CHUNK
    chunks.close()


def test_csv_rejects_a_row_with_the_wrong_number_of_values():
    with pytest.raises(ValueError):
        write_csv(COLUMNS, [ROW[:-1]])


# --- xlsx -------------------------------------------------------------------------------------


def test_xlsx_header_is_bold_frozen_and_filtered():
    ws = read_xlsx(write_xlsx(Sheet("Deelnames", COLUMNS, [ROW, ROW])))["Deelnames"]

    header = next(ws.iter_rows(max_row=1))
    assert [cell.value for cell in header] == [str(column.label) for column in COLUMNS]
    assert all(cell.font.bold for cell in header)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F3"


def test_xlsx_writes_typed_cells_with_dutch_number_formats():
    ws = read_xlsx(write_xlsx(Sheet("Deelnames", COLUMNS, [ROW])))["Deelnames"]
    name, minutes, day, verified_at, hours, reflection = next(ws.iter_rows(min_row=2))

    assert (name.value, name.data_type) == ("Zoë van den Berg", "s")
    assert (minutes.value, minutes.data_type, minutes.number_format) == (90, "n", "0")
    assert (day.value, day.number_format) == (datetime(2026, 11, 28), "DD-MM-YYYY")
    assert day.is_date
    assert verified_at.value == datetime(2026, 11, 28, 14, 5)
    assert verified_at.number_format == "DD-MM-YYYY HH:MM"
    assert (hours.value, hours.data_type, hours.number_format) == (12.5, "n", "0.0")
    assert reflection.value == "Goed gesprek met bewoners."


def test_xlsx_converts_summer_times_to_amsterdam_and_drops_the_zone():
    sheet = Sheet("T", [Column("t", "T", "datetime")], [(SUMMER_UTC,)])
    cell = read_xlsx(write_xlsx(sheet))["T"]["A2"]

    assert cell.value == datetime(2026, 7, 1, 14, 0)


def test_xlsx_column_widths_come_from_the_column_or_its_kind():
    ws = read_xlsx(write_xlsx(Sheet("Deelnames", COLUMNS, [ROW])))["Deelnames"]
    widths = {letter: dim.width for letter, dim in ws.column_dimensions.items()}

    assert widths["F"] == 60
    assert widths["A"] == 30
    assert widths["C"] == 12
    # A long label widens its column beyond the kind's default.
    assert widths["D"] == len("Geverifieerd op") + 4


@pytest.mark.parametrize("value", [*FORMULAS, "#N/A", "#DIV/0!"])
def test_xlsx_keeps_formula_like_text_as_an_unchanged_string_cell(value):
    data = write_xlsx(text_sheet([value]))
    cell = read_xlsx(data)["Tekst"]["A2"]

    assert (cell.value, cell.data_type) == (value.replace("\r", "\n"), "s")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_xlsx_keeps_every_cell_of_a_mixed_row_as_written():
    columns = [
        Column("a", "A"),
        Column("b", "B"),
        Column("c", "C"),
        Column("n", "N", "int"),
        Column("d", "D"),
    ]
    rows = [("=1+1", "gewoon", "=2+2", 5, "#N/A"), ("tekst", "=3+3", None, 6, "=4+4")]
    ws = read_xlsx(write_xlsx(Sheet("T", columns, rows)))["T"]

    written = [[(c.value, c.data_type) for c in row] for row in ws.iter_rows(min_row=2)]
    assert written == [
        [("=1+1", "s"), ("gewoon", "s"), ("=2+2", "s"), (5, "n"), ("#N/A", "s")],
        [("tekst", "s"), ("=3+3", "s"), (None, "n"), (6, "n"), ("=4+4", "s")],
    ]


def test_xlsx_keeps_a_formula_like_label_as_a_string_cell():
    cell = read_xlsx(write_xlsx(Sheet("T", [Column("x", "=1+1")], [])))["T"]["A1"]

    assert (cell.value, cell.data_type) == ("=1+1", "s")


def test_xlsx_removes_control_characters_instead_of_failing():
    values = ["\x01\x02", "Zoë\x00 van\x07 den\x1b Berg\x0b"]
    ws = read_xlsx(write_xlsx(text_sheet(values)))["Tekst"]

    cleaned = [value for (value,) in ws.iter_rows(min_row=2, values_only=True)]
    assert cleaned == [None, "Zoë van den Berg"]


def test_xlsx_round_trips_names_long_text_and_newlines():
    values = [*NAMES, LONG_TEXT, "Eerste regel\nTweede regel", "  spaties eromheen  "]
    ws = read_xlsx(write_xlsx(text_sheet(values)))["Tekst"]

    assert [row[0] for row in ws.iter_rows(min_row=2, values_only=True)] == values


def test_xlsx_writes_line_ends_as_line_feeds():
    ws = read_xlsx(write_xlsx(text_sheet([MULTILINE, "a\rb"])))["Tekst"]

    assert [row[0] for row in ws.iter_rows(min_row=2, values_only=True)] == [
        'Eerste regel\nTweede regel;met puntkomma\nDerde "citaat"',
        "a\nb",
    ]


def test_xlsx_leaves_none_values_empty():
    ws = read_xlsx(write_xlsx(Sheet("Leeg", COLUMNS, [(None,) * len(COLUMNS), ROW])))["Leeg"]

    assert list(ws.iter_rows(min_row=2, max_row=2, values_only=True)) == [(None,) * len(COLUMNS)]
    assert ws.max_row == 3


def test_xlsx_writes_lazy_labels_as_their_text(app):
    ws = read_xlsx(write_xlsx(Sheet("T", [Column("name", _l("Naam"))], [])))["T"]

    assert ws["A1"].value == "Naam"


def test_xlsx_with_no_rows_has_only_the_header():
    ws = read_xlsx(write_xlsx(Sheet("Leeg", COLUMNS, iter(()))))["Leeg"]

    assert list(ws.iter_rows(values_only=True)) == [tuple(str(c.label) for c in COLUMNS)]
    assert ws.auto_filter.ref == "A1:F1"


def test_xlsx_writes_each_sheet_in_order():
    goals = [Column("title", "Leerdoel"), Column("status", "Status")]
    workbook = read_xlsx(
        write_xlsx(
            Sheet("Deelnames", COLUMNS, [ROW]),
            Sheet("Leerdoelen", goals, [("Gesprek voeren", "actief"), ("Plannen", "concept")]),
        )
    )

    assert workbook.sheetnames == ["Deelnames", "Leerdoelen"]
    assert workbook["Deelnames"]["A2"].value == "Zoë van den Berg"
    assert list(workbook["Leerdoelen"].iter_rows(values_only=True)) == [
        ("Leerdoel", "Status"),
        ("Gesprek voeren", "actief"),
        ("Plannen", "concept"),
    ]


@pytest.mark.parametrize(
    ("titles", "expected"),
    [
        (["Deelnames 2025/2026"], ["Deelnames 2025-2026"]),
        (["[Team] *Noord*?"], ["Team Noord"]),
        (["Leerdoelen: a\\b"], ["Leerdoelen a-b"]),
        (["'Wijk'"], ["Wijk"]),
        (["Leerdoelen van het wijkteam Noord-Oost 2026"], ["Leerdoelen van het wijkteam Noo"]),
        (["", "???"], ["Blad 1", "Blad 2"]),
        (["Doelen", "doelen", "Doelen"], ["Doelen", "doelen (2)", "Doelen (3)"]),
        (["a" * 40, "a" * 40], ["a" * 31, "a" * 27 + " (2)"]),
    ],
)
def test_xlsx_cleans_sheet_titles_into_ones_excel_accepts(titles, expected):
    data = write_xlsx(*(Sheet(title, [Column("x", "X")], []) for title in titles))

    assert read_xlsx(data).sheetnames == expected


def test_xlsx_yields_chunks_of_64_kib():
    # Hashes barely compress, so the workbook spans several chunks.
    rows = ((hashlib.sha256(str(n).encode()).hexdigest(),) for n in range(5_000))
    chunks = list(xlsx_chunks([Sheet("Groot", [Column("text", "Tekst")], rows)]))

    # The fixed parts first (before any row), then 64 KiB at a time, then the rest.
    assert len(chunks) > 3
    assert 0 < len(chunks[0]) < XLSX_CHUNK_BYTES
    assert all(len(chunk) == XLSX_CHUNK_BYTES for chunk in chunks[1:-1])
    assert 0 < len(chunks[-1]) <= XLSX_CHUNK_BYTES
    assert read_xlsx(b"".join(chunks))["Groot"].max_row == 5_001


@pytest.fixture
def private_tempdir(tmp_path, monkeypatch):
    """Every temporary file (ours and openpyxl's) goes to an empty folder the test can inspect."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def test_xlsx_leaves_no_temporary_files_behind(private_tempdir):
    write_xlsx(Sheet("Deelnames", COLUMNS, [ROW]), Sheet("Leeg", COLUMNS, []))

    assert os.listdir(private_tempdir) == []


def test_xlsx_leaves_no_temporary_files_when_the_reader_stops_early(private_tempdir):
    chunks = xlsx_chunks([Sheet("Deelnames", COLUMNS, [ROW] * 2_000)])
    next(chunks)
    chunks.close()

    assert os.listdir(private_tempdir) == []


def test_xlsx_leaves_no_temporary_files_when_the_rows_fail(private_tempdir):
    def rows():
        yield ROW
        raise RuntimeError("database gone")

    sheets = [Sheet("Eerste", COLUMNS, [ROW]), Sheet("Tweede", COLUMNS, rows())]
    with pytest.raises(RuntimeError, match="database gone"):
        write_xlsx(*sheets)

    assert os.listdir(private_tempdir) == []


def test_xlsx_rejects_a_row_with_the_wrong_number_of_values(private_tempdir):
    with pytest.raises(ValueError):
        write_xlsx(Sheet("Deelnames", COLUMNS, [ROW + ("extra",)]))

    assert os.listdir(private_tempdir) == []


# --- memory -----------------------------------------------------------------------------------

# 20,000 rows show that the peak does not grow with the rows (it is the same at 100,000: see
# `make bench` for the 100,000-row export) while keeping the xlsx test under half a minute.
BIG_ROWS = 20_000
BIG_COLUMNS = [
    Column("student", "Student"),
    Column("team", "Team"),
    Column("title", "Taak"),
    Column("role", "Rol"),
    Column("minutes", "Minuten", "int"),
    Column("date", "Datum", "date"),
    Column("verified_at", "Geverifieerd op", "datetime"),
    Column("hours", "Uren", "decimal"),
]
# Measured with tracemalloc (CPython 3.11): 100,000 of the rows below held in a list take 58 MB
# (20,000 about 12 MB); csv_chunks peaks at 0.7 MB (one 500-row chunk of text and its copy) and
# xlsx_chunks at 0.9 MB (a 64 K piece of XML, its bytes and zlib's state), whatever the count.
# The bounds leave room for other versions yet fail long before a writer holds its rows.
WRITER_PEAK_LIMIT = 4 * 1024 * 1024
WRITER_PEAK_FRACTION_OF_LIST = 0.1


def big_rows(count: int = BIG_ROWS):
    """Fresh objects per row, like a database cursor: the generator holds nothing itself."""
    start = datetime(2026, 9, 1, 7, 30, tzinfo=UTC)
    for n in range(count):
        yield (
            f"Student {n} Ayşe Yılmaz",
            f"Team Noord {n % 40}",
            f"Buurtmaaltijd organiseren in de Vogelbuurt, week {n % 52}",
            ("lead", "co-organiser", "support")[n % 3],
            30 + n % 240,
            date(2026, 9, 1) + timedelta(days=n % 300),
            start + timedelta(minutes=7 * n),
            Decimal(n % 1000) / 8,
        )


def traced_peak(consume) -> int:
    tracemalloc.start()
    try:
        consume()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.fixture(scope="module")
def list_of_rows_size() -> int:
    """What holding the rows would take: the yardstick for the writers' peaks."""

    def hold():
        rows = list(big_rows())
        assert len(rows) == BIG_ROWS

    return traced_peak(hold)


def drain(chunks) -> int:
    total = 0
    for chunk in chunks:
        total += len(chunk)
    return total


def test_csv_memory_stays_flat_for_20000_rows(list_of_rows_size):
    written = []
    peak = traced_peak(lambda: written.append(drain(csv_chunks(BIG_COLUMNS, big_rows()))))

    assert written[0] > 1_000_000
    assert peak < WRITER_PEAK_LIMIT
    assert peak < list_of_rows_size * WRITER_PEAK_FRACTION_OF_LIST


# Flatness is shown by the peak staying the same while the rows grow fourfold.
XLSX_ROWS = (5_000, BIG_ROWS)


def test_xlsx_memory_stays_flat_as_the_rows_grow():
    peaks = {}
    for count in XLSX_ROWS:
        written = []
        sheets = [Sheet("Deelnames", BIG_COLUMNS, big_rows(count))]
        peaks[count] = traced_peak(lambda s=sheets, w=written: w.append(drain(xlsx_chunks(s))))
        assert written[0] > 40 * count  # every row is in the file (about 50 bytes a row, zipped)

    small, large = (peaks[c] for c in XLSX_ROWS)
    assert large < WRITER_PEAK_LIMIT
    assert large < small * 1.5  # four times the rows, not more memory
