"""Developer tasks: `nox -s serve` (build and serve the site), `nox -s tests`, `nox -s lint`, `nox -s bench`."""

import os
import shutil

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True

SITE = ["mkdocs==1.6.1", "mkdocs-material==9.8.2"]
TEST = ["pytest>=8", "hypothesis>=6", "playwright==1.65.2", "numpy>=1.26", "ml_dtypes>=0.4", "pytest-timeout"]
HOST, PORT = "127.0.0.1", 8000


def _npm(session: nox.Session) -> None:
    """Install the pinned PyScript/Pyodide runtime from package-lock.json (skipped when already current)."""
    stamp = os.path.join("node_modules", ".package-lock.json")
    if os.path.exists(stamp) and os.path.getmtime(stamp) >= os.path.getmtime("package-lock.json"):
        return
    session.run("npm", "ci", "--no-audit", "--no-fund", external=True)


def _build(session: nox.Session) -> None:
    _npm(session)
    shutil.rmtree("site", ignore_errors=True)
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")


@nox.session
def build(session: nox.Session) -> None:
    """Build the static site into site/ (strict: any warning fails)."""
    session.install(*SITE)
    _build(session)


@nox.session
def serve(session: nox.Session) -> None:
    """Build, then serve the site on http://127.0.0.1:8000/ until Ctrl-C."""
    session.install(*SITE)
    _build(session)
    session.log(f"Serving the playground at http://{HOST}:{PORT}/  (Ctrl-C to stop)")
    session.run("python", "-m", "http.server", str(PORT), "--bind", HOST, "--directory", "site")


@nox.session
def tests(session: nox.Session) -> None:
    """Unit tests, then browser tests in headless Chromium against a fresh build."""
    session.install(*SITE, *TEST)
    _build(session)
    session.run("pytest", "-q", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check."""
    session.install("ruff==0.17.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def bench(session: nox.Session) -> None:
    """Browser + CPython benchmark (not part of the tests): writes bench/results.{json,md}, updates README."""
    session.install(*SITE, "playwright==1.65.2", "pytest>=8")
    _build(session)
    session.run("python", "bench/browser.py", *session.posargs)


@nox.session
def calibrate(session: nox.Session) -> None:
    """Fit the speed model to calibration/throughput-measured.jsonl and rewrite playground/calibration.py."""
    session.install("ruff==0.17.6")
    session.run("python", "calibration/fit.py", *session.posargs)
