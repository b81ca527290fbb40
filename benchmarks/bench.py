"""Benchmark ``step1plan cohort``: profiles per second, peak memory, and libyaml's parse time.

    python benchmarks/bench.py                       # 1k and 10k profiles, jsonl and csv
    python benchmarks/bench.py --sizes 1000 10000 100000
    python benchmarks/bench.py --sizes 2000 --profile   # cProfile hot spots, by function and module

Cohorts come from ``benchmarks/generate.py`` (seeded) and are cached under ``--cache``
(default: the system temp folder), so a second run skips generation. Each cohort run is a fresh
``step1plan cohort DIR --format F --as-of 2026-11-27 --output FILE`` subprocess; its wall time
is measured around the process and its peak memory is the child's own high-water mark
(``VmHWM``, reported by the child as it exits). The rate subtracts the start-up time of a
one-profile run, so it measures the per-profile cost; both figures are printed. The libyaml
baseline reads every file and calls ``yaml.load(text, yaml.CSafeLoader)`` in this process (the
C parser and PyYAML's constructor: what any tool reading these files with PyYAML must pay).

Goals (DESIGN.md "Speed and scale"): at least 2,000 profiles a second on one core; within 3x of
the libyaml parse alone; peak memory flat from 10k to 100k profiles; ``--help`` and ``--version``
fast because they import no models, rules or renderers.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

AS_OF = "2026-11-27"


def cohort_dir(cache: Path, size: int, seed: int) -> Path:
    """The cached cohort of ``size`` profiles (generated on first use)."""
    # v2: no YAML anchors; v3: practice before the failed attempt too
    folder = cache / f"step1plan-bench-{size}-s{seed}-v3"
    marker = folder / ".complete"
    if not marker.exists():
        started = time.perf_counter()
        generate(folder, size, seed, dt.date.fromisoformat(AS_OF))
        marker.write_text("ok\n")
        print(
            f"  generated {size} profiles in {time.perf_counter() - started:.1f} s", file=sys.stderr
        )
    return folder


PEAK = "step1plan-bench-peak-kib"

CHILD = f"""
import atexit, os, sys

def peak():
    try:  # this process's own high-water mark (Linux); ru_maxrss would include the parent
        with open("/proc/self/status") as status:
            kib = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    except (OSError, StopIteration):
        import resource
        kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        kib = kib // 1024 if sys.platform == "darwin" else kib
    os.write(2, b"\\n{PEAK} %d\\n" % kib)

atexit.register(peak)
sys.argv[0] = "step1plan"
from step1plan.cli import main
main()
"""
"""Runs ``step1plan`` and reports its own peak memory on stderr as it exits.

A forked child's ``ru_maxrss`` counts the parent's pages at fork time (this script holds a
whole cohort's parse for the libyaml baseline), so the child measures itself instead."""


class Run(NamedTuple):
    """One ``step1plan`` process: wall and CPU seconds, peak RSS, exit code."""

    wall: float
    cpu: float
    """User plus system CPU seconds of the process."""
    kib: int
    code: int


def run_child(args: list[str]) -> Run:
    """Run ``step1plan ARGS`` and measure it."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    err = done.stderr.decode()
    if done.returncode not in (0, 1):
        raise SystemExit(f"step1plan {' '.join(args)} failed ({done.returncode}):\n{err}")
    kib = int(err.rsplit(PEAK, 1)[1].split()[0])
    return Run(wall, cpu, kib, done.returncode)


def cohort_cmd(folder: Path, fmt: str, output: Path) -> list[str]:
    return [
        "cohort",
        str(folder),
        "--format",
        fmt,
        "--as-of",
        AS_OF,
        "--output",
        str(output),
    ]


def libyaml_seconds(folder: Path) -> float:
    """Time to read and parse every profile with libyaml's C loader alone."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        raise SystemExit("PyYAML was built without libyaml: no C loader to compare with")
    files = sorted(folder.rglob("*.yaml"))
    started = time.perf_counter()
    for path in files:
        yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    return time.perf_counter() - started


def evict(folder: Path) -> None:
    """Drop the cohort's files from the page cache (``POSIX_FADV_DONTNEED``), so that the next
    run reads them from disk, as on a fresh CI machine or with a cohort larger than the cache."""
    advise = getattr(os, "posix_fadvise", None)
    if advise is None:
        raise SystemExit("--cold needs posix_fadvise (Linux)")
    for path in folder.rglob("*.yaml"):
        fd = os.open(path, os.O_RDONLY)
        try:
            advise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def startup(scratch: Path) -> dict[str, Run]:
    """``--version``, ``--help`` and a one-profile cohort run: the fastest of three each."""
    one = scratch / "one"
    if not one.exists():
        generate(one, 1, 1, dt.date.fromisoformat(AS_OF))
    best: dict[str, Run] = {}
    for label, args in (
        ("--version", ["--version"]),
        ("--help", ["--help"]),
        ("cohort of 1", cohort_cmd(one, "jsonl", scratch / "one.jsonl")),
    ):
        best[label] = min((run_child(args) for _ in range(3)), key=lambda run: run.wall)
    return best


def profile_run(folder: Path, fmt: str, top: int) -> None:
    """cProfile one in-process cohort run; print hot functions and time per module."""
    from step1plan.cohort import WRITERS, discover, run_cohort
    from step1plan.plans import load_plan
    from step1plan.readahead import read_ahead

    files = discover([folder])
    plan = load_plan("default")
    writer = WRITERS[fmt](io.StringIO(), False)
    profiler = cProfile.Profile()
    profiler.enable()
    run_cohort(read_ahead(files), dt.date.fromisoformat(AS_OF), plan, writer)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(top)
    per_module: dict[str, float] = defaultdict(float)
    raw = stats.stats  # type: ignore[attr-defined]
    for (filename, _, _), (_, _, tottime, _, _) in raw.items():
        name = filename
        if "step1plan" in filename:
            name = "step1plan/" + filename.split("step1plan/", 1)[1]
        elif "site-packages" in filename:
            name = filename.split("site-packages/", 1)[1].split("/", 1)[0]
        per_module[name] += tottime
    total = sum(per_module.values())
    print(f"own time by module ({len(files)} profiles, {fmt}, under cProfile: {total:.2f} s)")
    for name, seconds in sorted(per_module.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {seconds:7.3f} s  {100 * seconds / total:5.1f} %  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--formats", nargs="+", default=["jsonl", "csv"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the first size in-process instead of benchmarking",
    )
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="drop the cohort's files from the page cache before each run (Linux)",
    )
    parser.add_argument(
        "--repeat",
        type=lambda text: max(1, int(text)),
        default=1,
        help="runs per size and format, at least 1 (the median is shown)",
    )
    args = parser.parse_args()

    if args.profile:
        profile_run(cohort_dir(args.cache, args.sizes[0], args.seed), args.formats[0], args.top)
        return
    scratch = Path(tempfile.mkdtemp(prefix="step1plan-bench-"))
    starts = startup(scratch)
    print("start-up (best of 3): " + ", ".join(f"{k} {v.wall:.3f} s" for k, v in starts.items()))
    print()
    print(
        "| profiles | format | runs | wall s | profiles/s | per CPU s | libyaml s | x libyaml "
        "| peak RSS MiB |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    one = starts["cohort of 1"]
    for size in args.sizes:
        folder = cohort_dir(args.cache, size, args.seed)
        parse = libyaml_seconds(folder)
        for fmt in args.formats:
            output = scratch / f"out-{size}.{fmt}"
            runs = []
            for _ in range(args.repeat):
                if args.cold:
                    evict(folder)
                runs.append(run_child(cohort_cmd(folder, fmt, output)))
                output.unlink(missing_ok=True)
            print(row(size, fmt, runs, one, parse), flush=True)


def row(size: int, fmt: str, runs: list[Run], one: Run, parse: float) -> str:
    """A table row: the median run, with the range of the rate when there are several runs.

    Rates subtract the one-profile run's start-up (wall, and CPU for the per-CPU-second rate),
    so they measure the per-profile cost.
    """
    rates = sorted(size / max(r.wall - one.wall, 1e-9) for r in runs)
    rate = f"{statistics.median(rates):.0f}"
    if len(rates) > 1:
        rate += f" ({rates[0]:.0f}-{rates[-1]:.0f})"
    wall = statistics.median(r.wall for r in runs)
    cpu_rate = statistics.median(size / max(r.cpu - one.cpu, 1e-9) for r in runs)
    work = max(wall - one.wall, 1e-9)
    kib = max(r.kib for r in runs)
    return (
        f"| {size} | {fmt} | {len(runs)} | {wall:.2f} | {rate} | {cpu_rate:.0f} | {parse:.2f} | "
        f"{work / parse:.2f} | {kib / 1024:.0f} |"
    )


if __name__ == "__main__":
    main()
