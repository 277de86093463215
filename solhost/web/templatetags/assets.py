"""``{% load assets %}{% asset "css/site.css" %}``: a static file's address that never fails.

``{% static %}`` raises when the manifest of hashed names has no entry for a file, as in
an installation where ``collectstatic`` never ran (a first start, the benchmarks). Then a
page would become a server error over a stylesheet, and the error pages themselves could
not be shown. This tag gives the file's plain address instead, which WhiteNoise serves
from the app folders, and says so once in the log.
"""

import logging
from urllib.parse import quote, urljoin

from django import template
from django.conf import settings
from django.templatetags.static import static

register = template.Library()
log = logging.getLogger(__name__)
_warned: set[str] = set()


@register.simple_tag
def asset(path: str) -> str:
    """The hashed address of a collected static file, or its plain address if it has none."""
    try:
        return static(path)
    except ValueError:
        if path not in _warned:
            _warned.add(path)
            log.warning("No collected static file %s: run collectstatic; serving it unhashed", path)
        return urljoin(settings.STATIC_URL, quote(path))
