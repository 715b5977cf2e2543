"""MkDocs hooks: the entry MkDocs loads (mkdocs.yml `hooks:`).

Each event goes to the one portal.sitebuild.SiteBuild made in on_config,
which does the work; nothing is kept here.
"""

from __future__ import annotations

from mkdocs.exceptions import PluginError

from portal.sitebuild import SiteBuild, SiteBuildError


def on_config(config):
    try:
        SiteBuild.start(config)
    except SiteBuildError as exc:
        raise PluginError(str(exc)) from None
    return config


def on_files(files, config):
    return SiteBuild.of(config).on_files(files, config)


def on_env(env, config, files):
    SiteBuild.of(config).on_env(env, files)
    return env


def on_nav(nav, config, files):
    SiteBuild.of(config).on_nav(nav)
    return nav


def on_page_markdown(markdown, page, config, files):
    SiteBuild.of(config).on_page_markdown(page)
    return markdown


def on_page_content(html, page, config, files):
    return SiteBuild.of(config).on_page_content(html, page)


def on_post_build(config):
    try:
        SiteBuild.of(config).on_post_build()
    except SiteBuildError as exc:
        raise PluginError(str(exc)) from None
