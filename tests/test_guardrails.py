"""Pull-request guard rails: the hooks run and pass on the repository as it is."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT

BIN = Path(sys.executable).parent


def run(*args):
    return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=ROOT, capture_output=True, text=True)


def test_pre_commit_config_runs_validate_yamllint_and_ruff():
    result = run("pre-commit", "validate-config", ".pre-commit-config.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    hooks = [h for repo in yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"]
             for h in repo["hooks"]]
    entries = " ".join(h["entry"] for h in hooks)
    assert "portal validate" in entries and "yamllint" in entries and "ruff" in entries


def test_yamllint_and_ruff_pass_on_the_repository():
    lint = run("yamllint", "-c", ".yamllint.yaml", "data")
    assert lint.returncode == 0, lint.stdout
    ruff = run("ruff", "check", "portal", "hooks", "tests")
    assert ruff.returncode == 0, ruff.stdout


def test_pull_request_template_and_contributing_guide():
    template = (ROOT / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert template.count("- [ ]") >= 5 and "portal validate" in template
    guide = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "portal new" in guide and "make serve" in guide
    for doc in ("维护者指南.md", "字段说明.md", "开发者指南.md"):
        assert (ROOT / "docs" / doc).is_file()


# The package's layers, lowest first. A module imports from its own layer or
# the ones below it, never above; docs/开发者指南.md draws the same picture.
LAYERS = {
    "foundations": {"problems", "privacy", "text_rules", "files", "interrupt", "progress", "dates", "statuses",
                    "destinations", "pagefind", "schema", "workers"},
    "records": {"vocab", "loader", "validate", "facets", "routes", "catalogue", "history", "facility"},
    "outputs": {"render", "outputs", "search_docs", "search_index", "search_terms", "offline", "bundle", "blocks", "preview"},
    "build": {"sitebuild", "site", "preview_server", "livereload", "serve"},
    "commands": {"importer", "maintain", "cli", "__main__"},
}


def _portal_imports() -> dict[str, list[tuple[str, int, str]]]:
    """{module: [(path, line, imported portal module)]} of every import in the package,
    those inside functions included and those only for type checkers left out."""
    import ast

    files = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
             for p in (ROOT / "portal").rglob("*.py")}
    found: dict[str, list[tuple[str, int, str]]] = {}
    for module, path in files.items():
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        typing_only = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If)
                       and "TYPE_CHECKING" in ast.unparse(node.test) for b in node.body for n in ast.walk(b)}
        edges = found.setdefault(module, [])
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                names = [f"{target}.{a.name}" if f"{target}.{a.name}" in files else target for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            edges += [(str(path.relative_to(ROOT)), node.lineno, name) for name in names
                      if name.startswith("portal.")]
    return found


def _top(module: str) -> str:
    return module.split(".")[1] if module.count(".") else module


def test_layers_import_downwards_only():
    layer_of = {name: i for i, names in enumerate(LAYERS.values()) for name in names}
    imports = _portal_imports()
    unplaced = sorted({_top(m) for m in imports if m != "portal"} - set(layer_of))
    assert unplaced == [], f"modules with no layer in LAYERS: {unplaced}"
    upwards = [f"{path}:{line}: {_top(module)} imports {_top(target)}"
               for module, edges in imports.items() if module != "portal"
               for path, line, target in edges if layer_of[_top(target)] > layer_of[_top(module)]]
    assert upwards == []


def test_no_two_parts_of_the_package_import_each_other():
    """A cycle, even through imports inside functions, means two parts cannot be understood apart."""
    graph: dict[str, set[str]] = {}
    for module, edges in _portal_imports().items():
        graph.setdefault(_top(module), set()).update(_top(t) for _p, _l, t in edges if _top(t) != _top(module))
    cycles = []

    def visit(node: str, path: list[str]) -> None:
        for target in sorted(graph.get(node, ())):
            if target in path:
                cycles.append(" → ".join(path[path.index(target):] + [target]))
            elif len(path) < len(graph):
                visit(target, path + [target])

    for start in sorted(graph):
        visit(start, [start])
    assert cycles == []


def test_the_import_checks_see_upward_and_circular_imports(tmp_path, monkeypatch):
    """The two checks above can fail: a records module importing the build is caught."""
    fake = tmp_path / "portal"
    (fake / "render").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "render" / "__init__.py").write_text("def f():\n    from ..sitebuild import SiteBuild\n")
    (fake / "sitebuild.py").write_text("from .render import f\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    edges = _portal_imports()
    assert ("portal/render/__init__.py", 2, "portal.sitebuild") in edges["portal.render"]
    with pytest.raises(AssertionError):
        test_layers_import_downwards_only()
    with pytest.raises(AssertionError):
        test_no_two_parts_of_the_package_import_each_other()


def test_no_module_keeps_build_state():
    """A build's state lives in its SiteBuild (and the preview's in its Preview):
    no module starts with an empty container to fill, and none rebinds a global.
    The one exception: a forked worker's job, set by the pool's initializer in the
    worker process only (workers.py)."""
    import ast

    allowed = {("portal/workers.py", "_worker_job")}
    found = []
    for path in sorted((ROOT / "portal").rglob("*.py")) + sorted((ROOT / "hooks").rglob("*.py")):
        rel = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
            empty = isinstance(value, (ast.Dict, ast.List, ast.Set)) and not ast.unparse(value).strip("{}[]") or \
                isinstance(value, ast.Call) and ast.unparse(value) in ("dict()", "list()", "set()")
            targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
            for target in targets if empty else []:
                if (rel, ast.unparse(target)) not in allowed:
                    found.append(f"{rel}:{node.lineno}: {ast.unparse(node)}")
        found += [f"{rel}:{node.lineno}: global {', '.join(node.names)}"
                  for node in ast.walk(tree) if isinstance(node, ast.Global)]
    assert found == []


def test_site_addresses_are_built_in_routes_only():
    """A page's, feed's or data file's address spelt out by hand elsewhere would drift from routes.py."""
    import re

    by_hand = re.compile(r'f"\{[a-z_.]*collection[a-z_]*\}/(?:\{[a-z_.]*\}/)?"|'
                         r'"/?by/|f"(?:policies|technologies|mentors)[/-][^"]*\{|'
                         r'(?<!")f?"(?:feeds|api|schemas|calendar|offline)/|"sitemap\.xml|"manifest\.webmanifest')
    in_template = re.compile(r"""(?<![a-z_])url\(\s*['"]""")
    found = []
    code = sorted((ROOT / "portal").rglob("*.py")) + sorted((ROOT / "hooks").rglob("*.py"))
    templates = sorted((ROOT / "portal" / "render" / "templates").glob("*.html"))
    for path in code + templates:
        if path.name == "routes.py":
            continue
        pattern = by_hand if path.suffix == ".py" else in_template
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if pattern.search(line) and not line.lstrip().startswith("#"):
                found.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert found == []


def test_routes_spell_the_addresses_readers_and_links_rely_on():
    from portal import routes

    assert routes.record("policies", "2024-x") == "policies/2024-x/"
    assert routes.collection("mentors") == "mentors/"
    assert routes.listing("policies", (("region", "北京"),), "title", 2) == "policies/by/region/北京/sort/title/page/2/"
    assert routes.listing("policies", (("region", "北京"), ("topic", "医保政策"))) == \
        "policies/by/region/北京/topic/医保政策/"
    assert routes.listing("policies", page=2) == "policies/by/page/2/"
    assert routes.calendar("shan3-xi1") == "calendar/shan3-xi1.ics"
    assert routes.calendar(routes.ALL_DEADLINES) == routes.CALENDAR == "calendar/deadlines.ics"
    assert routes.source_file("policies/") == "policies/index.md"
    assert routes.source_file("policies/by/page/2/") == "policies/by/page/2.md"
    for bad in ("../x", "a/b", "北京?"):
        try:
            routes.segment(bad)
        except ValueError:
            continue
        raise AssertionError(bad)
