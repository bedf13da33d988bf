"""The exam committee's bundle: the issued statements of a school and period as one zip of PDFs
with an xlsx summary (overzicht.xlsx). Nothing here reads the database; the caller passes the
PDFs and one plain row per statement."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from wijklab.clock import now
from wijklab.exports.writers import Column, Sheet, xlsx_chunks

SUMMARY_NAME = "overzicht.xlsx"
FALLBACK_STEM = "verklaring"
STEM_MAX = 100  # characters; with " (12).pdf" well within every file system's 255

# What Windows refuses in a file name (and the path separators everywhere), and control
# characters: each becomes a space, so "Zoë Ayşe/.." keeps its letters and loses its path.
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {
    f"{device}{number}" for device in ("COM", "LPT") for number in "123456789"
}

COLUMNS = [
    Column("student", _l("Student"), width=30),
    Column("student_number", _l("Studentnummer"), width=16),
    Column("school", _l("School"), width=30),
    Column("team", _l("Team"), width=24),
    Column("project", _l("Project"), width=30),
    Column("period_start", _l("Periode van"), "date"),
    Column("cutoff", _l("Stand per"), "date"),
    Column("total_hours", _l("Totaal uren"), "decimal"),
    Column("collective_hours", _l("Collectief"), "decimal"),
    Column("study_assignment_hours", _l("Studieopdracht"), "decimal"),
    Column("individual_hours", _l("Individuele ondersteuning"), "decimal"),
    Column("agreed_hours", _l("Afgesproken BPV-uren"), "decimal"),
    Column("goals_signed_off", _l("Afgetekende leerdoelen"), "int"),
    Column("framework_codes", _l("Kerntaken/competenties"), width=40),
    Column("code", _l("Verificatiecode"), width=22),
    Column("issued_at", _l("Uitgegeven op"), "datetime"),
    Column("issued_by", _l("Uitgegeven door"), width=24),
    Column("confirmed_by", _l("Bevestigd door"), width=24),
]
_HOURS = {column.key for column in COLUMNS if column.kind == "decimal"}


def exam_bundle(pdfs: Iterable[tuple[str, bytes]], rows: Sequence[dict]) -> bytes:
    """A deflated zip: overzicht.xlsx (one row per statement) and every PDF under its own name,
    made safe for any file system and unique in the zip ("Naam.pdf", "Naam (2).pdf")."""
    buffer = io.BytesIO()
    taken = {SUMMARY_NAME.casefold()}
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_entry(SUMMARY_NAME), b"".join(xlsx_chunks([summary_sheet(rows)])))
        for name, data in pdfs:
            archive.writestr(_entry(unique_name(safe_stem(name), taken)), data)
    return buffer.getvalue()


def summary_sheet(rows: Sequence[dict]) -> Sheet:
    """The summary's one sheet: the columns above, hours as numbers with one decimal."""
    return Sheet(
        str(_l("Verklaringen")),
        COLUMNS,
        ([_cell(column.key, row.get(column.key)) for column in COLUMNS] for row in rows),
    )


def _cell(key: str, value: object) -> object:
    if key in _HOURS and value is not None and not isinstance(value, Decimal | int | float):
        return Decimal(str(value))
    return value


def safe_stem(name: str) -> str:
    """A file name's stem that every file system and unzip tool takes: no path, no characters
    Windows refuses, no leading dot, composed Unicode (é as one character), at most 100 long."""
    stem = unicodedata.normalize("NFC", name or "")
    if stem.casefold().endswith(".pdf"):
        stem = stem[:-4]
    stem = " ".join(_UNSAFE.sub(" ", stem).split())
    stem = stem[:STEM_MAX].strip(" .")
    if not stem:
        return FALLBACK_STEM
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = f"_{stem}"
    return stem


def unique_name(stem: str, taken: set[str]) -> str:
    """``stem.pdf``, or ``stem (2).pdf`` and on when the name (ignoring case) is taken; adds it."""
    candidate, copy = f"{stem}.pdf", 2
    while candidate.casefold() in taken:
        candidate = f"{stem} ({copy}).pdf"
        copy += 1
    taken.add(candidate.casefold())
    return candidate


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16  # a plain file anyone may read once unpacked
    return info
