"""Building the site: MkDocs into a scratch directory, then an atomic swap.

A failed build never touches the previous site: output goes to a sibling
directory that replaces the old one only once MkDocs and Pagefind succeeded.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from pathlib import Path

from . import interrupt
from .catalogue import Catalogue
from .destinations import is_portal_build, write_stamp

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = PROJECT_ROOT / "mkdocs.yml"


class BuildError(Exception):
    pass


def load_mkdocs_config(config_file: Path = DEFAULT_CONFIG, *, site_dir: Path | None = None,
                       catalogue: Catalogue | None = None, data_dir: Path | None = None,
                       today: dt.date | None = None, history=None, progress=None, preview=None, **overrides):
    """MkDocs' config of the site, with what the build is handed besides mkdocs.yml
    (sitebuild.BuildInputs) attached."""
    from mkdocs.config import load_config

    from .progress import QUIET
    from .sitebuild import BuildInputs

    kwargs = dict(overrides)
    if site_dir is not None:
        kwargs["site_dir"] = str(site_dir)
    # The publish workflow names the site's address (PORTAL_SITE_URL): the 404
    # page and canonical links need it when the site lives under a sub-path.
    if os.environ.get("PORTAL_SITE_URL") and "site_url" not in kwargs:
        kwargs["site_url"] = os.environ["PORTAL_SITE_URL"]
    config = load_config(str(config_file), **kwargs)
    BuildInputs(catalogue=catalogue, history=history, progress=progress or QUIET, preview=preview,
                data_dir=Path(data_dir).resolve() if data_dir is not None else None, today=today).attach(config)
    return config


def mkdocs_build(config, **kwargs):
    """MkDocs' build, which tells its plugins of Exceptions only (on_build_error):
    an interruption (interrupt.Interrupted, KeyboardInterrupt) is told too, so
    the build stops the search workers and removes their documents all the same.
    Returns the build (sitebuild.SiteBuild)."""
    from mkdocs.commands.build import build

    from .sitebuild import SiteBuild

    try:
        build(config, **kwargs)
        return SiteBuild.of(config)
    except BaseException as exc:
        if not isinstance(exc, Exception):
            try:
                config.plugins.on_build_error(error=exc)
            except Exception:
                pass
        raise


def _scratch_names(site_dir: Path) -> re.Pattern:
    """Scratch folders beside a site: .<name>.building-<pid>-… and .<name>.old-<pid>."""
    return re.compile(rf"^\.{re.escape(site_dir.name)}\.(?:building|old)-(\d+)(?:-|$)")


def build_site(catalogue: Catalogue, site_dir: Path, config_file: Path = DEFAULT_CONFIG,
               bundle: Path | None = None, history=None, progress=None) -> Path:
    """Render the validated catalogue into site_dir, replacing it only on success.

    site_dir must be new, empty or a previous build (see destinations.py).
    With `bundle`, also write the zip for use from disk (see bundle.py) before
    the old site is replaced, so a failure leaves both untouched.
    """
    from mkdocs.exceptions import MkDocsException

    site_dir = Path(site_dir).resolve()
    if site_dir.is_dir() and not is_portal_build(site_dir) and any(site_dir.iterdir()):
        raise BuildError(f"{site_dir} 不是本门户生成的站点，不会被替换")
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    _recover(site_dir)
    scratch = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}.building-{os.getpid()}-", dir=site_dir.parent))
    try:
        config = load_mkdocs_config(config_file, site_dir=scratch, catalogue=catalogue, history=history,
                                    progress=progress)
        built = mkdocs_build(config)
        write_stamp(scratch)
        if bundle is not None:
            from .bundle import make_bundle

            make_bundle(scratch, bundle, built.documents, built.site_name)
    except MkDocsException as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        raise BuildError(str(exc)) from None
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    os.chmod(scratch, 0o755)
    old = None
    with interrupt.deferred():
        if site_dir.exists():
            old = site_dir.with_name(f".{site_dir.name}.old-{os.getpid()}")
            site_dir.rename(old)
        scratch.rename(site_dir)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return site_dir


def _recover(site_dir: Path) -> None:
    """Clear up after a build that was killed (SIGKILL, power cut): put back a site
    it had moved aside but not yet replaced, then remove its scratch folders."""
    pattern = _scratch_names(site_dir)
    if not site_dir.exists():
        for entry in sorted(site_dir.parent.glob(f".{site_dir.name}.old-*")):
            match = pattern.match(entry.name)
            if match and not interrupt.alive(int(match.group(1))) and is_portal_build(entry):
                entry.rename(site_dir)
                break
    interrupt.sweep(site_dir.parent, pattern)
