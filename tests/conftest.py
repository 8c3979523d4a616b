"""Shared pytest configuration; fixtures live in the fixtures_*.py plugins beside this file."""

pytest_plugins = ["fixtures_store", "fixtures_browser", "fixtures_postgis"]
