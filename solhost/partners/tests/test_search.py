import pytest

from solhost.partners.search import (
    KindWords,
    Listings,
    fold,
    kinds_for,
    matches,
    narrow,
    search_terms,
    searchable,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Café Zürich", "cafe zurich"),
        ("Coopérative NUMÉRIQUE", "cooperative numerique"),
        ("Straße", "strasse"),
        ("Ångström", "angstrom"),
    ],
)
def test_fold_drops_case_and_accents(text, folded):
    assert fold(text) == folded


def test_searchable_puts_a_space_before_every_word_and_keeps_joined_words_whole():
    assert searchable("E-mail for the Café", "Mastodon") == " e mail for the cafe email mastodon"


@pytest.mark.parametrize(
    ("query", "terms"),
    [
        ("file storage", ("file", "storage")),
        ("I need file storage for my club", ("file", "storage", "club")),
        ("  Video   CALL ", ("video", "call")),
        ("zoom, zoom!", ("zoom",)),
        ("e-mail", ("e", "mail")),
        # Only filler: taken as typed, rather than matching everything.
        ("for me", ("for", "me")),
        ("", ()),
    ],
)
def test_search_terms_are_the_words_that_say_what_is_needed(query, terms):
    assert search_terms(query) == terms


@pytest.mark.parametrize(
    ("terms", "found"),
    [
        (("stor",), True),
        (("storage", "drop"), True),
        (("dropbox",), True),
        (("rage",), False),  # only the start of a word counts
        (("git",), False),  # "digital" does not start with it
        (("storage", "zoom"), False),  # every term must be there
        ((), True),
    ],
)
def test_matches_needs_every_term_at_the_start_of_a_word(terms, found):
    text = searchable("Files", "Digital storage for groups", "dropbox, google drive")
    assert matches(terms, text) is found


LISTINGS = Listings(
    ids=(1, 2, 3, 4),
    kinds=("files", "files", "video", "chat"),
    software=("nextcloud", "seafile", "jitsi meet", "synapse"),
    partners=("mcc", "cct", "cct", "mcc"),
    on_mesh=(True, False, False, False),
    texts=(
        searchable("MCC Files", "Files and calendars", "storage, dropbox, google drive"),
        searchable("Coburg Drive", "Files and calendars", "storage, dropbox, google drive"),
        searchable("Meet", "Video calls", "video call, zoom, teams"),
        searchable("Natter", "Chat", "whatsapp, slack"),
    ),
)


@pytest.mark.parametrize(
    ("filters", "ids"),
    [
        ({}, [1, 2, 3, 4]),
        ({"q": "dropbox"}, [1, 2]),
        ({"q": "google drive", "partner": "cct"}, [2]),
        ({"kind": "files", "lores": True}, [1]),
        ({"software": "Jitsi Meet"}, [3]),
        ({"software": "JITSI MEET", "q": "zoom"}, [3]),
        ({"q": "slack", "kind": "video"}, []),
    ],
)
def test_narrow_applies_every_filter_and_keeps_the_order(filters, ids):
    assert narrow(LISTINGS, **filters) == ids


def test_narrow_on_a_region_without_services():
    assert narrow(Listings((), (), (), (), (), ()), q="storage") == []


KINDS = [
    KindWords("files", "Files and calendars", searchable("Files and calendars", "storage"), 3),
    KindWords("email", "Email", searchable("Email", "mail, gmail, outlook"), 0),
    KindWords("video", "Video calls", searchable("Video calls", "zoom, video call"), 1),
]


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("gmail", ["email"]),
        ("storage", ["files"]),
        # Each kind named by some word, those named by more words first.
        ("zoom video and storage", ["video", "files"]),
        ("dating", []),
    ],
)
def test_kinds_for_names_the_kinds_a_search_points_to(query, slugs):
    assert [kind.slug for kind in kinds_for(query, KINDS)] == slugs
