"""django-oauth-toolkit's endpoints as the region serves them."""

from django.db import transaction
from django.http import JsonResponse
from django.utils.decorators import method_decorator
from oauth2_provider import views as oauth


@method_decorator(transaction.atomic, name="post")
class RegionTokenView(oauth.TokenView):
    """The token endpoint in one transaction: one commit per request (tokens, ID token,
    audit event, usage event and the spent code together), and the code's grant stays
    locked from its first read to that commit, so a code raced twice is redeemed once."""


class RegionUserInfoView(oauth.UserInfoView):
    """Userinfo with the access token only in the Authorization header (RFC 9700 §4.3.2):
    a token in the address ends up in logs and browser history. DOT's
    COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT covers its protected resources, not this."""

    def dispatch(self, request, *args, **kwargs):
        if "access_token" in request.GET:
            response = JsonResponse(
                {
                    "error": "invalid_request",
                    "error_description": "Send the access token in the Authorization "
                    "header, never in the address.",
                },
                status=400,
            )
            response["WWW-Authenticate"] = 'Bearer error="invalid_request"'
            return response
        return super().dispatch(request, *args, **kwargs)
