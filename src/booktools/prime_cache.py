"""Execute the book's chapters in parallel into Jupyter Book's execution cache.

`jupyter-book build` (myst-nb, `execute_notebooks: cache`) executes outdated chapters one after
another. On a 2-core machine most chapters leave a core idle, so `make book` first runs this
script: it reads each chapter exactly as myst-nb does, skips those already cached, executes the
rest `--jobs` at a time, longest first, and stores each successful run in the same cache. The build
then finds every chapter cached and only renders. A chapter that fails here is left uncached, so the build
executes it again and reports the error with its traceback, as before.
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution

from .chapters import QUIET_KERNEL, execution_cache, longest_first, read_like_myst_nb, toc_chapters


def execute(path: Path, timeout: int):
    notebook = read_like_myst_nb(path)
    result = single_nb_execution(
        notebook,
        cwd=str(path.parent),
        allow_errors=False,
        timeout=timeout,
        meta_override=True,
        extra_arguments=QUIET_KERNEL,
    )
    return path, notebook, result.time, None if result.err is None else repr(result.err)


def prune_stale_caches(current: Path) -> list[Path]:
    """Remove the execution caches of earlier library versions (siblings of ``current``)."""
    import shutil

    removed = []
    if current.parent.is_dir():
        for folder in current.parent.iterdir():
            if folder.is_dir() and folder != current and (folder / "global.db").exists():
                shutil.rmtree(folder)
                removed.append(folder)
    return removed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="default: .cache/jupyter/<library digest>")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    parser.add_argument("--only", nargs="+", help="just these chapters (file stems)")
    args = parser.parse_args()

    chapters = [path for path in toc_chapters() if args.only is None or path.stem in args.only]
    if args.only and len(chapters) != len(set(args.only)):
        parser.error(f"unknown chapter(s) in {args.only}")
    cache_path = args.cache or execution_cache()
    prune_stale_caches(cache_path)
    cache = get_cache(str(cache_path))
    todo = []
    for path in longest_first(chapters):
        try:
            cache.match_cache_notebook(read_like_myst_nb(path))
        except KeyError:
            todo.append(path)
    print(f"prime_cache: {len(chapters) - len(todo)} chapters cached, executing {len(todo)} with {args.jobs} jobs")
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(execute, path, args.timeout) for path in todo]
        for future in as_completed(futures):
            path, notebook, seconds, error = future.result()
            if error is not None:
                print(f"prime_cache: {path.stem} failed ({error}); the build will run it again and report it")
                continue
            record = cache.add_nb_to_project(str(path), read_data={"type": "plugin", "name": "myst_nb_md"})
            cache.cache_notebook_bundle(
                CacheBundleIn(notebook, record.uri, data={"execution_seconds": seconds}),
                check_validity=False,
                overwrite=True,
            )
            print(f"prime_cache: {path.stem} executed in {seconds:.1f} s")
    print(f"prime_cache: done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
