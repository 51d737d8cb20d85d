"""Small Sphinx fixes for the book's pages.

Jupyter Book 1 registers some inline scripts twice (sphinx-thebe's ``const THEBE_JS_URL``
among them), which makes every page throw "Identifier 'THEBE_JS_URL' has already been
declared" in the browser. Keep the first copy of each identical script.

sphinx-book-theme leaves the pydata theme's ``default_mode`` empty, so on a reader's first
visit the theme logs "Got invalid theme mode" as a console error: default it to "auto".
"""


def _tidy_page(app, pagename, templatename, context, doctree):
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


def setup(app):
    app.connect("html-page-context", _tidy_page, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
