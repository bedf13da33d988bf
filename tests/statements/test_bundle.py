"""The exam committee's bundle: one zip with the statement PDFs under safe, unique names and an
xlsx summary read back with openpyxl."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest

from wijklab.statements.bundle import SUMMARY_NAME, exam_bundle, safe_stem

HEADERS = [
    "Student",
    "Studentnummer",
    "School",
    "Team",
    "Project",
    "Periode van",
    "Stand per",
    "Totaal uren",
    "Collectief",
    "Studieopdracht",
    "Individuele ondersteuning",
    "Afgesproken BPV-uren",
    "Afgetekende leerdoelen",
    "Kerntaken/competenties",
    "Verificatiecode",
    "Uitgegeven op",
    "Uitgegeven door",
    "Bevestigd door",
]


def row(**changes) -> dict:
    values = {
        "student": "Ayşe Yılmaz",
        "student_number": "0123456",
        "school": "ROC Amsterdam",
        "team": "Team Noord",
        "project": "Buurtkamer Noord",
        "period_start": date(2026, 9, 1),
        "cutoff": date(2027, 1, 31),
        "total_hours": Decimal("75.5"),
        "collective_hours": Decimal("60.0"),
        "study_assignment_hours": Decimal("10.0"),
        "individual_hours": Decimal("5.5"),
        "agreed_hours": 80,
        "goals_signed_off": 3,
        "framework_codes": "B1-K1-W2, B1-K2",
        "code": "7KQ2-M9XD-PA4R-TW3H",
        "issued_at": datetime(2026, 11, 28, 14, 5, tzinfo=UTC),
        "issued_by": "Fatima El Amrani",
        "confirmed_by": "Sanne de Vries",
    }
    values.update(changes)
    return values


def read_zip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert {info.compress_type for info in archive.infolist()} == {zipfile.ZIP_DEFLATED}
        return {name: archive.read(name) for name in archive.namelist()}


def read_summary(data: bytes) -> list[tuple]:
    workbook = openpyxl.load_workbook(io.BytesIO(read_zip(data)[SUMMARY_NAME]))
    (sheet,) = workbook.worksheets
    return [tuple(cell.value for cell in line) for line in sheet.iter_rows()], sheet


def test_bundle_holds_every_pdf_and_the_summary(app):
    pdfs = [("Ayşe Yılmaz 7KQ2.pdf", b"%PDF-1 een"), ("Daan de Vries 9XD4.pdf", b"%PDF-1 twee")]

    files = read_zip(exam_bundle(pdfs, [row(), row(student="Daan de Vries")]))

    assert list(files) == [SUMMARY_NAME, "Ayşe Yılmaz 7KQ2.pdf", "Daan de Vries 9XD4.pdf"]
    assert files["Ayşe Yılmaz 7KQ2.pdf"] == b"%PDF-1 een"
    assert files["Daan de Vries 9XD4.pdf"] == b"%PDF-1 twee"


def test_summary_has_dutch_headers_and_typed_values(app):
    rows, sheet = read_summary(exam_bundle([], [row()]))

    assert list(rows[0]) == HEADERS
    values = dict(zip(HEADERS, rows[1], strict=True))
    assert values["Student"] == "Ayşe Yılmaz"
    assert values["Studentnummer"] == "0123456"  # text: a leading zero stays
    assert values["Periode van"] == datetime(2026, 9, 1)
    assert values["Stand per"] == datetime(2027, 1, 31)
    assert values["Totaal uren"] == 75.5
    assert values["Collectief"] == 60
    assert values["Studieopdracht"] == 10
    assert values["Individuele ondersteuning"] == 5.5
    assert values["Afgesproken BPV-uren"] == 80
    assert values["Afgetekende leerdoelen"] == 3
    assert values["Kerntaken/competenties"] == "B1-K1-W2, B1-K2"
    assert values["Verificatiecode"] == "7KQ2-M9XD-PA4R-TW3H"
    assert values["Uitgegeven op"] == datetime(2026, 11, 28, 15, 5)  # Amsterdam time
    assert values["Uitgegeven door"] == "Fatima El Amrani"
    assert values["Bevestigd door"] == "Sanne de Vries"
    hours = sheet.cell(row=2, column=HEADERS.index("Totaal uren") + 1)
    assert hours.data_type == "n" and hours.number_format == "0.0"


def test_summary_keeps_missing_values_empty_and_text_as_text(app):
    rows, _ = read_summary(
        exam_bundle([], [row(student="=HYPERLINK(1)", agreed_hours=None, confirmed_by=None)])
    )

    values = dict(zip(HEADERS, rows[1], strict=True))
    assert values["Student"] == "=HYPERLINK(1)"  # a string cell, never a formula
    assert values["Afgesproken BPV-uren"] is None
    assert values["Bevestigd door"] is None


def test_hours_given_as_text_or_float_are_numbers(app):
    rows, _ = read_summary(exam_bundle([], [row(total_hours="12.5", collective_hours=7.25)]))

    values = dict(zip(HEADERS, rows[1], strict=True))
    assert values["Totaal uren"] == 12.5
    assert values["Collectief"] == 7.25


def test_an_empty_bundle_holds_a_summary_with_headers_only(app):
    files = read_zip(exam_bundle([], []))
    rows, _ = read_summary(exam_bundle([], []))

    assert list(files) == [SUMMARY_NAME]
    assert rows == [tuple(HEADERS)]


def test_file_names_are_safe_and_unique(app):
    names = [
        "Zoë Ayşe/../../etc/passwd",
        "Zoë Ayşe/../../etc/passwd",
        "Zoe\u0308 Ayşe.pdf",  # the same name with a decomposed ë
        "zoë ayşe.PDF",  # the same name in other letters
        "..",
        "",
        "CON",
        "overzicht.xlsx",
        "C:\\Users\\Naam: <test>?*|.pdf",
        "regel\neinde\t.pdf",
        "a" * 300,
    ]
    pdfs = [(name, f"pdf {number}".encode()) for number, name in enumerate(names)]

    files = read_zip(exam_bundle(pdfs, []))

    pdf_names = list(files)[1:]
    assert len(pdf_names) == len(names)
    assert [files[name] for name in pdf_names] == [f"pdf {n}".encode() for n in range(len(names))]
    assert len({name.casefold() for name in files}) == len(files)
    for name in pdf_names:
        assert name.endswith(".pdf")
        assert not name.startswith((".", " "))
        assert not set(name) & set('/\\:<>"|?*\n\t')
        assert len(name.encode()) <= 255
    assert pdf_names[:4] == [
        "Zoë Ayşe .. .. etc passwd.pdf",
        "Zoë Ayşe .. .. etc passwd (2).pdf",
        "Zoë Ayşe.pdf",
        "zoë ayşe (2).pdf",
    ]
    assert pdf_names[4:8] == [
        "verklaring.pdf",
        "verklaring (2).pdf",
        "_CON.pdf",
        "overzicht.xlsx.pdf",
    ]


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Ayşe Yılmaz 7KQ2.pdf", "Ayşe Yılmaz 7KQ2"),
        ("../geheim", "geheim"),
        (" .verborgen. ", "verborgen"),
        ("Zoe\u0308", "Zoë"),
        ("nul.txt", "_nul.txt"),
        ("???", "verklaring"),
    ],
)
def test_safe_stem(name, stem):
    assert safe_stem(name) == stem
