"""Root conftest: enables pytester, which the plugin's end-to-end tests run it through."""

pytest_plugins = ["pytester"]
