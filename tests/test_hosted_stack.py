"""The pages' downloads in a hosted-style Jupyter: an older stack is already installed.

Hosted notebook services ship PyMC 5, ArviZ 0.x, numpy 2.2, pandas 2, matplotlib 3.10 and no Bambi
or NumPyro. A reader there downloads a chapter and runs it. Its first cell, the shared setup
(`chapters/setup.py`), must install the tested versions of whatever is missing *or incompatible*,
and stop with a one-line request to restart when it replaced a package the kernel had already
imported; after at most that one restart the notebook runs to the end and prints what the page
printed.

Here a virtual environment with that older stack (and ipykernel, as any Jupyter has) is built once
(`.cache/hosted-stack/`), copied for every group of downloads, and each download runs in a kernel of
the copy from a temporary folder. The first download of each copy meets the old stack and must
install; the later ones find the tested stack. One copy starts its first download with a cell that
imports numpy first, to prove the restart path: the setup must stop with the message, and the
restarted notebook must run to the end. ``HOSTED_COPIES`` sets how many copies (one per chapter
for the strictest run; default 3). Needs the package registry (as a reader's pip does).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from test_reader_notebooks import download, printed

from booktools.chapters import QUIET_KERNEL, ROOT, longest_first, toc_chapters

OLD_STACK = ["pymc<6", "arviz<1", "numpy<2.3", "pandas<3", "matplotlib<3.11", "ipykernel"]
NOT_THERE = ["bambi", "numpyro", "jax"]
CACHE = ROOT / ".cache" / "hosted-stack"
COPIES = int(os.environ.get("HOSTED_COPIES", "3"))
RESTART_LINE = "restart the kernel and run the notebook again"
REPORT = ROOT / "_build" / "hosted-stack.txt"


def groups(chapters: list[Path], copies: int) -> list[list[Path]]:
    """Chapters dealt round-robin over the copies, longest first (each copy's work about equal)."""
    ordered = longest_first(chapters)
    return [ordered[i::copies] for i in range(min(copies, len(ordered)))]


@pytest.fixture(scope="module")
def old_stack() -> Path:
    """A venv with the hosted-style stack, built once and kept in .cache/hosted-stack."""
    base = CACHE / "base"
    stamp = base / "stack.json"
    if stamp.exists() and json.loads(stamp.read_text()) == OLD_STACK:
        return base
    shutil.rmtree(base, ignore_errors=True)
    base.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(base)], check=True)
    python = base / "bin" / "python"
    subprocess.run([python, "-m", "ensurepip", "--upgrade"], check=True, capture_output=True)
    subprocess.run([python, "-m", "pip", "install", "--quiet", *OLD_STACK], check=True, capture_output=True)
    stamp.write_text(json.dumps(OLD_STACK))
    return base


def versions(python: Path) -> dict[str, str]:
    listed = subprocess.run([python, "-m", "pip", "list", "--format", "json"], capture_output=True, text=True)
    return {item["name"].lower(): item["version"] for item in json.loads(listed.stdout)}


def test_the_old_stack_is_old(old_stack):
    found = versions(old_stack / "bin" / "python")
    assert found["pymc"].startswith("5.") and found["arviz"].startswith("0.")
    assert found["numpy"].startswith("2.2") and found["pandas"].startswith("2.")
    assert found["matplotlib"].startswith("3.10")
    assert not set(NOT_THERE) & set(found)


def copy_of(old_stack: Path, target: Path) -> Path:
    shutil.copytree(old_stack, target, symlinks=True)
    kernel = target / "share" / "jupyter" / "kernels" / "hosted"
    kernel.mkdir(parents=True)
    argv = [str(target / "bin" / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}", *QUIET_KERNEL]
    (kernel / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "hosted", "language": "python"}))
    return target


def run(notebook, venv: Path, work: Path):
    """Execute in a kernel of ``venv``; returns the error output of the cell that stopped, or None."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    previous = dict(os.environ)
    os.environ["JUPYTER_PATH"] = str(venv / "share" / "jupyter")
    os.environ["PYTENSOR_FLAGS"] = f"base_compiledir={work / 'pytensor'}"
    os.environ["JAX_COMPILATION_CACHE_DIR"] = str(work / "jax")
    os.environ.pop("PYTHONPATH", None)
    try:
        NotebookClient(
            notebook, timeout=1200, kernel_name="hosted", resources={"metadata": {"path": str(work)}}
        ).execute()
        return None
    except CellExecutionError:
        for cell in notebook.cells:
            for output in cell.get("outputs", []):
                if output["output_type"] == "error":
                    return output
        raise
    finally:
        os.environ.clear()
        os.environ.update(previous)


def page_and_fresh_copy(chapter: Path):
    path = download(chapter, ".ipynb")
    return nbformat.read(path, as_version=4), nbformat.read(path, as_version=4)


def compare(ran, page) -> list[str]:
    differences = []
    first_code = next(i for i, cell in enumerate(page.cells) if cell.cell_type == "code")
    for index, (done, shown) in enumerate(zip(ran.cells, page.cells, strict=True)):
        if shown.cell_type != "code" or index == first_code or "%watermark" in shown.source:
            continue
        if printed(done) != printed(shown):
            differences.append(f"cell {index}:\n--- page\n{printed(shown)[:600]}\n+++ hosted\n{printed(done)[:600]}")
    return differences


@pytest.mark.parametrize("group", range(COPIES), ids=lambda g: f"copy{g}")
def test_downloads_run_in_a_hosted_stack(group, old_stack, tmp_path):
    chapters = groups(toc_chapters(), COPIES)
    if group >= len(chapters):
        pytest.skip("more copies than chapters")
    venv = copy_of(old_stack, tmp_path / "venv")
    report = []
    for position, chapter in enumerate(chapters[group]):
        work = tmp_path / chapter.stem
        work.mkdir()
        page, notebook = page_and_fresh_copy(chapter)
        start = time.perf_counter()
        if group == 0 and position == 0:
            # The kernel has imported numpy before the setup replaces it: the setup must stop.
            early = nbformat.read(download(chapter, ".ipynb"), as_version=4)
            early.cells.insert(0, nbformat.v4.new_code_cell("import numpy\nprint(numpy.__version__)"))
            stopped = run(early, venv, work)
            assert stopped is not None and stopped["ename"] == "RestartKernel", f"expected a restart request: {stopped}"
            assert RESTART_LINE in stopped["evalue"] and "numpy" in stopped["evalue"]
            assert "\n" not in stopped["evalue"] and len(stopped.get("traceback", [])) == 1, "one line, no traceback"
            assert printed(early.cells[0]).startswith("2.2"), "the kernel had the old numpy imported"
            report.append(f"{chapter.stem}: imported numpy first -> asked for a restart")
        stopped = run(notebook, venv, work)
        restarted = False
        if stopped is not None and stopped["ename"] == "RestartKernel":
            restarted = True
            page, notebook = page_and_fresh_copy(chapter)
            stopped = run(notebook, venv, work)
        assert stopped is None, f"{chapter.stem} stopped after {int(restarted)} restart(s): {stopped}"
        setup_said = printed(next(c for c in notebook.cells if c.cell_type == "code"))
        if position == 0 and not restarted and group != 0:
            assert setup_said.startswith("Setup: installed "), f"the first download must upgrade: {setup_said}"
        differences = compare(notebook, page)
        assert not differences, f"{chapter.stem} printed other numbers than the page:\n" + "\n".join(differences)
        seconds = time.perf_counter() - start
        said = setup_said.strip()[:60]
        report.append(f"{chapter.stem}: copy {group}, {seconds:.0f} s, {'restarted, ' if restarted else ''}{said}")
    print("\n".join(report))
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    with REPORT.open("a") as handle:  # what the closing note of a change quotes: restart or not, time
        handle.write("\n".join(report) + "\n")
    found = versions(venv / "bin" / "python")
    assert found["pymc"].startswith("6.") and found["arviz"].startswith("1.")
