"""The book's build tools, in one importable place (no ``sys.path`` edits anywhere).

- :mod:`.chapters`: the chapters in table-of-contents order, read exactly as myst-nb reads them,
  looked up in the execution cache, and re-seeded for nbval;
- :mod:`.reader`: the reader's notebook of a chapter (what a page's ``.ipynb`` and ``.md``
  downloads and the landing page's archive hold);
- :mod:`.export`, :mod:`.prime_cache`, :mod:`.figures`: command-line entry points, run as
  ``python -m booktools.<name>``.
"""
