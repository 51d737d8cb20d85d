"""Measure the chapters' false-alarm rate: run every chapter, checks included, over many seeds.

    python -m booktools.false_alarms --seeds 50            # seeds 1..50, every chapter
    python -m booktools.false_alarms --seeds 20 --first 51 # seeds 51..70
    python -m booktools.false_alarms --seeds 50 --only pymc gibbs
    make false-alarms N=50

Each run writes its rows into ``benchmarks/false-alarms.csv`` (the table the appendix shows), keeping
the other chapters' rows from earlier runs; ``--no-record`` leaves the table alone.

A chapter's checks are built to fail for a correct result at most once in 1,000 runs. Here each
chapter runs top to bottom in a fresh kernel with ``RANDOM_SEED`` set to 1, 2, ..., N, two at a
time (both cores), and the table counts the runs whose cells raised, naming the seed and error.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from .chapters import QUIET_KERNEL, ROOT, longest_first, read_chapter, toc_chapters, with_seed


def run(chapter: Path, seed: int) -> tuple[str, int, str | None, float]:
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = with_seed(read_chapter(chapter), seed)
    start = time.perf_counter()
    try:
        NotebookClient(
            notebook, timeout=900, resources={"metadata": {"path": str(chapter.parent)}}, extra_arguments=QUIET_KERNEL
        ).execute()
        error = None
    except CellExecutionError as err:
        lines = [line for line in str(err).splitlines() if line.strip()]
        error = lines[-1][:200] if lines else repr(err)
    except Exception as err:  # a dead kernel or a timeout counts as a failure too
        error = f"{type(err).__name__}: {err}"[:200]
    return chapter.stem, seed, error, time.perf_counter() - start


RECORD = ROOT / "benchmarks" / "false-alarms.csv"
RECORD_HEADER = ["chapter", "seeds", "runs", "failures", "seconds per run", "measured"]


def record(rows: dict[str, tuple[str, int, int, float]], path: Path = RECORD) -> Path:
    """Write this run's rows (chapter -> (seeds, runs, failures, seconds per run)) into the table the
    appendix shows, keeping the other chapters' rows from earlier runs; chapters in book order."""
    import csv
    import fcntl

    path.touch()
    with path.open("r+", newline="") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # runs for different chapters may finish at the same time
        kept = {row["chapter"]: row for row in csv.DictReader(handle)}
        _write_rows(handle, kept, rows)
    return path


def _write_rows(handle, kept: dict, rows: dict) -> None:
    import csv
    from datetime import UTC, datetime

    today = f"{datetime.now(UTC):%Y-%m-%d}"
    for stem, (seeds, runs, failed, seconds) in rows.items():
        kept[stem] = dict(zip(RECORD_HEADER, [stem, seeds, runs, failed, f"{seconds:.1f}", today], strict=True))
    order = {chapter.stem: i for i, chapter in enumerate(toc_chapters())}
    handle.seek(0)
    handle.truncate()
    writer = csv.DictWriter(handle, RECORD_HEADER)
    writer.writeheader()
    for stem in sorted(kept, key=lambda s: order.get(s, len(order))):
        writer.writerow(kept[stem])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=50, help="how many seeds to run")
    parser.add_argument("--first", type=int, default=1, help="the first seed (default 1)")
    parser.add_argument("--only", nargs="+", help="just these chapters (file stems, listed in _toc.yml or not)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-record", action="store_true", help=f"do not write into {RECORD.relative_to(ROOT)}")
    args = parser.parse_args()
    if args.seeds < 1 or args.first < 0 or args.jobs < 1:
        parser.error(f"need --seeds >= 1, --first >= 0 and --jobs >= 1, got {args.seeds}, {args.first}, {args.jobs}")
    if args.only:
        chapters = [ROOT / "chapters" / f"{stem}.md" for stem in args.only]
        missing = [str(c) for c in chapters if not c.exists()]
        if missing:
            parser.error(f"no such chapter file(s): {missing}")
    else:
        chapters = toc_chapters()
    os.environ.setdefault("PYTENSOR_FLAGS", f"base_compiledir={tempfile.gettempdir()}/false-alarms-pytensor")
    os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", f"{tempfile.gettempdir()}/false-alarms-jax")
    os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
    failures: dict[str, list[tuple[int, str]]] = {c.stem: [] for c in chapters}
    seconds: dict[str, float] = dict.fromkeys(failures, 0.0)
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        seeds = range(args.first, args.first + args.seeds)
        futures = [pool.submit(run, c, s) for c in longest_first(chapters) for s in seeds]
        for future in as_completed(futures):
            stem, seed, error, elapsed = future.result()
            seconds[stem] += elapsed
            if error is not None:
                failures[stem].append((seed, error))
                print(f"FAIL {stem} seed {seed}: {error}", flush=True)
    print(f"\n{'chapter':16s} failures / runs   (seconds per run)")
    total = 0
    for stem, failed in failures.items():
        total += len(failed)
        print(f"{stem:16s} {len(failed):3d} / {args.seeds:<4d}       ({seconds[stem] / args.seeds:5.1f})")
        for seed, error in sorted(failed):
            print(f"    seed {seed}: {error}")
    print(f"{'all':16s} {total:3d} / {args.seeds * len(chapters)}")
    if not args.no_record:
        seeds = f"{args.first}-{args.first + args.seeds - 1}"
        rows = {stem: (seeds, args.seeds, len(failed), seconds[stem] / args.seeds) for stem, failed in failures.items()}
        print(f"recorded in {record(rows)}")


if __name__ == "__main__":
    main()
