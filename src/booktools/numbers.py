"""Numbers typed into a chapter's prose: each must be glued from the run, or allowed with a reason.

    python -m booktools.numbers                       # every chapter
    python -m booktools.numbers chapters/posterior.md # one chapter

A number the page computes goes into a sentence through myst-nb glue (`` {glue:text}`name:.2f` ``),
so it is the run's own and changes with it. What a chapter may type by hand are the constants it
sets (``N = 11``, the true line), what follows from them exactly, and facts from a cited source.
Those are listed, one distinct number string per line, in ``tests/typed_numbers/<stem>.yml``::

    "11": "set: the number of data points"
    "0.055": "derived: sigma / sqrt(10/3), the slope's expected sd"
    "3.3": "cited: Bishop's section"

Prose here is every markdown cell, every figure caption and every alt text. Not prose: inline code
spans, roles (glue, ref, numref, cite, term, ...), labels, directive options, link targets and
HTML comments. Inside math, the integers 0 to 10 are exempt (powers, indices, fractions).
The lint also reports allow-list entries that the chapter no longer types, and reasons that do
not say which kind of number it is.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import jupytext
import yaml

from .chapters import ROOT

ALLOWED = ROOT / "tests" / "typed_numbers"
KINDS = ("set", "derived", "cited")
_REASON = re.compile(rf"^({'|'.join(KINDS)}): \S")

_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_FENCE_LINE = re.compile(r"^\s*(`{3,}|:{3,})(\{[\w:-]+\})?.*$", re.MULTILINE)
_OPTION_LINE = re.compile(r"^\s*:[\w-]+:.*$", re.MULTILINE)
_LABEL_LINE = re.compile(r"^\([\w.-]+\)=\s*$", re.MULTILINE)
_ROLE = re.compile(r"\{[a-z:-]+\}`[^`]*`")
_CODE = re.compile(r"`[^`\n]*`")
_LINK_TARGET = re.compile(r"\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
_MATH = re.compile(r"\$\$.*?\$\$|\$[^$\n]+\$", re.DOTALL)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:,\d{3})*(?:\.\d+)?(?![\w])")


@dataclass(frozen=True)
class Typed:
    number: str
    where: str  # "markdown cell 4", "caption of fig-plots-band", ...
    context: str


def _strip(text: str) -> str:
    for pattern in (_COMMENT, _FENCE_LINE, _OPTION_LINE, _LABEL_LINE, _ROLE, _CODE, _LINK_TARGET, _URL):
        text = pattern.sub(" ", text)
    return text


def typed_numbers(text: str, where: str) -> list[Typed]:
    """The numbers typed in one piece of prose (markdown, a caption or an alt text)."""
    text = _strip(text)
    found = []
    for math in _MATH.finditer(text):
        for number in _NUMBER.finditer(math.group(0)):
            value = number.group(0)
            if value.isdigit() and int(value) <= 10:
                continue
            found.append(Typed(value, where, math.group(0).strip()[:100]))
    prose = _MATH.sub(" ", text)
    for number in _NUMBER.finditer(prose):
        start = max(0, number.start() - 40)
        context = " ".join(prose[start : number.end() + 40].split())
        found.append(Typed(number.group(0), where, context))
    return found


def chapter_prose(chapter: Path) -> list[tuple[str, str]]:
    """(where, text) for every markdown cell, figure caption and alt text of the chapter."""
    pieces = []
    for index, cell in enumerate(jupytext.read(chapter).cells):
        if cell.cell_type == "markdown":
            pieces.append((f"markdown cell {index}", cell.source))
        elif cell.cell_type == "code":
            mystnb = cell.metadata.get("mystnb", {})
            name = mystnb.get("figure", {}).get("name", f"cell {index}")
            if mystnb.get("figure", {}).get("caption"):
                pieces.append((f"caption of {name}", mystnb["figure"]["caption"]))
            if mystnb.get("image", {}).get("alt"):
                pieces.append((f"alt text of {name}", mystnb["image"]["alt"]))
    return pieces


def allow_list(chapter: Path, folder: Path = ALLOWED) -> dict[str, str]:
    path = folder / f"{chapter.stem}.yml"
    if not path.exists():
        return {}
    entries = yaml.safe_load(path.read_text()) or {}
    if not isinstance(entries, dict):
        raise ValueError(f"{path}: expected a mapping of number strings to reasons")
    return {str(number): str(reason) for number, reason in entries.items()}


def problems(chapter: Path, folder: Path = ALLOWED) -> list[str]:
    """Every typed number that is neither glued nor allowed, every stale or unexplained entry."""
    chapter = Path(chapter)
    allowed = allow_list(chapter, folder)
    typed = [t for where, text in chapter_prose(chapter) for t in typed_numbers(text, where)]
    name = chapter.name
    found = [
        f"{name}: {t.where}: {t.number!r} is typed, not glued from the run (…{t.context}…)"
        for t in typed
        if t.number not in allowed
    ]
    seen = {t.number for t in typed}
    found += [
        f"{name}: allow-list entry {number!r} is not typed in the chapter any more"
        for number in allowed
        if number not in seen
    ]
    found += [
        f"{name}: allow-list entry {number!r} must say '{'|'.join(KINDS)}: why', got {reason!r}"
        for number, reason in allowed.items()
        if not _REASON.match(reason)
    ]
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="chapter files (default: the chapters in _toc.yml)")
    args = parser.parse_args(argv)
    from .chapters import toc_chapters

    chapters = args.chapters or toc_chapters()
    found = [problem for chapter in chapters for problem in problems(chapter)]
    for problem in found:
        print(problem)
    if found:
        print(f"{len(found)} problem(s): glue the number from the run, or list it in tests/typed_numbers/<stem>.yml")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
