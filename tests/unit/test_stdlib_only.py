"""`playground` and `site_py` import only the standard library, so they load instantly in Pyodide."""

import ast
import sys

from tests.conftest import ROOT

BROWSER_ONLY = {"js", "pyodide"}  # provided by Pyodide itself; only site_py/browser.py may use them


def _imports(path):
    tree = ast.parse(path.read_text(), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module.split(".")[0]


def test_only_stdlib_and_our_packages_are_imported():
    """Every import in playground/ and site_py/ is stdlib, our own, or (browser.py only) Pyodide's js/pyodide."""
    allowed = set(sys.stdlib_module_names) | {"playground", "site_py"}
    offenders = []
    for package in ("playground", "site_py"):
        for path in (ROOT / package).rglob("*.py"):
            extra = BROWSER_ONLY if path.name == "browser.py" else set()
            offenders += [f"{path.relative_to(ROOT)}: {m}" for m in _imports(path) if m not in allowed | extra]
    assert offenders == []


def test_browser_glue_is_the_only_pyodide_module():
    """Only site_py/browser.py touches the DOM, so everything else prerenders in CPython."""
    users = [p.name for p in (ROOT / "site_py").rglob("*.py") if BROWSER_ONLY & set(_imports(p))]
    assert users == ["browser.py"]


def test_trimmed_stdlib_keeps_everything_we_import():
    """The browser's trimmed standard library still holds every module the shipped Python imports."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("runtime_hook", ROOT / "hooks" / "runtime.py")
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    shipped = [
        p
        for package in ("playground", "site_py")
        for p in (ROOT / package).rglob("*.py")
        if "cli" not in p.relative_to(ROOT).parts
    ]  # the CLI stays on the command line
    ours = {m for p in shipped for m in _imports(p)}
    stdlib = ours & set(sys.stdlib_module_names)
    dropped = [m for m in stdlib if not hook._stdlib_kept(f"{m}/__init__.py") or not hook._stdlib_kept(f"{m}.py")]
    assert dropped == []
