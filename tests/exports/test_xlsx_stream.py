"""The streamed xlsx writer: bytes go out while rows come in, and Excel's readers get it back."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from xml.parsers import expat

import openpyxl
import pytest

from wijklab.exports.writers import XLSX_CELL_MAX, XLSX_CHUNK_BYTES, Column, Sheet, xlsx_chunks

STREAM_ROWS = 60_000
KINDS = [
    Column("text", "Tekst"),
    Column("int", "Aantal", "int"),
    Column("date", "Datum", "date"),
    Column("datetime", "Tijdstip", "datetime"),
    Column("decimal", "Uren", "decimal"),
]
PARTS = [
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/styles.xml",
    "xl/worksheets/sheet1.xml",
    "xl/worksheets/sheet2.xml",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
]


def write(*sheets: Sheet) -> bytes:
    return b"".join(xlsx_chunks(list(sheets)))


def load(data: bytes, **options) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data), **options)


def values(data: bytes, title: str) -> list[tuple]:
    return list(load(data)[title].iter_rows(min_row=2, values_only=True))


def counted_rows(count: int, taken: list[int]):
    """Rows like a database cursor's, counting in ``taken`` how many were read."""
    start = datetime(2026, 9, 1, 7, 30, tzinfo=UTC)
    for n in range(count):
        taken[0] = n + 1
        yield (
            f"Deelname {n} van Ayşe Yılmaz aan de buurtmaaltijd",
            n,
            date(2026, 9, 1) + timedelta(days=n % 300),
            start + timedelta(minutes=7 * n),
            Decimal(n % 1000) / 8,
        )


# --- streaming --------------------------------------------------------------------------------


def test_the_fixed_parts_go_out_before_a_row_is_read():
    # A view's query must not start before the response streams (a PostgreSQL server-side
    # cursor opened while the request is torn down is closed under it): the first chunk needs
    # no row, as CSV's header.
    taken = [0]
    chunks = xlsx_chunks([Sheet("Deelnames", KINDS, counted_rows(STREAM_ROWS, taken))])

    first = next(chunks)
    read_at_first_chunk = taken[0]
    chunks.close()

    assert first.startswith(b"PK\x03\x04")
    assert b"[Content_Types].xml" in first
    assert read_at_first_chunk == 0


def test_first_full_chunk_comes_long_before_the_rows_are_read():
    taken = [0]
    chunks = xlsx_chunks([Sheet("Deelnames", KINDS, counted_rows(STREAM_ROWS, taken))])

    next(chunks)  # the fixed parts
    second = next(chunks)
    read_at_second_chunk = taken[0]
    chunks.close()

    assert len(second) == XLSX_CHUNK_BYTES
    assert 0 < read_at_second_chunk < STREAM_ROWS // 10


def test_chunks_keep_coming_as_the_rows_are_read():
    taken = [0]
    read_at_each_chunk = []
    for _chunk in xlsx_chunks([Sheet("Deelnames", KINDS, counted_rows(STREAM_ROWS, taken))]):
        read_at_each_chunk.append(taken[0])

    # Every chunk but the last few (the footer, the workbook, the zip's directory) comes while
    # rows are still being read, and none waits for more than a small share of them.
    while_reading = [n for n in read_at_each_chunk if n < STREAM_ROWS]
    steps = [b - a for a, b in zip([0, *while_reading], while_reading, strict=False)]
    assert len(while_reading) >= len(read_at_each_chunk) - 2
    assert len(while_reading) > 10
    assert max(steps) < STREAM_ROWS // 10


def test_a_60000_row_sheet_is_whole_and_in_order():
    taken = [0]
    data = write(Sheet("Deelnames", KINDS, counted_rows(STREAM_ROWS, taken)))
    sheet = load(data, read_only=True)["Deelnames"]

    rows = sheet.iter_rows(values_only=True)
    assert next(rows) == ("Tekst", "Aantal", "Datum", "Tijdstip", "Uren")
    count = 0
    for count, row in enumerate(rows, 1):
        assert row[1] == count - 1
    assert count == STREAM_ROWS
    assert taken[0] == STREAM_ROWS
    assert row == (
        f"Deelname {STREAM_ROWS - 1} van Ayşe Yılmaz aan de buurtmaaltijd",
        STREAM_ROWS - 1,
        datetime(2026, 9, 1) + timedelta(days=(STREAM_ROWS - 1) % 300),
        datetime(2026, 9, 1, 9, 30) + timedelta(minutes=7 * (STREAM_ROWS - 1)),
        (STREAM_ROWS - 1) % 1000 / 8,
    )


def test_the_zip_is_streamed_with_data_descriptors_and_every_part_deflated():
    data = write(Sheet("Een", KINDS, []), Sheet("Twee", KINDS, []))

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        infos = archive.infolist()
        assert [info.filename for info in infos] == PARTS
        # Bit 3: sizes and checksum follow the data, so nothing was sought back in the output.
        assert all(info.flag_bits & 0x08 for info in infos)
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in infos)
        for name in PARTS:
            # Every part is well-formed XML (expat raises on the first fault).
            assert expat.ParserCreate().Parse(archive.read(name), True) == 1


# --- round trip -------------------------------------------------------------------------------


def test_every_kind_round_trips_with_its_type_and_format():
    rows = [
        ("Zoë", 90, date(2026, 11, 28), datetime(2026, 11, 28, 13, 5, tzinfo=UTC), Decimal("12.5")),
        (None, None, None, None, None),
        ("Ayşe", -3, date(1999, 12, 31), datetime(2026, 7, 1, 12, 0), 0.25),
        ("🎉 feest", 0, date(2024, 2, 29), datetime(2026, 3, 29, 0, 59, tzinfo=UTC), 3),
    ]
    sheet = load(write(Sheet("Soorten", KINDS, rows)))["Soorten"]
    cells = list(sheet.iter_rows(min_row=2))

    assert [[cell.value for cell in row] for row in cells] == [
        ["Zoë", 90, datetime(2026, 11, 28), datetime(2026, 11, 28, 14, 5), 12.5],
        [None] * 5,
        # A naive timestamp is UTC: 12:00 UTC is 14:00 summer time in Amsterdam.
        ["Ayşe", -3, datetime(1999, 12, 31), datetime(2026, 7, 1, 14, 0), 0.25],
        # 00:59 UTC on the day summer time starts is 01:59 winter time, still.
        ["🎉 feest", 0, datetime(2024, 2, 29), datetime(2026, 3, 29, 1, 59), 3],
    ]
    text, number, day, moment, hours = cells[0]
    assert (text.data_type, number.data_type, hours.data_type) == ("s", "n", "n")
    assert [c.number_format for c in cells[0][1:]] == [
        "0",
        "DD-MM-YYYY",
        "DD-MM-YYYY HH:MM",
        "0.0",
    ]
    assert day.is_date and moment.is_date


def test_a_timestamp_in_a_date_column_counts_on_the_amsterdam_calendar():
    rows = [(datetime(2026, 11, 28, 23, 30, tzinfo=UTC),)]
    data = write(Sheet("T", [Column("day", "Dag", "date")], rows))

    assert values(data, "T") == [(datetime(2026, 11, 29),)]


def test_dates_before_march_1900_keep_excels_day_numbers():
    days = [date(1900, 1, 1), date(1900, 2, 28), date(1900, 3, 1)]
    data = write(Sheet("T", [Column("day", "Dag", "date")], [(day,) for day in days]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()

    # Excel's serials: 1 January 1900 is 1, 28 February 59, and (after its 29 February) 1 March 61.
    serials = [part[part.index("<v>") :] for part in sheet_xml.split("</c>")[1:4]]
    assert serials == ["<v>1</v>", "<v>59</v>", "<v>61</v>"]
    assert values(data, "T") == [(datetime.combine(day, datetime.min.time()),) for day in days]


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        '=HYPERLINK("http://evil.example","klik")',
        "+31 6 12345678",
        "-1",
        "@SUM(A1)",
        "#N/A",
        "<b>vet</b> & 'citaat' \"dubbel\" ]]>",
        "  spaties eromheen  ",
        "\ttab vooraan",
        "Eerste regel\nTweede regel",
        "Zoë 👩🏽‍🏫 Ayşe 李雷",
    ],
)
def test_text_stays_the_same_string(text):
    data = write(Sheet("Tekst", [Column("text", "Tekst")], [(text,)]))
    cell = load(data)["Tekst"]["A2"]

    assert (cell.value, cell.data_type) == (text, "s")


def test_characters_xml_refuses_are_dropped_and_line_ends_become_line_feeds():
    texts = [
        "a\x00b\x08c\x0bd\x1fe",
        "lone \ud800surrogate",
        "niet\ufffe een\uffff teken",
        "a\r\nb\rc",
    ]
    data = write(Sheet("Tekst", [Column("text", "Tekst")], [(text,) for text in texts]))

    assert values(data, "Tekst") == [
        ("abcde",),
        ("lone surrogate",),
        ("niet een teken",),
        ("a\nb\nc",),
    ]


def test_text_is_cut_at_excels_limit_per_cell():
    data = write(Sheet("Tekst", [Column("text", "Tekst")], [("ë" * 40_000,)]))

    assert values(data, "Tekst") == [("ë" * XLSX_CELL_MAX,)]


def test_a_value_of_the_wrong_type_becomes_text_not_a_broken_file():
    columns = [
        Column("n", "N", "int"),
        Column("h", "H", "decimal"),
        Column("d", "D", "date"),
        Column("t", "T", "datetime"),
    ]
    rows = [("12", Decimal("NaN"), "morgen", float("inf"))]
    cells = next(load(write(Sheet("T", columns, rows)))["T"].iter_rows(min_row=2))

    assert [(cell.value, cell.data_type) for cell in cells] == [
        ("12", "s"),
        ("NaN", "s"),
        ("morgen", "s"),
        ("inf", "s"),
    ]


def test_numbers_keep_their_precision():
    rows = [(2**53 + 1, Decimal("1234567.891")), (True, 1e-7), (-0, Decimal("-0.5"))]
    columns = [Column("n", "N", "int"), Column("h", "H", "decimal")]

    assert values(write(Sheet("T", columns, rows)), "T") == [
        (2**53 + 1, 1234567.891),
        (1, 1e-7),
        (0, -0.5),
    ]


# --- sheets -----------------------------------------------------------------------------------


def test_several_sheets_with_clashing_and_long_titles():
    titles = ["Deelnames", "deelnames", "Leerdoelen van het wijkteam Noord-Oost 2026", "[x]*?"]
    sheets = [
        Sheet(title, [Column("n", "Nummer", "int")], [(number,)])
        for number, title in enumerate(titles, 1)
    ]
    workbook = load(write(*sheets))

    assert workbook.sheetnames == [
        "Deelnames",
        "deelnames (2)",
        "Leerdoelen van het wijkteam Noo",
        "x",
    ]
    assert [ws["A2"].value for ws in workbook.worksheets] == [1, 2, 3, 4]
    assert [ws.sheet_view.tabSelected for ws in workbook.worksheets] == [True, None, None, None]
    assert all(ws.freeze_panes == "A2" for ws in workbook.worksheets)
    assert [ws.auto_filter.ref for ws in workbook.worksheets] == ["A1:A2"] * 4


def test_each_autofilter_has_the_hidden_name_excel_gives_it():
    data = write(
        Sheet("Team 'Noord' 2026", KINDS, [("a", 1, None, None, None)] * 3),
        Sheet("Leeg", KINDS, []),
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        workbook_xml = archive.read("xl/workbook.xml").decode()

    assert '<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">' in workbook_xml
    assert "'Team ''Noord'' 2026'!$A$1:$E$4</definedName>" in workbook_xml
    assert "'Leeg'!$A$1:$E$1</definedName>" in workbook_xml


def test_an_empty_sheet_has_its_header_widths_pane_and_filter():
    sheet = load(write(Sheet("Leeg", KINDS, iter(()))))["Leeg"]

    assert list(sheet.iter_rows(values_only=True)) == [
        ("Tekst", "Aantal", "Datum", "Tijdstip", "Uren")
    ]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E1"
    assert [sheet.column_dimensions[letter].width for letter in "ABCDE"] == [30, 10, 12, 17, 10]


def test_a_sheet_without_columns_is_still_a_workbook():
    workbook = load(write(Sheet("Niets", [], [(), ()])))

    assert workbook.sheetnames == ["Niets"]
    assert list(workbook["Niets"].iter_rows(values_only=True)) == []
