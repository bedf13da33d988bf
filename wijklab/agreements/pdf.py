"""The start agreement as a PDF, drawn from a plain dict with the statement's document style
(fonts, headings, label and value rows) from wijklab.statements.pdf. Nothing here reads the
database; the caller passes a snapshot."""

from __future__ import annotations

from flask_babel import gettext as _

from wijklab.statements.pdf import INK_SOFT, Document, as_datetime, clean, long_date


def agreement_pdf(snapshot: dict) -> bytes:
    """The start agreement ("Startafspraak") of one student in one team, with who accepted."""
    student, team, brief, part = (
        snapshot["student"],
        snapshot["team"],
        snapshot["brief"],
        snapshot["part"],
    )
    pdf = Document(
        title=_("Startafspraak %(name)s", name=student),
        created=as_datetime(snapshot["printed_at"]),
        footer=_(
            "Startafspraak %(name)s · %(team)s · versie %(version)s",
            name=student,
            team=team["label"],
            version=snapshot["version"],
        ),
    )
    pdf.set_subject(_("Startafspraak"))
    pdf.title_block(
        _("Startafspraak"),
        _("Afspraken tussen student, werkbegeleider en wijkdocent bij de start in een wijklab"),
    )
    pdf.heading(_("Wie"))
    pdf.fields(
        [
            (_("Student"), student),
            (_("Project"), team["project"]),
            (_("Team"), team["name"]),
            (_("Partnerorganisatie"), team["partner"]),
            (_("Werkbegeleider"), team["supervisor"]),
            (_("Wijkdocent"), team["wijkdocent"]),
            (_("In het team sinds"), long_date(team["joined_on"])),
        ]
    )
    pdf.heading(_("Uit de projectopdracht"))
    rows = [
        (_("Dagen van het wijklab"), brief["weekdays"]),
        (_("Uren per week"), str(brief["hours_per_week"])),
    ]
    for label, key in (
        (_("Samenvatting"), "summary"),
        (_("Wat we van studenten verwachten"), "expectations"),
        (_("Begeleiding"), "supervision"),
    ):
        if clean(brief.get(key)):
            rows.append((label, clean(brief[key])))
    pdf.fields(rows)
    pdf.heading(_("Afspraken van de student"))
    pdf.fields(
        [
            (_("Dagen"), part["weekdays"]),
            (_("Uren per week"), str(part["hours_per_week"])),
            (_("Afgesproken BPV-uren"), str(part["agreed_bpv_hours"])),
            (_("Leerfocus"), "\n".join(f"• {clean(f)}" for f in part["learning_focuses"])),
            (_("Vorm van begeleiding"), clean(part["supervision_form"])),
            (_("Hoe vaak begeleiding"), clean(part["supervision_frequency"])),
            (_("Bij afwezigheid van de werkbegeleider"), clean(part["backup_contact"])),
        ]
    )
    pdf.heading(_("Akkoord (versie %(version)s)", version=snapshot["version"]), keep_with=25)
    pdf.fields(
        [
            (
                row["party"],
                _("%(name)s, %(date)s", name=row["name"], date=long_date(row["accepted_at"]))
                if row["accepted_at"]
                else _("nog niet geaccepteerd"),
            )
            for row in snapshot["acceptances"]
        ]
    )
    if snapshot.get("accepted_at"):
        pdf.ln(2)
        pdf.paragraph(
            _(
                "Door alle drie geaccepteerd op %(date)s.",
                date=long_date(snapshot["accepted_at"]),
            )
        )
    else:
        pdf.ln(2)
        pdf.paragraph(_("Deze versie is nog niet door alle drie geaccepteerd."), color=INK_SOFT)
    return pdf.pdf_bytes()
