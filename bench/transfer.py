"""Bytes a reader downloads, measured in headless Chromium against a built site.

    python bench/transfer.py SITE_DIR [--query 医疗 --query 针刺]

Serves SITE_DIR the way a static host does (gzip for text, Pagefind's files
as they are) and reports, with an empty cache each time:
  * a record page's cold visit: the page and everything it loads;
  * a search on the search page until the first five results are shown
    (the search page's own files, then what the query itself loads);
  * a first search from a record page: the record page's cold visit, then the
    query typed into the header search until its first result is shown.
Figures are bytes on the wire (compressed where the server compresses).
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import socketserver
import statistics
import sys
import threading
from urllib.parse import quote
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
_COMPRESS = {".html", ".css", ".js", ".json", ".svg", ".xml", ".webmanifest", ".txt", ""}


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if "gzip" not in self.headers.get("Accept-Encoding", "") or path.suffix not in _COMPRESS or not path.is_file():
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def serve(site: Path) -> tuple[_Server, str]:
    server = _Server(("127.0.0.1", 0), functools.partial(_Handler, directory=str(site)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _counting(page) -> dict:
    seen = {"bytes": 0, "requests": 0}

    def finished(request):
        sizes = request.sizes()
        seen["bytes"] += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        seen["requests"] += 1

    page.on("requestfinished", finished)
    return seen


def measure(site: Path, record_url: str, queries: list[str], runs: int = 3) -> dict:
    from playwright.sync_api import sync_playwright

    server, base = serve(site)
    out = {"record": [], "search_page": [], "queries": {q: [] for q in queries},
           "from_record": {q: [] for q in queries}}

    def cold(browser, visit) -> int:
        """Bytes of one visit with an empty cache and no service worker."""
        context = browser.new_context(service_workers="block")
        page = context.new_page()
        seen = _counting(page)
        visit(page)
        page.wait_for_load_state("networkidle")
        context.close()
        return seen["bytes"]

    def search_page(query):
        def visit(page):
            # The search page, its scripts and the index parts the query needs.
            page.goto(base + "search/?q=" + quote(query))
            page.locator("#portal-sp-results > li").nth(4).wait_for(timeout=120_000)
        return visit

    def from_record(query):
        def visit(page):
            # A record page, then the query in the header search.
            page.goto(base + record_url, wait_until="networkidle")
            page.locator("#portal-search-q").fill(query)
            page.locator("#portal-search-panel .portal-search__link").first.wait_for(timeout=120_000)
        return visit

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for _ in range(runs):
                out["record"].append(cold(browser, lambda page: page.goto(base + record_url)))
                for query in queries:
                    out["queries"][query].append(cold(browser, search_page(query)))
                    out["from_record"][query].append(cold(browser, from_record(query)))
                out["search_page"].append(cold(browser, lambda page: page.goto(base + "search/")))
            browser.close()
    finally:
        server.shutdown()
    return {"record": statistics.median(out["record"]), "search_page": statistics.median(out["search_page"]),
            "queries": {q: statistics.median(v) for q, v in out["queries"].items()},
            "from_record": {q: statistics.median(v) for q, v in out["from_record"].items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description="冷启动访问与检索的传输量")
    parser.add_argument("site", type=Path)
    parser.add_argument("--record", default=None, help="记录页网址（默认第一条政策通知）")
    parser.add_argument("--query", action="append", default=None)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    record = args.record or "policies/" + sorted(p.name for p in (args.site / "policies").iterdir()
                                                 if p.is_dir() and p.name != "by")[0] + "/"
    result = measure(args.site, record, args.query or ["医疗", "基层医疗卫生服务能力", "针刺"], args.runs)
    print(f"record page {record}: {result['record'] / 1024:.0f} KB")
    print(f"search page without a query: {result['search_page'] / 1024:.0f} KB")
    for query, size in result["queries"].items():
        cold = result["from_record"][query]
        print(f"query {query!r}, first five results: {size / 1024:.0f} KB "
              f"(of which the query itself: {(size - result['search_page']) / 1024:.0f} KB); "
              f"first search from a record page: {cold / 1024:.0f} KB "
              f"(the search itself: {(cold - result['record']) / 1024:.0f} KB)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
