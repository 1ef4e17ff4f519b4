"""Name, version, tag and pre-release flag of a release, for a CI workflow's later jobs.

``release-checks info`` prints these; in GitHub Actions it writes them to ``$GITHUB_OUTPUT``
so the publish and GitHub-release jobs use the same facts the gates checked.
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from release_checks.config import parse_config
from release_checks.errors import ConfigError, FactError
from release_checks.project import find_project_root, load_pyproject, read_project
from release_checks.run import ReleaseRun, RunOptions

__all__ = ["ReleaseInfo", "github_output", "info_for_directory", "release_info"]


@dataclass(frozen=True, kw_only=True)
class ReleaseInfo:
    """What a release workflow needs to know about the release it publishes."""

    name: str
    version: str
    tag: str
    tag_source: str
    prerelease: bool

    def outputs(self) -> dict[str, str]:
        """The values as step outputs; `prerelease` is `true` or `false`, as `gh` expects."""
        return {
            "name": self.name,
            "version": self.version,
            "tag": self.tag,
            "prerelease": "true" if self.prerelease else "false",
        }


def info_for_directory(start: Path, *, dist: Path | None, tag: str | None) -> ReleaseInfo:
    """The release of the project at or above `start`, resolved as a gate run resolves it.

    Without `dist` and without a tag or static version, that means one isolated build, into a
    temporary directory removed afterwards.
    """
    root = find_project_root(start)
    if root is None:
        raise ConfigError(f"no pyproject.toml in {start} or a parent directory")
    pyproject = load_pyproject(root)
    with tempfile.TemporaryDirectory(prefix="release-checks-") as shared_dir:
        run = ReleaseRun(
            project=read_project(root, pyproject),
            config=parse_config(pyproject),
            options=RunOptions(
                release_tag=tag, release_dist=(start / dist).resolve() if dist else None
            ),
            shared_dir=Path(shared_dir),
        )
        return release_info(run)


def release_info(run: ReleaseRun) -> ReleaseInfo:
    """Resolve the release as the plugin does; with prebuilt dists, take their version.

    The dists' version is what an installer will ask the index for, so it wins over the tag's
    (the gates fail the release when the two disagree).
    """
    release = run.context()
    version = _dists_version(run) if run.options.release_dist is not None else release.version
    if version is None or release.tag is None:
        raise FactError(release.problem or "the release version could not be found")
    try:
        prerelease = Version(version).is_prerelease
    except InvalidVersion:
        raise FactError(
            f"`{version}` (from {release.tag.source}) is not a PEP 440 version; "
            "tag the release as v1.2.3, v1.2.3rc1 or v1.2.3.post1"
        ) from None
    return ReleaseInfo(
        name=release.project,
        version=version,
        tag=release.tag.name,
        tag_source=release.tag.source,
        prerelease=prerelease,
    )


def _dists_version(run: ReleaseRun) -> str:
    """The one version every prebuilt artifact carries."""
    dists = run.dists()
    if dists.error is not None:
        raise FactError(dists.error)
    versions = {path.name: run.metadata(path).get("version") for path in dists.files}
    found = set(versions.values())
    if len(found) != 1 or None in found:
        listed = ", ".join(
            f"{name}: {version or 'no version'}" for name, version in versions.items()
        )
        raise FactError(
            f"the files in {dists.where} do not carry one version ({listed}); "
            "rebuild them into an empty directory"
        )
    return str(found.pop())


def github_output(values: dict[str, str]) -> str:
    """Lines for ``$GITHUB_OUTPUT``; a value with a line break gets the delimiter form."""
    lines = []
    for key, value in values.items():
        if "\n" in value or "\r" in value:
            delimiter = f"EOF_{secrets.token_hex(8)}"
            lines.append(f"{key}<<{delimiter}\n{value}\n{delimiter}\n")
        else:
            lines.append(f"{key}={value}\n")
    return "".join(lines)
