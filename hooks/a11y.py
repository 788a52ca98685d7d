"""MkDocs hook: small accessibility fixes to the theme's markup that its templates do not expose as blocks."""

import re

SEARCH_DIALOG = re.compile(r'(<div class="md-search"[^>]*role="dialog")')


def on_post_page(output, page, config):
    """Name Material's search dialog, which axe-core flags as an unnamed dialog."""
    return SEARCH_DIALOG.sub(r'\1 aria-label="Search"', output, count=1)
