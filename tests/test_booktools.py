"""The build tools: MyST turned into plain Markdown for readers, and the reader's notebook of a chapter."""

import textwrap

import jupytext
import nbformat
import pytest

from booktools import reader
from booktools.chapters import ROOT, chapter_numbers, expected_cost, longest_first, toc_chapters

CHAPTER = textwrap.dedent(
    """\
    ---
    jupytext:
      text_representation:
        extension: .md
        format_name: myst
    kernelspec:
      display_name: Python 3 (ipykernel)
      language: python
      name: python3
    ---

    (toy)=
    # A toy chapter

    :::{admonition} What you will learn
    :class: tip
    - one thing, with {math}`x^2`
    :::

    See {ref}`the posterior <posterior>` and {numref}`fig-toy-line`, after {cite}`bishop2006`.

    ```{code-cell} ipython3
    RANDOM_SEED = 1
    print("visible")
    ```

    ```{code-cell} ipython3
    :tags: [remove-cell]

    from bayes_linreg import checks
    ```

    ```{code-cell} ipython3
    ---
    tags: [hide-input]
    mystnb:
      figure:
        name: fig-toy-line
        caption: |
          A line, as in {numref}`Figure %s <fig-toy-line>`.
      image:
        alt: a line
    ---
    print("figure")
    ```

    ## Exercises

    ```{exercise}
    :label: toy-ex

    Do it.
    ```

    ```{solution-start} toy-ex
    :class: dropdown
    ```

    Like this.

    ```{code-cell} ipython3
    print("solution")
    ```

    ```{solution-end}
    ```
    """
)


@pytest.fixture
def book():
    book = reader.Book(ROOT)
    book.numbers["toy"] = 42
    book.chapter_labels["toy"] = ("toy", "A toy chapter")
    book.figures["fig-toy-line"] = "42.1"
    return book


@pytest.fixture
def toy(tmp_path):
    path = tmp_path / "toy.md"
    path.write_text(CHAPTER)
    return path


def test_reader_notebook_drops_checks_and_rewrites_myst(toy, book):
    notebook = reader.reader_notebook(toy, book=book)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    markdown = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    assert [cell.source.splitlines()[-1] for cell in code] == [
        'print("visible")',
        'print("figure")',
        'print("solution")',
    ]
    assert code[1].metadata["jupyter"] == {"source_hidden": True}
    first = markdown[0]
    assert first.startswith("# A toy chapter") and "(toy)=" not in first
    assert "> **What you will learn**" in first and "> - one thing, with $x^2$" in first
    assert "[the posterior](posterior.ipynb)" in first and "Figure 42.1" in first
    assert "after (Bishop 2006)" in first
    assert markdown[1] == "*Figure 42.1: A line, as in Figure 42.1.*", "the caption, in a cell under its figure"
    assert "**Exercise 42.1**" in markdown[2]
    assert markdown[3].startswith("**Solution to Exercise 42.1**")
    assert "{" not in "".join(markdown).replace("{2}", "")


def test_solutions_are_folded_under_a_visible_heading(toy, book):
    cells = reader.reader_notebook(toy, book=book).cells
    heading = next(i for i, cell in enumerate(cells) if cell.source.startswith("**Solution to Exercise"))
    assert "jupyter" not in cells[heading].metadata
    text, solution = cells[heading + 1], cells[heading + 2]
    assert text.source == "Like this." and text.metadata["jupyter"] == {"source_hidden": True}
    assert solution.source == 'print("solution")'
    assert solution.metadata["jupyter"] == {"source_hidden": True, "outputs_hidden": True}


def test_adjacent_figures_keep_both_captions(tmp_path, book):
    two = CHAPTER.replace('print("figure")\n```\n', 'print("figure")\n```\n' + FIGURE_TWO, 1)
    path = tmp_path / "toy.md"
    path.write_text(two)
    book.figures["fig-toy-two"] = "42.2"
    cells = reader.reader_notebook(path, book=book).cells
    captions = [cell.source for cell in cells if cell.metadata.get("tags") == ["caption"]]
    assert captions == ["*Figure 42.1: A line, as in Figure 42.1.*", "*Figure 42.2: The second one.*"]
    index = [i for i, cell in enumerate(cells) if cell.cell_type == "code" and "figure" in cell.source]
    assert [cells[i + 1].source for i in index] == captions, "each caption right under its own figure"


FIGURE_TWO = """
```{code-cell} ipython3
---
mystnb:
  figure:
    name: fig-toy-two
    caption: The second one.
---
print("figure two")
```
"""


def test_references_inside_the_chapter_link_to_the_heading_not_the_notebook(tmp_path, book):
    text = CHAPTER.replace(
        "## Exercises", "(toy-more)=\n## More about `x`\n\nSee {ref}`toy-more` and {ref}`toy`.\n\n## Exercises"
    )
    path = tmp_path / "toy.md"
    path.write_text(text)
    book.chapter_labels["toy-more"] = ("toy", "A toy chapter")
    book.sections["toy-more"] = "More about `x`"
    markdown = "\n".join(c.source for c in reader.reader_notebook(path, book=book).cells if c.cell_type == "markdown")
    assert "[More about `x`](#More-about-x)" in markdown
    assert "toy.ipynb" not in markdown, "a notebook never links to itself"
    assert book.chapter_link("toy-more", None, current="posterior") == "[More about `x`](toy.ipynb#More-about-x)"


def test_glued_numbers_reach_the_reader_as_text(tmp_path, book):
    text = CHAPTER.replace("Do it.", "The slope is {glue:text}`toy-slope:.2f` and {glue:text}`toy-name`.")
    path = tmp_path / "toy.md"
    path.write_text(text)
    executed = jupytext.read(path)
    check = next(c for c in executed.cells if "remove-cell" in c.metadata.get("tags", []))
    check.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"application/papermill.record/text/plain": "0.30412"},
            metadata={"scrapbook": {"name": "toy-slope", "mime_prefix": "application/papermill.record/"}},
        ),
        nbformat.v4.new_output(
            "display_data",
            data={"application/papermill.record/text/plain": "'Gentoo'"},
            metadata={"scrapbook": {"name": "toy-name", "mime_prefix": "application/papermill.record/"}},
        ),
    ]
    markdown = "\n".join(c.source for c in reader.reader_notebook(path, executed, book).cells)
    assert "The slope is 0.30 and Gentoo." in markdown
    with pytest.raises(ValueError, match="needs the executed chapter"):
        reader.reader_notebook(path, book=book)
    check.outputs = []
    with pytest.raises(ValueError, match="not in the executed chapter"):
        reader.reader_notebook(path, executed, book)


def test_outputs_come_from_the_executed_notebook(toy, book):
    executed = jupytext.read(toy)
    for cell in executed.cells:
        if cell.cell_type == "code":
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=cell.source[-9:])]
    notebook = reader.reader_notebook(toy, executed, book)
    assert [cell.outputs[0]["text"] for cell in notebook.cells if cell.cell_type == "code"] == [
        'visible")',
        '"figure")',
        'olution")',
    ]
    executed.cells[-2].source = "print('changed')"
    with pytest.raises(ValueError, match="does not match"):
        reader.reader_notebook(toy, executed, book)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("```{literalinclude} x.py\n```", "literalinclude"),
        ("{ref}`nowhere`", "not a chapter label"),
        ("{numref}`fig-nowhere`", "unknown figure"),
        ("{abbr}`x`", "no plain-Markdown form"),
        ("{cite}`nobody2099`", "references.bib does not hold"),
        ("```{exercise}\nunclosed", "not closed"),
    ],
)
def test_myst_without_a_plain_form_is_refused(text, message, book):
    with pytest.raises(ValueError, match=message):
        reader.markdown_for_reader(text, book, reader._Exercises(1))


def test_reader_markdown_round_trips(toy, book):
    notebook = reader.reader_notebook(toy, book=book)
    again = jupytext.reads(reader.reader_markdown(notebook), fmt="md:myst")
    assert [c.source for c in again.cells] == [c.source for c in notebook.cells]


def test_requirements_for_readers_are_pinned_public_packages():
    lines = [line for line in reader.reader_requirements().splitlines() if not line.startswith("#")]
    assert lines and all("==" in line for line in lines)
    names = {line.split("==")[0] for line in lines}
    assert {"numpy", "pymc", "bambi", "arviz", "jupyterlab"} <= names
    assert not names & {"jupyter-book", "pytest", "nbval", "bayes-linreg"}


def test_chapter_numbers_follow_the_toc():
    numbers = chapter_numbers()
    assert sorted(numbers.values()) == list(range(1, len(toc_chapters()) + 1))


def test_longest_first_puts_more_fits_first_and_keeps_book_order_in_ties(tmp_path):
    fit = 'pm.sample(nuts_sampler="numpyro")\n'
    bambi_fit = 'model.fit(inference_method="numpyro")\n'
    texts = {
        "numpy-a": "rng.normal()\n",
        "one-fit": fit + "pm.sample_posterior_predictive(fit)\n",
        "numpy-b": "x = 1\n",
        "two-fits": fit + bambi_fit,
        "one-fit-more-calls": bambi_fit + "pm.compute_log_likelihood(fit)\nmodel.predict(fit)\n",
    }
    paths = []
    for name, text in texts.items():
        (tmp_path / f"{name}.md").write_text(text)
        paths.append(tmp_path / f"{name}.md")
    assert expected_cost(tmp_path / "one-fit-more-calls.md") == (1, 2)
    assert [p.stem for p in longest_first(paths)] == ["two-fits", "one-fit-more-calls", "one-fit", "numpy-a", "numpy-b"]


def test_every_sampling_chapter_is_scheduled_before_every_numpy_chapter():
    order = longest_first(toc_chapters())
    fits = [expected_cost(path)[0] for path in order]
    assert fits[0] > 0 and fits[-1] == 0
    assert fits == sorted(fits, reverse=True)
    assert sorted(order) == sorted(toc_chapters())


@pytest.mark.parametrize("argv", [["--seeds", "0"], ["--first", "-1"], ["--jobs", "0"]])
def test_false_alarms_refuses_an_empty_or_negative_seed_range(argv, monkeypatch, capsys):
    from booktools import false_alarms

    monkeypatch.setattr("sys.argv", ["false_alarms", *argv])
    with pytest.raises(SystemExit) as exit_info:
        false_alarms.main()
    assert exit_info.value.code == 2
    assert "need --seeds >= 1" in capsys.readouterr().err


def test_bench_switches_every_numpyro_fit_and_refuses_what_it_cannot():
    from benchmarks.bench import with_sampler

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell('pm.sample(nuts_sampler="numpyro")'),
            nbformat.v4.new_code_cell('model.fit(inference_method="numpyro")'),
            nbformat.v4.new_markdown_cell('Prose may name it: `nuts_sampler="numpyro"`.'),
        ]
    )
    switched = with_sampler(notebook, "pymc")
    assert [c.source for c in switched.cells[:2]] == [
        'pm.sample(nuts_sampler="pymc")',
        'model.fit(inference_method="pymc")',
    ]
    assert notebook.cells[0].source == 'pm.sample(nuts_sampler="numpyro")', "the original is left as it was"
    with pytest.raises(ValueError, match="sampler must be"):
        with_sampler(notebook, "stan")
    with pytest.raises(ValueError, match="no NumPyro fit"):
        with_sampler(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]), "pymc")
    with pytest.raises(ValueError, match="no NumPyro fit"):
        with_sampler(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('run(backend="numpyro")')]), "nutpie")


def test_bench_floor_fits_the_penguins_chapters_models_and_nothing_else():
    """The floor adds fits one step at a time, with the chapter's formulas, draws and sampler."""
    from benchmarks.bench import PENGUIN_FORMULAS, floor_notebooks

    chapter = (ROOT / "chapters" / "penguins.md").read_text()
    for formula in PENGUIN_FORMULAS[1:]:
        assert f'"body_mass_g ~ {formula}"' in chapter, formula
    assert chapter.count("draws=1000,") >= 3 and chapter.count("tune=500,") >= 3
    notebooks = floor_notebooks()
    assert [len(nb.cells) for nb in notebooks.values()] == [1, 2, 4]
    for notebook in notebooks.values():
        code = "\n".join(cell.source for cell in notebook.cells)
        assert "bayes_linreg" not in code
        assert code.count(".fit(") == len(notebook.cells) - 1
        assert code.count('inference_method="numpyro"') == code.count(".fit(")


def _copy_library(tmp_path):
    import shutil

    root = tmp_path / "book"
    shutil.copytree(ROOT / "src" / "bayes_linreg", root / "src" / "bayes_linreg")
    return root


def test_library_digest_follows_its_source_only(tmp_path):
    from booktools.chapters import library_hash

    root = _copy_library(tmp_path)
    library = root / "src" / "bayes_linreg"
    before = library_hash(library)
    (root / "README.md").write_text("not the library")
    assert library_hash(library) == before
    checks = library / "checks.py"
    checks.write_text(checks.read_text() + "\n# a changed tolerance\n")
    assert library_hash(library) != before


def test_changing_the_library_makes_the_next_build_execute_again(tmp_path, toy):
    """A chapter cached by one build is found by the next one, unless src/bayes_linreg changed between them."""
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    from booktools.chapters import cached_notebook, execution_cache, read_like_myst_nb
    from booktools.prime_cache import prune_stale_caches

    root = _copy_library(tmp_path)
    first = execution_cache(root)
    cache = get_cache(str(first))
    record = cache.add_nb_to_project(str(toy), read_data={"type": "plugin", "name": "myst_nb_md"})
    cache.cache_notebook_bundle(CacheBundleIn(read_like_myst_nb(toy), record.uri), check_validity=False)
    assert cached_notebook(toy, execution_cache(root)) is not None, "unchanged: the build re-uses the run"

    checks = root / "src" / "bayes_linreg" / "checks.py"
    checks.write_text(checks.read_text().replace("DEFAULT_Z = 4.0", "DEFAULT_Z = 3.0"))
    second = execution_cache(root)
    assert second != first and second.parent == first.parent
    assert cached_notebook(toy, second) is None, "changed library: the build finds nothing and executes the chapter"
    assert prune_stale_caches(second) == [first] and not first.exists(), "the stale cache is removed"


def test_the_build_uses_the_library_keyed_cache():
    import importlib.util
    from types import SimpleNamespace

    from booktools.chapters import execution_cache

    spec = importlib.util.spec_from_file_location("book_fixes", ROOT / "_ext" / "book_fixes.py")
    book_fixes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(book_fixes)
    config = SimpleNamespace(nb_execution_cache_path=".cache/jupyter")
    book_fixes._cache_follows_the_library(SimpleNamespace(srcdir=str(ROOT)), config)
    assert config.nb_execution_cache_path == str(execution_cache(ROOT))


def test_false_alarm_record_keeps_other_chapters_and_book_order(tmp_path):
    import csv

    from booktools.false_alarms import record

    path = tmp_path / "false-alarms.csv"
    record({"robust": ("1-25", 25, 1, 30.0)}, path)
    record({"prior-samples": ("1-10", 10, 0, 3.25), "robust": ("26-50", 25, 0, 29.0)}, path)
    rows = list(csv.DictReader(path.open()))
    assert [row["chapter"] for row in rows] == ["prior-samples", "robust"]
    assert rows[1]["seeds"] == "26-50" and rows[1]["failures"] == "0" and rows[0]["seconds per run"] == "3.2"


def test_references_to_exercises_name_them_as_numbered():
    book = reader.Book(ROOT)
    label, (stem, number) = next(iter(book.exercises.items()))
    assert book.chapter_link(label, None, current=stem) == f"Exercise {number}"
    assert book.chapter_link(label, "that exercise", current="elsewhere") == f"[that exercise]({stem}.ipynb)"
