"""MkDocs hook: vendor the pinned PyScript and Pyodide builds and package our Python for the browser.

Only the files the page needs are copied from node_modules (installed from the committed
package-lock.json), so no request ever leaves the site's origin.
"""

import hashlib
import io
import pathlib
import shutil
import subprocess
import tempfile
import zipfile

from mkdocs.exceptions import PluginError

ROOT = pathlib.Path(__file__).resolve().parent.parent
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "pyodide-lock.json")
# Standard-library parts nothing on our pages imports (checked: playground, site_py, Pyodide's own
# `pyodide`/`_pyodide` packages and PyScript's bootstrap; tests/unit/test_stdlib_only.py guards ours).
# Dropping them cuts the first-visit download by about 1.3 MB of the 2.5 MB stdlib archive.
STDLIB_DROP = (
    "_pyrepl/",
    "pdb.py",
    "pydoc.py",
    "pydoc_data/",
    "doctest.py",
    "unittest/",
    "multiprocessing/",
    "xmlrpc/",
    "mailbox.py",
    "imaplib.py",
    "smtplib.py",
    "poplib.py",
    "ftplib.py",
    "nntplib.py",
    "xml/",
    "email/",
    "http/",
    "wsgiref/",
    "idlelib/",
    "tkinter/",
    "turtle.py",
    "turtledemo/",
    "lib2to3/",
    "ensurepip/",
    "venv/",
    "curses/",
    "dbm/",
    "sqlite3/",
    "pickletools.py",
    "difflib.py",
    "tabnanny.py",
    "trace.py",
    "profile.py",
    "cProfile.py",
    "pstats.py",
    "mailcap.py",
    "_pydatetime.py",
    "_pydecimal.py",
    "_pyio.py",
    "imghdr.py",
    "sndhdr.py",
    # Used only by the CLI (not shipped), by package installs (we install none), or not at all here:
    "ctypes/",
    "argparse.py",
    "urllib/request.py",
    "urllib/robotparser.py",
    "statistics.py",
    "optparse.py",
    "configparser.py",
    "uuid.py",
    "bdb.py",
    "tarfile.py",
    "pickle.py",
)
# 8-bit and CJK codecs: the page only ever decodes UTF-8 (and ASCII/Latin-1 as fallbacks).
CODECS_KEEP = (
    "__init__",
    "aliases",
    "ascii",
    "latin_1",
    "utf_8",
    "utf_8_sig",
    "utf_16",
    "utf_16_be",
    "utf_16_le",
    "utf_32",
    "utf_32_be",
    "utf_32_le",
    "utf_7",
    "charmap",
    "idna",
    "punycode",
    "raw_unicode_escape",
    "unicode_escape",
    "undefined",
    "cp437",
    "cp1252",
    "iso8859_1",
    "iso8859_15",
    "mbcs",
    "oem",
    "base64_codec",
    "hex_codec",
    "zlib_codec",
    "rot_13",
    "uu_codec",
    "quopri_codec",
    "bz2_codec",
)
# Chunks that only the unused editor, terminal and MicroPython paths import are left out;
# core.js itself imports the small py-editor/py-terminal/py-game entry chunks at start-up.
PYSCRIPT_SKIP = ("codemirror", "xterm", "mpy-", "service-worker", "storage")
APP_SOURCES = (("playground", ("cli",)), ("site_py", ()))


def _stdlib_kept(name: str) -> bool:
    if name.startswith(STDLIB_DROP):
        return False
    if name.startswith("encodings/") and name.endswith(".py"):
        return name[len("encodings/") : -3] in CODECS_KEEP
    return True


def trimmed_stdlib(source: pathlib.Path) -> bytes:
    """Pyodide's python_stdlib.zip without the modules listed above (same entries, same compression)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(buf, "w") as out:
        for info in src.infolist():
            if _stdlib_kept(info.filename):
                out.writestr(info, src.read(info), compress_type=info.compress_type, compresslevel=9)
    return buf.getvalue()


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


def precompiled(app_zip: bytes) -> bytes:
    """The app zip plus Python 3.14 bytecode made by the shipped Pyodide under Node (hooks/precompile.mjs).

    Importing from source makes the browser compile every module first; with the bytecode beside the
    sources, Python is ready sooner. Node comes with npm, which the build needs anyway.
    """
    pyodide_dir = ROOT / "node_modules" / "pyodide"
    if not (pyodide_dir / "pyodide.mjs").exists():
        raise PluginError("node_modules is missing: run `npm ci` first (nox -s build does it for you)")
    with tempfile.TemporaryDirectory() as tmp:
        source, target = pathlib.Path(tmp, "in.zip"), pathlib.Path(tmp, "out.zip")
        source.write_bytes(app_zip)
        cmd = ["node", str(ROOT / "hooks" / "precompile.mjs"), str(pyodide_dir), str(source), str(target)]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise PluginError(f"precompiling the browser's Python failed: {proc.stderr.strip()[-400:]}")
        return target.read_bytes()


def on_config(config):
    """Package our Python and expose its version (a cache-busting query) to the templates."""
    _APP["zip"] = precompiled(_app_zip())
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
    shutil.copy2(ROOT / "hooks" / "pyodide-early.mjs", out / "pyodide" / "pyodide-early.mjs")
    (out / "pyodide" / "python_stdlib.zip").write_bytes(trimmed_stdlib(modules / "pyodide" / "python_stdlib.zip"))
    (out / "pyscript").mkdir(parents=True, exist_ok=True)
    for path in (modules / "@pyscript" / "core" / "dist").iterdir():
        if path.suffix in (".js", ".css") and not any(path.name.startswith(s) for s in PYSCRIPT_SKIP):
            shutil.copy2(path, out / "pyscript" / path.name)
    (out / f"app-{config.extra['pg_app_version']}.zip").write_bytes(_APP["zip"])  # PyScript unzips by extension
    shutil.copy2(ROOT / "site_py" / "browser.py", out / "main.py")
