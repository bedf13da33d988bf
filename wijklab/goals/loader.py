"""Qualification frameworks from TOML files: validate a whole file, then upsert its items.

The file format is described at the top of each file in wijklab/goals/frameworks/.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import NoReturn

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from wijklab.errors import WijklabError
from wijklab.extensions import db
from wijklab.goals.models import (
    CODE_MAX,
    FRAMEWORK_MAX,
    TITLE_MAX,
    FrameworkItem,
    FrameworkItemKind,
)

MAX_ITEMS = 2000
LEVELS = ("mbo", "hbo")
KINDS = tuple(kind.value for kind in FrameworkItemKind)
FRAMEWORK_FIELDS = ("code", "title", "level", "source")
ITEM_FIELDS = ("code", "title", "kind", "parent", "own_wording")
FRAMEWORK_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
ITEM_CODE = re.compile(r"\S+")
TOML_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)")
TABLE_HEADER = re.compile(r"\s*\[\s*framework\s*\]")
ITEMS_HEADER = re.compile(r"\s*\[\[\s*items\s*\]\]")


# A framework file is two levels deep; tomllib recurses once per nested array or inline table
# (5,000 levels overflow the stack) and slows down quadratically on long dotted keys, so both
# are bounded before it reads the text.
MAX_NESTING = 20
_NESTING_TOKENS = re.compile(r"""'{3}|"{3}|['"#\[\]{}.=,\n]""")
_BASIC_STRING_END = re.compile(r'(?:[^"\\\n]|\\.)*"')
_MULTILINE_BASIC_END = re.compile(r'(?:[^"\\]|\\.|"(?!""))*"""(?:""?)?', re.DOTALL)


class FrameworkFileError(WijklabError):
    """A framework file that cannot be loaded; ``line`` is its 1-based line, when known."""

    def __init__(self, filename: str, reason, line: int | None = None) -> None:
        if line is None:
            message = _l("%(filename)s: %(reason)s", filename=filename, reason=reason)
        else:
            message = _l(
                "%(filename)s, regel %(line)s: %(reason)s",
                filename=filename,
                line=line,
                reason=reason,
            )
        super().__init__(message)
        self.filename = filename
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class ParsedItem:
    code: str
    title: str
    kind: FrameworkItemKind
    parent: str | None
    own_wording: bool
    position: int
    line: int | None


@dataclass(frozen=True)
class ParsedFramework:
    """A framework file that passed every check; only this is ever loaded."""

    filename: str
    code: str
    title: str
    level: str
    source: str
    items: tuple[ParsedItem, ...]


@dataclass(frozen=True)
class LoadResult:
    """What loading one framework did; ``deactivated`` counts items no longer in the file."""

    created: int
    updated: int
    unchanged: int
    deactivated: int = 0


class _Lines:
    """Line numbers for what tomllib parsed (it reports them only for syntax errors)."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.framework = self._first(TABLE_HEADER)
        self.items = [i for i, line in enumerate(self.lines) if ITEMS_HEADER.match(line)]

    def _first(self, pattern: re.Pattern) -> int | None:
        for i, line in enumerate(self.lines):
            if pattern.match(line):
                return i
        return None

    def of_framework(self, key: str | None = None) -> int | None:
        return self._in_block(self.framework, key)

    def of_item(self, index: int, key: str | None = None, count: int | None = None) -> int | None:
        # Only when every item is its own [[items]] table can the n-th header be the n-th item.
        if count is not None and len(self.items) != count:
            return None
        if index >= len(self.items):
            return None
        return self._in_block(self.items[index], key)

    def _in_block(self, start: int | None, key: str | None) -> int | None:
        if start is None:
            return None
        if key is not None:
            assignment = re.compile(rf"\s*{re.escape(key)}\s*=")
            for i in range(start + 1, len(self.lines)):
                line = self.lines[i]
                if line.lstrip().startswith("["):
                    break
                if assignment.match(line):
                    return i + 1
        return start + 1


def nesting_problem(text: str) -> int | None:
    """The 1-based line where ``text`` nests arrays or tables, or dotted key parts, more than
    MAX_NESTING deep (outside strings and comments); None when it stays within bounds."""
    depth = parts = 0
    line = 1
    position = 0
    while True:
        token = _NESTING_TOKENS.search(text, position)
        if token is None:
            return None
        kind = token.group()
        position = token.end()
        if kind == "\n":
            line += 1
            parts = 0
        elif kind in "[{":
            depth += 1
            parts = 0
        elif kind in "]}":
            depth = max(depth - 1, 0)
            parts = 0
        elif kind in "=,":
            parts = 0
        elif kind == ".":
            parts += 1
        elif kind == "#":
            end = text.find("\n", position)
            position = len(text) if end < 0 else end
            continue
        else:
            if kind == '"':
                found = _BASIC_STRING_END.match(text, position)
                end = found.end() if found else -1
            elif kind == '"""':
                found = _MULTILINE_BASIC_END.match(text, position)
                end = found.end() if found else -1
            else:
                closing = text.find(kind, position)
                end = closing + len(kind) if closing >= 0 else -1
                # A multi-line literal string may end with one or two quotes of its own.
                while (
                    kind == "'''"
                    and 0 <= end < len(text)
                    and text[end] == "'"
                    and (end - closing < 5)
                ):
                    end += 1
            if end < 0:
                # An unclosed string: tomllib reports it with its line.
                return None
            line += text.count("\n", position, end)
            position = end
            continue
        if depth > MAX_NESTING or parts >= MAX_NESTING:
            return line


def parse_framework(text: str, filename: str) -> ParsedFramework:
    """Read and check a whole framework file; any problem raises FrameworkFileError."""
    too_deep = _l("het bestand is dieper genest dan %(max)s niveaus.", max=MAX_NESTING)
    deep_line = nesting_problem(text)
    if deep_line is not None:
        raise FrameworkFileError(filename, too_deep, deep_line)
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise FrameworkFileError(filename, too_deep) from None
    except tomllib.TOMLDecodeError as error:
        detail = str(error)
        found = TOML_POSITION.search(detail)
        line = int(found.group(1)) if found else None
        detail = TOML_POSITION.sub("", detail)
        raise FrameworkFileError(
            filename, _l("geen geldige TOML (%(detail)s).", detail=detail), line
        ) from None
    lines = _Lines(text)

    def fail(reason, line: int | None = None) -> NoReturn:
        raise FrameworkFileError(filename, reason, line)

    for key in data:
        if key not in ("framework", "items"):
            fail(_l("onbekend onderdeel '%(key)s'.", key=key))

    framework = data.get("framework")
    if not isinstance(framework, dict):
        fail(_l("de tabel [framework] ontbreekt."))
    for key in framework:
        if key not in FRAMEWORK_FIELDS:
            fail(_l("onbekend veld '%(key)s' in [framework].", key=key), lines.of_framework(key))
    values = {}
    for key in FRAMEWORK_FIELDS:
        value = framework.get(key)
        if not isinstance(value, str) or not value.strip():
            fail(
                _l("het veld '%(key)s' in [framework] ontbreekt of is leeg.", key=key),
                lines.of_framework(key if key in framework else None),
            )
        values[key] = value.strip()
    if len(values["code"]) > FRAMEWORK_MAX or not FRAMEWORK_CODE.fullmatch(values["code"]):
        fail(
            _l(
                "de code van het kader mag alleen kleine letters, cijfers en streepjes hebben, "
                "hoogstens %(max)s tekens.",
                max=FRAMEWORK_MAX,
            ),
            lines.of_framework("code"),
        )
    if values["level"] not in LEVELS:
        fail(_l("het niveau moet mbo of hbo zijn."), lines.of_framework("level"))

    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        fail(_l("het bestand heeft geen [[items]]."))
    if len(raw_items) > MAX_ITEMS:
        fail(_l("meer dan %(max)s items in één bestand.", max=MAX_ITEMS))
    count = len(raw_items)

    items: list[ParsedItem] = []
    first_line: dict[str, int | None] = {}
    for index, raw in enumerate(raw_items):

        def line_of(key: str | None = None, index=index) -> int | None:
            return lines.of_item(index, key, count)

        if not isinstance(raw, dict):
            fail(_l("item %(number)s is geen tabel.", number=index + 1))
        for key in raw:
            if key not in ITEM_FIELDS:
                fail(_l("onbekend veld '%(key)s'.", key=key), line_of(key))
        code = raw.get("code")
        if not isinstance(code, str) or not code.strip():
            fail(_l("een item zonder code."), line_of("code" if "code" in raw else None))
        code = code.strip()
        if len(code) > CODE_MAX:
            fail(
                _l("de code '%(code)s' is langer dan %(max)s tekens.", code=code, max=CODE_MAX),
                line_of("code"),
            )
        if not ITEM_CODE.fullmatch(code):
            fail(_l("de code '%(code)s' bevat spaties.", code=code), line_of("code"))
        if code in first_line:
            where = first_line[code]
            if where is None:
                reason = _l("de code '%(code)s' komt twee keer voor.", code=code)
            else:
                reason = _l(
                    "de code '%(code)s' komt twee keer voor (ook op regel %(line)s).",
                    code=code,
                    line=where,
                )
            fail(reason, line_of("code"))
        first_line[code] = line_of()

        title = raw.get("title")
        if not isinstance(title, str) or not title.strip():
            fail(
                _l("het item '%(code)s' heeft geen titel.", code=code),
                line_of("title" if "title" in raw else None),
            )
        title = " ".join(title.split())
        if len(title) > TITLE_MAX:
            fail(
                _l(
                    "de titel van '%(code)s' is langer dan %(max)s tekens.",
                    code=code,
                    max=TITLE_MAX,
                ),
                line_of("title"),
            )

        kind = raw.get("kind")
        if kind is None:
            fail(_l("het item '%(code)s' heeft geen soort (kind).", code=code), line_of())
        if kind not in KINDS:
            fail(
                _l(
                    "onbekende soort '%(kind)s' bij '%(code)s' (kies uit %(kinds)s).",
                    kind=kind,
                    code=code,
                    kinds=", ".join(KINDS),
                ),
                line_of("kind"),
            )

        parent = raw.get("parent")
        if parent is not None:
            if not isinstance(parent, str) or not parent.strip():
                fail(_l("de parent van '%(code)s' is leeg.", code=code), line_of("parent"))
            parent = parent.strip()
        own_wording = raw.get("own_wording", False)
        if not isinstance(own_wording, bool):
            fail(_l("own_wording moet true of false zijn."), line_of("own_wording"))

        items.append(
            ParsedItem(
                code=code,
                title=title,
                kind=FrameworkItemKind(kind),
                parent=parent,
                own_wording=own_wording,
                position=index + 1,
                line=line_of(),
            )
        )

    by_code = {item.code: item for item in items}
    for index, item in enumerate(items):
        if item.parent is not None and item.parent not in by_code:
            fail(
                _l(
                    "de parent '%(parent)s' van '%(code)s' staat niet in het bestand.",
                    parent=item.parent,
                    code=item.code,
                ),
                lines.of_item(index, "parent", count),
            )
    for index, item in enumerate(items):
        chain, seen = [item.code], {item.code}
        current = item
        while current.parent is not None:
            if current.parent in seen:
                chain.append(current.parent)
                fail(
                    _l(
                        "de parents vormen een kring: %(chain)s.",
                        chain=" → ".join(chain[chain.index(current.parent) :]),
                    ),
                    lines.of_item(index, "parent", count),
                )
            chain.append(current.parent)
            seen.add(current.parent)
            current = by_code[current.parent]

    return ParsedFramework(
        filename=filename,
        code=values["code"],
        title=values["title"],
        level=values["level"],
        source=values["source"],
        items=tuple(items),
    )


def load_framework(parsed: ParsedFramework) -> LoadResult:
    """Upsert a checked framework's items by (framework, code) and make the items that left the
    file inactive; flushes, never commits, and a second run with the same file changes nothing."""
    existing = {
        item.code: item
        for item in db.session.scalars(
            select(FrameworkItem).where(FrameworkItem.framework == parsed.code)
        )
    }
    created = updated = unchanged = deactivated = 0
    targets: dict[str, FrameworkItem] = {}
    changed: dict[str, bool] = {}
    for data in parsed.items:
        item = existing.get(data.code)
        if item is None:
            item = FrameworkItem(framework=parsed.code, code=data.code)
            db.session.add(item)
            changed[data.code] = True
        else:
            changed[data.code] = False
        targets[data.code] = item
        new_values = {
            "title": data.title,
            "kind": data.kind,
            "position": data.position,
            "is_own_wording": data.own_wording,
            "is_active": True,
        }
        for name, value in new_values.items():
            # Assign only what differs, so an unchanged row is not updated (nor its updated_at).
            if getattr(item, name) != value:
                setattr(item, name, value)
                changed[data.code] = True

    for data in parsed.items:
        item = targets[data.code]
        parent = targets[data.parent] if data.parent is not None else None
        if parent is None:
            same_parent = item.parent_id is None
        else:
            same_parent = parent.id is not None and item.parent_id == parent.id
        if not same_parent:
            item.parent = parent
            changed[data.code] = True
        if data.code not in existing:
            created += 1
        elif changed[data.code]:
            updated += 1
        else:
            unchanged += 1

    for code, item in existing.items():
        if code not in targets and item.is_active:
            item.is_active = False
            deactivated += 1
    db.session.flush()
    return LoadResult(
        created=created, updated=updated, unchanged=unchanged, deactivated=deactivated
    )


def shipped_framework_files() -> list[tuple[str, str]]:
    """(file name, text) of every .toml file in wijklab/goals/frameworks/, sorted by name."""
    folder = resources.files("wijklab.goals").joinpath("frameworks")
    files = sorted(
        (entry for entry in folder.iterdir() if entry.name.endswith(".toml")),
        key=lambda entry: entry.name,
    )
    return [(entry.name, entry.read_text(encoding="utf-8")) for entry in files]


def parse_all(files: list[tuple[str, str]]) -> list[ParsedFramework]:
    """Check every file before anything is loaded; two files may not describe one framework."""
    parsed = [parse_framework(text, filename) for filename, text in files]
    seen: dict[str, str] = {}
    for framework in parsed:
        if framework.code in seen:
            raise FrameworkFileError(
                framework.filename,
                _l(
                    "het kader '%(code)s' staat ook in %(other)s.",
                    code=framework.code,
                    other=seen[framework.code],
                ),
            )
        seen[framework.code] = framework.filename
    return parsed


def load_shipped_frameworks() -> dict[str, LoadResult]:
    """Load every framework file shipped with Wijklab; one bad file refuses them all."""
    return {
        framework.code: load_framework(framework)
        for framework in parse_all(shipped_framework_files())
    }
