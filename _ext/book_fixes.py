"""Small Sphinx fixes for the book's pages.

Jupyter Book 1 registers some inline scripts twice (sphinx-thebe's ``const THEBE_JS_URL``
among them), which makes every page throw "Identifier 'THEBE_JS_URL' has already been
declared" in the browser. Keep the first copy of each identical script.

sphinx-book-theme leaves the pydata theme's ``default_mode`` empty, so on a reader's first
visit the theme logs "Got invalid theme mode" as a console error: default it to "auto".

The theme offers a chapter as .ipynb only when a launch service (Binder, Colab, ...) is
configured. Readers of this book get the executed notebook (with its outputs, from the
execution cache) offline too: write it next to the page's sources for the download menu.
"""

from pathlib import Path


def _tidy_page(app, pagename, templatename, context, doctree):
    _offer_notebook_download(app, pagename, context)
    if not context.get("default_mode"):
        context["default_mode"] = "auto"
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = (getattr(script, "filename", script) or "", tuple(sorted((k, str(v)) for k, v in getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def _executed_notebook(app, pagename):
    """The chapter's notebook with its outputs, from Jupyter Book's execution cache (or None)."""
    from jupyter_cache import get_cache
    from myst_nb.core.config import NbParserConfig
    from myst_nb.core.read import create_nb_reader

    source = Path(app.env.doc2path(pagename))
    if source.suffix != ".md" or not app.config.nb_execution_cache_path:
        return None
    text = source.read_text()
    reader = create_nb_reader(str(source), app.env.myst_config, NbParserConfig(), text)
    if reader is None:
        return None
    cache = get_cache(str(Path(app.srcdir) / app.config.nb_execution_cache_path))
    try:
        record = cache.match_cache_notebook(reader.read(text))
    except KeyError:
        return None
    return cache.get_cache_bundle(record.pk).nb


def _offer_notebook_download(app, pagename, context):
    if context.get("ipynb_source"):
        return
    notebook = _executed_notebook(app, pagename)
    if notebook is None:
        return
    import nbformat

    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.connect("html-page-context", _tidy_page, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
