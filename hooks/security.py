"""MkDocs hook: a Content-Security-Policy on every page that still lets Pyodide run.

Inline scripts (Material's few small ones) are allowed by their SHA-256 hash, computed here from the
final HTML, so 'unsafe-inline' is never needed for scripts. Pyodide compiles WebAssembly, which
needs 'wasm-unsafe-eval'. PyScript's core (0.7.x) also builds small functions with `Function(...)`,
so pages with widgets must add 'unsafe-eval'; pages without widgets do not get it. Hosts that can
set headers should send the same policy as a header and add `frame-ancestors` (which a <meta> cannot
carry); see the README.
"""

import base64
import hashlib
import re

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"py\")[^>]*>(.*?)</script>", re.S)
POLICY = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{eval} {hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'"
)


def policy(html: str) -> str:
    """The CSP for a page: our origin only, plus the hashes of its inline scripts."""
    hashes = sorted(
        {
            "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
            for body in INLINE_SCRIPT.findall(html)
        }
    )
    needs_eval = 'type="py"' in html  # PyScript's Function(...) calls; see the module docstring
    return POLICY.format(hashes=" ".join(hashes), eval=" 'unsafe-eval'" if needs_eval else "")


def on_post_page(output, page, config):
    """Insert the policy as the first element of <head>."""
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(output)}">'
    return output.replace("<head>", "<head>\n    " + meta, 1)
