"""Whole public pages kept for visitors who are not signed in.

A visitor with no session sees the same page as every other such visitor, so once one of
them has been shown a page, the next is sent the same bytes: one query (the listing
stamp) and no template. The page is kept in the "listing" cache under the stamp and the
day, like the fragments it is made of, so a change to what it shows, or a new day (the
energy facts in force, the partners of the day), is seen at the next request. Signed-in
people, and any request carrying a session or messages, get the page made for them.

Only the addresses the site's own links lead to are kept: a page that takes no query
string is kept only without one, and the directory only for the filters in its links, so
made-up addresses can't fill the cache.
"""

import re
from collections.abc import Callable, Mapping
from functools import wraps

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from solhost.partners.listing_cache import TIMEOUT_SECONDS, current_stamp

# What the directory's own links put in its query string, and its filter form when only
# a kind and the mesh are chosen (the form sends its other fields empty).
DIRECTORY_LINKS = {
    "kind": re.compile(r"[a-z0-9-]{0,50}"),
    "lores": re.compile(r"(on)?"),
    "page": re.compile(r"[1-9][0-9]{0,3}"),
    "q": re.compile(r""),
    "software": re.compile(r""),
    "partner": re.compile(r""),
}
# Set on a request by a view whose page, this time, is not the same for every visitor.
_NOT_KEPT = "_solhost_page_not_kept"
# The listing stamp as this request first read it, so a page made afresh reads it once.
_STAMP = "_solhost_listing_stamp"


def listing_stamp(request: HttpRequest) -> str | None:
    """``current_stamp()``, read once per request."""
    if not hasattr(request, _STAMP):
        setattr(request, _STAMP, current_stamp())
    return getattr(request, _STAMP)


def is_visitor(request: HttpRequest) -> bool:
    """Nobody signed in, and nothing waiting to be shown to this browser alone."""
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and CookieStorage.cookie_name not in cookies


def _query_key(request: HttpRequest, allowed: Mapping[str, re.Pattern]) -> str | None:
    """The query string in a fixed order, or None if it is not one the site's links make."""
    parts = []
    for name in sorted(request.GET):
        values = request.GET.getlist(name)
        pattern = allowed.get(name)
        if pattern is None or len(values) != 1 or not pattern.fullmatch(values[0]):
            return None
        parts.append(f"{name}={values[0]}")
    return "&".join(parts)


def not_kept_for_visitors(request: HttpRequest) -> None:
    """Tell ``kept_for_visitors`` that this response is not to be kept (it answers a
    mistaken address, which is said on the page)."""
    setattr(request, _NOT_KEPT, True)


def kept_for_visitors(
    *, query: Mapping[str, re.Pattern] | None = None
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Keep the view's page for visitors, for the query strings ``query`` allows
    (parameter name to the pattern its one value must match; by default none)."""
    allowed = query or {}

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def answer(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD") or not is_visitor(request):
                return view(request, *args, **kwargs)
            query_key = _query_key(request, allowed)
            if query_key is None:
                return view(request, *args, **kwargs)
            stamp = listing_stamp(request)
            if stamp is None:
                return view(request, *args, **kwargs)
            key = (
                f"visitor-page:{stamp}:{timezone.localdate()}:"
                f"{request.get_host()}{request.path}?{query_key}"
            )
            kept = caches["listing"].get(key)
            if kept is not None:
                content, headers = kept
                response = HttpResponse(content, headers=headers)
            else:
                response = view(request, *args, **kwargs)
                if _same_for_every_visitor(request, response):
                    # The headers the view set; the middleware around it adds the rest to
                    # a kept page as to any other, and no cookie is among them.
                    headers = dict(response.items())
                    caches["listing"].set(key, (response.content, headers), TIMEOUT_SECONDS)
            # Signed-in people are shown another page at the same address: a shared cache
            # on the way must keep the two apart, as it does for a page made afresh.
            patch_vary_headers(response, ("Cookie",))
            return response

        return answer

    return decorate


def _same_for_every_visitor(request: HttpRequest, response: HttpResponse) -> bool:
    """Whether another visitor may be sent this response as it is."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not getattr(request, _NOT_KEPT, False)
        # The page holds this browser's CSRF token (a form), which no one else may use.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        # A message for this browser alone, to be shown on its next page.
        and not getattr(getattr(request, "_messages", None), "added_new", False)
    )
