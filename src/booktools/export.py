"""Export the chapters listed in _toc.yml as .ipynb notebooks, optionally with another seed (for nbval).

nbval collects only .ipynb files, and the chapters are MyST Markdown: this script
converts them with jupytext. ``--seeds default 123`` writes one folder per seed,
``seed-default/`` with the chapters as written and ``seed-123/`` with the line
``RANDOM_SEED = <int>`` of each chapter replaced by ``RANDOM_SEED = 123``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import jupytext

from .chapters import ROOT, read_chapter, toc_chapters, with_seed


def export_reader(out: Path, only: str | None = None) -> list[Path]:
    """The reader's notebooks (what the pages' downloads hold), with outputs where the cache has them."""
    import nbformat

    from .chapters import cached_notebook
    from .reader import Book, reader_notebook

    book = Book()
    chapters = toc_chapters() if only is None else [ROOT / "chapters" / f"{only}.md"]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for chapter in chapters:
        target = out / f"{chapter.stem}.ipynb"
        nbformat.write(reader_notebook(chapter, cached_notebook(chapter), book), target)
        written.append(target)
    return written


def export(out: Path, seeds: list[str], flat: bool = False, only: str | None = None) -> list[Path]:
    chapters = toc_chapters() if only is None else [ROOT / "chapters" / f"{only}.md"]
    if not all(chapter.exists() for chapter in chapters):
        raise SystemExit(f"missing chapter file(s): {[str(c) for c in chapters if not c.exists()]}")
    written = []
    for seed in seeds:
        folder = out if flat else out / f"seed-{seed}"
        folder.mkdir(parents=True, exist_ok=True)
        for chapter in chapters:
            notebook = read_chapter(chapter)
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
    parser.add_argument("--reader", action="store_true", help="the reader's notebooks (no check cells), as downloaded")
    args = parser.parse_args()
    if args.reader:
        written = export_reader(args.out, args.only)
        print(f"wrote {len(written)} reader notebooks under {args.out}")
        return
    if args.flat and len(args.seeds) != 1:
        parser.error("--flat takes exactly one seed")
    for seed in args.seeds:
        if seed != "default" and not seed.isdigit():
            parser.error(f"seeds are 'default' or non-negative integers, got {seed!r}")
    written = export(args.out, args.seeds, args.flat, args.only)
    print(f"wrote {len(written)} notebooks under {args.out}")


if __name__ == "__main__":
    main()
