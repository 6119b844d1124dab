"""Serving and crawling the built course website, for ``check_book.py`` (standard library only).

``StaticSite`` serves a folder on 127.0.0.1 on a free port from a thread, for a ``with`` block, and
records every request it answered with 404. ``crawl`` walks a site in a Playwright page from its
entry page through every internal link, checks each image, stylesheet, script and download it
meets, and returns what it saw: the pages, their console errors, the requests that failed or
tried to leave the site, and the links whose target (or ``#fragment``) is missing. ``run_axe``
injects axe-core into a page and returns its violations.
"""

from __future__ import annotations

import functools
import http.server
import threading
import urllib.error
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

from report_lines import problem_lines

#: axe-core, installed by ``make test-book`` from tests/browser/package-lock.json.
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_AXE = "axe-core is missing: npm ci --prefix tests/browser (make test-book does it)"


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # quiet; 404s are recorded instead
        pass

    def send_error(self, code, message=None, explain=None):
        if code == 404:
            self.server.not_found.append(self.path)
        super().send_error(code, message, explain)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a browser that left before the answer: not a failure
        pass


class StaticSite:
    """``folder`` served on http://127.0.0.1:<free port>/ while the ``with`` block runs."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def __enter__(self) -> StaticSite:
        handler = functools.partial(_Handler, directory=str(self.folder))
        self.server = _Server(("127.0.0.1", 0), handler)
        self.server.not_found = []
        self.thread = threading.Thread(target=self.server.serve_forever, name="book-site", daemon=True)
        self.thread.start()
        host, port = self.server.server_address[:2]
        assert host == "127.0.0.1", host
        self.url = f"http://127.0.0.1:{port}/"
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)

    @property
    def not_found(self) -> list[str]:
        return self.server.not_found


def status(url: str) -> int:
    """The HTTP status of a GET of ``url``."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@dataclass
class Crawl:
    pages: dict[str, str] = field(default_factory=dict)  # page URL -> its <title>
    ids: dict[str, set[str]] = field(default_factory=dict)  # page URL -> the ids in it
    console_errors: list[str] = field(default_factory=list)  # "page: message"
    failed_requests: list[str] = field(default_factory=list)  # a request to the site that got no answer, or >= 400
    outside_requests: list[str] = field(default_factory=list)  # a request that tried to leave the site
    broken: list[str] = field(default_factory=list)  # "page -> target (status)"
    external_links: set[str] = field(default_factory=set)

    def problems(self) -> list[str]:
        return problem_lines(("console error: {}", self.console_errors), ("failed request: {}", self.failed_requests),
                             ("request leaving the site: {}", self.outside_requests), ("broken link: {}", self.broken))


LINKS = """() => ({
    links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
    resources: [...document.querySelectorAll(
        'img[src], script[src], link[href][rel~="stylesheet"], link[href][rel~="icon"]')]
        .map(node => node.getAttribute('src') || node.getAttribute('href')),
    ids: [...document.querySelectorAll('[id]')].map(node => node.id),
    images: [...document.images].filter(img => !img.complete || img.naturalWidth === 0).map(img => img.src),
})"""


def crawl(context, starts: list[str], on_page=None) -> Crawl:
    """Every page reachable from ``starts`` (URLs of one site) inside that site, visited in a page of ``context``.

    ``on_page(page, url)`` is called on each page once it has loaded (for axe, say).
    """
    site = urlsplit(starts[0])
    origin = f"{site.scheme}://{site.netloc}"
    found = Crawl()
    page = context.new_page()
    current = {"url": starts[0]}
    page.on("console", lambda message: message.type == "error"
            and found.console_errors.append(f"{current['url']}: {message.text}"))
    page.on("pageerror", lambda error: found.console_errors.append(f"{current['url']}: uncaught {error}"))
    page.on("requestfailed", lambda request: request.url.startswith(origin)
            and found.failed_requests.append(f"{request.url} ({request.failure})"))
    page.on("response", lambda response: response.url.startswith(origin) and response.status >= 400
            and found.failed_requests.append(f"{response.url} ({response.status})"))

    def keep_inside(route):
        if route.request.url.startswith((origin, "data:", "blob:")):
            route.continue_()
        else:
            found.outside_requests.append(f"{current['url']}: {route.request.url}")
            route.abort()

    page.route("**/*", keep_inside)
    queue, seen, checked, fragments = deque(starts), set(starts), {}, []
    while queue:
        url = queue.popleft()
        current["url"] = url
        response = page.goto(url, wait_until="load")
        if response is None or response.status >= 400:
            found.broken.append(f"{url} ({response.status if response else 'no response'})")
            continue
        page.wait_for_load_state("networkidle")
        if page.url != url:  # a redirect (the entry page's, to the only language)
            url = current["url"] = urldefrag(page.url)[0]
            if url in found.pages:
                continue
            seen.add(url)
        found.pages[url] = page.title()
        seen_here = page.evaluate(LINKS)
        found.ids[url] = set(seen_here["ids"])
        found.broken += [f"{url} -> image {src} (not loaded)" for src in seen_here["images"]]
        for href in seen_here["links"] + seen_here["resources"]:
            target = urljoin(url, href)
            if not target.startswith(origin):
                if target.startswith(("http:", "https:")):
                    found.external_links.add(target)
                continue
            target, fragment = urldefrag(target)
            if fragment:
                fragments.append((url, target, fragment))
            if target.endswith((".html", "/")) and target not in seen:
                seen.add(target)
                queue.append(target)
            elif not target.endswith((".html", "/")) and target not in checked:
                checked[target] = status(target)
                if checked[target] >= 400:
                    found.broken.append(f"{url} -> {target} ({checked[target]})")
        if on_page:
            on_page(page, url)
    for url, target, fragment in fragments:
        if target in found.ids and fragment not in found.ids[target]:
            found.broken.append(f"{url} -> {target}#{fragment} (no such id)")
    page.close()
    return found


def run_axe(page, axe: Path = AXE) -> list[dict]:
    """axe-core's violations on ``page`` (each with its rule id, impact, help and the nodes' targets)."""
    if not axe.exists():
        raise FileNotFoundError(INSTALL_AXE)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe))
    return page.evaluate("""async () => {
        const results = await window.axe.run(document, {resultTypes: ['violations']});
        return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(' ')), why: v.nodes.length ? v.nodes[0].failureSummary : ''}));
    }""")
