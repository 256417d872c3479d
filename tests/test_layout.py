"""The package's folders show the pipeline, and imports point down it, never up
(docs/ARCHITECTURE.md): a module may import its own folder and the layers below it."""

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "newstrace"

# Each layer and the layers it may import (besides itself and the package's top level).
ALLOWED = {
    "text": set(),
    "embedding": {"text"},
    "matching": {"text", "embedding"},
    "grouping": {"text", "matching"},
    "pipeline": {"text", "embedding", "matching", "grouping"},
    "executors": {"text", "embedding", "matching", "grouping", "pipeline"},
    "index": {"text", "embedding", "matching", "grouping", "pipeline"},
    "service": {"text", "embedding", "matching", "grouping", "pipeline", "index"},
    "evaluation": {"text", "embedding", "matching", "grouping", "pipeline"},
    "cli": {"text", "embedding", "matching", "grouping", "pipeline", "executors", "index",
            "service", "evaluation"},
}
TOP_LEVEL_OK = {"newstrace"}  # `from newstrace import __version__`


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path.relative_to(PKG)}: relative import; use newstrace.…")
        names = ([node.module] if isinstance(node, ast.ImportFrom) and node.module
                 else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
        for n in names:
            parts = n.split(".")
            if parts[0] != "newstrace":
                continue
            if len(parts) > 1:
                out.add(parts[1])
            elif isinstance(node, ast.ImportFrom):  # from newstrace import grouping
                out.update(a.name for a in node.names if (PKG / a.name).is_dir())
    return out


def test_every_module_sits_in_a_layer():
    flat = sorted(p.name for p in PKG.glob("*.py") if p.name not in ("__init__.py",
                                                                    "__main__.py"))
    assert not flat, f"modules outside a layer folder: {flat}"
    folders = {p.name for p in PKG.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders == set(ALLOWED), folders ^ set(ALLOWED)


def test_imports_point_down_the_pipeline():
    bad = []
    for layer, allowed in ALLOWED.items():
        for path in sorted((PKG / layer).rglob("*.py")):
            for target in _imports(path) - allowed - {layer}:
                bad.append(f"{path.relative_to(PKG)} imports newstrace.{target}")
    assert not bad, "\n".join(bad)
