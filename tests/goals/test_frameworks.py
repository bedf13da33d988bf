"""Qualification frameworks: the shipped files, loading them again, and refusing bad files whole."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

import wijklab.goals.models  # noqa: F401  (the table exists only when the model is imported)
from wijklab.extensions import db
from wijklab.goals.cli import load_frameworks_command
from wijklab.goals.loader import (
    MAX_ITEMS,
    FrameworkFileError,
    LoadResult,
    load_framework,
    load_shipped_frameworks,
    parse_framework,
    shipped_framework_files,
)
from wijklab.goals.models import FrameworkItem, FrameworkItemKind

HEADER = """\
[framework]
code = "test-kader"
title = "Testkader"
level = "mbo"
source = "Geschreven voor de tests."
"""

ITEMS = """
[[items]]
code = "K1"
title = "Kerntaak een"
kind = "core_task"

[[items]]
code = "K1-W1"
title = "Werkproces een"
kind = "work_process"
parent = "K1"

[[items]]
code = "K1-W2"
title = "Werkproces twee"
kind = "work_process"
parent = "K1"
own_wording = true
"""

VALID = HEADER + ITEMS


def item_count(**where) -> int:
    query = select(func.count(FrameworkItem.id))
    for name, value in where.items():
        query = query.where(getattr(FrameworkItem, name) == value)
    return db.session.scalar(query)


def snapshot() -> list[tuple]:
    """Every row as committed, to show that a refused file changed nothing."""
    db.session.rollback()
    rows = db.session.scalars(
        select(FrameworkItem).order_by(FrameworkItem.framework, FrameworkItem.code)
    )
    return [
        (r.framework, r.code, r.title, r.kind, r.parent_id, r.position, r.is_active, r.updated_at)
        for r in rows
    ]


def item(framework: str, code: str) -> FrameworkItem:
    return db.session.scalar(
        select(FrameworkItem).where(
            FrameworkItem.framework == framework, FrameworkItem.code == code
        )
    )


def load_text(text: str, filename: str = "test.toml") -> LoadResult:
    return load_framework(parse_framework(text, filename))


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """The 1-based line of the n-th line of ``text`` that contains ``fragment``."""
    found = [i for i, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return found[occurrence - 1]


# (a) The shipped files


def test_shipped_files_are_both_frameworks():
    names = [name for name, _ in shipped_framework_files()]
    assert names == ["hbo-social-work.toml", "mbo-sociaal-werk-4.toml"]


def test_shipped_frameworks_load_with_core_tasks_and_parents(app):
    results = load_shipped_frameworks()
    db.session.commit()

    assert set(results) == {"mbo-sociaal-werk-4", "hbo-social-work"}
    assert results["mbo-sociaal-werk-4"].created == item_count(framework="mbo-sociaal-werk-4")
    assert results["hbo-social-work"].created == item_count(framework="hbo-social-work")

    mbo_core = db.session.scalars(
        select(FrameworkItem)
        .where(
            FrameworkItem.framework == "mbo-sociaal-werk-4",
            FrameworkItem.kind == FrameworkItemKind.CORE_TASK,
        )
        .order_by(FrameworkItem.position)
    ).all()
    assert [(i.code, i.title) for i in mbo_core] == [
        ("B1-K1", "Werkt aan de aanpak van sociale problematiek"),
        ("B1-K2", "Werkt aan kwaliteit en deskundigheid"),
    ]
    assert all(i.parent is None and not i.is_own_wording for i in mbo_core)
    assert [c.code for c in mbo_core[0].children][:2] == ["B1-K1-W1", "B1-K1-W2"]
    assert all(c.kind == FrameworkItemKind.WORK_PROCESS for c in mbo_core[0].children)
    assert item("mbo-sociaal-werk-4", "B1-K2-W1").parent.code == "B1-K2"

    hbo_core = db.session.scalars(
        select(FrameworkItem)
        .where(FrameworkItem.framework == "hbo-social-work", FrameworkItem.parent_id.is_(None))
        .order_by(FrameworkItem.position)
    ).all()
    assert [i.title for i in hbo_core] == [
        "Bevorderen sociaal functioneren van mensen en hun sociale context",
        "Werken in diverse organisatorische verbanden",
        "Professionaliseren",
    ]
    assert all(i.kind == FrameworkItemKind.CORE_TASK for i in hbo_core)
    for core in hbo_core:
        assert core.children, core.code
        assert all(c.kind == FrameworkItemKind.COMPETENCE for c in core.children)
        assert all(c.code.startswith(core.code + "-C") for c in core.children)
    assert item("hbo-social-work", "SW-K3-C1").parent.code == "SW-K3"


def test_shipped_paraphrases_are_marked_own_wording(app):
    """The work processes and competences are our paraphrases; the files must say so."""
    load_shipped_frameworks()
    db.session.commit()
    not_core = select(FrameworkItem).where(FrameworkItem.kind != FrameworkItemKind.CORE_TASK)
    assert all(i.is_own_wording for i in db.session.scalars(not_core))


# (b) Loading twice


def test_loading_shipped_frameworks_twice_changes_nothing(app):
    load_shipped_frameworks()
    db.session.commit()
    before = snapshot()

    again = load_shipped_frameworks()
    db.session.commit()

    assert snapshot() == before
    for framework, result in again.items():
        count = item_count(framework=framework)
        assert result == LoadResult(created=0, updated=0, unchanged=count)


def test_load_flushes_but_does_not_commit(app):
    result = load_text(VALID)
    assert result == LoadResult(created=3, updated=0, unchanged=0)
    assert item_count() == 3
    db.session.rollback()
    assert item_count() == 0


def test_loaded_items_keep_file_order_parents_and_own_wording(app):
    load_text(VALID)
    db.session.commit()
    w2 = item("test-kader", "K1-W2")
    assert w2.parent.code == "K1"
    assert w2.is_own_wording
    assert not item("test-kader", "K1-W1").is_own_wording
    assert [c.code for c in item("test-kader", "K1").children] == ["K1-W1", "K1-W2"]
    assert w2.is_active


# (c) Changes in a file


def test_changed_title_updates_the_item(app):
    load_text(VALID)
    db.session.commit()

    result = load_text(VALID.replace("Werkproces een", "Werkproces een, nu anders"))
    db.session.commit()

    assert result == LoadResult(created=0, updated=1, unchanged=2)
    assert item("test-kader", "K1-W1").title == "Werkproces een, nu anders"
    assert item_count() == 3


def test_item_removed_from_file_becomes_inactive_not_deleted(app):
    load_text(VALID)
    db.session.commit()
    without_w2 = VALID[: VALID.index('[[items]]\ncode = "K1-W2"')]

    result = load_text(without_w2)
    db.session.commit()

    assert result == LoadResult(created=0, updated=0, unchanged=2, deactivated=1)
    w2 = item("test-kader", "K1-W2")
    assert w2 is not None
    assert not w2.is_active
    assert item_count(is_active=True) == 2

    back = load_text(VALID)
    db.session.commit()
    assert back == LoadResult(created=0, updated=1, unchanged=2)
    assert item("test-kader", "K1-W2").is_active


def test_moved_item_gets_its_new_parent(app):
    load_text(VALID + '\n[[items]]\ncode = "K2"\ntitle = "Kerntaak twee"\nkind = "core_task"\n')
    db.session.commit()
    moved = VALID.replace('parent = "K1"\nown_wording', 'parent = "K2"\nown_wording')
    moved += '\n[[items]]\ncode = "K2"\ntitle = "Kerntaak twee"\nkind = "core_task"\n'

    result = load_text(moved)
    db.session.commit()

    assert result == LoadResult(created=0, updated=1, unchanged=3)
    assert item("test-kader", "K1-W2").parent.code == "K2"


def test_frameworks_do_not_touch_each_other(app):
    load_text(VALID)
    load_text(VALID.replace('code = "test-kader"', 'code = "ander-kader"'))
    db.session.commit()
    assert item_count(framework="test-kader") == 3
    assert item_count(framework="ander-kader") == 3


# (d) Malformed files are refused whole


def _too_many_items() -> str:
    items = "".join(
        f'[[items]]\ncode = "I{n}"\ntitle = "Item {n}"\nkind = "competence"\n\n'
        for n in range(MAX_ITEMS + 1)
    )
    return HEADER + "\n" + items


MALFORMED = {
    # name: (text, the fragment on the reported line (None: no line), words of the reason)
    "invalid_toml": (
        VALID.replace('title = "Werkproces een"', 'title = "Werkproces een'),
        'title = "Werkproces een',
        "geen geldige TOML",
    ),
    "missing_framework_table": (ITEMS, None, "[framework] ontbreekt"),
    "missing_framework_field": (
        VALID.replace('level = "mbo"\n', ""),
        "[framework]",
        "'level' in [framework] ontbreekt",
    ),
    "empty_framework_field": (
        VALID.replace('title = "Testkader"', 'title = "  "'),
        'title = "  "',
        "'title' in [framework] ontbreekt of is leeg",
    ),
    "unknown_level": (VALID.replace('level = "mbo"', 'level = "wo"'), 'level = "wo"', "mbo of hbo"),
    "no_items": (HEADER, None, "geen [[items]]"),
    "unknown_kind": (
        VALID.replace('kind = "work_process"', 'kind = "werkproces"', 1),
        'kind = "werkproces"',
        "onbekende soort 'werkproces' bij 'K1-W1'",
    ),
    "missing_kind": (
        VALID.replace('kind = "core_task"\n', ""),
        "[[items]]",
        "het item 'K1' heeft geen soort",
    ),
    "duplicate_code": (
        VALID.replace('code = "K1-W2"', 'code = "K1-W1"'),
        ('code = "K1-W1"', 2),
        "'K1-W1' komt twee keer voor",
    ),
    "parent_not_in_file": (
        VALID.replace('parent = "K1"\nown', 'parent = "K9"\nown'),
        'parent = "K9"',
        "de parent 'K9' van 'K1-W2' staat niet in het bestand",
    ),
    "parent_cycle": (
        VALID.replace('kind = "core_task"\n', 'kind = "core_task"\nparent = "K1-W1"\n'),
        'parent = "K1-W1"',
        "kring: K1 → K1-W1 → K1",
    ),
    "own_parent": (
        VALID.replace('parent = "K1"\nown', 'parent = "K1-W2"\nown'),
        'parent = "K1-W2"',
        "kring: K1-W2 → K1-W2",
    ),
    "title_too_long": (
        VALID.replace('title = "Werkproces twee"', f'title = "{"x" * 301}"'),
        'title = "xxx',
        "langer dan 300 tekens",
    ),
    "empty_title": (
        VALID.replace('title = "Werkproces twee"', 'title = ""'),
        'title = ""',
        "'K1-W2' heeft geen titel",
    ),
    "code_too_long": (
        VALID.replace('code = "K1-W2"', f'code = "{"K" * 41}"'),
        'code = "KKK',
        "langer dan 40 tekens",
    ),
    "unknown_field": (
        VALID.replace("own_wording = true", "eigen_woorden = true"),
        "eigen_woorden",
        "onbekend veld 'eigen_woorden'",
    ),
    "own_wording_not_bool": (
        VALID.replace("own_wording = true", 'own_wording = "ja"'),
        'own_wording = "ja"',
        "own_wording moet true of false zijn",
    ),
    "too_many_items": (_too_many_items(), None, f"meer dan {MAX_ITEMS} items"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_file_is_refused_whole_with_line_and_reason(app, case):
    text, at, reason = MALFORMED[case]
    load_text(VALID)
    db.session.commit()
    before = snapshot()

    with pytest.raises(FrameworkFileError) as refused:
        load_text(text, "kapot.toml")

    db.session.rollback()
    assert snapshot() == before
    message = str(refused.value.message)
    assert message.startswith("kapot.toml")
    assert reason in message
    if at is None:
        assert refused.value.line is None
    else:
        fragment, occurrence = at if isinstance(at, tuple) else (at, 1)
        line = line_of(text, fragment, occurrence)
        assert refused.value.line == line
        assert f"regel {line}: " in message


def test_one_bad_shipped_file_refuses_all(app, monkeypatch):
    from wijklab.goals import loader

    monkeypatch.setattr(
        loader,
        "shipped_framework_files",
        lambda: [("a.toml", VALID), ("b.toml", VALID.replace("core_task", "kerntaak"))],
    )
    with pytest.raises(FrameworkFileError):
        loader.load_shipped_frameworks()
    db.session.rollback()
    assert item_count() == 0


def test_two_files_with_the_same_framework_code_are_refused(app, monkeypatch):
    from wijklab.goals import loader

    monkeypatch.setattr(
        loader, "shipped_framework_files", lambda: [("a.toml", VALID), ("b.toml", VALID)]
    )
    with pytest.raises(FrameworkFileError, match="staat ook in a.toml"):
        loader.load_shipped_frameworks()
    db.session.rollback()
    assert item_count() == 0


# (e) The command line


def run(app, *args):
    if "load-frameworks" not in app.cli.commands:
        app.cli.add_command(load_frameworks_command)
    return app.test_cli_runner().invoke(args=["load-frameworks", *args])


def test_cli_loads_the_shipped_frameworks_and_again_changes_nothing(app):
    first = run(app)
    assert first.exit_code == 0, first.output
    mbo = item_count(framework="mbo-sociaal-werk-4")
    hbo = item_count(framework="hbo-social-work")
    assert f"mbo-sociaal-werk-4: {mbo} nieuw, 0 bijgewerkt, 0 ongewijzigd." in first.output
    assert f"hbo-social-work: {hbo} nieuw, 0 bijgewerkt, 0 ongewijzigd." in first.output
    db.session.rollback()  # only what the command committed counts
    assert item_count() == mbo + hbo

    second = run(app)
    assert second.exit_code == 0, second.output
    assert f"mbo-sociaal-werk-4: 0 nieuw, 0 bijgewerkt, {mbo} ongewijzigd." in second.output
    db.session.rollback()
    assert item_count() == mbo + hbo


def test_cli_loads_one_admin_file(app, tmp_path):
    path = tmp_path / "eigen.toml"
    path.write_text(VALID, encoding="utf-8")

    result = run(app, "--file", str(path))

    assert result.exit_code == 0, result.output
    assert "test-kader: 3 nieuw, 0 bijgewerkt, 0 ongewijzigd." in result.output
    db.session.rollback()
    assert item_count() == 3
    assert item_count(framework="mbo-sociaal-werk-4") == 0

    path.write_text(VALID[: VALID.index('[[items]]\ncode = "K1-W2"')], encoding="utf-8")
    again = run(app, "--file", str(path))
    assert "test-kader: 0 nieuw, 0 bijgewerkt, 2 ongewijzigd, 1 niet meer actief." in again.output


def test_cli_refuses_a_malformed_file_with_its_line_and_writes_nothing(app, tmp_path):
    path = tmp_path / "kapot.toml"
    text = VALID.replace('kind = "work_process"', 'kind = "werkproces"', 1)
    path.write_text(text, encoding="utf-8")

    result = run(app, "--file", str(path))

    assert result.exit_code != 0
    assert result.exception is None or isinstance(result.exception, SystemExit)
    line = line_of(text, 'kind = "werkproces"')
    assert f"kapot.toml, regel {line}: onbekende soort 'werkproces'" in result.output
    assert "Traceback" not in result.output
    db.session.rollback()
    assert item_count() == 0


def test_cli_refuses_a_file_that_is_not_utf8(app, tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(VALID.replace("Kerntaak een", "Kerntaak één").encode("latin-1"))

    result = run(app, "--file", str(path))

    assert result.exit_code != 0
    assert "geen UTF-8" in result.output
    db.session.rollback()
    assert item_count() == 0
