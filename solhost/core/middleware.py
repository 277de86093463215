import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from solhost.core.client_address import (
    FORWARDED_HEADERS,
    came_through_trusted_proxy,
    client_address,
)
from solhost.core.problems import problem_dicts
from solhost.core.request_input import (
    BodyTooLarge,
    check_length,
    max_request_bytes,
    parameter_problems,
)


class ClientAddressMiddleware:
    """Puts the real client's address in ``REMOTE_ADDR`` (see ``core.client_address``).

    First in the stack, so the HTTPS redirect, sign-in limits and the audit trail all
    see the client, and none of them sees a forwarded header a trusted proxy didn't send.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        proxies = settings.SOLHOST_TRUSTED_PROXIES
        peer = request.META.get("REMOTE_ADDR", "")
        if came_through_trusted_proxy(peer, proxies):
            forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR")
            request.META["REMOTE_ADDR"] = client_address(peer, forwarded_for, proxies)
        else:
            for header in FORWARDED_HEADERS:
                request.META.pop(header, None)
        return self.get_response(request)


class PageCacheMiddleware:
    """Tells browsers and shared caches how to keep pages that don't say so themselves.

    A page that depends on who asks (its ``Vary`` names ``Cookie``) is ``private``: a
    shared cache must never hand one resident's page to another. Every page is
    revalidated before reuse (``no-cache``); an unchanged one then costs a 304 and no
    body, thanks to the ETag ``ConditionalGetMiddleware`` adds. Static assets are
    WhiteNoise's: hashed names, cached for a year.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response.headers:
            varies = response.headers.get("Vary", "").lower()
            user = getattr(request, "user", None)
            personal = "cookie" in varies or (user is not None and user.is_authenticated)
            response.headers["Cache-Control"] = "private, no-cache" if personal else "no-cache"
        return response


# A source a policy can hold (CSP 3's host-source, with an IPv6 literal as browsers take
# it): a phone app's own scheme leaves its "host" to whoever registered it, and one with
# a ";" or "," in it would end the directive and write another.
_SOURCE = re.compile(r"[a-z][a-z0-9+.-]*://(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:[0-9]+)?")


def _origins(addresses: Iterable[str]) -> list[str]:
    """The web origins of ``addresses`` (scheme and host, with any port), each once; none
    for an address whose origin a policy could not hold."""
    parts = [urlsplit(address) for address in addresses]
    origins = {f"{part.scheme}://{part.netloc}" for part in parts if part.scheme and part.netloc}
    return sorted(origin for origin in origins if _SOURCE.fullmatch(origin.lower()))


def widen_policy(response: HttpResponse, directive: str, sources: list[str]) -> None:
    """Give this page's Content-Security-Policy ``directive`` exactly ``sources``, in its
    place or else added; the rest of the site-wide policy (or of what the page has already
    widened) stays as it is."""
    policy = response.get("Content-Security-Policy") or settings.CONTENT_SECURITY_POLICY
    parts = [part.strip() for part in policy.split(";")]
    widened = " ".join([directive, *sources])
    named = [part.split()[:1] == [directive] for part in parts]
    if any(named):
        parts = [widened if is_it else part for part, is_it in zip(parts, named, strict=True)]
    else:
        parts.append(widened)
    response["Content-Security-Policy"] = "; ".join(parts)


def allow_form_to_reach(response: HttpResponse, address: str) -> None:
    """Let this page's forms lead to ``address``'s origin as well as the site's own.

    Browsers apply ``form-action`` to where a form's answer redirects, so a page whose form
    ends at a service (consent, sign-out) names that service's registered, already
    checked origin; every other page keeps the site-wide policy.
    """
    if origins := _origins([address]):
        widen_policy(response, "form-action", ["'self'", *origins])


def allow_frames_from(response: HttpResponse, addresses: Iterable[str]) -> None:
    """Let this page frame the origins of ``addresses``, and nothing else (not even the
    site itself): the sign-out page loads each service's registered front-channel logout
    address in a hidden frame. Every other page frames nothing beyond the site's own."""
    if origins := _origins(addresses):
        widen_policy(response, "frame-src", origins)


class ContentSecurityPolicyMiddleware:
    """Sends the site's strict Content-Security-Policy on every response that lacks one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(), camera=(), microphone=()"
        )
        return response


class InputGuardMiddleware:
    """Refuses, before any view or session lookup, what no view could take.

    A body declared longer than any door accepts gets 413 unread. A NUL character or a
    lone surrogate in the path, a query parameter or a header gets 400 naming it:
    PostgreSQL cannot compare text holding NUL, so such a value would otherwise fail
    inside the first query that used it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            check_length(request, max_request_bytes())
        except BodyTooLarge as error:
            return refusal(request, 413, [("body", str(error))])
        problems = parameter_problems(request)
        if problems:
            return refusal(request, 400, problems)
        return self.get_response(request)


def refusal(request, status: int, problems: list[tuple[str, str]]) -> HttpResponse:
    """The API's ``{"problems": [{where, message}]}``, or a page listing the same problems."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"problems": problem_dicts(problems)}, status=status)
    page = render_to_string("refused_input.html", {"problems": problems})
    return HttpResponse(page, status=status)
