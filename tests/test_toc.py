"""The table of contents and the chapters folder agree, and every chapter keeps the book's conventions."""

import re

import jupytext
import pytest

from booktools.chapters import ROOT, SEED_LINE, toc_chapters, with_seed

CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
PINS = dict(
    line.split("==")
    for line in (ROOT / "requirements.txt").read_text().splitlines()
    if "==" in line and not line.startswith("#")
)
PACKAGES = [path.name for path in (ROOT / "src").iterdir() if (path / "__init__.py").exists()]


def reader_cells(notebook):
    return [c for c in notebook.cells if c.cell_type == "code" and "remove-cell" not in c.metadata.get("tags", [])]


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
    assert "{literalinclude}" not in text, "code the chapter teaches is written in a cell, not included"
    assert "%watermark" in reader_cells(notebook)[-1].source, "the last cell is the watermark cell"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_reader_cells_use_public_packages_only(chapter):
    """Only hidden check cells may import the book's own packages: readers do not have them."""
    for cell in reader_cells(jupytext.read(chapter)):
        for package in PACKAGES:
            assert not re.search(rf"\b(import|from)\s+{package}\b", cell.source), (
                f"a cell the reader gets imports {package}:\n{cell.source[:300]}"
            )


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_install_cell_names_what_the_chapter_imports_at_the_pinned_versions(chapter):
    cells = reader_cells(jupytext.read(chapter))
    install = cells[0]
    assert "TESTED_WITH" in install.source and "hide-input" in install.metadata.get("tags", []), (
        "the first code cell is the folded install cell with a TESTED_WITH dict"
    )
    tested = dict(re.findall(r'"([\w-]+)": "([^"]+)"', install.source.split("missing =")[0]))
    wrong = {name: (version, PINS.get(name)) for name, version in tested.items() if PINS.get(name) != version}
    assert not wrong, f"TESTED_WITH differs from requirements.txt (chapter, pinned): {wrong}"
    imported = set()
    for cell in cells[1:]:
        imported |= set(re.findall(r"^\s*(?:import|from)\s+(\w+)", cell.source, re.MULTILINE))
    third_party = {name for name in imported if name in PINS}
    missing = third_party - set(tested)
    assert not missing, f"the chapter imports {sorted(missing)} but its install cell does not name them"
    if any('="numpyro"' in cell.source for cell in cells[1:]):
        unnamed = {"numpyro", "jax", "jaxlib"} - set(tested)
        assert not unnamed, f"the chapter samples with NumPyro but its install cell does not name {sorted(unnamed)}"


def test_with_seed_replaces_the_seed_line():
    notebook = jupytext.reads("```{code-cell}\nRANDOM_SEED = 1\nx = 2\n```\n", fmt="md:myst")
    assert with_seed(notebook, 77).cells[0].source == "RANDOM_SEED = 77\nx = 2"


def test_with_seed_refuses_a_chapter_without_seed_line():
    notebook = jupytext.reads("```{code-cell}\nx = 2\n```\n", fmt="md:myst")
    with pytest.raises(ValueError, match="RANDOM_SEED"):
        with_seed(notebook, 77)
