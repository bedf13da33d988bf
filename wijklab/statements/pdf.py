"""PDFs drawn with fpdf2 from plain dicts: a student's practical-training statement and the
neighbourhood report. Nothing here reads the database; the caller passes a snapshot.

Both run inside an app context: texts, dates and numbers follow the current locale, times are
shown in Europe/Amsterdam. DejaVu Sans (a TrueType font) is embedded so names like Ayşe render.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from flask import current_app
from flask_babel import format_time, get_locale
from flask_babel import gettext as _
from fpdf import FPDF, FontFace
from fpdf.enums import MethodReturnValue, TableBordersLayout, XPos, YPos

from wijklab.accounts.forms import LEVEL_LABELS
from wijklab.i18n import format_number, text_date, whole
from wijklab.tasks.forms import CATEGORY_LABELS

FONT = "DejaVu"
MARGIN = 18  # mm, left, right and top
FOOTER_SPACE = 22  # mm kept free at the bottom of every page for the footer
LINE = 5.5  # mm, the line height of body text

# The colours of static/css/app.css, so the paper matches the screen.
INK = (29, 42, 42)
INK_SOFT = (77, 91, 90)
BRAND = (31, 95, 91)
RULE = (217, 211, 199)
PAPER = (247, 244, 238)

LABEL_STYLE = FontFace(emphasis="BOLD", color=INK_SOFT)
HEADINGS_STYLE = FontFace(emphasis="BOLD", color=INK, fill_color=PAPER)
TOTAL_STYLE = FontFace(emphasis="BOLD")


def font_paths() -> tuple[Path, Path]:
    """The regular and bold TrueType files named in the config; RuntimeError when one is missing."""
    config = current_app.config
    directory = Path(config["PDF_FONT_DIR"])
    paths = (directory / config["PDF_FONT"], directory / config["PDF_FONT_BOLD"])
    for path in paths:
        if not path.is_file():
            raise RuntimeError(
                f"PDF font not found: {path}. Install the Debian package fonts-dejavu-core "
                "(apt-get install fonts-dejavu-core) or point WIJKLAB_PDF_FONT_DIR at a folder "
                f"with {config['PDF_FONT']} and {config['PDF_FONT_BOLD']}."
            )
    return paths


def hours(minutes: int | None) -> str:
    """Minutes as hours with one decimal in the user's language (4530 → "75,5"), half up."""
    value = (Decimal(minutes or 0) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return format_number(value, "#,##0.0")


def count(number: int | None) -> str:
    """A whole number with the user's thousands separator (1.234), as on the pages."""
    return whole(number)


def long_date(value: date | datetime | str | None) -> str:
    """A date (or an ISO string) as the pages write it in text: "28 nov. 2026"; a UTC
    datetime as its Amsterdam date."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = as_datetime(value) if "T" in value else date.fromisoformat(value)
    return text_date(value)


def period_text(period: dict) -> str:
    start, end = long_date(period.get("start")), long_date(period.get("end"))
    if start and end:
        return f"{start} – {end}"
    if start:
        return _("vanaf %(start)s", start=start)
    return end


def category_label(key: str) -> str:
    # Category is a StrEnum, so its plain value finds the label; a retired category keeps its key.
    return str(CATEGORY_LABELS.get(key, key))


def level_label(key: str | None) -> str:
    return str(LEVEL_LABELS.get(key, key or ""))


def clean(text: str | None) -> str:
    """Form text as the PDF writes it: plain line ends, tabs as spaces (DejaVu has no tab
    glyph), no white space around it."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ")
    return text.strip()


def as_datetime(value: datetime | str) -> datetime:
    """An ISO string or datetime as an aware datetime; a naive one is taken to be UTC."""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Document(FPDF):
    """A4 portrait in DejaVu Sans with wijklab's headings, tables and a two-line page footer."""

    def __init__(self, *, title: str, created: datetime, footer: str, footer_link: str = ""):
        super().__init__(orientation="portrait", unit="mm", format="A4")
        regular, bold = font_paths()
        self.add_font(FONT, "", str(regular))
        self.add_font(FONT, "B", str(bold))
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(auto=True, margin=FOOTER_SPACE)
        self.set_title(title)
        self.set_author("wijklab")
        self.set_creator("wijklab")
        self.set_creation_date(created)
        self.set_lang(str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"]))
        self.footer_text = footer
        self.footer_link = footer_link
        self.set_draw_color(*RULE)
        self.set_text_color(*INK)
        self.add_page()

    def footer(self) -> None:
        self.set_y(-FOOTER_SPACE + 7)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y() - 1.5, self.w - self.r_margin, self.get_y() - 1.5)
        self.set_text_color(*INK_SOFT)
        size = 8.0
        self.set_font(FONT, "", size)
        # A long server name shrinks the line rather than running off the page.
        while self.get_string_width(self.footer_text) > self.epw and size > 5:
            size -= 0.5
            self.set_font_size(size)
        self.cell(
            0, 4, self.footer_text, link=self.footer_link, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.set_font_size(8)
        pages = _(
            "Pagina %(page)s van %(pages)s", page=self.page_no(), pages=self.str_alias_nb_pages
        )
        self.cell(0, 4, pages, align="R")
        self.set_text_color(*INK)

    def title_block(self, title: str, subtitle: str = "") -> None:
        self.set_font(FONT, "B", 20)
        self.set_text_color(*BRAND)
        self.multi_cell(0, 9, title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK_SOFT)
        if subtitle:
            self.set_font(FONT, "", 11)
            self.multi_cell(0, 6, subtitle, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*INK)
        self.ln(2)

    def heading(self, text: str, keep_with: float = 20) -> None:
        """A section heading that moves to the next page rather than end one on its own."""
        self.set_font(FONT, "B", 12)
        if self.will_page_break(12 + keep_with):
            self.add_page()
        else:
            self.ln(4)
        self.set_text_color(*BRAND)
        self.multi_cell(0, 6.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.ln(2)
        self.set_text_color(*INK)
        self.set_font(FONT, "", 10)

    def paragraph(self, text: str, *, size: float = 10, color=INK, indent: float = 0) -> None:
        self.set_font(FONT, "", size)
        self.set_text_color(*color)
        self.set_x(self.l_margin + indent)
        self.multi_cell(
            self.epw - indent,
            LINE * size / 10,
            text,
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.set_text_color(*INK)
        self.set_font(FONT, "", 10)

    def fields(self, rows: Sequence[tuple[str, str]], label_width: float = 48) -> None:
        """Label and value pairs; a long value wraps within its column."""
        self.set_font(FONT, "", 10)
        with self.table(
            borders_layout=TableBordersLayout.NONE,
            col_widths=(label_width, self.epw - label_width),
            first_row_as_headings=False,
            text_align="LEFT",
            v_align="TOP",
            line_height=LINE,
            width=self.epw,
            padding=(0.6, 0),
        ) as table:
            for label, value in rows:
                row = table.row()
                row.cell(label, style=LABEL_STYLE)
                row.cell(value)

    def data_table(
        self,
        headings: Sequence[str],
        rows: Sequence[Sequence[str]],
        *,
        col_widths: Sequence[float],
        total: Sequence[str] | None = None,
        footnotes: Sequence[Sequence[str]] = (),
        text_columns: Sequence[int] = (0,),
    ) -> None:
        """A table of text columns (left-aligned; by default the first) and figure columns
        (right-aligned), with an optional bold total row and greyed rows after it."""
        self.set_font(FONT, "", 10)
        self.set_fill_color(255)  # fpdf2 fills table cells with the current fill colour
        align = tuple("LEFT" if i in text_columns else "RIGHT" for i in range(len(headings)))
        with self.table(
            borders_layout=TableBordersLayout.HORIZONTAL_LINES,
            col_widths=col_widths,
            width=sum(col_widths),
            align="LEFT",
            text_align=align,
            headings_style=HEADINGS_STYLE,
            line_height=LINE,
            padding=(0.8, 2),
        ) as table:
            table.row(headings)
            for values in rows:
                table.row(values)
            if total is not None:
                table.row(total, style=TOTAL_STYLE)
            for values in footnotes:
                table.row(values, style=FontFace(color=INK_SOFT))

    def pdf_bytes(self) -> bytes:
        return bytes(self.output())


# The practical-training statement


def statement_pdf(snapshot: dict, fingerprint: str | None = None) -> bytes:
    """The practical-training statement ("Praktijkverklaring") of one student in one team, as
    of its cut-off date; ``fingerprint`` is the SHA-256 of the frozen content, printed so an
    edited copy can be told from the original on the verification page."""
    student, team = snapshot["student"], snapshot["team"]
    code, verify_url = snapshot["code"], snapshot["verify_url"]
    pdf = Document(
        title=_("Praktijkverklaring %(name)s", name=student["name"]),
        created=as_datetime(snapshot["issued_at"]),
        footer=_("Verificatiecode %(code)s · controleer op %(url)s", code=code, url=verify_url),
        footer_link=verify_url,
    )
    pdf.set_subject(_("Praktijkverklaring"))
    subtitle = _("Goedgekeurde praktijkuren en afgetekende leerdoelen in een wijklab")
    if snapshot.get("cutoff"):
        subtitle = _(
            "Goedgekeurde praktijkuren en afgetekende leerdoelen in een wijklab, "
            "stand per %(date)s",
            date=long_date(snapshot["cutoff"]),
        )
    pdf.title_block(_("Praktijkverklaring"), subtitle)
    _student_block(pdf, student)
    _team_block(pdf, team, snapshot.get("supervisor") or {}, snapshot.get("period") or {})
    _hours_block(pdf, snapshot.get("hours") or {})
    _goals_block(pdf, snapshot.get("goals") or [])
    if snapshot.get("coverage"):
        _coverage_block(pdf, snapshot["coverage"])
    _closing_block(pdf, snapshot, fingerprint)
    return pdf.pdf_bytes()


def _student_block(pdf: Document, student: dict) -> None:
    pdf.heading(_("Student"))
    level = level_label(student.get("level"))
    if student.get("study_year"):
        level = _("%(level)s, studiejaar %(year)s", level=level, year=student["study_year"])
    rows = [(_("Naam"), student["name"])]
    if student.get("student_number"):
        rows.append((_("Studentnummer"), student["student_number"]))
    rows.append((_("Niveau"), level))
    if student.get("school"):
        rows.append((_("School"), student["school"]))
    if student.get("programme"):
        programme = student["programme"]
        if student.get("crebo"):
            programme = _(
                "%(programme)s (crebo %(crebo)s)", programme=programme, crebo=student["crebo"]
            )
        rows.append((_("Opleiding"), programme))
    pdf.fields(rows)


def _team_block(pdf: Document, team: dict, supervisor: dict, period: dict) -> None:
    pdf.heading(_("Team en project"))
    rows = [
        # The project first: many teams are called "Team 1", the team is read under its project.
        (_("Project"), team.get("project") or ""),
        (_("Team"), team.get("name") or ""),
        (_("Partnerorganisatie"), team.get("partner") or ""),
        (_("Wijk"), team.get("neighbourhood") or ""),
    ]
    if supervisor.get("name"):
        who = supervisor["name"]
        if supervisor.get("organisation"):
            who = f"{who}, {supervisor['organisation']}"
        rows.append((_("Werkbegeleider"), who))
    rows.append((_("Periode"), period_text(period)))
    pdf.fields([(label, value) for label, value in rows if value])


def _hours_block(pdf: Document, data: dict) -> None:
    pdf.heading(_("Goedgekeurde uren per soort werk"), keep_with=30)
    by_category = data.get("by_category") or []
    if not by_category:
        pdf.paragraph(_("Er zijn nog geen goedgekeurde uren."))
        return
    pdf.paragraph(_("Alleen uren die de werkbegeleider heeft goedgekeurd."), size=9, color=INK_SOFT)
    pdf.ln(1)
    pdf.data_table(
        (_("Soort werk"), _("Uren")),
        [(category_label(row["category"]), hours(row["minutes"])) for row in by_category],
        col_widths=(110, 30),
        total=(_("Totaal"), hours(data.get("total_minutes"))),
        footnotes=_kinds(data),
    )
    if data.get("agreed_minutes"):
        share = round(100 * (data.get("total_minutes") or 0) / data["agreed_minutes"])
        pdf.ln(1)
        pdf.paragraph(
            _(
                "Afgesproken BPV-uren in de startafspraak: %(agreed)s uur; hiervan is "
                "%(share)s%% goedgekeurd.",
                agreed=hours(data["agreed_minutes"]),
                share=share,
            )
        )
    by_week = data.get("by_week") or []
    if by_week:
        _weeks_table(pdf, by_week)


def _kinds(data: dict) -> tuple[tuple[str, str], ...]:
    """Collective work, study assignments and individual client support, each apart."""
    if data.get("study_minutes") is None:  # a statement from before study hours were apart
        collective = _("waarvan collectief werk")
        return (
            (collective, hours(data.get("collective_minutes"))),
            (_("waarvan individuele ondersteuning"), hours(data.get("individual_minutes"))),
        )
    return (
        (_("waarvan collectief werk"), hours(data.get("collective_minutes"))),
        (_("waarvan studieopdrachten"), hours(data.get("study_minutes"))),
        (_("waarvan individuele ondersteuning"), hours(data.get("individual_minutes"))),
    )


def _weeks_table(pdf: Document, by_week: list[dict], groups: int = 3) -> None:
    """Hours per ISO week, in three column pairs read top to bottom, so a semester fits."""
    pdf.heading(_("Goedgekeurde uren per week"), keep_with=30)
    cells = [
        (_("%(year)s week %(week)s", year=row["year"], week=row["week"]), hours(row["minutes"]))
        for row in by_week
    ]
    groups = min(groups, len(cells))
    height = -(-len(cells) // groups)
    columns = [cells[i * height : (i + 1) * height] for i in range(groups)]
    rows = []
    for r in range(height):
        row: list[str] = []
        for column in columns:
            row.extend(column[r] if r < len(column) else ("", ""))
        rows.append(row)
    pdf.data_table(
        (_("Week"), _("Uren")) * groups,
        rows,
        col_widths=(34, 22) * groups,
        text_columns=range(0, 2 * groups, 2),
    )


def _goals_block(pdf: Document, goals: list[dict]) -> None:
    pdf.heading(_("Afgetekende leerdoelen"), keep_with=30)
    if not goals:
        pdf.paragraph(_("Er zijn nog geen leerdoelen afgetekend."))
        return
    for number, goal in enumerate(goals, start=1):
        _goal(pdf, number, goal)


def _goal(pdf: Document, number: int, goal: dict) -> None:
    title = f"{number}. {clean(goal.get('title'))}"
    statement = clean(goal.get("statement"))
    pdf.set_font(FONT, "B", 11)
    title_height = pdf.multi_cell(
        pdf.epw, 6, title, align="L", dry_run=True, output=MethodReturnValue.HEIGHT
    )
    # A goal starts on a new page unless its title, codes and first lines fit on this one.
    if pdf.will_page_break(title_height + 5 + 3 * LINE + 6):
        pdf.add_page()
    else:
        pdf.ln(3)
    pdf.set_text_color(*INK)
    pdf.multi_cell(0, 6, title, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    items = goal.get("items") or [{"code": c, "title": ""} for c in goal.get("codes") or []]
    for item in items:
        text = f"{item['code']} {clean(item.get('title'))}".strip()
        pdf.paragraph(text, size=9, color=INK_SOFT)
    if statement:
        pdf.ln(1)
        pdf.paragraph(statement, indent=4)
    signed = _(
        "Afgetekend door %(name)s op %(date)s",
        name=goal.get("signed_by") or "—",
        date=long_date(goal.get("signed_at")),
    )
    pdf.ln(1)
    pdf.paragraph(signed, size=9, color=INK_SOFT, indent=4)


def _coverage_block(pdf: Document, coverage: dict) -> None:
    pdf.heading(_("Dekking van het kwalificatiekader"), keep_with=20)
    pdf.paragraph(
        _(
            "%(covered)s van de %(total)s onderdelen van %(framework)s zijn gedekt door een "
            "afgetekend leerdoel; aan %(addressed)s onderdelen wordt gewerkt of is gewerkt.",
            covered=coverage.get("covered", 0),
            total=coverage.get("total", 0),
            framework=coverage.get("framework_title") or coverage.get("framework") or "",
            addressed=coverage.get("addressed", 0),
        )
    )
    uncovered = coverage.get("uncovered_codes") or []
    if uncovered:
        pdf.paragraph(
            _("Nog niet gedekt: %(codes)s", codes=", ".join(uncovered)), size=9, color=INK_SOFT
        )


def _closing_block(pdf: Document, snapshot: dict, fingerprint: str | None) -> None:
    pdf.heading(_("Afgifte"), keep_with=15)
    issued_by = snapshot.get("issued_by") or {}
    if isinstance(issued_by, str):
        issued_by = {"name": issued_by}
    rows = []
    agreement = (snapshot.get("agreement") or {}).get("accepted_at")
    if agreement:
        rows.append((_("Startafspraak geaccepteerd"), long_date(agreement)))
    if snapshot.get("requested_at"):
        rows.append((_("Aangevraagd"), long_date(snapshot["requested_at"])))
    confirmed = snapshot.get("confirmed_by") or {}
    if confirmed.get("name"):
        who = confirmed["name"]
        if confirmed.get("organisation"):
            who = f"{who}, {confirmed['organisation']}"
        rows.append(
            (
                _("Praktijkdeel bevestigd"),
                _("%(who)s op %(date)s", who=who, date=long_date(snapshot.get("confirmed_at"))),
            )
        )
    school = (snapshot.get("student") or {}).get("school")
    issuer = issued_by.get("name") or "wijklab"
    if school and issued_by.get("role"):
        issuer = _("%(name)s namens %(school)s", name=issuer, school=school)
    rows.append(
        (
            _("Uitgegeven"),
            _("%(who)s op %(date)s", who=issuer, date=long_date(snapshot.get("issued_at"))),
        )
    )
    pdf.fields(rows)
    pdf.ln(2)
    pdf.paragraph(
        _(
            "Controleer de echtheid met verificatiecode %(code)s op %(url)s.",
            code=snapshot["code"],
            url=snapshot["verify_url"],
        ),
        size=9,
        color=INK_SOFT,
    )
    if fingerprint:
        pdf.paragraph(
            _(
                "Vingerafdruk (SHA-256) van de inhoud: %(fingerprint)s. De verificatiepagina "
                "toont dezelfde vingerafdruk en dezelfde cijfers.",
                fingerprint=fingerprint,
            ),
            size=8,
            color=INK_SOFT,
        )


# The neighbourhood report


def neighbourhood_report_pdf(report: dict) -> bytes:
    """The neighbourhood report for partners and the municipality: counts only, no names."""
    neighbourhood = report["neighbourhood"]
    generated = as_datetime(report["generated_at"])
    title = _("Wijkrapportage %(name)s", name=neighbourhood["name"])
    pdf = Document(
        title=title,
        created=generated,
        footer=_(
            "Gemaakt met wijklab op %(date)s om %(time)s · alleen aantallen, geen namen",
            date=long_date(generated),
            time=format_time(generated, "HH:mm"),
        ),
    )
    pdf.set_subject(_("Wijkrapportage"))
    place = neighbourhood.get("city") or ""
    subtitle = " · ".join(p for p in (place, period_text(report.get("period") or {})) if p)
    pdf.title_block(title, subtitle)
    _key_figures(pdf, report)
    _activities(pdf, report.get("activities") or [])
    _report_hours(pdf, report.get("hours") or {})
    _partners(pdf, report.get("partners") or [])
    return pdf.pdf_bytes()


def _key_figures(pdf: Document, report: dict) -> None:
    students = report.get("students") or {}
    figures = [
        (_("projecten"), report.get("projects")),
        (_("teams"), report.get("teams")),
        (_("taken"), report.get("tasks")),
        (_("bewoners bereikt"), report.get("residents_reached")),
        (_("mbo-studenten"), students.get("mbo")),
        (_("hbo-studenten"), students.get("hbo")),
    ]
    pdf.heading(_("Kerncijfers"), keep_with=45)
    per_row, gap, height = 3, 4, 19
    width = (pdf.epw - gap * (per_row - 1)) / per_row
    top = pdf.get_y()
    for i, (label, value) in enumerate(figures):
        x = pdf.l_margin + (i % per_row) * (width + gap)
        y = top + (i // per_row) * (height + gap)
        pdf.set_fill_color(*PAPER)
        pdf.rect(x, y, width, height, style="F")
        pdf.set_xy(x + 3, y + 2.5)
        pdf.set_font(FONT, "B", 16)
        pdf.set_text_color(*BRAND)
        pdf.cell(width - 6, 8, count(value))
        pdf.set_xy(x + 3, y + 11)
        pdf.set_font(FONT, "", 9)
        pdf.set_text_color(*INK_SOFT)
        pdf.cell(width - 6, 5, label)
    rows = (len(figures) + per_row - 1) // per_row
    pdf.set_text_color(*INK)
    pdf.set_fill_color(255)
    pdf.set_xy(pdf.l_margin, top + rows * (height + gap))


def _activities(pdf: Document, activities: list[dict]) -> None:
    pdf.heading(_("Activiteiten per soort werk"), keep_with=30)
    if not activities:
        pdf.paragraph(_("Geen taken in deze periode."))
        return
    pdf.data_table(
        (_("Soort werk"), _("Taken"), _("Bewoners bereikt")),
        [
            (category_label(a["category"]), count(a.get("tasks")), count(a.get("residents")))
            for a in activities
        ],
        col_widths=(94, 30, 50),
        total=(
            _("Totaal"),
            count(sum(a.get("tasks") or 0 for a in activities)),
            count(sum(a.get("residents") or 0 for a in activities)),
        ),
    )
    _bars(
        pdf,
        _("Taken per soort werk"),
        [(category_label(a["category"]), a.get("tasks") or 0) for a in activities],
    )


def _bars(pdf: Document, caption: str, values: list[tuple[str, int]]) -> None:
    """A horizontal bar per value, scaled to the largest, with the count next to each bar."""
    bar_height, label_width, number_width = 6, 72, 16
    needed = 8 + bar_height * len(values)
    if pdf.will_page_break(needed):
        pdf.add_page()
    else:
        pdf.ln(5)
    pdf.paragraph(caption, size=9, color=INK_SOFT)
    pdf.ln(1)
    largest = max((v for _label, v in values), default=0) or 1
    bar_area = pdf.epw - label_width - number_width
    for label, value in values:
        if pdf.will_page_break(bar_height):
            pdf.add_page()
        y = pdf.get_y()
        size = 9.0
        pdf.set_font(FONT, "", size)
        while pdf.get_string_width(label) > label_width - 2 and size > 6:
            size -= 0.5
            pdf.set_font_size(size)
        pdf.set_xy(pdf.l_margin, y)
        pdf.cell(label_width, bar_height, label)
        width = bar_area * value / largest
        pdf.set_fill_color(*BRAND)
        if width > 0:
            pdf.rect(pdf.l_margin + label_width, y + 1, width, bar_height - 2, style="F")
        pdf.set_font(FONT, "", 9)
        pdf.set_xy(pdf.l_margin + label_width + width + 1.5, y)
        pdf.cell(number_width, bar_height, count(value))
        pdf.set_xy(pdf.l_margin, y + bar_height)
    pdf.set_fill_color(255)


def _report_hours(pdf: Document, data: dict) -> None:
    pdf.heading(_("Goedgekeurde uren van studenten"), keep_with=30)
    rows, totals = [], {"collective": 0, "individual": 0}
    for level in ("mbo", "hbo"):
        minutes = data.get(level) or {}
        collective, individual = minutes.get("collective") or 0, minutes.get("individual") or 0
        totals["collective"] += collective
        totals["individual"] += individual
        rows.append(
            (
                level_label(level),
                hours(collective),
                hours(individual),
                hours(collective + individual),
            )
        )
    pdf.data_table(
        (_("Niveau"), _("Collectief"), _("Individueel"), _("Totaal")),
        rows,
        col_widths=(52, 40, 40, 42),
        total=(
            _("Totaal"),
            hours(totals["collective"]),
            hours(totals["individual"]),
            hours(totals["collective"] + totals["individual"]),
        ),
    )
    pdf.paragraph(
        _("In uren; alleen uren die een werkbegeleider heeft goedgekeurd."),
        size=9,
        color=INK_SOFT,
    )


def _partners(pdf: Document, partners: list[dict]) -> None:
    pdf.heading(_("Betrokken partnerorganisaties"), keep_with=20)
    if not partners:
        pdf.paragraph(_("Geen partnerorganisaties in deze periode."))
        return
    pdf.data_table(
        (_("Organisatie"), _("Projecten")),
        [(p["name"], count(p.get("projects"))) for p in partners],
        col_widths=(pdf.epw - 30, 30),
    )
