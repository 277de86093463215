"""Whole public pages are kept for visitors who are not signed in, and only for them.

Personas: a visitor (no cookies), ``rita`` (a signed-in resident), and a browser that
carries a session without anyone signed in.
"""

import pytest
from django.contrib import messages
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse

from solhost.web.visitor_pages import kept_for_visitors

HOME = reverse("web:home")
DIRECTORY = reverse("web:directory")


def queries_of(client, url: str, django_assert_max_num_queries, **query) -> int:
    """How many queries ``url`` took, asked a second time."""
    client.get(url, query)
    with django_assert_max_num_queries(100) as asked:
        client.get(url, query)
    return len(asked)


def test_a_signed_in_resident_is_never_sent_the_visitors_page_nor_the_other_way(client, world):
    assert "Sign out" not in client.get(HOME).content.decode()
    resident = Client()
    resident.force_login(world.rita)
    assert "Sign out" in resident.get(HOME).content.decode()
    visitor_again = client.get(HOME).content.decode()
    assert "Sign out" not in visitor_again
    assert world.rita.email not in visitor_again


def test_a_kept_page_says_it_differs_by_cookie_like_a_page_made_afresh(client, world):
    made = client.get(HOME)
    kept = client.get(HOME)
    assert kept.content == made.content
    for response in (made, kept):
        assert "Cookie" in response.headers["Vary"]
        assert response.headers["Cache-Control"] == "private, no-cache"
        assert response.headers["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize(
    "url, query",
    [
        (HOME, {"utm": "made-up"}),
        (reverse("web:service", args=["mcc-files"]), {"x": "1"}),
        (DIRECTORY, {"q": "chat"}),
        (DIRECTORY, {"kind": "no-such-kind"}),
        (DIRECTORY, {"kind": "chat", "page": "999"}),
        (DIRECTORY, {"lores": "yes"}),
        (DIRECTORY, {"software": "Forgejo"}),
        (DIRECTORY, {"q": "", "partner": "mcc"}),
    ],
)
def test_an_address_the_sites_links_dont_make_is_not_kept(
    client, world, django_assert_max_num_queries, url, query
):
    assert queries_of(client, url, django_assert_max_num_queries, **query) > 1


def test_a_repeated_parameter_is_not_kept(client, world, django_assert_max_num_queries):
    client.get(f"{DIRECTORY}?kind=chat&kind=files")
    with django_assert_max_num_queries(100) as asked:
        client.get(f"{DIRECTORY}?kind=chat&kind=files")
    assert len(asked) > 1


def test_the_filter_form_choosing_only_a_kind_and_the_mesh_is_kept(
    client, world, django_assert_num_queries
):
    form = f"{DIRECTORY}?q=&kind=chat&software=&partner=&lores=on"
    made = client.get(form)
    with django_assert_num_queries(1):
        kept = client.get(form)
    assert kept.content == made.content


def test_the_directorys_filter_links_are_kept_whatever_their_order(
    client, world, django_assert_num_queries
):
    client.get(f"{DIRECTORY}?kind=chat&lores=on")
    with django_assert_num_queries(1):
        reordered = client.get(f"{DIRECTORY}?lores=on&kind=chat")
    assert reordered.status_code == 200


@pytest.mark.parametrize("cookie", ["sessionid", "messages"])
def test_a_browser_with_a_session_or_messages_gets_a_page_made_for_it(
    client, world, django_assert_max_num_queries, cookie
):
    client.get(HOME)
    client.cookies[cookie] = "not-one-anyone-has"
    assert queries_of(client, HOME, django_assert_max_num_queries) > 1


def answered_twice(view) -> int:
    """How many times ``view``, kept for visitors, runs for two visitors in a row."""
    runs = []

    def counted(request):
        runs.append(request)
        return view(request)

    page = kept_for_visitors()(counted)
    for _ in range(2):
        request = RequestFactory().get("/a-page/")
        # What SessionMiddleware and MessageMiddleware give every request.
        request.session = SessionStore()
        request._messages = messages.storage.default_storage(request)
        assert page(request).status_code == 200
    return len(runs)


def test_a_page_holding_a_csrf_token_or_setting_a_cookie_or_a_message_is_not_kept(db):
    def with_form(request):
        return HttpResponse(f"<form>{get_token(request)}</form>")

    def with_cookie(request):
        response = HttpResponse("hello")
        response.set_cookie("seen", "yes")
        return response

    def with_message(request):
        messages.info(request, "Saved.")
        return HttpResponse("hello")

    def plain(request):
        return HttpResponse("hello")

    assert answered_twice(with_form) == 2
    assert answered_twice(with_cookie) == 2
    assert answered_twice(with_message) == 2
    assert answered_twice(plain) == 1
