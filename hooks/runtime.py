"""MkDocs hook: vendor the pinned PyScript and Pyodide builds and package our Python for the browser.

Only the files the page needs are copied from node_modules (installed from the committed
package-lock.json), so no request ever leaves the site's origin.
"""

import hashlib
import io
import pathlib
import shutil
import zipfile

from mkdocs.exceptions import PluginError

ROOT = pathlib.Path(__file__).resolve().parent.parent
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json")
# Chunks that only the unused editor, terminal and MicroPython paths import are left out;
# core.js itself imports the small py-editor/py-terminal/py-game entry chunks at start-up.
PYSCRIPT_SKIP = ("codemirror", "xterm", "mpy-", "service-worker", "storage")
APP_SOURCES = (("playground", ("cli",)), ("site_py", ()))


def _app_zip() -> bytes:
    """playground (without the CLI) and site_py, as one zip PyScript unpacks into the working dir."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for package, skip in APP_SOURCES:
            for path in sorted((ROOT / package).rglob("*.py")):
                rel = path.relative_to(ROOT)
                if len(rel.parts) > 2 and rel.parts[1] in skip or path.name == "browser.py":
                    continue
                info = zipfile.ZipInfo(str(rel), date_time=(2020, 1, 1, 0, 0, 0))  # reproducible bytes
                zf.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    return buf.getvalue()


_APP = {}  # rebuilt on every (re)build so `mkdocs serve` picks up edits


def on_config(config):
    """Package our Python and expose its version (a cache-busting query) to the templates."""
    _APP["zip"] = _app_zip()
    digest = hashlib.sha256(_APP["zip"] + (ROOT / "site_py" / "browser.py").read_bytes())
    config.extra["pg_app_version"] = digest.hexdigest()[:12]
    return config


def on_post_build(config):
    """Copy the runtime and our code into site/assets/runtime/."""
    out = pathlib.Path(config["site_dir"]) / "assets" / "runtime"
    modules = ROOT / "node_modules"
    if not (modules / "pyodide" / "pyodide.mjs").exists():
        raise PluginError("node_modules is missing: run `npm ci` first (nox -s build does it for you)")
    (out / "pyodide").mkdir(parents=True, exist_ok=True)
    for name in PYODIDE_FILES:
        shutil.copy2(modules / "pyodide" / name, out / "pyodide" / name)
    (out / "pyscript").mkdir(parents=True, exist_ok=True)
    for path in (modules / "@pyscript" / "core" / "dist").iterdir():
        if path.suffix in (".js", ".css") and not any(path.name.startswith(s) for s in PYSCRIPT_SKIP):
            shutil.copy2(path, out / "pyscript" / path.name)
    (out / f"app-{config.extra['pg_app_version']}.zip").write_bytes(_APP["zip"])  # PyScript unzips by extension
    shutil.copy2(ROOT / "site_py" / "browser.py", out / "main.py")
