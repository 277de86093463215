from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from solhost.api import api
from solhost.identity.urls import provider_patterns

admin.site.site_header = "solhost steward tools"
admin.site.site_title = "solhost"
# The admin's own login form checks a password past the region's sign-in limits and
# without the second factor: it sends to the region's sign-in instead.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    # First: Django tries patterns in order, and services call these on every sign-in.
    path("", include(provider_patterns)),
    path("", include("solhost.web.urls")),
    path("", include("solhost.qualification.urls")),
    path("", include("solhost.energy.urls")),
    path("", include("solhost.metering.urls")),
    path("", include("solhost.ledger.urls")),
    path("", include("solhost.contributions.urls")),
    path("", include("solhost.distribution.urls")),
    path("", include("solhost.governance.urls")),
    path("", include("solhost.winddown.urls")),
    path("", include("solhost.lores.urls")),
    path("", include("solhost.federation.urls")),
    path("", include("solhost.probes.urls")),
    path("", include("solhost.identity.urls")),
    path("", include("solhost.residents.urls")),
    path("", include("solhost.sites.urls")),
    path("", include("solhost.backups.urls")),
    path("manage/", include("solhost.partners.urls")),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
