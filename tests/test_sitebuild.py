"""One build, one object (portal/sitebuild.py): what `portal build` hands in is
what the site shows, nothing comes back through MkDocs' `extra`, and each build
of a config starts afresh from the same inputs."""

from __future__ import annotations

import datetime as dt

from conftest import BUILD_DAY, ROOT, write_data
from portal.catalogue import build_catalogue
from portal.site import load_mkdocs_config, mkdocs_build


def _plain(value) -> bool:
    """Whether a config value is plain data, as mkdocs.yml can hold it."""
    if hasattr(value, "items"):  # MkDocs keeps extra as a config object of its own
        return all(isinstance(k, str) and _plain(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool))


def test_the_catalogue_handed_in_is_the_one_built_and_extra_stays_plain(tmp_path):
    data = write_data(tmp_path / "data")
    catalogue = build_catalogue(data, dt.date.fromisoformat(BUILD_DAY))
    config = load_mkdocs_config(ROOT / "mkdocs.yml", site_dir=tmp_path / "site", catalogue=catalogue)
    built = mkdocs_build(config)
    assert built.catalogue is catalogue
    # The small catalogue's records are written, not the repository's data/.
    assert {p.name for p in (tmp_path / "site" / "technologies").iterdir() if p.is_dir()} >= \
        set(catalogue.technologies)
    assert not (tmp_path / "site" / "technologies" / "ai-jiu-liao-fa").exists()
    assert _plain(config.extra)  # no catalogue, documents or progress travel through it
    assert built.documents and all(doc.url.startswith("/") for doc in built.documents)


def test_building_a_config_again_starts_a_new_build_from_the_same_inputs(tmp_path):
    data = write_data(tmp_path / "data")
    catalogue = build_catalogue(data, dt.date.fromisoformat(BUILD_DAY))
    config = load_mkdocs_config(ROOT / "mkdocs.yml", site_dir=tmp_path / "site", catalogue=catalogue)
    first = mkdocs_build(config)
    second = mkdocs_build(config)
    assert second is not first and second.catalogue is catalogue
    assert second.search and second.routes is not first.routes


def test_the_site_name_is_mkdocs_ymls_wherever_the_outputs_name_the_site(tmp_path):
    """Calendar, feeds, the installed app's name and the offline copy take the name from mkdocs.yml."""
    import json
    import zipfile

    from portal import routes
    from portal.bundle import make_bundle

    data = write_data(tmp_path / "data")
    catalogue = build_catalogue(data, dt.date.fromisoformat(BUILD_DAY))
    site = tmp_path / "site"
    config = load_mkdocs_config(ROOT / "mkdocs.yml", site_dir=site, catalogue=catalogue, site_name="另一个门户")
    built = mkdocs_build(config)
    calendar = (site / routes.CALENDAR).read_text(encoding="utf-8")
    assert "PRODID:-//另一个门户//deadlines//ZH" in calendar and "X-WR-CALNAME:另一个门户：截止日期" in calendar
    assert "<name>另一个门户</name>" in (site / routes.feed("policies")).read_text(encoding="utf-8")
    assert json.loads((site / routes.MANIFEST).read_text(encoding="utf-8"))["name"] == "另一个门户"
    with zipfile.ZipFile(make_bundle(site, tmp_path / "copy.zip", built.documents, built.site_name)) as copy:
        assert "打开另一个门户（离线版）" in copy.read("portal/请先打开这里.html").decode("utf-8")
    import yaml

    default = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["site_name"]
    assert default != "另一个门户"  # mkdocs.yml's own name, which no output may have kept
    assert not [p for p in site.rglob("*") if p.is_file() and p.suffix in (".ics", ".xml", ".webmanifest", ".js")
                and default in p.read_text(encoding="utf-8", errors="replace")]
