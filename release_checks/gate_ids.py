"""The built-in gates' ids: the names `waive` may use.

Kept apart from the gate modules, which import pytest and take a while to import: a gate
run checks its config before it starts building. `tests/test_gate_ids.py` checks that this
set is exactly the gates collected.
"""

from __future__ import annotations

__all__ = ["GATE_IDS"]

GATE_IDS = frozenset(
    {
        "archive_is_safe_to_extract",
        "changelog_has_entry",
        "dist_dir_holds_only_this_release",
        "dists_build",
        "head_carries_tag",
        "license_files_shipped",
        "metadata_fits_index",
        "metadata_passes_twine_check",
        "no_secrets_shipped",
        "publish_checkout_full_history",
        "publish_does_not_build",
        "publish_id_token_only_at_job",
        "publish_needs_tests",
        "publish_not_in_reusable_workflow",
        "publish_runs_in_environment",
        "publish_triggered_by_release",
        "publish_uses_trusted_publishing",
        "published_files_match",
        "published_release_installs",
        "published_version_listed",
        "py_typed_shipped",
        "sdist_and_wheel_agree",
        "sdist_matches_git",
        "tag_is_pep440",
        "tag_on_release_branch",
        "tree_is_clean",
        "version_moves_forward",
        "version_not_on_index",
        "versions_agree",
        "wheel_equivalent_to_tree_build",
        "wheel_filename_matches_metadata",
        "wheel_has_no_stray_files",
        "wheel_modules_are_importable",
        "wheel_record_matches_contents",
        "wheel_tags_match_metadata",
        "wheel_works_in_fresh_venv",
        "workflow_is_valid",
    }
)
