"""The built website as a reader sees it, in real headless Chromium.

For every page of the book: no JavaScript errors, every image has alt text and loads, every
internal link (and its #anchor) resolves, math is typeset (from the site's own MathJax, no
network), nothing is wider than the content column at 1280 px (no sideways scrolling of code,
outputs or tables) and the page itself does not scroll sideways at 390 px, every figure is sharp
on a high-DPI screen (SVG, or a PNG with twice the pixels it is shown at) and its smallest text
is at least 9 px on screen at 1280 px, and a full-page screenshot lands in _build/screenshots/
for a human to look at.
The checker itself is tested on a small broken page, so it is known to catch what it looks for.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urldefrag, urljoin

import pytest

from booktools.chapters import ROOT, toc_chapters

HTML = ROOT / "_build" / "html"
SHOTS = ROOT / "_build" / "screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
PAGES = ["intro", "glossary", "references"] + [str(path.relative_to(ROOT).with_suffix("")) for path in toc_chapters()]

if CHROMIUM is None:
    pytest.skip(
        "Chromium is not installed: `sudo apt-get install chromium` (Debian/Ubuntu) to run the browser test",
        allow_module_level=True,
    )
playwright = pytest.importorskip("playwright.sync_api")


def _require_build():
    if not (HTML / "index.html").exists():
        message = "no built book in _build/html: run `make book` first"
        if os.environ.get("BOOK_MUST_BE_BUILT"):
            pytest.fail(message)
        pytest.skip(message)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(folder: Path):
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


# Elements that must fit the content column: code, outputs, tables, math and figures. Each one that
# is wider than the column, or scrolls sideways inside itself, is named in the report.
OVERFLOW_JS = """() => {
  const column = document.querySelector('#main-content article, main article, .bd-article, body');
  const right = column.getBoundingClientRect().right + 1;
  const found = [];
  for (const el of document.querySelectorAll(
      'pre, table, .cell_output, .output, .highlight, .MathJax, mjx-container[display], img, figure')) {
    if (el.closest('.bd-sidebar-primary, .bd-sidebar-secondary, header, nav')) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0) continue;
    const scrolls = el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible';
    if (box.right > right || scrolls) {
      const name = el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
        ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
      const text = (el.innerText || el.getAttribute('alt') || '').trim().split('\\n')[0].slice(0, 70);
      found.push(`${name} is ${Math.round(Math.max(el.scrollWidth, box.width))} px wide in a ` +
                 `${Math.round(right - column.getBoundingClientRect().left)} px column: "${text}"`);
    }
  }
  return found;
}"""


PHONE_WIDTH = 390


def inspect_page(browser, url: str, screenshot: Path | None = None) -> dict:
    """Load ``url`` and report what a reader would trip over, at 1280 px wide and then at a phone's 390 px.

    The same loaded page is narrowed to the phone's width (the theme's layout follows the viewport),
    rather than loaded again: each load waits for the network to go idle and MathJax to finish.
    """
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"page error: {exc}"))
    page.on("console", lambda msg: errors.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None)
    failed: list[str] = []
    page.on("requestfailed", lambda req: failed.append(req.url))
    page.on("response", lambda resp: failed.append(f"{resp.url} (HTTP {resp.status})") if resp.status >= 400 else None)
    response = page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    has_mathjax = page.evaluate("() => Boolean(window.MathJax && window.MathJax.startup)")
    if has_mathjax:
        page.evaluate("() => window.MathJax.startup.promise")
    images = page.eval_on_selector_all(
        "img",
        """els => els.map(e => ({src: e.getAttribute('src'), alt: (e.getAttribute('alt') || '').trim(),
                                 loaded: e.complete && e.naturalWidth > 0}))""",
    )
    figures = page.eval_on_selector_all(
        ".cell_output img",
        """els => els.map(e => ({src: e.getAttribute('src'), url: e.src, natural: e.naturalWidth,
                                 shown: e.getBoundingClientRect().width}))""",
    )
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    ids = page.eval_on_selector_all("[id]", "els => els.map(e => e.id)")
    math_source = page.eval_on_selector_all(".math, span.math, div.math", "els => els.length")
    typeset = page.eval_on_selector_all("mjx-container", "els => els.length")
    overflowing = page.evaluate(OVERFLOW_JS)
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    sideways = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    page.close()
    return {
        "status": response.status if response else None,
        "errors": errors,
        "failed_requests": failed,
        "images": images,
        "figures": figures,
        "links": links,
        "ids": set(ids),
        "math_source": math_source,
        "typeset": typeset,
        "has_mathjax": has_mathjax,
        "overflowing": overflowing,
        "sideways_at_phone_width": sideways,
    }


def problems(report: dict, url: str, base: str, fetch_ids) -> list[str]:
    """Everything wrong with one inspected page."""
    found = [f"HTTP status {report['status']}"] if report["status"] != 200 else []
    found += report["errors"]
    found += [f"request failed: {u}" for u in report["failed_requests"]]
    for image in report["images"]:
        if not image["alt"]:
            found.append(f"image without alt text: {image['src']}")
        if not image["loaded"]:
            found.append(f"image did not load: {image['src']}")
    found += [f"too wide: {element}" for element in report.get("overflowing", [])]
    if report.get("sideways_at_phone_width", 0) > 0:
        found.append(f"at {PHONE_WIDTH} px wide the page scrolls sideways by {report['sideways_at_phone_width']} px")
    found += [problem for figure in report.get("figures", []) for problem in figure_problems(figure)]
    if report["math_source"] and report["typeset"] == 0:
        found.append(f"{report['math_source']} math element(s) but nothing typeset by MathJax")
    for link in report["links"]:
        target, fragment = urldefrag(urljoin(url, link))
        if not target.startswith(base):
            continue  # external links are not followed: no network here
        target_ids = fetch_ids(target)
        if target_ids is None:
            found.append(f"broken link: {link}")
        elif fragment and fragment not in target_ids:
            found.append(f"link to a missing anchor: {link}")
    return found


MIN_TEXT_PX = 9
# Matplotlib's SVG draws each text (tick label, legend, title) as glyph paths in a group scaled
# by font size / 100; math glyphs (sub- and superscripts) are placed separately and not counted.
SVG_TEXT_SCALE = re.compile(r"scale\((0\.\d+) -0\.\d+\)")


def figure_problems(figure: dict) -> list[str]:
    """A figure output that is blurry on a high-DPI screen or whose smallest text is under 9 px.

    Images embedded as data URIs (the sequential chapter's animation frames, kept small so the
    page stays light) are not figures saved by the chapter and are left out.
    """
    src, natural, shown = figure["src"], figure["natural"], figure["shown"]
    if src.startswith("data:") or not natural or not shown:
        return []
    if not src.endswith(".svg"):
        if natural < 2 * shown - 1:
            return [f"figure not sharp on high-DPI screens: {src} has {natural} px shown at {shown:.0f} px"]
        return []
    with urllib.request.urlopen(figure["url"], timeout=10) as response:
        svg = response.read().decode("utf-8")
    sizes = [100 * float(scale) for scale in SVG_TEXT_SCALE.findall(svg)]
    if not sizes:
        return []
    # An SVG's natural width is its width in points at 96 px per inch, 4/3 px per point.
    smallest_px = min(sizes) * 4 / 3 * shown / natural
    if smallest_px < MIN_TEXT_PX - 0.05:
        return [
            f"figure text too small: {src} has {min(sizes):g} pt text shown at {smallest_px:.1f} px "
            f"(figure {natural} px wide shown at {shown:.0f} px; at least {MIN_TEXT_PX} px wanted)"
        ]
    return []


ID_ATTRIBUTE = re.compile(r"""\bid=["']([^"']+)["']""")


def _id_fetcher(browser, base):
    """Fetch a link target from the local server: None if it is missing, else the ids it defines.

    Downloads (.ipynb, .md sources) and images count as present when the server returns them.
    """

    @functools.cache
    def fetch_ids(target: str):
        try:
            with urllib.request.urlopen(target, timeout=10) as response:
                body = response.read()
                kind = response.headers.get_content_type()
        except urllib.error.URLError:
            return None
        return set(ID_ATTRIBUTE.findall(body.decode("utf-8", "replace"))) if kind == "text/html" else set()

    return fetch_ids


@pytest.fixture(scope="module")
def site():
    _require_build()
    server, base = _serve(HTML)
    yield base
    server.shutdown()


@pytest.mark.parametrize("page_name", PAGES)
def test_page_as_a_reader_sees_it(browser, site, page_name):
    url = urljoin(site, f"{page_name}.html")
    report = inspect_page(browser, url, SHOTS / f"{page_name.replace('/', '__')}.png")
    found = problems(report, url, site, _id_fetcher(browser, site))
    assert not found, f"{page_name}:\n  " + "\n  ".join(found)
    if page_name.startswith("chapters/"):
        assert report["math_source"] > 0 and report["typeset"] > 0, "every chapter has typeset math"
        stem = page_name.split("/")[-1]
        for suffix in (".md", ".ipynb"):
            assert any(link.endswith(f"{stem}{suffix}") for link in report["links"]), f"no {suffix} download link"


def test_search_page_finds_chapters(browser, site):
    page = browser.new_page()
    page.goto(urljoin(site, "search.html?q=posterior"), wait_until="load")
    page.wait_for_selector("#search-results li", timeout=20_000)
    hits = page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.href)")
    page.close()
    assert any("chapters/" in hit for hit in hits), f"search for 'posterior' found no chapter: {hits}"


def test_checker_catches_missing_alt_text_and_broken_links(browser, tmp_path):
    """Missing alt text, a broken link, a bad anchor, a blurry figure and tiny figure text are reported."""
    Image = pytest.importorskip("PIL.Image")
    Image.new("RGB", (4, 4)).save(tmp_path / "dot.png")
    Image.new("RGB", (200, 100)).save(tmp_path / "blurry.png")
    (tmp_path / "tiny.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="720pt" height="72pt" viewBox="0 0 720 72">'
        '<g transform="translate(10 40) scale(0.08 -0.08)"><path d="M0 0h100v100h-100z"/></g></svg>'
    )
    (tmp_path / "other.html").write_text("<html><body><p id='here'>x</p></body></html>")
    (tmp_path / "page.html").write_text(
        "<html><body><img src='dot.png'><img src='dot.png' alt='a dot'><img src='gone.png' alt='gone'>"
        "<div class='cell_output' style='width:480px'><img src='blurry.png' alt='blurry' style='width:200px'>"
        "<img src='tiny.svg' alt='tiny text' style='width:480px'></div>"
        "<a href='other.html#here'>ok</a><a href='missing.html'>broken</a>"
        "<a href='other.html#nowhere'>bad anchor</a>"
        "<article style='width:300px'><pre style='overflow-x:auto'>" + "x" * 200 + "</pre></article>"
        "<div style='width:600px'>wider than a phone</div></body></html>"
    )
    server, base = _serve(tmp_path)
    try:
        url = urljoin(base, "page.html")
        found = problems(inspect_page(browser, url), url, base, _id_fetcher(browser, base))
    finally:
        server.shutdown()
    assert any("image without alt text: dot.png" in f for f in found), found
    assert any("image did not load: gone.png" in f for f in found), found
    assert any("broken link" in f and "missing.html" in f for f in found), found
    assert any("missing anchor" in f and "nowhere" in f for f in found), found
    assert not any("other.html#here" in f for f in found), found
    assert any(f.startswith("too wide: pre") for f in found), found
    assert any(f.startswith("at 390 px wide the page scrolls sideways by") for f in found), found
    assert any("not sharp" in f and "blurry.png" in f for f in found), found
    # 8 pt in a 960 px wide figure shown at 480 px: 8 * 4/3 / 2 = 5.3 px
    assert any("too small" in f and "tiny.svg" in f and "5.3 px" in f for f in found), found
