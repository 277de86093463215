"""At a replica site: a write that needs the primary gets a clear page, never a 500.

The standby refuses a write of region data (SQLSTATE 25006, or Django's own refusal of
``select_for_update`` outside a transaction there), and a primary that is out of reach
fails to connect. Either way the store's transaction has already rolled back with the
exception, so nothing is half-done; the resident gets a styled page with HTTP 503.

With ``SOLHOST_SITE_PRIMARY_DATABASE_URL`` the request's writes of region data go to the
primary in one transaction (``routers``): it commits here once the response is ready,
and rolls back if the view failed.
"""

import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.db.transaction import TransactionManagementError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from solhost.sites import config
from solhost.sites.routers import SAFE_METHODS, RequestWrites, current_request

logger = logging.getLogger(__name__)

READ_ONLY = "25006"  # read_only_sql_transaction
RETRY_AFTER_SECONDS = 60
OUT_OF_REACH = "out_of_reach"
NOT_HERE = "not_here"


class _RequestFailed(Exception):
    """Rolls the request's transaction at the primary back."""


def needs_primary(error: BaseException) -> str | None:
    """Why ``error`` means this request needed the primary (a reason code), or None."""
    cause = error.__cause__
    if isinstance(error, TransactionManagementError):
        # Django refuses a row lock on the standby before asking it: no transaction there.
        if "select_for_update" in str(error):
            return NOT_HERE if not config.writes_through() else OUT_OF_REACH
        return None
    if not isinstance(error, DatabaseError):
        return None
    if getattr(cause, "sqlstate", None) == READ_ONLY:
        return NOT_HERE if not config.writes_through() else OUT_OF_REACH
    if isinstance(error, InterfaceError):
        return OUT_OF_REACH
    if isinstance(error, OperationalError):
        state = getattr(cause, "sqlstate", None)
        # No state: the connection failed or broke. 08: connection exceptions; 57P:
        # the server is shutting down or cannot be connected to yet.
        if state is None or state.startswith(("08", "57P")):
            return OUT_OF_REACH
    return None


def refusal_page(request, reason: str) -> HttpResponse:
    context = {
        "reason": reason,
        "out_of_reach": reason == OUT_OF_REACH,
        "primary_url": config.primary_url(),
        "site": config.site_name(),
    }
    if request.path_info.startswith("/api/"):
        message = (
            "the region's main site is out of reach; this will work again when the link is back"
            if reason == OUT_OF_REACH
            else f"this site does not make the region's changes; send it to {config.primary_url()}"
        )
        response = JsonResponse({"problems": [{"where": "site", "message": message}]}, status=503)
    else:
        try:
            page = render_to_string("sites/needs_primary.html", context, request=request)
        except DatabaseError:
            # The page's navigation reads the region; if even the standby is out of reach,
            # the same words without it.
            page = render_to_string("sites/needs_primary_alone.html", context)
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class SiteWritesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        state = RequestWrites(reads_only=request.method in SAFE_METHODS)
        token = current_request.set(state)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        if state.primary is not None:
            response = self._finish_at_primary(request, state, response)
        return response

    def process_exception(self, request, exception):
        reason = needs_primary(exception)
        state = current_request.get()
        if state is not None:
            state.failed = True
        if reason is None:
            return None
        logger.info(
            "%s %s needed the primary (%s): %s", request.method, request.path, reason, exception
        )
        return refusal_page(request, reason)

    @staticmethod
    def _finish_at_primary(request, state: RequestWrites, response):
        opened = state.primary
        if state.failed or response.status_code >= 500:
            opened.__exit__(_RequestFailed, _RequestFailed(), None)
            return response
        try:
            opened.__exit__(None, None, None)
        except DatabaseError as error:
            logger.warning(
                "the primary did not commit %s %s: %s", request.method, request.path, error
            )
            return refusal_page(request, needs_primary(error) or OUT_OF_REACH)
        return response
