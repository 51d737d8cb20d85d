"""Performance table of the book, measured side by side in one run on this machine.

    make bench                      # everything: chapters, build, samplers
    make bench PARTS=chapters       # one part

1. chapters: each chapter's reader notebook (what a reader downloads) top to bottom in a fresh
   kernel, first with EMPTY PyTensor and JAX compile caches (a reader's first run), then again with
   them warm (a re-run), side by side, with the time the sampling cells take.
2. floor: the least a sampling chapter can cost here, as the same two runs of three made-up
   notebooks: kernel start and the imports alone; plus one Bambi fit with its log-likelihood; plus
   the penguins chapter's three models (fit and log-likelihood, nothing else). Set against the
   first-run and warm targets (20 s, 10 s), it shows how much of a chapter's time is not its own.
3. build: `make book` from an empty execution cache (cold), then with nothing changed (warm, which
   is only rendering). The cold build's limit on two cores is the chapters' warm times summed and
   halved (two chapters execute at a time) plus the rendering; the ratio cold / limit is printed.
4. choice: every chapter that samples, first run (empty caches), as written (NumPyro's NUTS) and with
   its fits switched to PyMC's own NUTS and to nutpie, side by side: why the chapters use NumPyro.
5. samplers: bulk ESS per second on chapter 6's model for PyMC's own NUTS, NumPyro, nutpie and the default.
Prints ratios computed from numbers measured in this same run; no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from booktools.chapters import QUIET_KERNEL, ROOT, samples, toc_chapters

SAMPLING_MARKERS = ("pm.sample(", ".fit(", "sample_prior_predictive(", "sample_posterior_predictive(")
MEASURED: dict[str, float] = {}
ONLY: list[str] = []  # --only: just these chapters


def chapters() -> list[Path]:
    return [c for c in toc_chapters() if not ONLY or c.stem in ONLY] or [ROOT / "chapters" / f"{s}.md" for s in ONLY]


def _seconds(start: str, end: str) -> float:
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def with_sampler(notebook, sampler: str):
    """The notebook with every NumPyro fit switched to another NUTS implementation ("pymc" or "nutpie")."""
    if sampler not in ("pymc", "nutpie"):
        raise ValueError(f"sampler must be 'pymc' or 'nutpie', got {sampler!r}")
    switched = copy.deepcopy(notebook)
    fits = 0
    for cell in switched.cells:
        if cell.cell_type == "code":
            fits += cell.source.count('="numpyro"')
            cell.source = cell.source.replace('nuts_sampler="numpyro"', f'nuts_sampler="{sampler}"').replace(
                'inference_method="numpyro"', f'inference_method="{sampler}"'
            )
    if fits == 0 or any('="numpyro"' in cell.source for cell in switched.cells if cell.cell_type == "code"):
        raise ValueError("the notebook has no NumPyro fit to switch, or one this function cannot switch")
    return switched


def run_reader_notebook(chapter: Path, compiledir: Path, sampler: str = "numpyro") -> tuple[float, float]:
    """Seconds for the chapter's reader notebook top to bottom in a fresh kernel, and for its sampling cells."""
    from booktools.reader import reader_notebook

    notebook = reader_notebook(chapter, unglued="placeholder")  # timing only: prose does not matter
    if sampler != "numpyro":
        notebook = with_sampler(notebook, sampler)
    return run_notebook(notebook, compiledir)


def run_notebook(notebook, compiledir: Path) -> tuple[float, float]:
    """Seconds for a notebook top to bottom in a fresh kernel with these compile caches, and for its sampling cells."""
    from nbclient import NotebookClient

    caches = {"PYTENSOR_FLAGS": f"base_compiledir={compiledir}", "JAX_COMPILATION_CACHE_DIR": str(compiledir / "jax")}
    previous = {name: os.environ.get(name) for name in caches}
    os.environ.update(caches)
    try:
        with tempfile.TemporaryDirectory() as work:
            client = NotebookClient(
                notebook, timeout=900, resources={"metadata": {"path": work}}, extra_arguments=QUIET_KERNEL
            )
            start = time.perf_counter()
            client.execute()
            total = time.perf_counter() - start
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name)
            else:
                os.environ[name] = value
    sampling = 0.0
    for cell in notebook.cells:
        timing = cell.metadata.get("execution", {})
        if (
            cell.cell_type == "code"
            and any(m in cell.source for m in SAMPLING_MARKERS)
            and "shell.execute_reply" in timing
        ):
            sampling += _seconds(timing["iopub.execute_input"], timing["shell.execute_reply"])
    return total, sampling


def bench_chapters() -> list[tuple[str, str]]:
    rows = [("chapter", "first run (empty compile cache) | warm re-run | first / warm | sampling cells first, warm")]
    first_total = warm_total = 0.0
    for chapter in chapters():
        with tempfile.TemporaryDirectory() as compiledir:
            first, first_sampling = run_reader_notebook(chapter, Path(compiledir))
            warm, warm_sampling = run_reader_notebook(chapter, Path(compiledir))
        first_total += first
        warm_total += warm
        rows.append(
            (
                chapter.stem,
                f"{first:6.1f} s | {warm:6.1f} s | {first / warm:4.2f}x | "
                f"{first_sampling:5.1f} s, {warm_sampling:5.1f} s",
            )
        )
    MEASURED["chapters_warm_sum"] = warm_total
    rows.append(("all chapters", f"{first_total:6.1f} s | {warm_total:6.1f} s | {first_total / warm_total:4.2f}x |"))
    return rows


def bench_sampler_choice() -> list[tuple[str, str]]:
    """Each sampling chapter's first run as written (NumPyro) and with its fits switched to PyMC's NUTS or nutpie."""
    samplers = ("numpyro", "pymc", "nutpie")
    header = " | ".join(f"{s:>8s}" for s in samplers) + " | sampling cells, same order"
    rows = [("chapter, first run (empty caches)", header)]
    totals = dict.fromkeys(samplers, 0.0)
    for chapter in chapters():
        if not samples(chapter):
            continue
        results = {}
        for sampler in samplers:
            with tempfile.TemporaryDirectory() as compiledir:
                results[sampler] = run_reader_notebook(chapter, Path(compiledir), sampler)
            totals[sampler] += results[sampler][0]
        rows.append(
            (
                chapter.stem,
                " | ".join(f"{results[s][0]:6.1f} s" for s in samplers)
                + " | "
                + ", ".join(f"{results[s][1]:.1f}" for s in samplers),
            )
        )
    rows.append(
        (
            "all sampling chapters",
            " | ".join(f"{totals[s]:6.1f} s" for s in samplers)
            + f" | numpyro / pymc {totals['numpyro'] / totals['pymc']:.2f}x,"
            + f" numpyro / nutpie {totals['numpyro'] / totals['nutpie']:.2f}x",
        )
    )
    return rows


def bench_build() -> list[tuple[str, str]]:
    make = ["make", "--no-print-directory", "book"]
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    shutil.rmtree(ROOT / ".cache" / "jupyter", ignore_errors=True)
    seconds = []
    for _ in range(2):
        start = time.perf_counter()
        subprocess.run(make, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - start)
    cold, render = seconds
    rows = [
        ("cold build (empty execution cache)", f"{cold:6.1f} s"),
        ("warm rebuild (rendering only)", f"{render:6.1f} s ({render / cold:.2f} of cold)"),
    ]
    if "chapters_warm_sum" in MEASURED:
        limit = MEASURED["chapters_warm_sum"] / 2 + render
        rows.append(("2-core limit: sum(chapters warm) / 2 + render", f"{limit:6.1f} s"))
        rows.append(("cold build / its limit", f"{cold / limit:5.2f}x (target <= 1.10)"))
    return rows


def bench_samplers() -> list[tuple[str, str]]:
    from benchmarks.sampler_bench import sampler_rows

    return sampler_rows()


FLOOR_SETUP = """\
import logging

import arviz as az
import bambi as bmb
import matplotlib.pyplot as plt
import numpy as np
import pymc as pm
import pytensor
from palmerpenguins import load_penguins

pytensor.config.numba__fastmath = False
logging.getLogger("pymc").setLevel(logging.ERROR)
rng = np.random.default_rng(8927)
penguins = load_penguins().dropna(subset=["flipper_length_mm", "body_mass_g"])
penguins["flipper_c"] = penguins["flipper_length_mm"] - penguins["flipper_length_mm"].mean()
"""
FLOOR_FIT = """\
model = bmb.Model("body_mass_g ~ {formula}", penguins)
fit = model.fit(draws=1000, tune=500, chains=4, inference_method="numpyro", progressbar=False, random_seed=rng)
model.compute_log_likelihood(fit)
"""
PENGUIN_FORMULAS = ("flipper_c", "flipper_c + species", "flipper_c * species")


def floor_notebooks() -> dict:
    """The made-up notebooks of the floor part: imports only, one fit, the penguins chapter's three models."""
    import nbformat

    def notebook(formulas):
        cells = [FLOOR_SETUP] + [FLOOR_FIT.format(formula=formula) for formula in formulas]
        return nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(code) for code in cells],
            metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        )

    return {
        "kernel and imports": notebook(()),
        "+ one Bambi fit": notebook(PENGUIN_FORMULAS[:1]),
        "+ penguins' three models": notebook(PENGUIN_FORMULAS),
    }


def bench_floor() -> list[tuple[str, str]]:
    rows = [("floor (made-up notebooks)", "first run (empty compile cache) | warm re-run | targets 20 s | 10 s")]
    for label, notebook in floor_notebooks().items():
        with tempfile.TemporaryDirectory() as compiledir:
            first, _ = run_notebook(copy.deepcopy(notebook), Path(compiledir))
            warm, _ = run_notebook(copy.deepcopy(notebook), Path(compiledir))
        rows.append((label, f"{first:6.1f} s | {warm:6.1f} s | {first / 20:4.2f} | {warm / 10:4.2f} of the targets"))
    return rows


PARTS = {
    "chapters": bench_chapters,
    "floor": bench_floor,
    "build": bench_build,
    "choice": bench_sampler_choice,
    "samplers": bench_samplers,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {list(PARTS)}")
    parser.add_argument("--only", nargs="+", default=[], help="chapters and choice parts: just these chapters (stems)")
    args = parser.parse_args()
    ONLY[:] = args.only
    parts = [p for p in args.parts.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {sorted(unknown)}; choose from {list(PARTS)}")
    print(
        f"# bench on {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    for part in parts:
        print(f"\n## {part}")
        for label, value in PARTS[part]():
            print(f"{label:46s} {value}", flush=True)


if __name__ == "__main__":
    main()
