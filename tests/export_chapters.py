"""Export the chapters listed in _toc.yml as .ipynb notebooks, optionally with another seed.

nbval collects only .ipynb files, and the chapters are MyST Markdown: this script
converts them with jupytext. ``--seeds default 123`` writes one folder per seed,
``seed-default/`` with the chapters as written and ``seed-123/`` with the line
``RANDOM_SEED = <int>`` of each chapter replaced by ``RANDOM_SEED = 123``.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import jupytext
import yaml

ROOT = Path(__file__).resolve().parent.parent
SEED_LINE = re.compile(r"^RANDOM_SEED = \d+$", re.MULTILINE)


def toc_chapters(root: Path = ROOT) -> list[Path]:
    """Every file the table of contents lists below the root page, in book order."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = []
    for part in toc.get("parts", []):
        stack = list(part.get("chapters", []))
        while stack:
            entry = stack.pop(0)
            files.append(root / f"{entry['file']}.md")
            stack[0:0] = entry.get("sections", [])
    return files


def with_seed(notebook, seed: int):
    """The notebook with its one ``RANDOM_SEED = <int>`` line set to ``seed``."""
    hits = [cell for cell in notebook.cells if cell.cell_type == "code" and SEED_LINE.search(cell.source)]
    if len(hits) != 1:
        raise ValueError(f"expected exactly one code cell with a 'RANDOM_SEED = <int>' line, found {len(hits)}")
    hits[0].source = SEED_LINE.sub(f"RANDOM_SEED = {seed}", hits[0].source)
    return notebook


def export(out: Path, seeds: list[str], flat: bool = False, only: str | None = None) -> list[Path]:
    chapters = toc_chapters() if only is None else [ROOT / "chapters" / f"{only}.md"]
    if not all(chapter.exists() for chapter in chapters):
        raise SystemExit(f"missing chapter file(s): {[str(c) for c in chapters if not c.exists()]}")
    written = []
    for seed in seeds:
        folder = out if flat else out / f"seed-{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        for chapter in chapters:
            notebook = jupytext.read(chapter)
            if seed != "default":
                notebook = with_seed(notebook, int(seed))
            target = folder / f"{chapter.stem}.ipynb"
            jupytext.write(notebook, target)
            written.append(target)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seeds", nargs="+", default=["default"], help="'default' and/or integers")
    parser.add_argument("--only", help="export just chapters/<ONLY>.md, listed in _toc.yml or not")
    parser.add_argument("--flat", action="store_true", help="write one seed's notebooks straight into --out")
    args = parser.parse_args()
    if args.flat and len(args.seeds) != 1:
        parser.error("--flat takes exactly one seed")
    for seed in args.seeds:
        if seed != "default" and not seed.isdigit():
            parser.error(f"seeds are 'default' or non-negative integers, got {seed!r}")
    written = export(args.out, args.seeds, args.flat, args.only)
    print(f"wrote {len(written)} notebooks under {args.out}")


if __name__ == "__main__":
    main()
