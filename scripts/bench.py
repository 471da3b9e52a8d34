#!/usr/bin/env python3
"""ctxgen benchmark (not a test): wall time, CPU time and peak memory of real `ctxgen build` runs.

    .venv/bin/python scripts/bench.py                 # 1,000 and 10,000 topics, ctxgen and quartz flavours
    .venv/bin/python scripts/bench.py --sizes 1000    # quicker

Maps come from ../shared/bench/gen_corpus.py (deterministic: same size, same files). Each
build runs as a child process, measured with os.wait4: a cold build (empty cache, no output)
and then a second build with nothing changed. `--repeat N` measures each pair N times and adds
the median: on a shared machine one run can be 30% off.

The first line gives the machine's speed at plain Python (a fixed workload of dict, str and
json calls, best of three, CPU seconds): figures from two machines compare only through it.
"""
from __future__ import annotations

import argparse
import json
import statistics
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
GEN = REPO.parent / "shared" / "bench" / "gen_corpus.py"
FLAVOUR_DIRS = {"ctxgen": "ctxgen", "quartz": "quartz/content"}


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    returncode: int
    tail: str
    stages: str = ""  # the --timings lines, "load 5.1/10.2 model ..." (wall/CPU seconds)


def measure(cmd: list[str], env: dict[str, str]) -> Run:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss covers the largest single process of the child's tree (Linux: KiB);
    # with worker processes the total can be higher, so report both build modes honestly.
    lines = err.strip().splitlines()
    stages = " ".join(f"{m[1]} {m[2]}/{m[3]}" for m in (STAGE.fullmatch(line) for line in lines) if m)
    tail = next((line for line in reversed(lines) if not STAGE.fullmatch(line)), "")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, tail, stages)


STAGE = re.compile(r"ctxgen: (\w+) +(\d+\.\d+) s wall +(\d+\.\d+) s CPU")


def generate(n: int, root: Path) -> Path:
    target = root / f"corpus-{n}"
    if not (target / "corpus.json").exists():
        shutil.rmtree(target, ignore_errors=True)
        subprocess.run([sys.executable, str(GEN), str(n), str(target), "--flavours", "ctxgen,quartz"], check=True, stdout=subprocess.DEVNULL)
    return target


# An earlier run's site (23,000 files at 10k topics) is renamed away before measuring and deleted
# only after the last measurement: on this machine (ext4, online discard) creating files in the
# seconds after deleting that many costs up to ten times the usual kernel time (10k files and
# folders: 0.7 s normally, 2.6-10.5 s after such a delete), which is the benchmark's own cleanup,
# not the build.
TRASH: list[Path] = []


def set_aside(path: Path) -> None:
    if path.exists():
        aside = path.with_name(f"{path.name}.old-{os.getpid()}-{len(TRASH)}")
        path.rename(aside)
        TRASH.append(aside)


def bench_build(map_dir: Path, work: Path, jobs: int) -> tuple[Run, Run]:
    out = work / "site"
    cache = work / "cache"
    set_aside(work)
    work.mkdir(parents=True)
    os.sync()  # earlier writes are flushed outside the measured build
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    cmd = [sys.executable, "-m", "ctxgen", "build", str(map_dir), "-o", str(out), "-q", "--timings"]
    if jobs:
        cmd += ["-j", str(jobs)]
    cold = measure(cmd, env)
    os.sync()
    warm = measure(cmd, env)
    return cold, warm


def reference_seconds() -> float:
    """CPU seconds of a fixed pure-Python workload, the kind of work a build does; best of three."""
    def work() -> int:
        index: dict[str, list[str]] = {}
        for i in range(150_000):
            key = f"topic-{i % 5000}"
            index.setdefault(key, []).append(json.dumps({"id": key, "n": i}, sort_keys=True))
        return sum(len(" ".join(v).split()) for v in index.values())
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        work()
        best = min(best, time.process_time() - t0)
    return best


def median_run(runs: list[Run]) -> Run:
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
               statistics.median(r.peak_mb for r in runs), max(r.returncode for r in runs), runs[-1].tail)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--flavours", default="ctxgen,quartz")
    ap.add_argument("--jobs", type=int, default=0, help="-j for ctxgen build (default: one per core)")
    ap.add_argument("--repeat", type=int, default=1, help="measure each build this many times, and the median")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "ctxgen-bench")
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"ctxgen benchmark on {os.cpu_count()} cores; corpora in {args.workdir}")
    print(f"machine: reference workload {reference_seconds():.2f} s CPU (lower is faster)")
    print(f"{'map':<22}{'build':<10}{'wall s':>8}{'cpu s':>8}{'peak MB':>9}  result")
    failed = False
    for n in (int(s) for s in args.sizes.split(",")):
        corpus = generate(n, args.workdir)
        for flavour in args.flavours.split(","):
            work = args.workdir / f"run-{n}-{flavour}"
            pairs = [bench_build(corpus / FLAVOUR_DIRS[flavour], work, args.jobs) for _ in range(args.repeat)]
            rows = [row for cold, warm in pairs for row in (("cold", cold), ("unchanged", warm))]
            if args.repeat > 1:
                rows += [("cold med.", median_run([c for c, _ in pairs])), ("unch. med.", median_run([w for _, w in pairs]))]
            for label, run in rows:
                print(f"{f'{flavour} {n:,}':<22}{label:<10}{run.wall:>8.2f}{run.cpu:>8.2f}{run.peak_mb:>9.0f}  {run.tail}")
                if run.stages:
                    print(f"{'':<32}stages, wall/CPU s: {run.stages}")
                failed |= run.returncode != 0
    for old in TRASH:
        shutil.rmtree(old, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
