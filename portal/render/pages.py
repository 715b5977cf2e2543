"""Generated pages: one per record, one listing per collection and one per facet value."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import jinja2

from ..catalogue import Catalogue, Record
from .text import cn_date, markdown_to_html, relative_url

TEMPLATES = Path(__file__).parent / "templates"


@dataclass
class GeneratedPage:
    src_uri: str            # path of the virtual Markdown file under docs_dir
    url: str                # directory URL, relative to the site root
    title: str
    html: str
    description: str = ""


@dataclass(frozen=True)
class Facet:
    key: str                # URL segment and Pagefind filter name
    label: str
    values: Callable[[Record], list]
    order: Callable[[Catalogue], list] = field(default=lambda cat: [])


def _as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _field(name):
    return lambda rec: _as_list(rec.get(name))


def _year(rec: Record) -> list:
    return [str(rec.data["published"].year)]


def _vocab_order(path):
    return lambda cat: cat.vocab.values(path)


FACETS: dict[str, tuple[Facet, ...]] = {
    "technologies": (
        Facet("category", "技术范围", _field("category"), _vocab_order("technology.category")),
        Facet("management-class", "管理类别", _field("management_class"), _vocab_order("technology.management_class")),
        Facet("stage", "推广阶段", _field("stage"), _vocab_order("technology.stage")),
        Facet("level", "适用机构", _field("levels"), _vocab_order("technology.levels")),
        Facet("tradition", "医学体系", _field("tradition"), _vocab_order("technology.tradition")),
    ),
    "mentors": (
        Facet("track", "传承类别", _field("track"), _vocab_order("mentor.tracks")),
        Facet("tier", "层级", _field("tier"), _vocab_order("mentor.tiers")),
        Facet("region", "地区", _field("region"), _vocab_order("regions")),
    ),
    "policies": (
        Facet("region", "地区", _field("region"), _vocab_order("regions")),
        Facet("topic", "主题", _field("topics"), _vocab_order("policy.topics")),
        Facet("year", "年份", _year, lambda cat: sorted(
            {str(r.data["published"].year) for r in cat.policies.values()}, reverse=True)),
    ),
}


def facet_counts(catalogue: Catalogue, collection: str, facet: Facet) -> list[tuple[str, int]]:
    counts = Counter(v for rec in catalogue.records[collection].values() for v in facet.values(rec))
    ordered = [v for v in facet.order(catalogue) if counts.get(v)]
    ordered += sorted(v for v in counts if v not in ordered)
    return [(v, counts[v]) for v in ordered]


def facet_url(collection: str, facet: Facet, value: str) -> str:
    return f"{collection}/by/{facet.key}/{value}/"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cn_date"] = cn_date
    env.filters["markdown"] = lambda text: jinja2.utils.markupsafe.Markup(markdown_to_html(text))
    return env


class Renderer:
    def __init__(self, catalogue: Catalogue):
        self.catalogue = catalogue
        self.env = _environment()

    def render(self, template: str, page_url: str, **context) -> str:
        def url(target) -> str:
            return relative_url(page_url, target.url if isinstance(target, Record) else target)

        return self.env.get_template(template).render(
            catalogue=self.catalogue, vocab=self.catalogue.vocab, today=self.catalogue.today,
            url=url, facet_url=facet_url, **context,
        )

    def record(self, rec: Record) -> GeneratedPage:
        html = self.render(f"record_{rec.collection}.html", rec.url, rec=rec,
                           facets=FACETS[rec.collection])
        return GeneratedPage(f"{rec.url.rstrip('/')}.md", rec.url, rec.title, html,
                             description=rec.get("summary", rec.title))

    def _groups(self, collection: str, records: list[Record]) -> list[tuple[str, list[Record]]]:
        """The main grouping of a listing: policies by year, technologies by category, mentors by track and tier."""
        if collection == "policies":
            records = sorted(records, key=lambda r: (r.data["published"], r.id), reverse=True)
            key = lambda r: f"{r.data['published'].year}年"
            order = None
        elif collection == "technologies":
            records = sorted(records, key=lambda r: (r.data["name"], r.id))
            key = lambda r: r.get("category", "未分类")
            order = self.catalogue.vocab.values("technology.category") + ["未分类"]
        else:
            records = sorted(records, key=lambda r: (r.data["name"], r.id))
            key = lambda r: f"{r.get('track', '')} · {r.get('tier', '未定层级')}"
            order = [f"{t} · {tier}" for t in self.catalogue.vocab.values("mentor.tracks")
                     for tier in self.catalogue.vocab.tiers(t)]
        groups: dict[str, list[Record]] = {}
        for rec in records:
            groups.setdefault(key(rec), []).append(rec)
        if order is not None:
            return [(g, groups[g]) for g in order if g in groups] + \
                   [(g, items) for g, items in groups.items() if g not in order]
        return list(groups.items())

    def listing(self, collection: str, facet: Facet | None = None, value: str | None = None) -> GeneratedPage:
        label = {"technologies": "入库技术", "mentors": "传承人", "policies": "政策通知"}[collection]
        records = list(self.catalogue.records[collection].values())
        if facet is None:
            url, title = f"{collection}/", label
        else:
            records = [r for r in records if value in facet.values(r)]
            url, title = facet_url(collection, facet, value), f"{label}：{facet.label} · {value}"
        facets = [(f, facet_counts(self.catalogue, collection, f)) for f in FACETS[collection]]
        html = self.render("listing.html", url, collection=collection, label=label, title=title,
                           groups=self._groups(collection, records), count=len(records),
                           facets=facets, current=(facet, value), listing_url=f"{collection}/")
        src = "index.md" if facet is None else f"by/{facet.key}/{value}.md"
        return GeneratedPage(f"{collection}/{src}", url, title, html)

    def home(self) -> str:
        return self.render("home.html", "", latest=self.catalogue.policies_newest_first()[:8],
                           deadlines=self.catalogue.upcoming_deadlines()[:10])


def generated_pages(catalogue: Catalogue) -> Iterator[GeneratedPage]:
    renderer = Renderer(catalogue)
    for rec in catalogue.all():
        yield renderer.record(rec)
    for collection, facets in FACETS.items():
        yield renderer.listing(collection)
        for facet in facets:
            for value, _count in facet_counts(catalogue, collection, facet):
                yield renderer.listing(collection, facet, value)


def render_home(catalogue: Catalogue) -> str:
    return Renderer(catalogue).home()
