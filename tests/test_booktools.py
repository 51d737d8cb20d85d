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
    assert len(markdown) == sum(c.cell_type == "markdown" for c in jupytext.read(toy).cells)
    first = markdown[0]
    assert first.startswith("# A toy chapter") and "(toy)=" not in first
    assert "> **What you will learn**" in first and "> - one thing, with $x^2$" in first
    assert "[the posterior](posterior.ipynb)" in first and "Figure 42.1" in first
    assert "after (Bishop 2006)" in first
    assert markdown[1].startswith("*Figure 42.1: A line, as in Figure 42.1.*")
    assert "**Exercise 42.1**" in markdown[1] and "**Solution to Exercise 42.1**" in markdown[1]
    assert markdown[2].strip() == "---"
    assert "{" not in "".join(markdown).replace("{2}", "")


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
