"""Building the site: MkDocs into a scratch directory, then an atomic swap.

A failed build never touches the previous site: output goes to a sibling
directory that replaces the old one only once MkDocs and Pagefind succeeded.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

from .catalogue import Catalogue

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "mkdocs.yml"


class BuildError(Exception):
    pass


def load_mkdocs_config(config_file: Path = DEFAULT_CONFIG, *, site_dir: Path | None = None,
                       catalogue: Catalogue | None = None, data_dir: Path | None = None,
                       today: dt.date | None = None, history=None, progress=None, **overrides):
    from mkdocs.config import load_config

    kwargs = dict(overrides)
    if site_dir is not None:
        kwargs["site_dir"] = str(site_dir)
    # The publish workflow names the site's address (PORTAL_SITE_URL): the 404
    # page and canonical links need it when the site lives under a sub-path.
    if os.environ.get("PORTAL_SITE_URL") and "site_url" not in kwargs:
        kwargs["site_url"] = os.environ["PORTAL_SITE_URL"]
    config = load_config(str(config_file), **kwargs)
    portal = dict((config.extra or {}).get("portal") or {})
    if catalogue is not None:
        portal["catalogue"] = catalogue
    if history is not None:
        portal["history"] = history
    if progress is not None:
        portal["progress"] = progress
    if data_dir is not None:
        portal["data"] = str(Path(data_dir).resolve())
    if today is not None:
        portal["today"] = today.isoformat()
    config.extra["portal"] = portal
    return config


def build_site(catalogue: Catalogue, site_dir: Path, config_file: Path = DEFAULT_CONFIG,
               bundle: Path | None = None, history=None, progress=None) -> Path:
    """Render the validated catalogue into site_dir, replacing it only on success.

    With `bundle`, also write the zip for use from disk (see bundle.py) before
    the old site is replaced, so a failure leaves both untouched.
    """
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    site_dir = Path(site_dir).resolve()
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.building-", dir=site_dir.parent))
    try:
        config = load_mkdocs_config(config_file, site_dir=scratch, catalogue=catalogue, history=history,
                                    progress=progress)
        build(config)
        if bundle is not None:
            from .bundle import make_bundle

            make_bundle(scratch, bundle, config.extra["portal"]["search_documents"])
    except MkDocsException as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        raise BuildError(str(exc)) from None
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    os.chmod(scratch, 0o755)
    old = None
    if site_dir.exists():
        old = site_dir.with_name(f".{site_dir.name}.old-{os.getpid()}")
        site_dir.rename(old)
    scratch.rename(site_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return site_dir
