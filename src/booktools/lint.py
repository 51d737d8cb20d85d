"""ruff on the chapters' code cells: lint, and the formatter's verdict, at the page's 72 columns.

    python -m booktools.lint            # report; exit 1 if any chapter needs changes
    python -m booktools.lint --fix      # write ruff's fixes and formatting back into the chapters

A chapter's code cells are handed to ruff as a notebook, so ruff treats them as cells: a trailing
``;`` that keeps an object's repr off the page stays, and magics are understood. Prose and cell
metadata are not Python and are not linted. The cells a reader gets must be formatted and fit 72
columns (the page's content column); hidden check cells are linted with the reader's cells (they
use the chapter's names) but may be as wide as the package's code (120 columns) and are not
reformatted. With ``--fix`` only the cells' code changes, and the chapter is re-read afterwards to
prove that nothing else moved.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat

from .chapters import CHECK_TAG, ROOT, loaded_files

CONFIG = ROOT / "ruff-chapters.toml"
CHECK_CELL_WIDTH = 120


def code_cells(chapter: Path) -> list:
    """The chapter's own code cells; a ``:load:`` cell's code lives in its file, linted on its own."""
    return [cell for cell in jupytext.read(chapter).cells if cell.cell_type == "code" and not cell.metadata.get("load")]


def loaded_file_problems(path: Path, folder: Path, fix: bool) -> list[str]:
    """ruff check and format on a file that chapters load into their first cell, as the cell it becomes."""
    notebook = as_notebook([path.read_text().rstrip("\n")], folder / f"{path.stem}-loaded.ipynb")
    if fix:
        ruff("check", "--fix", "--quiet", str(notebook))
        ruff("format", "--quiet", str(notebook))
        fixed = nbformat.read(notebook, as_version=4).cells[0].source.rstrip("\n") + "\n"
        if fixed != path.read_text():
            path.write_text(fixed)
    result = ruff("check", "--output-format", "json", str(notebook))
    problems = [
        f"{path.relative_to(ROOT)}: line {item['location']['row']}: {item['code']} {item['message']}"
        for item in json.loads(result.stdout or "[]")
    ]
    if ruff("format", "--check", str(notebook)).returncode:
        problems.append(f"{path.relative_to(ROOT)}: not formatted (ruff format)")
    return problems


def as_notebook(sources: list[str], path: Path) -> Path:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.write(notebook, path)
    return path


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--config", str(CONFIG)], capture_output=True, text=True
    )


def lint_problems(chapter: Path, cells: list, folder: Path, fix: bool) -> tuple[list[str], list[str]]:
    """ruff check on all code cells; returns the problems and the (possibly fixed) sources."""
    path = as_notebook([c.source for c in cells], folder / f"{chapter.stem}-all.ipynb")
    if fix:
        ruff("check", "--fix", "--quiet", str(path))
    result = ruff("check", "--output-format", "json", str(path))
    problems = []
    for item in json.loads(result.stdout or "[]"):
        cell = cells[item["cell"] - 1] if item.get("cell") else None
        is_check = cell is not None and CHECK_TAG in cell.metadata.get("tags", [])
        if item["code"] == "E501" and is_check:
            line = cell.source.splitlines()[item["location"]["row"] - 1] if cell.source else ""
            if len(line) <= CHECK_CELL_WIDTH:
                continue
        where = f"code cell {item.get('cell')}, line {item['location']['row']}"
        problems.append(f"{chapter.relative_to(ROOT)}: {where}: {item['code']} {item['message']}")
    sources = [c.source for c in nbformat.read(path, as_version=4).cells]
    return problems, sources


def format_problems(
    chapter: Path, sources: list[str], cells: list, folder: Path, fix: bool
) -> tuple[list[str], list[str]]:
    """ruff format on the reader's cells; returns the problems and the (possibly formatted) sources."""
    reader = [i for i, cell in enumerate(cells) if CHECK_TAG not in cell.metadata.get("tags", [])]
    path = as_notebook([sources[i] for i in reader], folder / f"{chapter.stem}-reader.ipynb")
    if fix:
        ruff("format", "--quiet", str(path))
        formatted = [c.source for c in nbformat.read(path, as_version=4).cells]
        sources = list(sources)
        for i, source in zip(reader, formatted, strict=True):
            sources[i] = source
    result = ruff("format", "--check", str(path))
    problems = (
        [f"{chapter.relative_to(ROOT)}: the reader's code cells are not formatted (ruff format)"]
        if result.returncode
        else []
    )
    return problems, sources


def write_back(chapter: Path, cells: list, sources: list[str]) -> None:
    text = chapter.read_text()
    for cell, new in zip(cells, sources, strict=True):
        new = new.rstrip("\n")
        if cell.source != new:
            text = text.replace(f"\n{cell.source}\n```", f"\n{new}\n```", 1)
    again = [c.source for c in jupytext.reads(text, fmt="md:myst").cells if c.cell_type == "code"]
    if again != [s.rstrip("\n") for s in sources]:
        raise SystemExit(f"{chapter.name}: could not write the fixes back cell by cell; fix it by hand")
    chapter.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="chapter files (default: chapters/*.md)")
    parser.add_argument("--fix", action="store_true", help="apply ruff's fixes and formatting to the chapters")
    args = parser.parse_args(argv)
    chapters = [c.resolve() for c in args.chapters] or sorted((ROOT / "chapters").glob("*.md"))
    problems = []
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for loaded in sorted({file for chapter in chapters for file in loaded_files(chapter)}):
            problems += loaded_file_problems(loaded, folder, args.fix)
        for chapter in chapters:
            cells = code_cells(chapter)
            found, sources = lint_problems(chapter, cells, folder, args.fix)
            unformatted, sources = format_problems(chapter, sources, cells, folder, args.fix)
            if args.fix and sources != [c.source for c in cells]:
                write_back(chapter, cells, sources)
            problems += found + unformatted
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s); `python -m booktools.lint --fix` applies ruff's fixes and formatting")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
