"""Instructions a profile costs in ``step1plan cohort``, counted by valgrind: a steady measure.

    python benchmarks/instructions.py                   # jsonl, hash seeds 1-4
    python benchmarks/instructions.py --format csv --seeds 2

Wall-clock rates on a shared machine drift by 10 to 25 % (benchmarks/README.md), which hides
the 1 to 3 % a single change saves. The number of instructions the process executes does not
drift: this runs the same CLI command as ``bench.py`` under ``valgrind --tool=cachegrind`` on
the first 50 and the first 550 profiles of a cached 550-profile cohort (the first 50 are the
same files), and prints ``(instructions(550) - instructions(50)) / 500``: the per-profile
cost, start-up and warm-up left out. Python's string hashes are randomised per process and
move the count by about 0.2 %, so each hash seed (``PYTHONHASHSEED``) gives one figure and
the mean is printed as well. Instructions leave out the kernel's time (system calls) and the
CPU caches, which ``bench.py`` still has to judge. Needs valgrind (Linux); a run takes about
30 s a seed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import cohort_cmd, cohort_dir  # noqa: E402

SMALL, LARGE = 50, 550
VALGRIND = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
_REFS = re.compile(r"I\s+refs:\s+([\d,]+)")


def subset(cohort: Path, count: int, cache: Path) -> Path:
    """A folder with copies of the first ``count`` profiles of ``cohort`` (made once)."""
    folder = cache / f"{cohort.name}-first-{count}"
    marker = folder / ".complete"
    if not marker.exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        for source in sorted(cohort.rglob("*.yaml"))[:count]:
            shutil.copy(source, folder / source.name)
        marker.write_text("ok\n")
    return folder


def instructions(folder: Path, fmt: str, seed: int, scratch: Path) -> int:
    """Instructions of one ``step1plan cohort`` process over ``folder``."""
    output = scratch / f"out-{folder.name}-{seed}.{fmt}"
    command = [*VALGRIND, sys.executable, "-m", "step1plan", *cohort_cmd(folder, fmt, output)]
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    found = _REFS.search(done.stderr)
    if done.returncode not in (0, 1) or found is None:
        raise SystemExit(f"valgrind run failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--format", default="jsonl", help="cohort format (default jsonl)")
    parser.add_argument("--seeds", type=int, default=4, help="hash seeds 1..N (default 4)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("instructions.py needs valgrind")
    cohort = cohort_dir(args.cache, LARGE, 1)
    small, large = subset(cohort, SMALL, args.cache), subset(cohort, LARGE, args.cache)
    per_profile = []
    with tempfile.TemporaryDirectory() as scratch:
        for seed in range(1, args.seeds + 1):
            a = instructions(small, args.format, seed, Path(scratch))
            b = instructions(large, args.format, seed, Path(scratch))
            per_profile.append((b - a) / (LARGE - SMALL))
            print(f"seed {seed}: {per_profile[-1]:,.0f} instructions a profile", flush=True)
    print(f"{args.format}: mean {statistics.mean(per_profile):,.0f} instructions a profile")


if __name__ == "__main__":
    main()
