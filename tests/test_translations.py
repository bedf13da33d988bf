"""Every text in the source is in both catalogues, translated into English, and shown in English.

The Dutch text in the source is the msgid; the nl catalogue may leave msgstr empty (Dutch falls
back to the msgid), the en catalogue may not. After changing texts: ``make messages``, then
translate the new entries in wijklab/translations/en/LC_MESSAGES/messages.po.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import render_template_string, session
from flask_babel import gettext, ngettext, refresh

from wijklab import create_app

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "wijklab" / "translations"
LOCALES = ("nl", "en")
HINT = "run make messages and translate them in wijklab/translations/en/LC_MESSAGES/messages.po"

# The same extraction as `make messages` (wijklab/babel.cfg, -k _l -k lazy_gettext).
SOURCE_DIRS = (ROOT / "wijklab", ROOT / "templates")
METHOD_MAP = [
    ("**.py", "python"),
    ("**.html", "jinja2.ext:babel_extract"),
    ("mail/*.txt", "jinja2.ext:babel_extract"),
]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}

# %(name)s and friends, with optional flags, width and precision.
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def load_catalog(locale: str):
    with po_path(locale).open("rb") as f:
        return read_po(f, locale=locale)


def forms(value) -> list[str]:
    """A msgid or msgstr as a list: one item for a plain entry, one per form for a plural one."""
    if isinstance(value, str):
        return [value]
    return list(value or ())


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def describe(msgid) -> str:
    return " | ".join(forms(msgid))


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogues():
    """The .mo files the app reads; `make translations` builds them, this covers bare pytest.

    A missing or out-of-date .mo is compiled in place, the way `pybabel compile --use-fuzzy`
    would, through a temporary file so a concurrent test process never reads half a file.
    """
    for locale in LOCALES:
        po = po_path(locale)
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        catalog = load_catalog(locale)
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".mo.tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                write_mo(f, catalog, use_fuzzy=True)
            os.replace(tmp, mo)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)


@pytest.fixture(scope="module")
def source_messages():
    """Every translatable text in the source: {(msgid, context): [file:line, ...]}."""
    found: dict[tuple, list[str]] = {}
    for directory in SOURCE_DIRS:
        for filename, lineno, message, _comments, context in extract_from_dir(
            str(directory), METHOD_MAP, keywords=KEYWORDS
        ):
            if not any(forms(message)):
                continue
            key = (message if isinstance(message, str) else tuple(message), context)
            where = f"{directory.relative_to(ROOT)}/{filename}:{lineno}"
            found.setdefault(key, []).append(where)
    assert found, "no translatable texts extracted: is the extraction set up right?"
    return found


@pytest.fixture(scope="module")
def catalogs():
    return {locale: load_catalog(locale) for locale in LOCALES}


def entries(catalog):
    return [message for message in catalog if message.id]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_source_text_is_in_the_catalogue(source_messages, catalogs, locale):
    catalog = catalogs[locale]
    missing = []
    for (msgid, context), where in sorted(source_messages.items(), key=lambda i: describe(i[0][0])):
        singular = forms(msgid)[0]
        entry = catalog.get(singular, context=context)
        if entry is None or (isinstance(msgid, tuple) and not entry.pluralizable):
            missing.append(f"  {describe(msgid)!r}  ({where[0]})")
    assert not missing, (
        f"{len(missing)} text(s) from the source are not in the {locale} catalogue "
        f"({po_path(locale).relative_to(ROOT)}); {HINT}:\n" + "\n".join(missing)
    )


def test_every_source_text_has_an_english_translation(source_messages, catalogs):
    catalog = catalogs["en"]
    untranslated = []
    for (msgid, context), where in sorted(source_messages.items(), key=lambda i: describe(i[0][0])):
        entry = catalog.get(forms(msgid)[0], context=context)
        if entry is None:
            continue  # reported by test_every_source_text_is_in_the_catalogue
        strings = forms(entry.string)
        expected = catalog.num_plurals if entry.pluralizable else 1
        if len(strings) != expected or not all(s.strip() for s in strings):
            untranslated.append(f"  {describe(msgid)!r}  ({where[0]})")
    assert not untranslated, (
        f"{len(untranslated)} text(s) have no (complete) English translation; {HINT}:\n"
        + "\n".join(untranslated)
    )


def test_the_english_catalogue_is_complete(catalogs):
    """Also entries no longer (or not yet) found by the extraction: nothing empty in English."""
    empty = [f"  {describe(m.id)!r}" for m in entries(catalogs["en"]) if not all(forms(m.string))]
    assert not empty, f"{len(empty)} empty English translation(s); {HINT}:\n" + "\n".join(empty)


@pytest.mark.parametrize("locale", LOCALES)
def test_translations_keep_the_placeholders(catalogs, locale):
    wrong = []
    for message in entries(catalogs[locale]):
        expected = set().union(*(placeholders(f) for f in forms(message.id)))
        for i, text in enumerate(forms(message.string)):
            if text and placeholders(text) != expected:
                wrong.append(
                    f"  {describe(message.id)!r} [{i}]: {text!r} has "
                    f"{sorted(placeholders(text))}, expected {sorted(expected)}"
                )
    assert not wrong, f"translations with different placeholders ({locale}):\n" + "\n".join(wrong)


@pytest.mark.parametrize("locale", LOCALES)
def test_no_entry_is_fuzzy(catalogs, locale):
    fuzzy = [f"  {describe(m.id)!r}" for m in entries(catalogs[locale]) if m.fuzzy]
    assert not fuzzy, (
        f"fuzzy entries in the {locale} catalogue: check the translation and remove the "
        "'#, fuzzy' line:\n" + "\n".join(fuzzy)
    )


def test_texts_are_shown_in_the_chosen_language():
    app = create_app({"TESTING": True})
    with app.test_request_context("/"):
        assert gettext("Inloggen") == "Inloggen"
        assert render_template_string('{{ _("Inloggen bij Wijklab") }}') == "Inloggen bij Wijklab"
    with app.test_request_context("/"):
        session["locale"] = "en"
        refresh()
        assert gettext("Inloggen") == "Log in"
        assert gettext("Geen toegang") == "No access"
        assert gettext("Een wachtwoord heeft minstens %(n)s tekens.", n=12) == (
            "A password needs at least 12 characters."
        )
        assert ngettext("%(num)s resultaat", "%(num)s resultaten", 1) == "1 result"
        assert ngettext("%(num)s resultaat", "%(num)s resultaten", 3) == "3 results"
        assert render_template_string('{{ _("Inloggen bij Wijklab") }}') == "Log in to Wijklab"


def test_the_login_page_in_dutch_then_in_english(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="nl">' in html
    assert "<h1>Inloggen bij Wijklab</h1>" in html

    client.post("/language", data={"locale": "en", "next": "/auth/login"})
    html = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "<h1>Log in to Wijklab</h1>" in html
    assert "Inloggen" not in html
