"""Sphinx additions for the book's pages.

Reader downloads. Every chapter page offers the chapter as the reader sees it, as ``.ipynb`` (with
the outputs of this build, from the execution cache) and as ``.md``: prose and visible code, no
check cells, nothing that needs the book's package (:mod:`booktools.reader`). The landing page
links all of them as one archive, ``bayes-linreg-notebooks.zip``, with a ``requirements.txt`` and a
README. (sphinx-book-theme offers an ``.ipynb`` download only when a launch service is configured,
and then copies the execution cache's notebook, which has no markdown cells.)

Execution cache. It lives in ``.cache/jupyter/<digest of src/bayes_linreg>``, so a change to the
reference-and-check library re-executes every chapter (jupyter-cache keys notebooks on their code
cells only).

Repository links. ``repository.url`` in ``_config.yml`` drives the theme's buttons; the same
address reaches the pages as the substitutions ``{{ repository_url }}`` and ``{{ repository_link }}``.

Scripts. Jupyter Book 1 registers some inline scripts twice (sphinx-thebe's ``const
THEBE_JS_URL`` among them), which makes every page throw "Identifier 'THEBE_JS_URL' has already
been declared" in the browser; keep the first copy of each identical script. No upstream issue
was found for it (searched 2026-11-23); to know when to delete this, remove it and run the browser
test (`tests/test_browser.py` fails on any console error).
"""

from pathlib import Path

from booktools.chapters import cached_notebook, execution_cache, loaded_files, toc_chapters
from booktools.reader import Book, reader_markdown, reader_notebook, write_archive

ARCHIVE = "bayes-linreg-notebooks.zip"


def _chapter_pages(app) -> dict[str, Path]:
    root = Path(app.srcdir)
    return {str(path.relative_to(root).with_suffix("")): path for path in toc_chapters(root)}


def _tidy_page(app, pagename, templatename, context, doctree):
    if pagename in _chapter_pages(app):
        context["ipynb_source"] = f"{pagename}.ipynb"
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        attributes = tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items()))
        key = (getattr(script, "filename", script) or "", attributes)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def _write_reader_downloads(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    root, out = Path(app.srcdir), Path(app.outdir)
    cache = Path(app.config.nb_execution_cache_path)
    book = Book(root)
    notebooks = {}
    for pagename, path in _chapter_pages(app).items():
        executed = cached_notebook(path, cache)
        if executed is None:
            raise RuntimeError(f"{pagename} is not in the execution cache {cache}: its download would have no outputs")
        notebook = reader_notebook(path, executed, book)
        notebooks[path.stem] = notebook
        sources = out / "_sources" / Path(pagename).parent
        sources.mkdir(parents=True, exist_ok=True)
        import nbformat

        nbformat.write(notebook, sources / f"{path.stem}.ipynb")
        markdown = reader_markdown(notebook)
        for copied in sources.glob(f"{path.stem}.md*"):  # the copy Sphinx made of the chapter source
            copied.write_text(markdown)
    write_archive(out / ARCHIVE, notebooks, root)


def _repository_substitutions(app, config):
    """``{{ repository_url }}`` and ``{{ repository_link }}`` in pages, from ``repository.url``."""
    url = config.html_theme_options.get("repository_url")
    if not url:
        raise ValueError("set repository.url in _config.yml: the pages link to the repository")
    config.myst_substitutions = {
        **config.myst_substitutions,
        "repository_url": url,
        "repository_link": f"[the book's repository]({url})",
    }


def _cache_follows_the_library(app, config):
    """The execution cache named after the library's digest (``booktools.chapters.execution_cache``):
    jupyter-cache hashes a chapter's code cells only, and a change to the checks must re-run them."""
    config.nb_execution_cache_path = str(execution_cache(Path(app.srcdir)))


def _note_loaded_files(app, docname, source):
    """A chapter depends on the files its ``:load:`` cells load (the shared setup): Sphinx re-reads
    the chapter, and so shows the new outputs, when one of them changes."""
    path = Path(app.srcdir) / f"{docname}.md"
    if path.exists() and docname in _chapter_pages(app):
        for loaded in loaded_files(path):
            app.env.note_dependency(str(loaded))


def setup(app):
    app.connect("source-read", _note_loaded_files)
    app.connect("config-inited", _repository_substitutions)
    app.connect("config-inited", _cache_follows_the_library)
    app.connect("html-page-context", _tidy_page, priority=100)
    app.connect("build-finished", _write_reader_downloads)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
