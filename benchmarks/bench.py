"""Performance table of the book, measured side by side in one run on this machine.

    make bench            # everything: cold/warm build, chapters, samplers
    make bench PARTS=chapters,samplers

1. build: `make book` from an empty execution cache (cold), then again with nothing changed (warm).
2. chapters: each chapter top to bottom in a fresh kernel, split into kernel start/overhead, imports (the
   seed cell), cells that sample (compile + draw) and the rest.
3. samplers: bulk ESS per second on chapter 6's model for PyMC's own NUTS, nutpie and the book's
   default, compile time reported separately; exact closed-form draws for chapter 5's model.
Prints ratios computed from numbers measured in this same run; no timing is asserted anywhere.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def _seconds(start: str, end: str) -> float:
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return (parse(end) - parse(start)).total_seconds()


def bench_build() -> list[tuple[str, float | str]]:
    make = ["make", "--no-print-directory", "book"]
    shutil.rmtree(ROOT / "_build", ignore_errors=True)
    shutil.rmtree(ROOT / ".cache" / "jupyter", ignore_errors=True)
    rows = []
    for label in ("cold build (empty execution cache)", "warm rebuild (nothing changed)"):
        start = time.perf_counter()
        subprocess.run(make, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rows.append((label, time.perf_counter() - start))
    rows.append(("ratio warm / cold", rows[1][1] / rows[0][1]))
    return rows


SAMPLING_MARKERS = ("pm.sample(", ".fit(", "sample_prior_predictive(", "sample_posterior_predictive(")


def bench_chapters() -> list[tuple[str, float | str]]:
    import jupytext
    from export_chapters import toc_chapters
    from nbclient import NotebookClient

    rows = []
    for chapter in toc_chapters():
        notebook = jupytext.read(chapter)
        client = NotebookClient(notebook, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(chapter.parent)}})
        start = time.perf_counter()
        client.execute()
        total = time.perf_counter() - start
        imports = sampling = other = 0.0
        seen_seed = False
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            timing = cell.metadata.get("execution", {})
            if "iopub.execute_input" not in timing or "shell.execute_reply" not in timing:
                continue
            seconds = _seconds(timing["iopub.execute_input"], timing["shell.execute_reply"])
            if not seen_seed and "RANDOM_SEED = " in cell.source:
                imports += seconds
                seen_seed = True
            elif any(marker in cell.source for marker in SAMPLING_MARKERS):
                sampling += seconds
            else:
                other += seconds
        rows.append((
            chapter.stem,
            f"total {total:6.1f} s | kernel+overhead {total - imports - sampling - other:4.1f} | imports {imports:4.1f} | "
            f"sampling cells {sampling:5.1f} | other cells {other:5.1f}",
        ))
    return rows


def bench_samplers() -> list[tuple[str, float | str]]:
    from sampler_bench import sampler_rows

    return sampler_rows()


PARTS = {"build": bench_build, "chapters": bench_chapters, "samplers": bench_samplers}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {list(PARTS)}")
    args = parser.parse_args()
    parts = [p for p in args.parts.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown part(s) {sorted(unknown)}; choose from {list(PARTS)}")
    print(f"# bench on {platform.node()}: {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC")
    for part in parts:
        print(f"\n## {part}")
        for label, value in PARTS[part]():
            text = f"{value:8.2f}" if isinstance(value, float) else value
            print(f"{label:42s} {text}")


if __name__ == "__main__":
    main()
