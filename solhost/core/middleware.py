from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from solhost.core.problems import problem_dicts
from solhost.core.request_input import (
    BodyTooLarge,
    check_length,
    max_request_bytes,
    parameter_problems,
)


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
