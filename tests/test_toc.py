"""The table of contents and the chapters folder agree, and every chapter keeps the book's conventions."""

import re

import jupytext
import pytest
from export_chapters import ROOT, SEED_LINE, toc_chapters, with_seed

CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))


def test_every_toc_entry_exists():
    missing = [str(path.relative_to(ROOT)) for path in toc_chapters() if not path.exists()]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_every_chapter_is_in_the_toc():
    listed = set(toc_chapters())
    orphans = [str(path.relative_to(ROOT)) for path in CHAPTERS if path not in listed]
    assert not orphans, f"chapters missing from _toc.yml: {orphans}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_conventions(chapter):
    text = chapter.read_text()
    notebook = jupytext.read(chapter)
    assert notebook.metadata["jupytext"]["text_representation"]["format_name"] == "myst"
    assert len(SEED_LINE.findall(text)) == 1, "exactly one 'RANDOM_SEED = <int>' line"
    tags = [cell.metadata.get("tags", []) for cell in notebook.cells if cell.cell_type == "code"]
    assert any("remove-cell" in t for t in tags), "a hidden check cell (tag remove-cell)"
    assert re.search(r"^#+ .*[Ee]xercises", text, re.MULTILINE), "an Exercises section"
    assert "{exercise}" in text, "at least one exercise"


def test_with_seed_replaces_the_seed_line():
    notebook = jupytext.reads("```{code-cell}\nRANDOM_SEED = 1\nx = 2\n```\n", fmt="md:myst")
    assert with_seed(notebook, 77).cells[0].source == "RANDOM_SEED = 77\nx = 2"


def test_with_seed_refuses_a_chapter_without_seed_line():
    notebook = jupytext.reads("```{code-cell}\nx = 2\n```\n", fmt="md:myst")
    with pytest.raises(ValueError, match="RANDOM_SEED"):
        with_seed(notebook, 77)
