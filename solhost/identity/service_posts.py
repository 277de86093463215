"""Requests a service's own page sends the resident's browser with by POST: a sign-in
(OpenID Connect Core §3.1.2.1) or a sign-out (RP-Initiated Logout 1.0 §2). Such a form
carries no CSRF token of the region's, so the endpoint answers it with a 303 to the same
address as a GET, and judges that exactly as one; a form of the region's own (consent,
confirming a sign-out) always carries the token and is checked for it
(docs/decisions/0014-authorization-requests-by-post.md)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

# Every form of the region's has it; a service's never does.
REGION_FORM_FIELD = "csrfmiddlewaretoken"


def sent_by_a_service(request: HttpRequest) -> bool:
    return request.method == "POST" and REGION_FORM_FIELD not in request.POST


def seen_again_as_get(request: HttpRequest, *, what: str) -> HttpResponse | str:
    """The 303 to the request's address as a GET; or, when that address is longer than
    the region reads (the browser's GET would be refused before any page could say why),
    what to tell the resident about the service's ``what`` (``"sign-in request"``)."""
    address = f"{request.path}?{request.POST.urlencode()}"
    if len(f"GET {address} HTTP/1.1") > settings.LONGEST_REQUEST_LINE:
        return (
            f"The service's {what} is {len(address):,} characters long as an address, more "
            f"than the {settings.LONGEST_REQUEST_LINE:,} the region reads. The service must "
            "send a shorter one."
        )
    see_other = HttpResponseRedirect(address)
    see_other.status_code = 303
    return see_other
