"""Fixtures shared by the browser checks."""

import pytest
from jupyter_browser import launch_chromium
from playwright.sync_api import sync_playwright


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()
