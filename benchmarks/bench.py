"""How long `pytest -m release` takes next to the tool chains it stands in for.

For each sample project, every round runs, one after the other: our gates with the uv
accelerator, our gates without it, the anchor chain (``python -m build``, ``twine check
--strict``, ``check-wheel-contents``, ``python -m venv``, ``pip install``, import) and the uv
floor chain (``uv build``, ``uv venv``, ``uv pip install``, import, ``twine check``). It
prints medians and the ratios issue 6 sets targets for, then the cost of the plugin in a
plain ``pytest`` run. The index gates ask a local pypiserver, so the full gate set runs.

Run it from the repository root: ``python -m benchmarks.bench --rounds 5``.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.projects import make_packages, make_samples
from release_checks.accelerator import ENV_VAR, find_uv
from tests.factory import FixtureProject
from tests.pypiserver import serve_index

# Issue 6's targets: (numerator, denominator, at most).
TARGETS = (
    ("gates (uv)", "anchor", 0.35),
    ("gates (uv)", "uv floor", 1.5),
    ("gates (pip)", "anchor", 0.6),
)
OVERHEAD_TARGET_MS = 20.0
_DISTS = (".whl", ".tar.gz")  # uv build also writes a .gitignore there
_ONE_TEST = "def test_one() -> None:\n    assert 1 + 1 == 2\n"


class ChainFailedError(Exception):
    """A command of a timed chain failed: its timing would mean nothing."""


@dataclass
class Timings:
    """Seconds per chain, one entry per round, and the slow steps our first run reported."""

    seconds: dict[str, list[float]] = field(default_factory=dict)
    steps: dict[str, list[str]] = field(default_factory=dict)

    def add(self, chain: str, elapsed: float) -> None:
        """Record one round of `chain`."""
        self.seconds.setdefault(chain, []).append(elapsed)

    def median(self, chain: str) -> float | None:
        """The median of `chain`, None when it did not run."""
        values = self.seconds.get(chain)
        return statistics.median(values) if values else None


# Every chain runs as on a maintainer's machine: no addopts of ours, and Python may cache
# bytecode. Without the cache (PYTHONDONTWRITEBYTECODE, set on some machines) pytest compiles
# and rewrites the plugin's modules on every run, which an installed plugin pays only once.
_UNSET = ("PYTEST_ADDOPTS", "PYTHONDONTWRITEBYTECODE")


def _environ(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if k not in _UNSET}, **extra}


def _run(command: Sequence[str], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        list(command),
        cwd=cwd,
        env=env or _environ(),
        capture_output=True,
        text=True,
        errors="replace",
        check=False,
    )
    if done.returncode:
        raise ChainFailedError(
            f"`{' '.join(command)}` exited with {done.returncode}:\n{done.stdout}{done.stderr}"
        )
    return done.stdout


def _python(venv: Path) -> str:
    return str(venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))


def gates(project: FixtureProject, index_url: str, accelerator: str) -> tuple[float, list[str]]:
    """Our full gate set; the seconds it took and the slow steps it reported."""
    env = _environ(**{ENV_VAR: accelerator})
    command = [sys.executable, "-m", "pytest", "-m", "release", "-p", "no:cacheprovider"]
    command += ["-q", "--release-index", index_url]
    started = time.perf_counter()
    output = _run(command, cwd=project.root, env=env)
    elapsed = time.perf_counter() - started
    steps = [line for line in output.splitlines() if line.startswith("release-checks:")]
    return elapsed, [line for line in steps if "done in" in line or "failed after" in line]


def anchor(project: FixtureProject, scratch: Path) -> float:
    """The chain maintainers run today, serially, as each tool's docs show it."""
    dist, venv = scratch / "dist", scratch / "venv"
    started = time.perf_counter()
    _run([sys.executable, "-m", "build", "--outdir", str(dist), str(project.root)], cwd=scratch)
    files = [str(path) for path in sorted(dist.iterdir()) if path.name.endswith(_DISTS)]
    wheels = [path for path in files if path.endswith(".whl")]
    _run([sys.executable, "-m", "twine", "check", "--strict", *files], cwd=scratch)
    _run([sys.executable, "-m", "check_wheel_contents", *wheels], cwd=scratch)
    _run([sys.executable, "-m", "venv", str(venv)], cwd=scratch)
    _run(
        [_python(venv), "-m", "pip", "install", "--disable-pip-version-check", *wheels], cwd=scratch
    )
    _run([_python(venv), "-c", f"import {project.module}"], cwd=scratch)
    return time.perf_counter() - started


def uv_floor(project: FixtureProject, scratch: Path, uv: str) -> float:
    """The same work done as fast as today's tools allow: with uv."""
    dist, venv = scratch / "dist", scratch / "venv"
    started = time.perf_counter()
    _run([uv, "build", "--quiet", "--out-dir", str(dist), str(project.root)], cwd=scratch)
    files = [str(path) for path in sorted(dist.iterdir()) if path.name.endswith(_DISTS)]
    wheels = [path for path in files if path.endswith(".whl")]
    _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], cwd=scratch)
    _run([uv, "pip", "install", "--quiet", "--python", _python(venv), *wheels], cwd=scratch)
    _run([_python(venv), "-c", f"import {project.module}"], cwd=scratch)
    _run([sys.executable, "-m", "twine", "check", "--strict", *files], cwd=scratch)
    return time.perf_counter() - started


@contextmanager
def _scratch() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="release-checks-bench-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def bench_project(
    project: FixtureProject, index_url: str, uv: str | None, rounds: int, warmup: int
) -> Timings:
    """Alternate the chains for `warmup` untimed rounds, then `rounds` timed ones."""
    timings = Timings()
    chains: list[tuple[str, Callable[[Path], float]]] = []
    modes = ["uv", "none"] if uv else ["none"]
    for mode in modes:
        label = f"gates ({'uv' if mode == 'uv' else 'pip'})"

        def run_gates(_: Path, mode: str = mode, label: str = label) -> float:
            elapsed, steps = gates(project, index_url, mode)
            timings.steps.setdefault(label, steps)
            return elapsed

        chains.append((label, run_gates))
    chains.append(("anchor", lambda scratch: anchor(project, scratch)))
    if uv:
        chains.append(("uv floor", lambda scratch: uv_floor(project, scratch, uv)))
    for number in range(warmup + rounds):
        for name, chain in chains:
            with _scratch() as scratch:
                elapsed = chain(scratch)
            if number >= warmup:
                timings.add(name, elapsed)
    return timings


def plugin_overhead(rounds: int) -> tuple[float, float]:
    """Median ms of plain `pytest` on a one-test project, with the plugin and without it."""
    with _scratch() as root:
        (root / "pyproject.toml").write_text('[project]\nname = "one"\nversion = "1.0"\n')
        (root / "test_one.py").write_text(_ONE_TEST)
        base = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        runs: dict[str, list[float]] = {"with": [], "without": []}
        for _ in range(rounds):
            for name, extra in (("with", []), ("without", ["-p", "no:release_checks"])):
                started = time.perf_counter()
                _run([*base, *extra], cwd=root)
                runs[name].append((time.perf_counter() - started) * 1000)
    return statistics.median(runs["with"]), statistics.median(runs["without"])


def _cell(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s"


def report(results: dict[str, Timings], markdown: bool) -> list[str]:
    """The table of medians and ratios, one row per project."""
    chains = ["gates (uv)", "gates (pip)", "anchor", "uv floor"]
    ratios = [f"{top} / {bottom} (≤ {limit:g})" for top, bottom, limit in TARGETS]
    header = ["project", *chains, *ratios]
    rows = []
    for project, timings in results.items():
        row = [project, *(_cell(timings.median(chain)) for chain in chains)]
        for top, bottom, limit in TARGETS:
            numerator, denominator = timings.median(top), timings.median(bottom)
            if numerator is None or denominator is None:
                row.append("—")
                continue
            ratio = numerator / denominator
            row.append(f"{ratio:.2f} {'ok' if ratio <= limit else 'MISSED'}")
        rows.append(row)
    if markdown:
        lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
        return lines + ["| " + " | ".join(row) + " |" for row in rows]
    widths = [max(len(line[column]) for line in [header, *rows]) for column in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        for line in [header, *rows]
    ]


def machine() -> str:
    """Cores, CPU model and Python: the figures mean little without them."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({model}), Python {platform.python_version()}"


PACKAGE_COUNTS = (1, 4, 16)


def bench_packages(base: Path, index_url: str, rounds: int) -> list[str]:
    """Time the full gate run with ``-n 2`` on workspaces of 1, 4 and 16 small packages.

    Time should grow no worse than linearly: the ratio per package, against one package, is
    printed beside each median (≤ 1.0 means sub-linear).
    """
    command = [sys.executable, "-m", "pytest", "-m", "release", "-p", "no:cacheprovider"]
    command += ["-q", "-n", "2", "--release-index", index_url]
    lines, single = [], None
    for count in PACKAGE_COUNTS:
        workspace = make_packages(base / f"workspace-{count}", count)
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            _run(command, cwd=workspace.root)
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        single = single or median
        growth = median / (single * count)
        lines.append(
            f"  {count:2d} package(s), -n 2: {median:6.1f} s  "
            f"({median / count:.2f} s per package; growth vs linear: {growth:.2f})"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    parser.add_argument(
        "--project",
        action="append",
        help="only this sample project (repeatable): hatchling, setuptools-scm, flit, "
        "'hatchling+2 deps'",
    )
    parser.add_argument(
        "--overhead-rounds",
        type=int,
        default=30,
        help="rounds of plain pytest with and without the plugin (default 30; 0 skips it)",
    )
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument(
        "--packages",
        action="store_true",
        help="only the many-packages mode: workspaces of 1, 4 and 16 packages with -n 2",
    )
    options = parser.parse_args(argv)
    if options.packages:
        with _scratch() as base, serve_index(base / "index") as index:
            print(f"machine: {machine()}; medians of {options.rounds} rounds")  # noqa: T201
            print("\n".join(bench_packages(base, index.url, options.rounds)))  # noqa: T201
        return 0
    uv = find_uv()
    print(f"machine: {machine()}; uv: {uv or 'not installed (uv columns skipped)'}")  # noqa: T201
    results: dict[str, Timings] = {}
    with _scratch() as base, serve_index(base / "index") as index:
        samples = make_samples(base / "projects")
        for name, project in samples.items():
            if options.project and name not in options.project:
                continue
            print(f"benchmarking {name} ...", flush=True)  # noqa: T201
            results[name] = bench_project(project, index.url, uv, options.rounds, options.warmup)
    print(f"\nmedians of {options.rounds} rounds (after {options.warmup} warm-up):")  # noqa: T201
    print("\n".join(report(results, options.markdown)))  # noqa: T201
    print("\nslow steps our runs reported (first timed or warm-up round):")  # noqa: T201
    for name, timings in results.items():
        for label, steps in timings.steps.items():
            for step in steps:
                print(f"  {name}, {label}: {step.removeprefix('release-checks: ')}")  # noqa: T201
    if options.overhead_rounds:
        with_plugin, without = plugin_overhead(options.overhead_rounds)
        difference = with_plugin - without
        verdict = "ok" if difference <= OVERHEAD_TARGET_MS else "MISSED"
        print(  # noqa: T201
            f"\nplain pytest, one test, median of {options.overhead_rounds}: "
            f"{with_plugin:.0f} ms with the plugin, {without:.0f} ms with -p no:release_checks: "
            f"+{difference:.0f} ms (target ≤ {OVERHEAD_TARGET_MS:g} ms: {verdict})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
