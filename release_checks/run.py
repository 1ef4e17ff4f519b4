"""One release-check run: the settings, and each expensive fact computed once and shared.

Knows nothing of pytest. Every worker of a run builds a `ReleaseRun` over the same shared
directory; the first one to need a fact computes it and the rest read its record.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cached_property, partial
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.metadata import RawMetadata, parse_email

from release_checks import background, context
from release_checks.builder import (
    TreeWheel,
    build_dists,
    build_dists_and_tree_wheel,
    build_tree_wheel,
)
from release_checks.config import ReleaseConfig
from release_checks.context import ReleaseContext, TagChoice
from release_checks.dists import read_metadata_bytes
from release_checks.distset import DistSet, check_readable, find_prebuilt
from release_checks.errors import FactError, ReleaseChecksError
from release_checks.interpreters import (
    Interpreter,
    describe_spec,
    find_interpreter,
    installable_wheel,
    running_interpreter,
)
from release_checks.progress import Progress
from release_checks.project import Project
from release_checks.shared import once_per_run, recorded
from release_checks.venvs import (
    FreshVenv,
    ProbeReport,
    create_base,
    create_venv,
    install_wheel,
    probe,
)
from release_checks.worktree import TreeStatus, tree_status

if TYPE_CHECKING:
    from packaging.version import Version

    from release_checks.index import IndexChoice, IndexPage
    from release_checks.workflow_model import Workflow
    from release_checks.workflows import Finding

__all__ = ["ReleaseRun", "RunOptions"]


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """The command-line options of a run."""

    release_tag: str | None = None
    release_dist: Path | None = None
    strict: bool = False
    release_index: str | None = None
    index_wait: float = 60.0


class ReleaseRun:
    """The facts of one run, each computed on first use and at most once across workers."""

    def __init__(  # noqa: PLR0913 - keyword-only, each one a distinct setting
        self,
        *,
        project: Project,
        config: ReleaseConfig,
        options: RunOptions,
        shared_dir: Path,
        environ: Mapping[str, str] = os.environ,
        package: str = "",
        siblings: tuple[str, ...] = (),
        progress_path: Path | None = None,
    ) -> None:
        """`package` is the id of a workspace's package ("" alone); `siblings` the others'."""
        self.project = project
        self.config = config
        self.options = options
        self.shared_dir = shared_dir
        self.environ = environ
        self.root = Path(project.root)
        self.package = package
        self.siblings = siblings
        self.progress = Progress(
            progress_path or shared_dir / "progress.jsonl",
            prefix=f"{package}: " if package else "",
        )
        self._tree_wheel_wanted = False
        self._venv_wanted = False

    @cached_property
    def strict(self) -> bool:
        """Fail instead of skip where a skip could hide a problem: asked for, or a CI tag build."""
        return self.options.strict or self.environ.get("GITHUB_REF_TYPE") == "tag"

    @cached_property
    def workflows(self) -> list[Workflow]:
        """The repository's GitHub Actions workflows, read once per process (xdist worker)."""
        from release_checks.workflow_model import load_workflows  # noqa: PLC0415

        return load_workflows(self.root)

    @cached_property
    def workflow_findings(self) -> list[Finding]:
        """Every finding of the workflow rules, for the workflow gates to pick theirs from."""
        from release_checks.workflows import check_workflows  # noqa: PLC0415

        return check_workflows(self.root, self.workflows)

    @cached_property
    def tag(self) -> TagChoice | None:
        """The release tag as far as it is known without building."""
        return context.choose_tag(
            self.root,
            self.options.release_tag,
            self.environ,
            self.config.tag_prefix,
            own_prefix_only=bool(self.siblings),
        )

    def dists(self) -> DistSet:
        """The artifacts under test: prebuilt ones, or one isolated build for the whole run."""
        return once_per_run(self.shared_dir, "dists", DistSet, self._make_dists)

    def _make_dists(self) -> DistSet:
        if self.options.release_dist is not None:
            return check_readable(self.prebuilt())
        self.tree_status()  # before the backend writes into the tree
        if not self._tree_wheel_wanted:
            label = "building the sdist, then the wheel from it"
            with self._venv_base_meanwhile(), self.progress.step(label) as step:
                dists = build_dists(
                    self.root,
                    self.shared_dir / "dist",
                    timeout=self.config.build_timeout,
                    uv=self.uv,
                )
                if dists.error is not None:
                    step.failed()
            return dists
        label = "building the sdist, the wheel from it, and a wheel from the tree"
        with self._venv_base_meanwhile(), self.progress.step(label) as step:
            dists, tree = build_dists_and_tree_wheel(
                self.root,
                self.shared_dir / "dist",
                self.shared_dir / "tree-wheel",
                timeout=self.config.build_timeout,
                uv=self.uv,
            )
            if dists.error is not None:
                step.failed()
        if tree is not None:
            once_per_run(self.shared_dir, "tree-wheel", TreeWheel, lambda: tree)
        return dists

    @cached_property
    def uv(self) -> str | None:
        """The uv executable when uv makes this run's environments (`accelerator`), else None."""
        from release_checks.accelerator import choose_uv  # noqa: PLC0415

        return choose_uv(self.config.accelerator, self.environ)

    def want_venv(self) -> None:
        """Have this run's build create the fresh virtualenv's base meanwhile (see `venv`).

        Called when the fresh-environment gate is selected, before the dists are built.
        """
        self._venv_wanted = True

    def prepare(self) -> None:
        """Make what the selected gates will wait for: the dists, then the fresh environments.

        Each environment gets the wheel installed and imported (`import_probe`). Meant for a
        background thread started before the gates run (see `packages.prebuild`), so the
        wheel installs while the quick gates run. Failures are recorded for the gates to
        report; once the run is over or interrupted (`background.stop`), no further step
        starts.
        """
        self.dists()
        if not self._venv_wanted:
            return
        for python in self.config.python or (None,):
            with suppress(ReleaseChecksError):
                if not background.stopping():
                    self.venv(python)
                if not background.stopping():
                    self.import_probe(python)

    @contextmanager
    def _venv_base_meanwhile(self) -> Iterator[None]:
        """While the block builds, find each interpreter and create its empty virtualenv.

        Only the wheel's install is then left for `venv`, which may run on another worker:
        each base is a record, written once the block is done. An interpreter that is not
        found gets no base; its gate reports why.
        """
        if not self._venv_wanted:
            yield
            return
        made: dict[str, FreshVenv] = {}

        def create() -> None:
            for python in self.config.python or (None,):
                if background.stopping():
                    return
                try:
                    interpreter = self.interpreter(python)
                except Exception:  # noqa: BLE001, S112 - the gate meets it again and reports it
                    continue
                name = f"venv-{interpreter.key}"
                if interpreter.error is not None or name in made:  # or a second spelling
                    continue
                label = "creating the fresh virtualenv"
                label += f" under {interpreter.label}, meanwhile" if python else ", meanwhile"
                try:
                    with self.progress.step(label) as step:
                        made[name] = create_base(
                            self.shared_dir / name,
                            timeout=self.config.build_timeout,
                            interpreter=interpreter.executable if interpreter.spec else None,
                            uv=self.uv,
                        )
                        if made[name].error is not None:
                            step.failed()
                except Exception:  # noqa: BLE001 - the gate creates it and reports why not
                    made.pop(name, None)
                    continue

        thread = background.start(create, "release-checks-venv")
        try:
            yield
        finally:
            thread.join()
        for name, base in made.items():
            once_per_run(self.shared_dir, f"{name}-base", FreshVenv, partial(_given, base))

    def prebuilt(self) -> DistSet:
        """The --release-dist files; in a workspace, those carrying this package's name."""
        directory = self.options.release_dist
        if directory is None:
            raise FactError("no --release-dist directory was given")
        if not self.siblings:
            return find_prebuilt(directory)
        from packaging.utils import canonicalize_name  # noqa: PLC0415

        return find_prebuilt(directory, name=canonicalize_name(self.project_name))

    def tree_status(self) -> TreeStatus:
        """The project's uncommitted changes, as they were before this run built anything.

        Taken once per run, by the first build or the first gate to ask, whichever comes
        first: a build on another worker leaves files in the tree while it runs.
        """
        return once_per_run(self.shared_dir, "tree-status", TreeStatus, self._make_tree_status)

    def _make_tree_status(self) -> TreeStatus:
        return tree_status(self.root, exclude=self.options.release_dist)

    def known_dists(self) -> DistSet | None:
        """The artifacts if this run has built or found them already; never builds."""
        return recorded(self.shared_dir, "dists", DistSet)

    def want_tree_wheel(self) -> None:
        """Have this run's build also make a wheel directly from the tree (see `tree_wheel`).

        Called when the equivalence gate is selected, before the dists are built: the tree's
        wheel then comes from the same isolated environment as the sdist.
        """
        self._tree_wheel_wanted = True

    def tree_wheel(self) -> TreeWheel:
        """A wheel built directly from the tree (not from the sdist), once per run.

        It comes with the run's build when `want_tree_wheel` was called first; otherwise (the
        dists are prebuilt, or were built before the selection was known) it is built on its
        own, in isolation, into the run's shared directory.
        """
        if self.options.release_dist is None:
            self.dists()  # a build that brings the tree's wheel along writes its record too
        return once_per_run(self.shared_dir, "tree-wheel", TreeWheel, self._make_tree_wheel)

    def _make_tree_wheel(self) -> TreeWheel:
        self.tree_status()  # before the backend writes into the tree
        with self.progress.step("building a wheel directly from the tree") as step:
            tree = build_tree_wheel(
                self.root,
                self.shared_dir / "tree-wheel",
                timeout=self.config.build_timeout,
                uv=self.uv,
            )
            if tree.error is not None:
                step.failed()
        return tree

    def context(self, *, may_build: bool = True) -> ReleaseContext:
        """Tag, version and dists source; builds only when the version is known no other way."""
        if not may_build and self.tag is None and self.project.static_version is None:
            return recorded(self.shared_dir, "context", ReleaseContext) or ReleaseContext(
                project=self.project_name, tag=None, version=None, dists=self._dists_source()
            )
        return once_per_run(self.shared_dir, "context", ReleaseContext, self._make_context)

    def _make_context(self) -> ReleaseContext:
        return context.resolve_context(
            root=self.root,
            project=self.project_name,
            tag=self.tag,
            prefix=self.config.tag_prefix,
            built_version=self._built_version,
            dists=self._dists_source(),
        )

    @property
    def project_name(self) -> str:
        """The distribution name from pyproject.toml, else the project directory's name."""
        return self.project.name or self.root.name

    def _dists_source(self) -> str:
        if self.options.release_dist is not None:
            return f"prebuilt in {self.options.release_dist} (--release-dist)"
        return (
            "built in isolation (sdist, then the wheel from the sdist) into a temporary directory"
        )

    def _built_version(self) -> str | None:
        if self.project.static_version and self.options.release_dist is None:
            return self.project.static_version
        files = self.dists().files
        if not files:
            return None
        try:
            return self.metadata(files[0]).get("version")
        except FactError:
            return None

    def metadata(self, path: Path) -> RawMetadata:
        """The core metadata of one artifact, parsed leniently (validation is a gate's job)."""
        raw, _ = parse_email(read_metadata_bytes(path))
        return raw

    def installable_wheel(self, python: str | None = None) -> Path | None:
        """The first wheel the interpreter can install (platform wheels may target others).

        `python` is one of ``tool.release-checks.python``; None is the running interpreter.
        """
        return installable_wheel(self.dists().wheels, self.interpreter(python).tags)

    @property
    def first_python(self) -> str | None:
        """The interpreter of user gates' `release_venv`: the first listed, else the running one."""
        return self.config.python[0] if self.config.python else None

    def interpreter(self, python: str | None = None) -> Interpreter:
        """A listed interpreter as found (once per run), or the running one for None."""
        if python is None:
            return self._running_interpreter
        spec = python

        def make() -> Interpreter:
            with self.progress.step(f"looking for {describe_spec(spec)}") as step:
                found = find_interpreter(spec)
                if found.error is not None:
                    step.failed()
            return found

        key = hashlib.sha256(spec.encode()).hexdigest()[:12]
        return once_per_run(self.shared_dir, f"python-{key}", Interpreter, make)

    @cached_property
    def _running_interpreter(self) -> Interpreter:
        return running_interpreter()

    @cached_property
    def index_url(self) -> IndexChoice:
        """The index the network gates ask and which setting chose it; the URL may hold a token."""
        from release_checks.index import resolve_index  # noqa: PLC0415 - offline runs skip it

        return resolve_index(self.options.release_index, self.config.index, self.environ)

    def index_page(self) -> IndexPage:
        """The project's page on the index, asked once per run; an unreachable index is a record."""
        from release_checks.index import IndexPage  # noqa: PLC0415

        return once_per_run(self.shared_dir, "index-page", IndexPage, self._make_index_page)

    def _make_index_page(self) -> IndexPage:
        from release_checks.index import query_project  # noqa: PLC0415

        label = f"asking {self.index_url.display} about {self.project_name}"
        with self.progress.step(label) as step:
            page = query_project(self.index_url, self.project_name)
            if page.error is not None:
                step.failed()
        return page

    def published_page(self, version: Version, filenames: list[str]) -> IndexPage:
        """The index page once it shows `version` and `filenames`, or after --release-index-wait."""
        from release_checks.index import IndexPage, wait_for_release  # noqa: PLC0415

        def make() -> IndexPage:
            wait = self.options.index_wait
            label = f"waiting up to {wait:g} s for {self.index_url.display} to show {version}"
            with self.progress.step(label) as step:
                page = wait_for_release(
                    self.index_url, self.project_name, version, filenames, wait=wait
                )
                if page.error is not None or not page.lists_version(version):
                    step.failed()
            return page

        return once_per_run(self.shared_dir, "published-page", IndexPage, make)

    def published_venv(self, version: Version, has_dependencies: bool) -> FreshVenv:
        """A fresh virtualenv with ``name==version`` installed from the index, once per run."""
        from release_checks.venvs import install_from_index  # noqa: PLC0415

        requirement = f"{self.project_name}=={version}"

        def make() -> FreshVenv:
            label = f"installing {requirement} from {self.index_url.display} in a fresh virtualenv"
            with self.progress.step(label) as step:
                venv = install_from_index(
                    self.shared_dir / "published-venv",
                    requirement,
                    index_url=self.index_url.url,
                    has_dependencies=has_dependencies,
                    timeout=self.config.build_timeout,
                    uv=self.uv,
                )
                if venv.error is not None:
                    step.failed()
            return venv

        return once_per_run(self.shared_dir, "published-venv", FreshVenv, make)

    def venv(self, python: str | None = None) -> FreshVenv:
        """One fresh virtualenv per interpreter per run with the wheel in it.

        Check first that the interpreter was found and a wheel installs on it. Two spellings of
        one interpreter in ``tool.release-checks.python`` share its environment.
        """
        interpreter = self.interpreter(python)
        if interpreter.error is not None:
            raise FactError(interpreter.error)
        name = f"venv-{interpreter.key}"
        return once_per_run(
            self.shared_dir, name, FreshVenv, lambda: self._make_venv(interpreter, name)
        )

    def probe_names(self, wheel: Path) -> tuple[str, list[str]]:
        """The distribution name, and the names the fresh-environment gate imports from it."""
        from release_checks.dists import wheel_import_names  # noqa: PLC0415

        dist_name = self.metadata(wheel).get("name", self.project_name)
        return dist_name, list(self.config.import_names) or wheel_import_names(wheel)

    def import_probe(self, python: str | None = None) -> ProbeReport:
        """What importing the release shows in the fresh virtualenv of `python`, once per run.

        An environment the wheel did not install into is an error: there is nothing to import.
        """
        venv = self.venv(python)
        if venv.error is not None:
            raise FactError(venv.error)
        dist_name, names = self.probe_names(Path(venv.wheel))
        return once_per_run(
            self.shared_dir,
            f"probe-{self.interpreter(python).key}",
            ProbeReport,
            lambda: probe(venv, dist_name, names, timeout=self.config.build_timeout),
        )

    def _make_venv(self, interpreter: Interpreter, name: str) -> FreshVenv:
        wheel = installable_wheel(self.dists().wheels, interpreter.tags)
        if wheel is None:
            raise FactError(f"no wheel among the distributions installs on {interpreter.label}")
        has_dependencies = bool(self.metadata(wheel).get("requires_dist"))
        label = f"creating a fresh virtualenv with {wheel.name}"
        if interpreter.spec:
            label += f" under {interpreter.label}"
        base = recorded(self.shared_dir, f"{name}-base", FreshVenv)
        with self.progress.step(label) as step:
            if base is not None:  # made while the dists were built; or why it could not be
                venv = base
                if base.error is None:
                    venv = install_wheel(
                        base,
                        wheel,
                        has_dependencies=has_dependencies,
                        timeout=self.config.build_timeout,
                        uv=self.uv,
                    )
            else:
                venv = create_venv(
                    self.shared_dir / name,
                    wheel,
                    has_dependencies=has_dependencies,
                    timeout=self.config.build_timeout,
                    interpreter=interpreter.executable if interpreter.spec else None,
                    uv=self.uv,
                )
            if venv.error is not None:
                step.failed()
        return venv


def _given(base: FreshVenv) -> FreshVenv:
    """A base made already, for `once_per_run` to store."""
    return base
