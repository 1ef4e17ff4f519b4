"""Release gates as pytest tests: run ``pytest -m release`` before you publish."""
