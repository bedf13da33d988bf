"""Importing students from the school's own list (CSV or xlsx): parse, match the columns,
check every row, plan (the dry run) and apply, all or nothing.

The student number is the key, unique within a school: importing the same file again changes
nothing, a changed row updates that student and says what, and students of the school who are
not in the file are listed, never deleted. New students get an invitation to choose their own
password. Between the dry run and the confirmation the parsed file waits in an ``ImportStore``
(one owner-only JSON file per upload, bound to the user who uploaded it)."""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import secrets
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from wijklab import clock
from wijklab.accounts import services
from wijklab.accounts.models import (
    COHORT_MAX,
    NAME_MAX,
    PROGRAMME_MAX,
    STUDENT_NUMBER_MAX,
    Level,
    Role,
    StudentProfile,
    User,
)
from wijklab.accounts.permissions import invitable_roles
from wijklab.accounts.signals import announce, invitation_issued
from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.organisations.models import Organisation, OrganisationKind

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 60
MAX_CELL = 1000
KEEP_SECONDS = 24 * 3600
# Bulk look-ups go in chunks: SQLite and PostgreSQL both take a few hundred parameters easily.
CHUNK = 500


class ImportFileError(WijklabError):
    """The file as a whole cannot be read (wrong kind, encoding, empty, too big, too long)."""


class ImportRejected(WijklabError):
    """The import has rows with errors: nothing is written."""


def can_import_students(user: User) -> bool:
    """Whoever may invite students (admins and wijkdocenten) may import them."""
    return Role.STUDENT in invitable_roles(user)


# --- fields and headers ----------------------------------------------------------------------

FIELD_LABELS = {
    "student_number": _l("Studentnummer"),
    "name": _l("Naam"),
    "first_name": _l("Voornaam"),
    "last_name": _l("Achternaam"),
    "email": _l("E-mailadres"),
    "school": _l("School"),
    "level": _l("Niveau"),
    "programme": _l("Opleiding"),
    "crebo": _l("Crebo"),
    "study_year": _l("Leerjaar"),
    "weekdays": _l("Beschikbare dagen"),
    "hours_per_week": _l("Uren per week"),
    "agreed_bpv_hours": _l("BPV-uren"),
    "cohort": _l("Cohort"),
}
FIELDS = tuple(FIELD_LABELS)

# Header spellings, compared without case, spaces, hyphens or dots.
HEADER_ALIASES = {
    "student_number": (
        "studentnummer",
        "studentnr",
        "studentnumber",
        "studentno",
        "studentid",
        "leerlingnummer",
        "deelnemersnummer",
        "ovnummer",
    ),
    "name": ("naam", "name", "volledigenaam", "fullname", "studentnaam", "studentname"),
    "first_name": ("voornaam", "roepnaam", "firstname", "givenname"),
    "last_name": ("achternaam", "lastname", "surname", "familyname"),
    "email": ("email", "emailadres", "emailaddress", "mail", "mailadres"),
    "school": ("school", "onderwijsinstelling", "instelling", "institution"),
    "level": ("niveau", "level", "onderwijsniveau", "mbohbo"),
    "programme": ("opleiding", "programme", "program", "opleidingsnaam", "course"),
    "crebo": ("crebo", "crebonummer", "crebocode", "crebonumber"),
    "study_year": ("leerjaar", "jaar", "studiejaar", "year", "studyyear", "yearofstudy"),
    "weekdays": (
        "dagen",
        "beschikbaredagen",
        "beschikbaarheid",
        "weekdays",
        "days",
        "availabledays",
        "werkdagen",
    ),
    "hours_per_week": ("urenperweek", "hoursperweek", "weekuren"),
    "agreed_bpv_hours": (
        "bpvuren",
        "bpv",
        "afgesprokenuren",
        "afgesprokenbpvuren",
        "agreedhours",
        "agreedbpvhours",
        "bpvhours",
        "placementhours",
    ),
    "cohort": ("cohort", "lichting", "klas", "class", "group"),
}
_ALIAS_TO_FIELD = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}

WEEKDAY_NAMES = {
    0: ("ma", "maandag", "mon", "monday", "mo"),
    1: ("di", "dinsdag", "tue", "tues", "tuesday", "tu"),
    2: ("wo", "woensdag", "wed", "wednesday", "we"),
    3: ("do", "donderdag", "thu", "thur", "thurs", "thursday", "th"),
    4: ("vr", "vrijdag", "fri", "friday", "fr"),
    5: ("za", "zaterdag", "sat", "saturday", "sa"),
    6: ("zo", "zondag", "sun", "sunday", "su"),
}
_WEEKDAY_BY_NAME = {name: day for day, names in WEEKDAY_NAMES.items() for name in names}
WEEKDAY_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")


def header_key(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", (header or "").casefold())


def match_headers(headers: list[str]) -> dict[int, str]:
    """Column index → field, for the headers recognised in Dutch or English (first one wins)."""
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        name = _ALIAS_TO_FIELD.get(header_key(header))
        if name is not None and name not in mapping.values():
            mapping[index] = name
    return mapping


def mapping_problems(mapping: dict[int, str]) -> list:
    """What a column mapping lacks or doubles, as messages (empty when it will do)."""
    chosen = Counter(mapping.values())
    problems = [
        _l("De kolom %(field)s is twee keer gekozen.", field=FIELD_LABELS[name])
        for name, count in chosen.items()
        if count > 1
    ]
    for required in ("student_number", "email"):
        if required not in chosen:
            problems.append(_l("Kies een kolom voor %(field)s.", field=FIELD_LABELS[required]))
    if "name" not in chosen and not ("first_name" in chosen and "last_name" in chosen):
        problems.append(_l("Kies een kolom voor de naam (of voor voornaam én achternaam)."))
    return problems


# --- reading the file -----------------------------------------------------------------------


@dataclass
class Upload:
    """A file read into rows of text; ``formula_cells`` holds (row index, column index) of xlsx
    cells with a formula (refused, never evaluated); ``unknown`` the headers nobody matched."""

    filename: str
    headers: list[str]
    rows: list[list[str]]
    formula_cells: list[tuple[int, int]] = field(default_factory=list)

    @property
    def unknown_headers(self) -> list[int]:
        known = match_headers(self.headers)
        return [i for i, h in enumerate(self.headers) if i not in known and h.strip()]


def read_upload(raw: bytes, filename: str = "") -> Upload:
    """Read a CSV or xlsx file (by its content, not its name) into an ``Upload``."""
    if len(raw) > MAX_FILE_BYTES:
        raise ImportFileError(_l("Het bestand is groter dan 5 MB."), field="file")
    if not raw.strip():
        raise ImportFileError(_l("Het bestand is leeg."), field="file")
    if raw.startswith(b"PK\x03\x04"):
        upload = _read_xlsx(raw, filename)
    elif raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _l(
                "Dit is het oude Excel-formaat (.xls). Sla het bestand op als .xlsx of als "
                "CSV en probeer het opnieuw."
            ),
            field="file",
        )
    else:
        upload = _read_csv(_decode(raw), filename)
    if not upload.headers or not any(h.strip() for h in upload.headers):
        raise ImportFileError(_l("Het bestand is leeg."), field="file")
    if not upload.rows:
        raise ImportFileError(
            _l("Het bestand heeft alleen kopregels en geen studenten."), field="file"
        )
    return upload


def _too_many_rows() -> ImportFileError:
    return ImportFileError(
        _l(
            "Te veel rijen: een import heeft hoogstens %(n)s studenten. Splits het bestand.",
            n=f"{MAX_ROWS:,}".replace(",", "."),
        ),
        field="file",
    )


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 as Excel writes it; anything else, or
    binary content, is refused."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(
            _l(
                "Het bestand is in UTF-16 opgeslagen. Kies in Excel 'CSV UTF-8' of 'CSV "
                "(gescheiden door lijstscheidingsteken)'."
            ),
            field="file",
        )
    if b"\x00" in raw:
        raise ImportFileError(
            _l("Dit is geen CSV- of Excel-bestand (.xlsx). Kies een ander bestand."),
            field="file",
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                _l(
                    "De tekens in het bestand zijn niet te lezen (geen UTF-8 en geen "
                    "Windows-1252). Sla het op als 'CSV UTF-8' en probeer het opnieuw."
                ),
                field="file",
            ) from exc
    if any(ord(c) < 32 and c not in "\t\r\n" for c in text[:65536]):
        raise ImportFileError(
            _l("Dit is geen CSV- of Excel-bestand (.xlsx). Kies een ander bestand."),
            field="file",
        )
    return text


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most columns (`;` on a tie: Excel
    writes it in the Netherlands)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    best, best_count = ";", 0
    for delimiter in (";", ",", "\t"):
        count = len(next(csv.reader([first], delimiter=delimiter), []))
        if count > best_count:
            best, best_count = delimiter, count
    return best


def _read_csv(text: str, filename: str) -> Upload:
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    headers: list[str] | None = None
    rows: list[list[str]] = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            cells = [cell.strip()[:MAX_CELL] for cell in record[:MAX_COLUMNS]]
            if headers is None:
                headers = cells
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows()
            rows.append(cells)
    except csv.Error as exc:
        raise ImportFileError(
            _l("Het CSV-bestand is niet goed te lezen (regel %(n)s).", n=reader.line_num),
            field="file",
        ) from exc
    return Upload(filename=filename, headers=headers or [], rows=rows)


def _read_xlsx(raw: bytes, filename: str) -> Upload:
    from openpyxl import load_workbook

    not_xlsx = ImportFileError(
        _l(
            "Dit is geen leesbaar Excel-bestand (.xlsx). Sla het opnieuw op en probeer het "
            "nog eens."
        ),
        field="file",
    )
    try:
        # data_only=False: a formula stays a formula, so it is refused, never taken for a value.
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise not_xlsx from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise ImportFileError(_l("Het bestand is leeg."), field="file")
        headers: list[str] | None = None
        rows: list[list[str]] = []
        formulas: list[tuple[int, int]] = []
        for record in sheet.iter_rows():
            cells = []
            formula_columns = []
            for index, cell in enumerate(record[:MAX_COLUMNS]):
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f":
                    formula_columns.append(index)
                    cells.append("")
                    continue
                cells.append(_cell_text(value))
            if not any(cells) and not formula_columns:
                continue
            if headers is None:
                headers = cells
                continue
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows()
            formulas.extend((len(rows), index) for index in formula_columns)
            rows.append(cells)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise not_xlsx from exc
    finally:
        workbook.close()
    return Upload(filename=filename, headers=headers or [], rows=rows, formula_cells=formulas)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        value = value.isoformat()
    return str(value).strip()[:MAX_CELL]


# --- checking rows and planning ---------------------------------------------------------------


@dataclass
class Change:
    field: str
    old: str
    new: str

    @property
    def label(self):
        return FIELD_LABELS[self.field]


@dataclass
class RowPlan:
    """What the import does with one row: create, update (with its changes), unchanged, or
    error (with the messages per column)."""

    number: int  # the row's line in the file; the header is row 1
    student_number: str = ""
    name: str = ""
    email: str = ""
    school: Organisation | None = None
    values: dict = field(default_factory=dict)
    errors: list[tuple[object, object]] = field(default_factory=list)  # (column label, message)
    notes: list = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    existing: User | None = None
    action: str = "error"

    def error(self, field_name: str, message) -> None:
        self.errors.append((FIELD_LABELS.get(field_name, field_name), message))


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    missing: list[User]
    schools: list[Organisation]

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.action for row in self.rows)
        return {k: counted.get(k, 0) for k in ("create", "update", "unchanged", "error")}

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)

    @property
    def error_rows(self) -> list[RowPlan]:
        return [row for row in self.rows if row.errors]


def _cells(upload: Upload, mapping: dict[int, str], index: int) -> dict[str, str]:
    row = upload.rows[index]
    return {name: (row[col] if col < len(row) else "") for col, name in mapping.items()}


def _int_in(text: str, low: int, high: int) -> int | None:
    text = text.strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or len(text) > 6:
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_weekdays(text: str) -> frozenset[int] | None:
    """'ma, di, wo', 'maandag;dinsdag' or 'Mon, Tue' as weekday numbers; None when a part is
    not a day."""
    parts = [p for p in re.split(r"[\s,;/|+]+", text.casefold().replace(" en ", " ")) if p]
    days = set()
    for part in parts:
        day = _WEEKDAY_BY_NAME.get(part.rstrip("."))
        if day is None:
            return None
        days.add(day)
    return frozenset(days)


def _looks_like_formula(text: str) -> bool:
    return text.startswith("=")


def _check_row(
    row: RowPlan, cells: dict[str, str], schools: dict[str, Organisation], default
) -> None:
    """Fill ``row`` from its cells, with an error per bad cell; no database look-ups."""
    number = cells.get("student_number", "").strip()
    if number.endswith(".0") and number[:-2].isdigit():
        number = number[:-2]
    row.student_number = number
    if not number:
        row.error("student_number", _l("Vul een studentnummer in."))
    elif len(number) > STUDENT_NUMBER_MAX:
        row.error("student_number", _l("Een studentnummer heeft hoogstens 32 tekens."))

    if "name" in cells and cells["name"].strip():
        name = cells["name"]
    else:
        name = " ".join(p for p in (cells.get("first_name", ""), cells.get("last_name", "")) if p)
    name = " ".join(name.split())
    row.name = name
    if _looks_like_formula(name):
        row.error("name", _l("Dit lijkt een formule; zet de naam zelf in de cel."))
    elif not name:
        row.error("name", _l("Vul een naam in."))
    elif len(name) > NAME_MAX:
        row.error("name", _l("Een naam mag hoogstens 120 tekens hebben."))

    email = cells.get("email", "").strip()
    row.email = email
    if _looks_like_formula(email):
        row.error("email", _l("Dit lijkt een formule; zet het e-mailadres zelf in de cel."))
    else:
        try:
            row.email = services.normalise_email(email)
        except WijklabError as error:
            row.error("email", error.message)

    school_name = cells.get("school", "").strip()
    if school_name:
        row.school = schools.get(school_name.casefold())
        if row.school is None:
            row.error("school", _l("Onbekende school: %(name)s.", name=school_name))
    else:
        row.school = default
        if default is None:
            row.error("school", _l("Geen school: kies een school bij het importeren."))

    values: dict = {}
    if "level" in cells:
        text = cells["level"].strip().casefold()
        if text:
            level = {"mbo": Level.MBO, "hbo": Level.HBO}.get(text.split()[0] if text else "")
            if level is None:
                row.error("level", _l("Het niveau is mbo of hbo."))
            values["level"] = level
    if "study_year" in cells and cells["study_year"].strip():
        year = _int_in(cells["study_year"], 1, 4)
        if year is None:
            row.error("study_year", _l("Het leerjaar is 1, 2, 3 of 4."))
        values["study_year"] = year
    if "programme" in cells:
        programme = " ".join(cells["programme"].split())
        if len(programme) > PROGRAMME_MAX:
            row.error("programme", _l("Een opleiding heeft hoogstens 160 tekens."))
        values["programme"] = programme
    if "crebo" in cells:
        crebo = cells["crebo"].strip()
        if crebo.endswith(".0"):
            crebo = crebo[:-2]
        if crebo and not (crebo.isdigit() and len(crebo) == 5):
            row.error("crebo", _l("Een crebonummer bestaat uit vijf cijfers."))
        values["crebo"] = crebo or None
    if "weekdays" in cells:
        days = parse_weekdays(cells["weekdays"])
        if days is None:
            row.error(
                "weekdays",
                _l("Onbekende dag; schrijf de dagen als 'ma, di, wo' of 'maandag; dinsdag'."),
            )
        values["available_weekdays"] = days
    if "hours_per_week" in cells and cells["hours_per_week"].strip():
        hours = _int_in(cells["hours_per_week"], 0, 40)
        if hours is None:
            row.error("hours_per_week", _l("Uren per week: een heel getal van 0 tot en met 40."))
        values["hours_per_week"] = hours
    if "agreed_bpv_hours" in cells and cells["agreed_bpv_hours"].strip():
        hours = _int_in(cells["agreed_bpv_hours"], 0, 2000)
        if hours is None:
            row.error("agreed_bpv_hours", _l("BPV-uren: een heel getal van 0 tot en met 2000."))
        values["agreed_bpv_hours"] = hours
    if "cohort" in cells:
        cohort = cells["cohort"].strip()
        if len(cohort) > COHORT_MAX:
            row.error("cohort", _l("Een cohort heeft hoogstens 40 tekens."))
        values["cohort"] = cohort or None
    row.values = values


def _chunks(items: list, size: int = CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _show(name: str, value) -> str:
    if value is None:
        return ""
    if name == "available_weekdays":
        return ", ".join(WEEKDAY_SHORT[d] for d in sorted(value))
    if isinstance(value, Level):
        return value.value
    return str(value)


PROFILE_FIELDS = (
    "level",
    "study_year",
    "programme",
    "crebo",
    "available_weekdays",
    "hours_per_week",
    "agreed_bpv_hours",
    "cohort",
)
# The fields a student answers themselves once they have confirmed their availability.
OWN_ANSWERS = ("available_weekdays", "hours_per_week")


def plan_import(upload: Upload, mapping: dict[int, str], default_school=None) -> ImportPlan:
    """The dry run: what each row would do, every error per row and column, and the students
    of the schools concerned (with a student number) who are not in the file. Writes nothing."""
    problems = mapping_problems(mapping)
    if problems:
        raise WijklabError(problems[0], field="mapping")
    schools = {
        o.name.casefold(): o
        for o in db.session.scalars(
            select(Organisation).where(Organisation.kind == OrganisationKind.SCHOOL)
        )
    }
    ignored = {i for i in range(len(upload.headers)) if i not in mapping}
    formulas = defaultdict(list)
    for row_index, col in upload.formula_cells:
        if col not in ignored:
            formulas[row_index].append(col)

    rows: list[RowPlan] = []
    for index in range(len(upload.rows)):
        row = RowPlan(number=index + 2)
        _check_row(row, _cells(upload, mapping, index), schools, default_school)
        for col in formulas.get(index, ()):
            row.errors.append(
                (
                    FIELD_LABELS.get(mapping.get(col), upload.headers[col]),
                    _l("Deze cel bevat een formule; formules worden niet uitgevoerd."),
                )
            )
        rows.append(row)

    _check_duplicates(rows)
    _check_against_database(rows)
    involved = sorted({row.school.id for row in rows if row.school is not None})
    in_file = {(row.school.id, row.student_number) for row in rows if row.school is not None}
    missing = []
    if involved:
        candidates = db.session.scalars(
            select(User)
            .join(StudentProfile, StudentProfile.user_id == User.id)
            .where(
                StudentProfile.school_id.in_(involved),
                StudentProfile.student_number.is_not(None),
                User.is_active.is_(True),
            )
            .order_by(User.name, User.id)
        ).unique()
        missing = [
            u
            for u in candidates
            if (u.student_profile.school_id, u.student_profile.student_number) not in in_file
        ]
    used = [o for o in schools.values() if o.id in involved]
    return ImportPlan(rows=rows, missing=missing, schools=sorted(used, key=lambda o: o.name))


def _check_duplicates(rows: list[RowPlan]) -> None:
    first_by_number: dict[tuple, int] = {}
    first_by_email: dict[str, RowPlan] = {}
    for row in rows:
        if row.student_number and row.school is not None:
            key = (row.school.id, row.student_number)
            if key in first_by_number:
                row.error(
                    "student_number",
                    _l(
                        "Studentnummer %(number)s staat ook in rij %(row)s.",
                        number=row.student_number,
                        row=first_by_number[key],
                    ),
                )
            else:
                first_by_number[key] = row.number
        if row.email and "@" in row.email:
            other = first_by_email.get(row.email)
            if other is not None and other.student_number != row.student_number:
                row.error(
                    "email",
                    _l(
                        "Dit e-mailadres staat ook in rij %(row)s, bij een ander studentnummer.",
                        row=other.number,
                    ),
                )
            elif other is None:
                first_by_email[row.email] = row


def _check_against_database(rows: list[RowPlan]) -> None:
    """Match each row with the existing student of its number and school and with any account
    of its e-mail (a constant number of queries per 500 rows), then plan the row."""
    numbers = sorted({row.student_number for row in rows if row.student_number})
    by_number: dict[tuple, User] = {}
    for chunk in _chunks(numbers):
        for user in db.session.scalars(
            select(User)
            .join(StudentProfile, StudentProfile.user_id == User.id)
            .where(StudentProfile.student_number.in_(chunk))
        ).unique():
            profile = user.student_profile
            by_number[(profile.school_id, profile.student_number)] = user
    emails = sorted({row.email for row in rows if row.email and "@" in row.email})
    by_email: dict[str, User] = {}
    for chunk in _chunks(emails):
        for user in db.session.scalars(select(User).where(User.email.in_(chunk))).unique():
            by_email[user.email] = user

    for row in rows:
        existing = None
        if row.school is not None and row.student_number:
            existing = by_number.get((row.school.id, row.student_number))
        row.existing = existing
        holder = by_email.get(row.email)
        if holder is not None and holder is not existing:
            if holder.role != Role.STUDENT:
                row.error(
                    "email",
                    _l(
                        "Dit e-mailadres hoort al bij een account dat geen student is "
                        "(werkbegeleider, wijkdocent of beheerder)."
                    ),
                )
            else:
                other = holder.student_profile.student_number if holder.student_profile else None
                row.error(
                    "email",
                    _l(
                        "Dit e-mailadres hoort al bij een andere student (studentnummer "
                        "%(number)s).",
                        number=other or "-",
                    )
                    if other
                    else _l(
                        "Dit e-mailadres hoort al bij een andere student zonder studentnummer."
                    ),
                )
        if existing is not None and row.name and not _same_name(existing.name, row.name):
            row.error(
                "name",
                _l(
                    "Naam wijkt af: bij studentnummer %(number)s staat %(name)s. Controleer het "
                    "studentnummer; een naam wordt niet stilzwijgend overschreven.",
                    number=row.student_number,
                    name=existing.name,
                ),
            )
        if existing is None:
            if row.values.get("level") is None and "level" not in _error_fields(row):
                row.error("level", _l("Vul het niveau in (mbo of hbo)."))
            if row.values.get("study_year") is None and "study_year" not in _error_fields(row):
                row.error("study_year", _l("Vul het leerjaar in (1 tot en met 4)."))
        level = row.values.get("level") or (
            existing.student_profile.level if existing is not None else None
        )
        if level == Level.HBO and row.values.get("crebo"):
            row.error("crebo", _l("Een crebonummer hoort alleen bij mbo."))
        if row.errors:
            row.action = "error"
        elif existing is None:
            row.action = "create"
        else:
            row.changes, row.notes = _changes(existing, row)
            row.action = "update" if row.changes else "unchanged"


def _error_fields(row: RowPlan) -> set:
    labels = {label for label, _message in row.errors}
    return {name for name, label in FIELD_LABELS.items() if label in labels}


def _changes(user: User, row: RowPlan) -> tuple[list[Change], list]:
    profile = user.student_profile
    changes = []
    notes = []
    if user.email != row.email:
        changes.append(Change("email", user.email, row.email))
    for name in PROFILE_FIELDS:
        # An empty cell for a required number keeps what is there; other empty cells clear it.
        keep_when_empty = ("level", "study_year", "hours_per_week", "agreed_bpv_hours")
        if name not in row.values or (row.values[name] is None and name in keep_when_empty):
            continue
        new = row.values[name]
        old = getattr(profile, name)
        if name == "programme":
            new = new or ""
            old = old or ""
        if new == old:
            continue
        if name in OWN_ANSWERS and profile.availability_set_at is not None:
            notes.append(
                _l(
                    "%(field)s niet overgenomen: de student heeft dit zelf ingevuld.",
                    field=FIELD_LABELS["weekdays" if name == "available_weekdays" else name],
                )
            )
            continue
        label = "weekdays" if name == "available_weekdays" else name
        changes.append(Change(label, _show(name, old), _show(name, new)))
    if profile.school_id != row.school.id:
        changes.append(
            Change("school", profile.school.name if profile.school else "", row.school.name)
        )
    return changes, notes


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # (name, e-mail, raw invitation token) of every new student, for the printable list.
    invitations: list[tuple[str, str, str]] = field(default_factory=list)


def apply_import(
    upload: Upload, mapping: dict[int, str], default_school=None, *, by: User | None
) -> ImportResult:
    """Plan again and write every row, all or nothing: any row with an error and nothing is
    written (``ImportRejected``). New students are invited to choose their own password. The
    caller commits (or rolls back)."""
    plan = plan_import(upload, mapping, default_school)
    if plan.has_errors:
        raise ImportRejected(
            _l(
                "%(n)s rij(en) met fouten: er is niets geïmporteerd. Verbeter het bestand en "
                "probeer het opnieuw.",
                n=len(plan.error_rows),
            )
        )
    result = ImportResult()
    issued: dict[int, str] = {}

    def keep_token(sender, *, user, inviter, token) -> None:
        issued[user.id] = token

    with invitation_issued.connected_to(keep_token):
        for row in plan.rows:
            if row.action == "create":
                user = _create(row, by)
                services.invite_user(user, by=by)
                result.created += 1
                result.invitations.append((user.name, user.email, issued[user.id]))
            elif row.action == "update":
                _update(row, by)
                result.updated += 1
            else:
                result.unchanged += 1
    db.session.flush()
    return result


def _create(row: RowPlan, by: User | None) -> User:
    v = row.values
    user = services.create_user(
        email=row.email,
        name=row.name,
        role=Role.STUDENT,
        student=services.StudentData(
            level=v["level"],
            study_year=v["study_year"],
            school=row.school,
            programme=v.get("programme") or "",
            crebo=v.get("crebo") if v["level"] == Level.MBO else None,
            available_weekdays=v.get("available_weekdays") or frozenset(),
            hours_per_week=v.get("hours_per_week") or 0,
            agreed_bpv_hours=v.get("agreed_bpv_hours") or 0,
        ),
        by=by,
    )
    user.student_profile.student_number = row.student_number
    user.student_profile.cohort = v.get("cohort")
    return user


def _update(row: RowPlan, by: User | None) -> None:
    user = row.existing
    profile = user.student_profile
    changed = {change.field for change in row.changes}
    if "email" in changed:
        user.email = row.email
    if "school" in changed:
        profile.school = row.school
    for name in PROFILE_FIELDS:
        if ("weekdays" if name == "available_weekdays" else name) in changed:
            setattr(profile, name, row.values[name])
    if profile.level == Level.HBO:
        profile.crebo = None
    db.session.flush()
    announce("user.imported", actor=by, user=user, fields=sorted(changed))


# --- keeping an upload between the dry run and the confirmation ------------------------------

_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass
class StoredImport:
    token: str
    owner_id: int
    upload: Upload
    mapping: dict[int, str] | None
    school_id: int | None
    result: dict | None = None


class ImportStore:
    """Parsed uploads as owner-only JSON files ``<folder>/<token>.json``, each bound to the user
    who uploaded it and gone after 24 hours (or, for the upload itself, once applied)."""

    def __init__(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder)

    def _path(self, token: str) -> Path | None:
        if not isinstance(token, str) or not _TOKEN_RE.match(token):
            return None
        return self.folder / f"{token}.json"

    def save(self, stored: StoredImport) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self._path(stored.token)
        data = {
            "owner": stored.owner_id,
            "filename": stored.upload.filename,
            "headers": stored.upload.headers,
            "rows": stored.upload.rows if stored.result is None else [],
            "formula_cells": stored.upload.formula_cells if stored.result is None else [],
            "mapping": {str(k): v for k, v in (stored.mapping or {}).items()}
            if stored.mapping is not None
            else None,
            "school_id": stored.school_id,
            "result": stored.result,
        }
        temporary = path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
        now = clock.utcnow().timestamp()
        os.utime(temporary, (now, now))
        os.replace(temporary, path)
        self.purge()

    def create(self, owner: User, upload: Upload, school_id: int | None) -> StoredImport:
        known = match_headers(upload.headers)
        stored = StoredImport(
            token=secrets.token_urlsafe(24),
            owner_id=owner.id,
            upload=upload,
            mapping=known if not upload.unknown_headers and not mapping_problems(known) else None,
            school_id=school_id,
        )
        self.save(stored)
        return stored

    def load(self, token: str, owner: User) -> StoredImport | None:
        """The upload behind ``token`` if ``owner`` made it and it is not older than 24 hours."""
        path = self._path(token)
        if path is None or not path.is_file():
            return None
        if path.stat().st_mtime < clock.utcnow().timestamp() - KEEP_SECONDS:
            path.unlink(missing_ok=True)
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if data.get("owner") != owner.id:
            return None
        mapping = data.get("mapping")
        return StoredImport(
            token=token,
            owner_id=data["owner"],
            upload=Upload(
                filename=data.get("filename") or "",
                headers=data["headers"],
                rows=data["rows"],
                formula_cells=[tuple(c) for c in data.get("formula_cells") or []],
            ),
            mapping={int(k): v for k, v in mapping.items()} if mapping is not None else None,
            school_id=data.get("school_id"),
            result=data.get("result"),
        )

    def delete(self, token: str) -> None:
        path = self._path(token)
        if path is not None:
            path.unlink(missing_ok=True)

    def purge(self) -> None:
        """Delete every stored upload older than 24 hours."""
        if not self.folder.is_dir():
            return
        limit = clock.utcnow().timestamp() - KEEP_SECONDS
        for path in self.folder.glob("*.json"):
            try:
                if path.stat().st_mtime < limit:
                    path.unlink(missing_ok=True)
            except OSError:
                continue


def school_choices() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.SCHOOL)
            .order_by(func.lower(Organisation.name))
        )
    )


def describe_rows(rows: Iterable[RowPlan]) -> Iterator[str]:
    """The plan as lines of text (for the command line)."""
    words = {
        "create": "nieuw",
        "update": "bijwerken",
        "unchanged": "ongewijzigd",
        "error": "FOUT",
    }
    for row in rows:
        head = f"rij {row.number}: {words[row.action]} {row.student_number} {row.name}".rstrip()
        if row.action == "update":
            head += " (" + "; ".join(f"{c.label}: {c.old} → {c.new}" for c in row.changes) + ")"
        yield head
        for label, message in row.errors:
            yield f"    {label}: {message}"
