"""Shared fixtures: small data sets written per test, one real site build per session,
a local HTTP server and a headless Chromium for browser tests."""

from __future__ import annotations

import datetime as dt
import functools
import html.parser
import http.server
import os
import shutil
import socketserver
import subprocess
import sys
import threading
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BUILD_DAY = "2024-03-28"

MINIMAL = {
    "technologies/ai-jiu.yaml": """\
        name: 艾灸
        aliases: [灸法]
        summary: 用艾绒燃烧的温热刺激穴位。
        tradition: 传统医学
        category: 治疗
        management_class: 一般
        levels: [村卫生室, 乡镇卫生院]
        stage: 推广
        warehoused: 2022-05-01
        review_due: 2025-05-01
        policies: [2024-zhong-yi-yao]
        sources:
          - title: 《中医医疗技术相关性感染预防与控制指南（试行）》
        entry_example: true
        """,
    "technologies/old-tech.yaml": """\
        name: 旧技术
        summary: 已被迭代的技术。
        stage: 退出
        exit_reason: 已有更安全的替代技术
        successor: ai-jiu
        review_due: 2023-01-01
        sources:
          - title: 推广组评估报告
        entry_sources:
          - title: 推广组评估报告
        """,
    "mentors/example-a.yaml": """\
        name: 示例传承人甲
        example: true
        track: 传统医学
        tier: 名老中医
        region: 四川
        technologies: [ai-jiu]
        cycles: [一年制]
        enrollment:
          status: 招收中
          deadline: 2024-03-15
        """,
    "policies/2024-zhong-yi-yao.yaml": """\
        title: 关于推广中医药适宜技术的通知
        doc_number: 国中医药医政发〔2024〕1号
        issuers: [国家中医药局]
        region: 全国
        published: 2024-01-10
        topics: [中医药]
        kind: 通知
        """,
    "policies/2024-yi-jian-zheng-qiu.yaml": """\
        title: 关于某办法（征求意见稿）公开征求意见的通知
        issuers: [国家卫生健康委办公厅]
        region: 全国
        published: 2024-03-20
        kind: 征求意见稿
        comment_deadline: 2024-04-08
        cites: ["国中医药医政发 [2024] 1 号", 国卫办发〔2099〕9号]
        """,
}


def write_data(directory: Path, records: dict[str, str] | None = None, *, drop=()) -> Path:
    """A complete data directory: the repository's vocabulary plus the given records."""
    records = dict(MINIMAL if records is None else records)
    for name in drop:
        records.pop(name)
    for sub in ("technologies", "mentors", "policies"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "data" / "vocab.yaml", directory / "vocab.yaml")
    for name, text in records.items():
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def replace_text(name: str, old: str, new: str) -> dict[str, str]:
    """MINIMAL's record `name` with one edit, as a {name: text} change."""
    text = textwrap.dedent(MINIMAL[name])
    assert old in text, old
    return {name: text.replace(old, new)}


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return write_data(tmp_path / "data")


def run_portal(*args, cwd=ROOT, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "portal", *args], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The repository's real content built once, as of BUILD_DAY."""
    site = tmp_path_factory.mktemp("site") / "site"
    result = run_portal("build", "--today", BUILD_DAY, "--site-dir", str(site))
    assert result.returncode == 0, result.stderr
    return site


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    # Calendars as static hosts serve them (Python knows .ics only from /etc/mime.types).
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".ics": "text/calendar"}

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def serve_dir():
    """serve_dir(path) -> "http://127.0.0.1:port": the folder served over local
    HTTP until the test session ends (the one local server of the tests)."""
    servers = []

    def serve(directory: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def site_server(built_site, serve_dir):
    return serve_dir(built_site)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def open_page(browser, site_server, **options):
    """(context, page) of a fresh page in a context of its own (options: a
    viewport, service workers …) that records script errors (page.errors) and
    every request leaving the local server (page.foreign_requests)."""
    context = browser.new_context(locale="zh-CN", **options)
    pg = context.new_page()
    pg.foreign_requests = []
    pg.errors = []
    local = site_server + "/"
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    pg.on("console", lambda msg: msg.type == "error" and pg.errors.append(msg.text))
    pg.on("request", lambda r: r.url.startswith((local, "data:")) or pg.foreign_requests.append(r.url))
    return context, pg


@pytest.fixture
def page(browser, site_server):
    """A fresh page that records every request leaving the local server."""
    context, pg = open_page(browser, site_server)
    yield pg
    context.close()


def today() -> dt.date:
    return dt.date.fromisoformat(BUILD_DAY)


class PageLinks(html.parser.HTMLParser):
    """A page's ids (in order, repeats kept), its links (a href) and what it
    loads (script src, link href, img src)."""

    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.loads: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        for name in ("src", "href"):
            if tag in ("script", "link", "img") and attrs.get(name):
                self.loads.append(attrs[name])


def page_links(path: Path) -> PageLinks:
    parser = PageLinks()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser
