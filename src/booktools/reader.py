"""The reader's notebook of a chapter: what a page's downloads and the chapters archive hold.

A chapter is a MyST notebook with hidden check cells that import the book's package. A reader gets
the chapter as they see it on the page, and nothing that needs this repository:

- every markdown cell, with MyST-only syntax (admonitions, exercises and solutions, ``{ref}``,
  ``{numref}``, ``{math}``, labels) rewritten as plain Markdown that Jupyter renders;
- every code cell but the ``remove-cell`` ones (the checks), with the outputs of the build when
  the executed chapter is given; ``hide-input`` cells stay folded in JupyterLab; a ``:load:`` cell
  (the shared setup) holds the file it loads, as on the page;
- each figure's caption, numbered as on the page, in italics in a cell of its own under the figure;
- every number glued into the prose (`` {glue:text}`name:.2f` ``) as the text the page shows, taken
  from the executed chapter (Jupyter does not render glue roles);
- exercise solutions folded (JupyterLab and Notebook 7 honour ``source_hidden`` and
  ``outputs_hidden``) under a visible "Solution to Exercise n.m" line;
- references to another chapter as links to its notebook, and references inside the chapter as
  links to the section's heading in the same notebook (never to the notebook itself).

Anything MyST-only that is not understood here raises ``ValueError``, so a new directive cannot
reach a reader as raw text unnoticed.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path

import jupytext
import nbformat

from .chapters import CHECK_TAG, ROOT, chapter_numbers, read_chapter, toc_chapters

GLUE_PREFIX = "application/papermill.record/"
CAPTION_TAG = "caption"
SOLUTION_TAG = "solution"
FOLDED_TAGS = {"hide-input", "hide-cell"}
_LABEL_LINE = re.compile(r"^\(([\w.-]+)\)=\s*$", re.MULTILINE)
_EQUATION_LABEL = re.compile(r"^(\s*\$\$)\s*\([\w.:-]+\)\s*$", re.MULTILINE)
_ROLE = re.compile(r"\{([a-z:-]+)\}`([^`]*)`")
_TITLED_TARGET = re.compile(r"^(.*?)\s*<([^<>]+)>$", re.DOTALL)
_FENCE_OPEN = re.compile(r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*)$")
_OPTION = re.compile(r"^:([\w-]+):\s*(.*)$")
_HEADING = re.compile(r"^(#+)\s+(.+?)\s*$")
_EXERCISE_LABEL = re.compile(r"^[`:]{3,}\{exercise\}[^\n]*\n(?::[\w-]+:[^\n]*\n)*?:label:\s*([\w.-]+)", re.MULTILINE)


_BIB_ENTRY = re.compile(r"@\w+\{([^,]+),(.*?)\n\}", re.DOTALL)
_BIB_FIELD = re.compile(r"^\s*(\w+)\s*=\s*\{(.*)\},?\s*$", re.MULTILINE)


def read_bibliography(path: Path) -> dict[str, tuple[str, str]]:
    """Cite key -> (``"Author Year"`` or ``"Author et al. Year"``, link) from a BibTeX file."""
    entries = {}
    if not path.exists():
        return entries
    for key, body in _BIB_ENTRY.findall(path.read_text()):
        fields = dict(_BIB_FIELD.findall(body))
        authors = [a.strip().strip("{}") for a in fields.get("author", key).split(" and ")]
        surname = authors[0].split(",")[0].strip("{} ")
        who = (
            surname
            if len(authors) == 1
            else (f"{surname} and {authors[1].split(',')[0]}" if len(authors) == 2 else f"{surname} et al.")
        )
        link = fields.get("url") or (f"https://doi.org/{fields['doi']}" if "doi" in fields else "")
        entries[key.strip()] = (f"{who} {fields.get('year', 'n.d.')}".replace("{", "").replace("}", ""), link)
    return entries


class Book:
    """Labels, titles and numbers of the book's chapters and figures, for rewriting references."""

    def __init__(self, root: Path = ROOT):
        self.bibliography = read_bibliography(root / "references.bib")
        self.numbers = chapter_numbers(root)
        self.chapter_labels: dict[str, tuple[str, str]] = {}  # label -> (stem, title)
        self.sections: dict[str, str] = {}  # label of a section (not a chapter title) -> its heading
        self.pages: dict[str, str] = {}  # label of a page that is not a chapter (the appendix) -> its title
        self.exercises: dict[str, tuple[str, str]] = {}  # exercise label -> (stem, "3.2"), as numbered
        for path in (root / name for name in ("checking.md", "glossary.md", "references.md")):
            if path.exists():
                text = path.read_text()
                title = re.search(r"^# (.+)$", text, re.MULTILINE)
                for label in _LABEL_LINE.findall(text):
                    self.pages[label] = title.group(1).strip() if title else label
        self.figures: dict[str, str] = {}  # figure name -> "3.2"
        for path in toc_chapters(root):
            if not path.exists():
                continue
            text = path.read_text()
            title = re.search(r"^# (.+)$", text, re.MULTILINE)
            for label in _LABEL_LINE.findall(text):
                self.chapter_labels[label] = (path.stem, title.group(1).strip() if title else label)
            lines = text.splitlines()
            for i, line in enumerate(lines):
                label = _LABEL_LINE.match(line)
                following = next((rest for rest in lines[i + 1 :] if rest.strip()), "")
                heading = _HEADING.match(following)
                if label and heading and len(heading.group(1)) > 1:
                    self.sections[label.group(1)] = heading.group(2)
            for index, label in enumerate(_EXERCISE_LABEL.findall(text), start=1):
                self.exercises[label] = (path.stem, f"{self.numbers[path.stem]}.{index}")
            notebook = jupytext.reads(text, fmt="md:myst")
            count = 0
            for cell in notebook.cells:
                name = cell.metadata.get("mystnb", {}).get("figure", {}).get("name")
                if cell.cell_type == "code" and name:
                    count += 1
                    self.figures[name] = f"{self.numbers[path.stem]}.{count}"

    def chapter_link(self, label: str, text: str | None, current: str | None = None) -> str:
        """A link to the chapter or section ``label``; inside the chapter ``current``, to the heading."""
        if label in self.exercises:
            stem, number = self.exercises[label]
            shown = text or f"Exercise {number}"
            return shown if stem == current else f"[{shown}]({stem}.ipynb)"
        if label in self.pages and label not in self.chapter_labels:
            return f"{text or self.pages[label]} (in the book's appendix *{self.pages[label]}*)"
        if label not in self.chapter_labels:
            raise ValueError(f"{{ref}} to {label!r}: not a chapter label, which a notebook cannot link to")
        stem, title = self.chapter_labels[label]
        heading = self.sections.get(label)
        shown = text or heading or title
        anchor = f"#{_jupyter_anchor(heading)}" if heading else ""
        if stem == current:
            return f"[{shown}]({anchor})" if anchor else shown
        return f"[{shown}]({stem}.ipynb{anchor})"

    def citation(self, keys: str) -> str:
        parts = []
        for key in (k.strip() for k in keys.split(",")):
            if key not in self.bibliography:
                raise ValueError(f"{{cite}} of {key!r}, which references.bib does not hold")
            who, link = self.bibliography[key]
            parts.append(f"[{who}]({link})" if link else who)
        return "; ".join(parts)

    def figure_number(self, name: str) -> str:
        if name not in self.figures:
            raise ValueError(f"{{numref}} to unknown figure {name!r}")
        return self.figures[name]


def _jupyter_anchor(heading: str) -> str:
    """The id JupyterLab gives a rendered heading: its text with spaces as hyphens."""
    text = re.sub(r"[`*]", "", heading)
    text = re.sub(r"\$([^$]*)\$", r"\1", text)
    return text.strip().replace(" ", "-")


def glue_values(executed) -> dict[str, str]:
    """Glued name -> its ``text/plain`` value, from an executed notebook (as myst-nb reads them)."""
    values = {}
    for cell in executed.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if not name:
                continue
            data = output.get("data", {})
            text = data.get(GLUE_PREFIX + "text/plain", data.get("text/plain"))
            if text is None:
                raise ValueError(f"glued value {name!r} has no text/plain form")
            values[name] = text
    return values


class _Placeholders(dict):
    """Glued values for a notebook that is only run, never read: every name is there, as "…"."""

    def __contains__(self, name) -> bool:
        return True

    def __missing__(self, name) -> str:
        return "'…'"


def _glued_text(content: str, glue: dict[str, str] | None) -> str:
    from myst_nb.core.variables import format_plain_text

    name, _, spec = content.rpartition(":") if ":" in content else (content, "", "")
    if not name:
        name, spec = content, ""
    if glue is None:
        raise ValueError(f"glued value {name!r}: the reader's notebook needs the executed chapter")
    if name not in glue:
        raise ValueError(f"glued value {name!r} is not in the executed chapter (glue it in a check cell)")
    if isinstance(glue, _Placeholders):
        return "…"
    return format_plain_text(glue[name], spec or "s")


def _rewrite_role(match: re.Match, book: Book, glue: dict[str, str] | None = None, current: str | None = None) -> str:
    role, content = match.group(1), match.group(2)
    if role in ("glue", "glue:", "glue:text", "glue:any"):
        return _glued_text(content, glue)
    titled = _TITLED_TARGET.match(content)
    text, target = (titled.group(1), titled.group(2)) if titled else (None, content)
    if role == "ref":
        return book.chapter_link(target, text, current)
    if role == "numref":
        number = book.figure_number(target)
        return text.replace("%s", number) if text else f"Figure {number}"
    if role == "math":
        return f"${content}$"
    if role in ("term", "doc"):
        return text or target
    if role in ("cite", "cite:p"):
        return f"({book.citation(content)})"
    if role == "cite:t":
        return book.citation(content)
    raise ValueError(f"MyST role {{{role}}} has no plain-Markdown form here: {match.group(0)!r}")


def _directive_blocks(lines: list[str]):
    """Split lines into plain runs and directive blocks ``(name, arg, options, body_lines)``."""
    i = 0
    while i < len(lines):
        opened = _FENCE_OPEN.match(lines[i])
        if not opened:
            yield lines[i]
            i += 1
            continue
        fence, name, arg = opened.group("fence"), opened.group("name"), opened.group("arg").strip()
        j = i + 1
        depth = 0
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped.startswith(fence[0] * len(fence)) and "{" in stripped:
                depth += 1
            elif stripped == fence:
                if depth == 0:
                    break
                depth -= 1
            j += 1
        if j == len(lines):
            raise ValueError(f"directive {{{name}}} is not closed")
        body = lines[i + 1 : j]
        options = {}
        while body and _OPTION.match(body[0]):
            key, value = _OPTION.match(body[0]).groups()
            options[key] = value
            body = body[1:]
        yield (name, arg, options, body)
        i = j + 1


class _Exercises:
    """Numbers exercises as sphinx-exercise does (``Exercise 3.1``) and names their solutions."""

    def __init__(self, chapter_number: int):
        self.chapter_number = chapter_number
        self.labels: dict[str, str] = {}

    def add(self, label: str) -> str:
        number = f"{self.chapter_number}.{len(self.labels) + 1}"
        self.labels[label or f"unlabelled-{len(self.labels)}"] = number
        return number


def markdown_for_reader(
    text: str, book: Book, exercises: _Exercises, glue: dict[str, str] | None = None, current: str | None = None
) -> str:
    """One markdown cell of a chapter in plain Markdown (``glue``: the chapter's glued values;
    ``current``: the chapter's stem, for links inside it)."""
    text = _LABEL_LINE.sub("", text)
    text = _EQUATION_LABEL.sub(r"\1", text)
    out: list[str] = []
    for block in _directive_blocks(text.split("\n")):
        if isinstance(block, str):
            out.append(block)
            continue
        name, arg, options, body = block
        inner = markdown_for_reader("\n".join(body), book, exercises, glue, current).strip("\n")
        if name in ("admonition", "note", "tip", "important", "warning", "seealso", "hint"):
            title = arg or name.capitalize()
            quoted = [f"> {line}" if line else ">" for line in inner.split("\n")]
            out += [f"> **{title}**", ">", *quoted]
        elif name == "exercise":
            number = exercises.add(options.get("label", ""))
            title = f" ({arg})" if arg else ""
            out += [f"**Exercise {number}**{title}", "", inner]
        elif name == "solution-start":
            number = exercises.labels.get(arg)
            if number is None:
                raise ValueError(f"solution to unknown exercise {arg!r}")
            out += [f"**Solution to Exercise {number}**", *([""] if inner else []), *([inner] if inner else [])]
        elif name == "solution-end":
            out += ["---"]
        elif name in ("math",):
            out += ["$$", inner, "$$"]
        else:
            raise ValueError(f"MyST directive {{{name}}} has no plain-Markdown form here")
    result = "\n".join(out)
    result = _ROLE.sub(lambda match: _rewrite_role(match, book, glue, current), result)
    return re.sub(r"\n{3,}", "\n\n", result).strip("\n")


def _outputs_by_source(executed) -> list:
    return [cell for cell in executed.cells if cell.cell_type == "code"]


def _solution_pieces(text: str):
    """Split a markdown cell at its ``solution-start`` / ``solution-end`` directives.

    Yields ``("text", markdown)``, ``("start", label)`` and ``("end", None)`` in order.
    """
    lines = text.split("\n")
    run: list[str] = []
    for block in _directive_blocks(lines):
        if isinstance(block, tuple) and block[0] in ("solution-start", "solution-end"):
            if "\n".join(run).strip():
                yield "text", "\n".join(run)
            run = []
            yield ("start", block[1]) if block[0] == "solution-start" else ("end", None)
        elif isinstance(block, tuple):
            name, arg, options, body = block
            fence = "```"
            while any(line.startswith(fence) for line in body):
                fence += "`"
            run += [f"{fence}{{{name}}} {arg}".rstrip(), *[f":{k}: {v}" for k, v in options.items()], *body, fence]
        else:
            run.append(block)
    if "\n".join(run).strip():
        yield "text", "\n".join(run)


def _fold(cell, outputs: bool = False) -> None:
    cell.metadata["jupyter"] = {"source_hidden": True, **({"outputs_hidden": True} if outputs else {})}


def reader_notebook(chapter: Path, executed=None, book: Book | None = None, unglued: str = "refuse"):
    """The reader's notebook of ``chapter``; with ``executed`` (the build's run), its outputs too.

    Glued numbers come from ``executed``; without it a glue role is refused, or, with
    ``unglued="placeholder"`` (for tools that only run the code, such as the benchmark), shown as "…".
    """
    if unglued not in ("refuse", "placeholder"):
        raise ValueError(f"unglued must be 'refuse' or 'placeholder', got {unglued!r}")
    chapter = Path(chapter)
    book = book or Book()
    source = read_chapter(chapter)
    exercises = _Exercises(book.numbers.get(chapter.stem, 0))
    executed_cells = _outputs_by_source(executed) if executed is not None else None
    glue = glue_values(executed) if executed is not None else None
    if glue is None and unglued == "placeholder":
        glue = _Placeholders()
    if executed_cells is not None:
        code_cells = [cell for cell in source.cells if cell.cell_type == "code"]
        if len(code_cells) != len(executed_cells):
            raise ValueError(
                f"{chapter.name}: {len(code_cells)} code cells, the executed notebook has {len(executed_cells)}"
            )

    def markdown(text: str) -> str:
        return markdown_for_reader(text, book, exercises, glue, chapter.stem)

    cells, code_index, in_solution = [], 0, False
    for cell in source.cells:
        if cell.cell_type == "markdown":
            for kind, piece in _solution_pieces(cell.source):
                if kind == "start":
                    number = exercises.labels.get(piece)
                    if number is None:
                        raise ValueError(f"solution to unknown exercise {piece!r}")
                    heading = nbformat.v4.new_markdown_cell(
                        f"**Solution to Exercise {number}** (folded: click the cells below to open them)"
                    )
                    heading.metadata["tags"] = [SOLUTION_TAG]
                    cells.append(heading)
                    in_solution = True
                elif kind == "end":
                    in_solution = False
                else:
                    new = nbformat.v4.new_markdown_cell(markdown(piece))
                    if in_solution:
                        _fold(new)
                    cells.append(new)
            continue
        if cell.cell_type != "code":
            continue
        ran = executed_cells[code_index] if executed_cells is not None else None
        code_index += 1
        tags = list(cell.metadata.get("tags", []))
        if CHECK_TAG in tags:
            continue
        if ran is not None and ran.source.strip() != cell.source.strip():
            raise ValueError(f"{chapter.name}: executed cell {code_index} does not match the chapter's source")
        new = nbformat.v4.new_code_cell(cell.source)
        if tags:
            new.metadata["tags"] = tags
        if in_solution:
            _fold(new, outputs=True)
        elif FOLDED_TAGS & set(tags):
            _fold(new)
        if ran is not None:
            new.outputs = copy.deepcopy(ran.get("outputs", []))
            new.execution_count = ran.get("execution_count")
        cells.append(new)
        figure = cell.metadata.get("mystnb", {}).get("figure", {})
        if figure.get("caption"):
            number = book.figure_number(figure["name"]) if figure.get("name") else ""
            caption = markdown(" ".join(figure["caption"].split()))
            shown = nbformat.v4.new_markdown_cell(f"*Figure {number}: {caption}*" if number else f"*{caption}*")
            shown.metadata["tags"] = [CAPTION_TAG]
            cells.append(shown)
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = dict(source.metadata.get("kernelspec", {}))
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def reader_markdown(notebook) -> str:
    """The reader's notebook as a MyST Markdown text notebook (jupytext), without outputs."""
    bare = copy.deepcopy(notebook)
    for cell in bare.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return jupytext.writes(bare, fmt="md:myst")


def reader_requirements(root: Path = ROOT) -> str:
    """The pinned public packages a reader needs: the science section of ``requirements.txt``."""
    lines = (root / "requirements.txt").read_text().splitlines()
    start = lines.index("# The science")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("#"))
    pins = [line for line in lines[start + 1 : end] if line.strip()]
    extra = [line for line in lines if line.split("==")[0] in ("jupyterlab", "ipykernel")]
    return "\n".join(["# Packages the book's notebooks were tested with (Python 3.12).", *pins, *extra]) + "\n"


ARCHIVE_README = """# Bayesian Linear Regression, Executed: the chapters as notebooks

Each notebook is one chapter of the book, with the outputs it printed when the book was built.
They need no other file: open one in Jupyter and run it top to bottom. Its first cell lists the
packages it needs and installs any that are missing.

To set up a fresh environment with the tested versions (Python 3.12):

    python3.12 -m venv .venv
    .venv/bin/pip install -r requirements.txt
    .venv/bin/jupyter lab

Chapters, in order:

{chapters}
"""


def write_archive(target: Path, notebooks: dict[str, object], root: Path = ROOT) -> Path:
    """Zip the reader notebooks (by chapter stem, in book order) with requirements.txt and a README."""
    import zipfile

    book = Book(root)
    folder = "bayes-linreg-notebooks"
    listing = "\n".join(
        f"{book.numbers[stem]}. `{stem}.ipynb`: {book.chapter_labels.get(stem, (stem, stem))[1]}"
        for stem in sorted(notebooks, key=lambda s: book.numbers.get(s, 0))
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{folder}/README.md", ARCHIVE_README.format(chapters=listing))
        archive.writestr(f"{folder}/requirements.txt", reader_requirements(root))
        for stem, notebook in notebooks.items():
            archive.writestr(f"{folder}/{stem}.ipynb", nbformat.writes(notebook))
    return target
