"""Run inside the fresh virtualenv: import the release and report what happened as JSON.

Standard library only, and run with ``python -I`` from a temporary directory, so the import
comes from the installed wheel and never from the project's source tree.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import sys
import traceback
from typing import Any


def _where(error: BaseException) -> str | None:
    """Find the innermost traceback frame inside site-packages: the line that failed."""
    site = [p for p in sys.path if p.endswith("site-packages")]
    where = None
    for frame in traceback.extract_tb(error.__traceback__):
        for root in site:
            if frame.filename.startswith(root + os.sep):
                where = f"{os.path.relpath(frame.filename, root)}:{frame.lineno}"
    return where


def _failure(error: BaseException) -> dict[str, Any]:
    return {
        "ok": False,
        "error": f"{type(error).__name__}: {error}",
        "missing": getattr(error, "name", None) if isinstance(error, ImportError) else None,
        "where": _where(error),
    }


def _import(name: str) -> dict[str, Any]:
    try:
        module = importlib.import_module(name)
    except BaseException as error:  # noqa: BLE001 - a module may raise anything, even SystemExit
        return dict(_failure(error), name=name)
    version = getattr(module, "__version__", None)
    return {"name": name, "ok": True, "version_attr": version if isinstance(version, str) else None}


def _entry_point(entry_point: importlib.metadata.EntryPoint) -> dict[str, Any]:
    try:
        entry_point.load()
    except BaseException as error:  # noqa: BLE001
        result = _failure(error)
    else:
        result = {"ok": True}
    result.update(group=entry_point.group, name=entry_point.name, value=entry_point.value)
    return result


def main() -> None:
    """Report as JSON on stdout; whatever the imported code prints goes to stderr."""
    report_to = sys.stdout
    sys.stdout = sys.stderr
    request = json.loads(sys.argv[1])
    report: dict[str, Any] = {"imports": [_import(name) for name in request["imports"]]}
    try:
        distribution = importlib.metadata.distribution(request["dist"])
    except importlib.metadata.PackageNotFoundError as error:
        report.update(version=None, version_error=str(error), entry_points=[])
    else:
        scripts = [
            ep for ep in distribution.entry_points if ep.group in ("console_scripts", "gui_scripts")
        ]
        report.update(
            version=distribution.version,
            version_error=None,
            entry_points=[_entry_point(ep) for ep in scripts],
        )
    report_to.write(json.dumps(report))


if __name__ == "__main__":
    main()
