"""Which chapters the book has, read as the build reads them, and found in the execution cache."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SEED_LINE = re.compile(r"^RANDOM_SEED = \d+$", re.MULTILINE)
LIBRARY = ROOT / "src" / "bayes_linreg"
# Cells tagged so are the hidden checks: removed from the page and from the reader's download.
CHECK_TAG = "remove-cell"


def toc_chapters(root: Path = ROOT) -> list[Path]:
    """The chapters: every file of the table of contents' numbered parts, in book order.

    Unnumbered parts (the glossary and the references) are pages, not chapters.
    """
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    files = []
    for part in toc.get("parts", []):
        if not part.get("numbered", False):
            continue
        stack = list(part.get("chapters", []))
        while stack:
            entry = stack.pop(0)
            files.append(root / f"{entry['file']}.md")
            stack[0:0] = entry.get("sections", [])
    return files


# ipykernel 7 logs a warning to the terminal whenever a kernel starts on local TCP ("running over TCP
# without encryption"); these kernels are local and short-lived, and the warning buried the
# output of `make book` and `make bench`. Kernels started by the book's tools log errors only.
QUIET_KERNEL = ["--IPKernelApp.log_level=ERROR"]

FIT_MARKERS = ('nuts_sampler="numpyro"', 'inference_method="numpyro"')


def samples(path: Path) -> bool:
    """Whether the chapter fits a model with MCMC (NumPyro's NUTS, through PyMC or Bambi)."""
    return expected_cost(path)[0] > 0


COMPILED_MARKERS = ("sample_posterior_predictive(", "compute_log_likelihood(", ".predict(")


def expected_cost(path: Path) -> tuple[int, int]:
    """How long the chapter should take to run, as a sort key: (NUTS fits, other compiled PyMC calls).

    Each NUTS fit compiles a model (seconds on a first run), and so, less, does every posterior
    predictive, log-likelihood or prediction call; the numpy chapters have none of either.
    """
    text = Path(path).read_text()
    return sum(text.count(m) for m in FIT_MARKERS), sum(text.count(m) for m in COMPILED_MARKERS)


def longest_first(paths: list[Path]) -> list[Path]:
    """The chapters by expected run time, longest first (ties in book order).

    Run two at a time in this order, the long chapters start at once and the short ones fill in at
    the end, so both workers finish at about the same time: the last chapter to start is short.
    """
    return sorted(paths, key=expected_cost, reverse=True)


def chapter_numbers(root: Path = ROOT) -> dict[str, int]:
    """Chapter number by file stem, as the book numbers them (continuously across parts)."""
    return {path.stem: number for number, path in enumerate(toc_chapters(root), start=1)}


def read_chapter(path: Path):
    """The chapter as jupytext reads it, with every ``:load:`` cell holding the file it loads.

    myst-nb fills a ``{code-cell}`` with ``:load: <file>`` from that file (the shared setup) when it
    reads the chapter for the build; jupytext shows the cell as written. The tools that read chapters
    (export for nbval, lint, the reader's notebooks, the tests) read them through this function, so
    they all see what the build executes.
    """
    import jupytext

    path = Path(path)
    notebook = jupytext.read(path)
    for cell in notebook.cells:
        loaded = cell.metadata.get("load") if cell.cell_type == "code" else None
        if loaded:
            cell.source = (path.parent / loaded).read_text().rstrip("\n")
    return notebook


def loaded_files(path: Path) -> list[Path]:
    """The files the chapter's ``:load:`` cells load."""
    import jupytext

    path = Path(path)
    return [
        (path.parent / cell.metadata["load"]).resolve()
        for cell in jupytext.read(path).cells
        if cell.cell_type == "code" and cell.metadata.get("load")
    ]


def library_hash(library: Path = LIBRARY) -> str:
    """A digest of the reference-and-check library's source: a change to it re-executes every chapter."""
    import hashlib

    digest = hashlib.sha256()
    for file in sorted(Path(library).rglob("*.py")):
        digest.update(str(file.relative_to(library)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def execution_cache(root: Path = ROOT) -> Path:
    """Jupyter Book's execution cache for the library as it is now.

    jupyter-cache keys a notebook on its code cells only, so a change to ``src/bayes_linreg`` alone
    would re-run no chapter's checks. The cache lives in a folder named after the library's digest:
    a changed library finds an empty cache and every chapter executes again.
    """
    return Path(root) / ".cache" / "jupyter" / library_hash(Path(root) / "src" / "bayes_linreg")


def read_like_myst_nb(path: Path):
    """The chapter as a notebook, exactly as myst-nb reads it for the build and its cache."""
    from myst_nb.core.config import NbParserConfig
    from myst_nb.core.read import create_nb_reader
    from myst_parser.config.main import MdParserConfig

    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    extensions = config.get("parse", {}).get("myst_enable_extensions", [])
    text = Path(path).read_text()
    reader = create_nb_reader(str(path), MdParserConfig(enable_extensions=set(extensions)), NbParserConfig(), text)
    return reader.read(text)


def cached_notebook(path: Path, cache_path: Path | None = None):
    """The chapter as the last build executed it (code cells with outputs), or None if not cached."""
    from jupyter_cache import get_cache

    cache_path = execution_cache() if cache_path is None else cache_path
    if not Path(cache_path).exists():
        return None
    cache = get_cache(str(cache_path))
    try:
        record = cache.match_cache_notebook(read_like_myst_nb(path))
    except KeyError:
        return None
    return cache.get_cache_bundle(record.pk).nb


def with_seed(notebook, seed: int):
    """The notebook with its one ``RANDOM_SEED = <int>`` line set to ``seed``."""
    hits = [cell for cell in notebook.cells if cell.cell_type == "code" and SEED_LINE.search(cell.source)]
    if len(hits) != 1:
        raise ValueError(f"expected exactly one code cell with a 'RANDOM_SEED = <int>' line, found {len(hits)}")
    hits[0].source = SEED_LINE.sub(f"RANDOM_SEED = {seed}", hits[0].source)
    return notebook
