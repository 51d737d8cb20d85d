"""The table of contents and the chapters folder agree, and every chapter keeps the book's conventions."""

import re

import jupytext
import pytest

from booktools.chapters import ROOT, SEED_LINE, read_chapter, toc_chapters, with_seed

CHAPTERS = sorted((ROOT / "chapters").glob("*.md"))
PINS = dict(
    line.split("==")
    for line in (ROOT / "requirements.txt").read_text().splitlines()
    if "==" in line and not line.startswith("#")
)
PINS_LOWER = {name.lower() for name in PINS}
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


SETUP = ROOT / "chapters" / "setup.py"
SETUP_COPIES = re.compile(
    r"TESTED_WITH = \{|rcParams\.update|logging\.getLogger\(|set_matplotlib_formats|numba__fastmath"
)


def setup_pins() -> dict[str, str]:
    source = SETUP.read_text()
    block = source[source.index("TESTED_WITH = {") : source.index("}", source.index("TESTED_WITH = {"))]
    return dict(re.findall(r'"([\w-]+)": "([^"]+)"', block))


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.stem)
def test_first_cell_loads_the_shared_setup_and_no_chapter_copies_it(chapter):
    cells = [c for c in jupytext.read(chapter).cells if c.cell_type == "code"]
    first = cells[0]
    assert first.metadata.get("load") == "setup.py" and "hide-input" in first.metadata.get("tags", []), (
        "the first code cell is the folded `:load: setup.py` cell"
    )
    assert first.source.strip() == "%run setup.py", "its body runs the setup for readers of the .md (make lab)"
    copies = [c.source[:200] for c in cells[1:] if SETUP_COPIES.search(c.source)]
    assert not copies, f"setup code copied into the chapter (it belongs in chapters/setup.py): {copies}"


def test_setup_pins_are_the_requirements():
    tested = setup_pins()
    wrong = {name: (version, PINS.get(name)) for name, version in tested.items() if PINS.get(name) != version}
    assert not wrong, f"TESTED_WITH in chapters/setup.py differs from requirements.txt (setup, pinned): {wrong}"


def test_setup_names_every_package_a_chapter_imports():
    from importlib.metadata import packages_distributions

    distributions = packages_distributions()
    tested = {name.lower() for name in setup_pins()}
    missing = {}
    for chapter in CHAPTERS:
        for cell in reader_cells(read_chapter(chapter))[1:]:
            for module in re.findall(r"^\s*(?:import|from)\s+(\w+)", cell.source, re.MULTILINE):
                for dist in distributions.get(module, []):
                    if dist.lower() in PINS_LOWER and dist.lower() not in tested:
                        missing.setdefault(chapter.stem, set()).add(dist)
    assert not missing, f"chapters import packages the setup does not install: {missing}"


def test_setup_installs_what_sampling_needs():
    assert {"numpyro", "jax", "jaxlib", "pymc", "bambi", "arviz"} <= set(setup_pins())


def test_with_seed_replaces_the_seed_line():
    notebook = jupytext.reads("```{code-cell}\nRANDOM_SEED = 1\nx = 2\n```\n", fmt="md:myst")
    assert with_seed(notebook, 77).cells[0].source == "RANDOM_SEED = 77\nx = 2"


def test_with_seed_refuses_a_chapter_without_seed_line():
    notebook = jupytext.reads("```{code-cell}\nx = 2\n```\n", fmt="md:myst")
    with pytest.raises(ValueError, match="RANDOM_SEED"):
        with_seed(notebook, 77)
