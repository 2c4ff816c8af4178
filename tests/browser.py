"""Shared parts of the browser tests: headless Chromium (Debian's package, driven by
Playwright; nothing downloads a browser) and static pages served from a folder of their own."""

import contextlib
import functools
import http.server
from pathlib import Path

import pytest

from tests.helpers import serving_in_thread

CHROMIUM = "/usr/bin/chromium"

needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(),
    reason=f"{CHROMIUM} is missing: install Debian's chromium package (`make test` does when "
           "run as root) to run the browser tests")


@contextlib.contextmanager
def launch_chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        try:
            yield chromium
        finally:
            chromium.close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class StaticSite:
    """Pages written into `folder`, served from `origin`."""

    def __init__(self, folder, origin):
        self.folder, self.origin = folder, origin

    def page(self, name, body, title="Partner"):
        """Write an HTML page around `body`; answer its URL."""
        (self.folder / name).write_text(
            f"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}"
            f"</title></head><body><h1>{title}</h1>{body}</body></html>")
        return f"{self.origin}/{name}"


@contextlib.contextmanager
def static_site(folder, host="127.0.0.1"):
    """Serve `folder` on a free port of 127.0.0.1, its URLs named with `host`."""
    folder.mkdir()
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    with serving_in_thread(server, host) as origin:
        yield StaticSite(folder, origin)
