"""ruff on the chapters' code cells: lint, and the formatter's verdict, at the page's 72 columns.

    python -m booktools.lint            # report; exit 1 if any chapter needs changes
    python -m booktools.lint --fix      # write ruff's fixes and formatting back into the chapters

Each chapter's code cells (check cells included) are handed to ruff as a notebook, so ruff treats
them as cells: a trailing ``;`` that keeps an object's repr off the page stays, and magics are
understood. Prose and cell metadata are not Python and are not linted. With ``--fix`` only the
cells' code changes; the chapter is re-read afterwards to prove that nothing else moved.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import jupytext
import nbformat

from .chapters import ROOT

CONFIG = ROOT / "ruff-chapters.toml"


def code_notebook(chapter: Path):
    source = jupytext.read(chapter)
    cells = [nbformat.v4.new_code_cell(cell.source) for cell in source.cells if cell.cell_type == "code"]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {"name": "python3", "language": "python", "display_name": "Python 3"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args, "--config", str(CONFIG)], capture_output=True, text=True)


def write_back(chapter: Path, fixed) -> None:
    text = chapter.read_text()
    source = jupytext.reads(text, fmt="md:myst")
    code = [cell for cell in source.cells if cell.cell_type == "code"]
    changed = False
    for cell, new in zip(code, fixed.cells, strict=True):
        new_source = new.source.rstrip("\n")
        if cell.source != new_source:
            text = text.replace(f"\n{cell.source}\n```", f"\n{new_source}\n```", 1)
            changed = True
    if changed:
        again = [c.source for c in jupytext.reads(text, fmt="md:myst").cells if c.cell_type == "code"]
        if again != [c.source.rstrip("\n") for c in fixed.cells]:
            raise SystemExit(f"{chapter.name}: could not write the fixes back cell by cell; fix it by hand")
        chapter.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", type=Path, help="chapter files (default: chapters/*.md)")
    parser.add_argument("--fix", action="store_true", help="apply ruff's fixes and formatting to the chapters")
    args = parser.parse_args(argv)
    chapters = args.chapters or sorted((ROOT / "chapters").glob("*.md"))
    status = 0
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for chapter in chapters:
            path = Path(folder) / f"{chapter.stem}.ipynb"
            nbformat.write(code_notebook(chapter), path)
            paths[chapter] = path
        files = [str(p) for p in paths.values()]
        if args.fix:
            ruff("check", "--fix", "--quiet", *files)
            ruff("format", "--quiet", *files)
            for chapter, path in paths.items():
                write_back(chapter, nbformat.read(path, as_version=4))
        checked = ruff("check", "--output-format", "concise", *files)
        formatted = ruff("format", "--check", *files)
        for result in (checked, formatted):
            if result.returncode != 0:
                status = 1
                print(result.stdout.replace(folder + "/", "chapters/").replace(".ipynb", ".md (code cells)"), end="")
                print(result.stderr, end="", file=sys.stderr)
    if status:
        print("chapters' code cells need changes: `python -m booktools.lint --fix` applies ruff's fixes and formatting")
    return status


if __name__ == "__main__":
    sys.exit(main())
