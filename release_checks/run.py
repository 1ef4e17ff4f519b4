"""One release-check run: the settings, and each expensive fact computed once and shared.

Knows nothing of pytest. Every worker of a run builds a `ReleaseRun` over the same shared
directory; the first one to need a fact computes it and the rest read its record.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.metadata import RawMetadata, parse_email

from release_checks import context
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
from release_checks.errors import FactError
from release_checks.progress import Progress
from release_checks.project import Project
from release_checks.shared import once_per_run, recorded
from release_checks.venvs import FreshVenv, create_venv
from release_checks.worktree import TreeStatus, tree_status

if TYPE_CHECKING:
    from packaging.version import Version

    from release_checks.index import IndexChoice, IndexPage

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

    def __init__(
        self,
        *,
        project: Project,
        config: ReleaseConfig,
        options: RunOptions,
        shared_dir: Path,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self.project = project
        self.config = config
        self.options = options
        self.shared_dir = shared_dir
        self.environ = environ
        self.root = Path(project.root)
        self.progress = Progress(shared_dir / "progress.jsonl")
        self._tree_wheel_wanted = False

    @cached_property
    def strict(self) -> bool:
        """Fail instead of skip where a skip could hide a problem: asked for, or a CI tag build."""
        return self.options.strict or self.environ.get("GITHUB_REF_TYPE") == "tag"

    @cached_property
    def tag(self) -> TagChoice | None:
        """The release tag as far as it is known without building."""
        return context.choose_tag(
            self.root, self.options.release_tag, self.environ, self.config.tag_prefix
        )

    def dists(self) -> DistSet:
        """The artifacts under test: prebuilt ones, or one isolated build for the whole run."""
        return once_per_run(self.shared_dir, "dists", DistSet, self._make_dists)

    def _make_dists(self) -> DistSet:
        if self.options.release_dist is not None:
            return check_readable(find_prebuilt(self.options.release_dist))
        self.tree_status()  # before the backend writes into the tree
        if not self._tree_wheel_wanted:
            with self.progress.step("building the sdist, then the wheel from it") as step:
                dists = build_dists(
                    self.root, self.shared_dir / "dist", timeout=self.config.build_timeout
                )
                if dists.error is not None:
                    step.failed()
            return dists
        label = "building the sdist, the wheel from it, and a wheel from the tree"
        with self.progress.step(label) as step:
            dists, tree = build_dists_and_tree_wheel(
                self.root,
                self.shared_dir / "dist",
                self.shared_dir / "tree-wheel",
                timeout=self.config.build_timeout,
            )
            if dists.error is not None:
                step.failed()
        if tree is not None:
            once_per_run(self.shared_dir, "tree-wheel", TreeWheel, lambda: tree)
        return dists

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
                self.root, self.shared_dir / "tree-wheel", timeout=self.config.build_timeout
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

    def installable_wheel(self) -> Path | None:
        """The first wheel this interpreter can install (platform wheels may target others)."""
        from packaging.tags import sys_tags  # noqa: PLC0415
        from packaging.utils import InvalidWheelFilename, parse_wheel_filename  # noqa: PLC0415

        supported = set(sys_tags())
        for wheel in self.dists().wheels:
            try:
                tags = parse_wheel_filename(Path(wheel).name)[3]
            except InvalidWheelFilename:
                continue
            if not supported.isdisjoint(tags):
                return Path(wheel)
        return None

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
                )
                if venv.error is not None:
                    step.failed()
            return venv

        return once_per_run(self.shared_dir, "published-venv", FreshVenv, make)

    def venv(self) -> FreshVenv:
        """One fresh virtualenv per run with the wheel in it; check there is a wheel first."""
        return once_per_run(self.shared_dir, "venv", FreshVenv, self._make_venv)

    def _make_venv(self) -> FreshVenv:
        wheel = self.installable_wheel()
        if wheel is None:
            raise FactError("no wheel among the distributions installs on this interpreter")
        has_dependencies = bool(self.metadata(wheel).get("requires_dist"))
        with self.progress.step(f"creating a fresh virtualenv with {wheel.name}") as step:
            venv = create_venv(
                self.shared_dir / "venv",
                wheel,
                has_dependencies=has_dependencies,
                timeout=self.config.build_timeout,
            )
            if venv.error is not None:
                step.failed()
        return venv
