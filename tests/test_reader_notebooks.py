"""The pages' downloads are the chapters as readers see them, and they run without this repository.

Each chapter page offers ``_sources/chapters/<name>.ipynb`` (and ``.md``), written by the build
(`_ext/book_fixes.py`). Here every download is checked for its content, then executed top to
bottom from a temporary folder outside the repository in a kernel where ``import bayes_linreg``
fails, and its printed output must equal what the page printed.
"""

from __future__ import annotations

import itertools
import os
import re
import zipfile
from pathlib import Path

import jupytext
import nbformat
import pytest

from booktools.chapters import ROOT, read_chapter, toc_chapters

HTML = ROOT / "_build" / "html"
CHAPTERS = toc_chapters()
MYST_ONLY = [
    re.compile(r"^\s*(`{3,}|:{3,})\{[\w:-]+\}", re.MULTILINE),  # a directive
    re.compile(r"\{[a-z:-]+\}`"),  # a role
    re.compile(r"^\([\w.-]+\)=\s*$", re.MULTILINE),  # a label
]
BLOCKER = "raise ImportError('the book package is not available to readers')\n"


def download(chapter: Path, suffix: str) -> Path:
    path = HTML / "_sources" / "chapters" / f"{chapter.stem}{suffix}"
    if not path.exists():
        if os.environ.get("BOOK_MUST_BE_BUILT"):
            pytest.fail(f"{path} is missing: the build did not write the reader download")
        pytest.skip("the book is not built (make book)")
    return path


def printed(cell) -> str:
    """Everything a code cell printed as text (streams and plain-text results, not images)."""
    parts = []
    for output in cell.get("outputs", []):
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif output["output_type"] in ("execute_result", "display_data"):
            data = output.get("data", {})
            if "text/plain" in data and not any(key.startswith("image/") for key in data):
                parts.append(data["text/plain"])
        elif output["output_type"] == "error":
            parts.append(f"{output['ename']}: {output['evalue']}")
    return "".join(parts)


def plain_paragraphs(text: str) -> list[str]:
    """The paragraphs of a chapter's markdown that hold no MyST syntax: they reach the reader verbatim."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text)]
    return [p for p in paragraphs if p and not any(pattern.search(p) for pattern in MYST_ONLY) and "```" not in p]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_download_is_the_chapter_as_the_reader_sees_it(chapter):
    notebook = nbformat.read(download(chapter, ".ipynb"), as_version=4)
    source = read_chapter(chapter)
    markdown = [cell for cell in notebook.cells if cell.cell_type == "markdown"]
    text = "\n\n".join(cell.source for cell in markdown)
    position = 0
    for cell in source.cells:
        if cell.cell_type != "markdown":
            continue
        for paragraph in plain_paragraphs(cell.source):
            found = text.find(paragraph, position)
            assert found >= 0, f"the download lost (or reordered) this paragraph: {paragraph[:300]}"
            position = found + len(paragraph)
    for cell in markdown:
        for pattern in MYST_ONLY:
            assert not pattern.search(cell.source), f"MyST-only syntax reached the reader: {cell.source[:300]}"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    visible = [c for c in source.cells if c.cell_type == "code" and "remove-cell" not in c.metadata.get("tags", [])]
    assert [c.source for c in code] == [c.source for c in visible], "every reader cell, and no check cell"
    assert "TESTED_WITH" in code[0].source, "the shared setup's code, not a reference to a file the reader lacks"
    assert not any("bayes_linreg" in cell.source for cell in code)
    assert all(cell.get("outputs") is not None for cell in code)
    assert any(cell.get("outputs") for cell in code), "the download carries the build's outputs"
    text = download(chapter, ".md").read_text()
    assert "remove-cell" not in text and "bayes_linreg" not in text
    assert jupytext.reads(text, fmt="md:myst").cells[0].source == markdown[0].source


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_download_keeps_every_caption_under_its_figure(chapter):
    cells = nbformat.read(download(chapter, ".ipynb"), as_version=4).cells
    figures = [
        c for c in jupytext.read(chapter).cells if c.cell_type == "code" and c.metadata.get("mystnb", {}).get("figure")
    ]
    shown = [i for i, cell in enumerate(cells) if cell.metadata.get("tags") == ["caption"]]
    assert len(shown) == len(figures), "one caption cell per captioned figure"
    for i in shown:
        assert cells[i - 1].cell_type == "code", "a caption sits right under its figure's cell"
        assert cells[i].source.startswith("*Figure ") and cells[i].source.endswith("*")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_download_links_other_notebooks_never_itself(chapter):
    text = "\n".join(c.source for c in nbformat.read(download(chapter, ".ipynb"), as_version=4).cells)
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    notebooks = [target.split("#")[0] for target in targets if ".ipynb" in target]
    assert f"{chapter.stem}.ipynb" not in notebooks, "a link inside the chapter must point at its heading"
    stems = {c.stem for c in CHAPTERS}
    assert all(name[: -len(".ipynb")] in stems for name in notebooks), f"links to missing notebooks: {notebooks}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_download_folds_every_solution(chapter):
    cells = nbformat.read(download(chapter, ".ipynb"), as_version=4).cells
    headings = [i for i, c in enumerate(cells) if c.metadata.get("tags") == ["solution"]]
    assert len(headings) == chapter.read_text().count("{solution-start}")
    for i in headings:
        assert cells[i].source.startswith("**Solution to Exercise"), "a visible heading says what is folded"
        folded = list(itertools.takewhile(lambda c: c.metadata.get("jupyter", {}).get("source_hidden"), cells[i + 1 :]))
        assert folded, "the solution's cells follow its heading, folded"
        for cell in folded:
            if cell.cell_type == "code" and "hide-input" not in cell.metadata.get("tags", []):
                assert cell.metadata["jupyter"].get("outputs_hidden"), "a solution's results are folded too"
    assert any(c.metadata.get("jupyter", {}).get("outputs_hidden") for c in cells) or not headings


def test_landing_page_archive_holds_every_chapter():
    archive = HTML / "bayes-linreg-notebooks.zip"
    if not archive.exists():
        pytest.skip("the book is not built (make book)") if not os.environ.get("BOOK_MUST_BE_BUILT") else pytest.fail(
            f"{archive} is missing"
        )
    with zipfile.ZipFile(archive) as zipped:
        names = set(zipped.namelist())
        requirements = zipped.read("bayes-linreg-notebooks/requirements.txt").decode()
    assert {f"bayes-linreg-notebooks/{c.stem}.ipynb" for c in CHAPTERS} <= names
    assert "bayes-linreg-notebooks/README.md" in names
    assert "pymc==" in requirements and "bambi==" in requirements
    assert "bayes" not in requirements.replace("# Packages the book's notebooks", "")


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_download_runs_without_the_book_package_and_prints_the_page(chapter, tmp_path):
    from nbclient import NotebookClient

    page = nbformat.read(download(chapter, ".ipynb"), as_version=4)
    notebook = nbformat.read(download(chapter, ".ipynb"), as_version=4)
    notebook.cells.append(
        nbformat.v4.new_code_cell("try:\n    import bayes_linreg\nexcept ImportError:\n    print('package blocked')")
    )
    blocked = tmp_path / "blocked"
    (blocked / "bayes_linreg").mkdir(parents=True)
    (blocked / "bayes_linreg" / "__init__.py").write_text(BLOCKER)
    work = tmp_path / "reader"
    work.mkdir()
    assert ROOT not in work.parents
    env = {**os.environ, "PYTHONPATH": str(blocked)}
    previous = dict(os.environ)
    os.environ.update(env)  # the kernel inherits this process's environment
    try:
        NotebookClient(notebook, timeout=600, resources={"metadata": {"path": str(work)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(previous)
    assert printed(notebook.cells[-1]).strip() == "package blocked"
    differences = []
    for index, (ran, shown) in enumerate(zip(notebook.cells, page.cells, strict=False)):  # ran has one more
        if ran.cell_type != "code" or "%watermark" in ran.source:
            continue
        if printed(ran) != printed(shown):
            differences.append(
                f"cell {index}:\n--- page\n{printed(shown)[:800]}\n+++ reader's run\n{printed(ran)[:800]}"
            )
    assert not differences, "the reader's run printed other numbers than the page:\n" + "\n".join(differences)
