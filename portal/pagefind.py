"""Everything the portal knows about Pagefind's files: the binary, the layout of
its output and the format of its index, written for one minor version.

Pagefind's index files are not a public interface. The portal rewrites some
(stabilise, for reproducible builds) and names others (what the offline copy
of the search needs), so the binary's version is checked before each index is
made: another minor version fails loudly instead of producing an index the
browser cannot read. To upgrade, run the search and offline tests against the
new version, adjust this module, then WRITTEN_FOR and the pin in pyproject.toml.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import re
import subprocess
from pathlib import Path

# The Pagefind minor version this module was written for (pyproject pins ~=1.5.2).
WRITTEN_FOR = (1, 5)

# The folder of the site that holds the index.
FOLDER = "pagefind"
# Files the search runtime loads before any query (index and fragment chunks
# are fetched per query, or saved with a collection); the portal adds its
# shard list (search_index.SHARDS_FILE).
RUNTIME = ("pagefind/pagefind.js", "pagefind/pagefind-worker.js", "pagefind/pagefind-highlight.js",
           "pagefind/pagefind-entry.json", "pagefind/wasm.", "pagefind/pagefind.", "pagefind/filter/")
# Pagefind's own search interfaces, which the portal does not use.
UNUSED = ("pagefind/pagefind-ui.", "pagefind/pagefind-modular-ui.", "pagefind/pagefind-component-ui.")
# Index, fragment, filter and metadata files: named by a hash of their content
# (stabilise keeps it so for filters), so their names stand for their bytes.
NAMED_BY_CONTENT = (".pf_fragment", ".pf_index", ".pf_filter", ".pf_meta")
# The compressed WebAssembly (wasm.<language>.pagefind), which the runtime unpacks itself.
_WASM = ".pagefind"
_SHARD = re.compile(r"^pagefind/shard-\d+/")
# pagefind.mergeIndex loads a further shard's entry, wasm, metadata and index,
# never its copy of the scripts.
_SHARD_UNUSED = ("pagefind/pagefind.js", "pagefind/pagefind-worker.js", "pagefind/pagefind-highlight.js")


def is_binary(path: str) -> bool:
    """Whether a file of the index is binary data of Pagefind's own (served as application/octet-stream)."""
    return path.endswith(NAMED_BY_CONTENT + (_WASM,))


class SearchIndexError(Exception):
    pass


def pagefind_binary() -> str:
    try:
        from pagefind_bin import get_executable
    except ImportError as exc:  # pragma: no cover - declared dependency
        raise SearchIndexError("缺少 pagefind[bin]（生成检索索引的程序）") from exc
    return str(get_executable())


@functools.lru_cache(maxsize=None)
def check_version(binary: str) -> tuple[int, ...]:
    """The binary's version; SearchIndexError when it is not the minor version
    this module was written for."""
    result = subprocess.run([binary, "--version"], capture_output=True, text=True)
    found = re.search(r"(\d+)\.(\d+)\.(\d+)", result.stdout)
    if result.returncode != 0 or not found:
        raise SearchIndexError(f"无法确定 Pagefind 的版本：{(result.stderr or result.stdout).strip()}")
    version = tuple(int(part) for part in found.groups())
    if version[:2] != WRITTEN_FOR:
        raise SearchIndexError(
            f"Pagefind {'.'.join(map(str, version))} 的索引格式未经验证（本站按 "
            f"{'.'.join(map(str, WRITTEN_FOR))} 版编写，见 portal/pagefind.py）")
    return version


def used_search_file(path: str) -> bool:
    """Whether a file under pagefind/ is one the site's search can load."""
    main = as_main_bundle(path)
    return not main.startswith(UNUSED) and not (main != path and main in _SHARD_UNUSED)


def as_main_bundle(path: str) -> str:
    """A file of a further search shard (pagefind/shard-2/…) as if in the main bundle."""
    return _SHARD.sub("pagefind/", path)


_SIGNATURE = b"pagefind_dcd"


def _read(path: Path):
    import cbor2

    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(_SIGNATURE):
        raise SearchIndexError(f"{path}: 不是可识别的 Pagefind 文件")
    return cbor2.loads(raw[len(_SIGNATURE):])


def _write(folder: Path, prefix: str, suffix: str, data, digits: int) -> str:
    """Write data as Pagefind does (signature, CBOR, gzip without a date); returns its new name."""
    import cbor2

    body = gzip.compress(_SIGNATURE + cbor2.dumps(data), compresslevel=9, mtime=0)
    name = f"{prefix}_{hashlib.sha256(body).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(body)
    return name


def stabilise(output: Path) -> None:
    """Make Pagefind's output the same for the same input.

    Pagefind 1.5 writes filter indexes from hash maps, so their order - and the
    file names that hash them - change from run to run. Sort them, rename them
    by their content, and rewrite the metadata that lists them.
    """
    output = Path(output)
    entry_path = output / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in sorted(entry["languages"].items()):
        meta_path = output / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        prefix = info["hash"].rsplit("_", 1)[0]
        filters = []
        for name, old in meta[3]:
            old_path = output / "filter" / f"{old}.pf_filter"
            filter_name, values = _read(old_path)
            new = _write(output / "filter", prefix, ".pf_filter", [filter_name, sorted(values, key=lambda v: v[0])], 7)
            if new != old:
                old_path.unlink()
            filters.append([name, new])
        meta[3] = sorted(filters)
        new_meta = _write(output, f"pagefind.{prefix}", ".pf_meta", meta, 10)
        if new_meta != f"pagefind.{info['hash']}":
            meta_path.unlink()
        info["hash"] = new_meta.split(".", 1)[1]
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
