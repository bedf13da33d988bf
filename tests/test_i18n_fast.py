"""The per-request fast paths for texts and numbers follow the locale, also when a mail is
rendered in its recipient's language in the middle of a request."""

from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale

from wijklab.i18n import current_translations, format_number


def test_texts_and_numbers_follow_a_forced_locale_and_come_back(app):
    with app.test_request_context("/"):
        assert current_translations().ugettext("Zoeken") == "Zoeken"
        assert format_number(1234.5, "#,##0.0") == "1.234,5"
        with force_locale("en"):
            assert current_translations().ugettext("Zoeken") == "Search"
            assert format_number(1234.5, "#,##0.0") == "1,234.5"
            assert render_template_string("{{ _('Zoeken') }} {{ 2.5|decimal }}") == "Search 2.5"
        assert current_translations().ugettext("Zoeken") == "Zoeken"
        assert render_template_string("{{ _('Zoeken') }} {{ 2.5|decimal }}") == "Zoeken 2,5"


def test_template_texts_keep_escaping_and_formatting(app):
    with app.test_request_context("/"):
        html = render_template_string(
            "{{ _('Gekozen: %(label)s', label=name) }}", name="<b>Zoë</b>"
        )
    assert html == "Gekozen: &lt;b&gt;Zoë&lt;/b&gt;"


def test_python_texts_follow_the_locale_and_format_their_values(app):
    from wijklab.i18n import gettext
    from wijklab.templating import duration

    with app.test_request_context("/"):
        assert gettext("week %(n)s", n=7) == "week 7"
        assert duration(95) == "1 u 35 min"
        with force_locale("en"):
            assert gettext("Zoeken") == "Search"
            assert duration(95) == "1 h 35 min"
