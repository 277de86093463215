"""The baseline for page benchmarks: the smallest response Django can give, same middleware."""

from django.http import HttpResponse
from django.urls import include, path


def baseline(request):
    return HttpResponse("ok")


urlpatterns = [path("baseline/", baseline), path("", include("solhost.urls"))]
