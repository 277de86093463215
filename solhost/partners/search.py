"""Finding services by what a resident needs, in the resident's own words. Pure: no Django.

A service is found by the words of its name, summary, software, partner and kind, and by
the words its kind carries for residents ("dropbox", "video call"). Case and accents
don't matter, and each word of a search need only begin a word of the service: "stor"
finds "storage", "video call" finds "Video calls". Filler ("I need a …") is left out, so
a sentence finds what its keywords find.
"""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import NamedTuple

_SEPARATORS = re.compile(r"[\W_]+")
# Words written with a hyphen, apostrophe or dot are also found whole: "e-mail" as "email".
_JOINED = re.compile(r"\w+(?:[-'’.]\w+)+")

# Words that say how someone asks, not what they need.
FILLER_WORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "any",
        "app",
        "apps",
        "for",
        "i",
        "im",
        "looking",
        "me",
        "my",
        "need",
        "needs",
        "of",
        "or",
        "our",
        "please",
        "service",
        "services",
        "some",
        "something",
        "the",
        "to",
        "tool",
        "tools",
        "us",
        "want",
        "we",
        "with",
    }
)


def fold(text: str) -> str:
    """``text`` in lower case without accents: "Café Zürich" → "cafe zurich"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def searchable(*texts: str) -> str:
    """The words of ``texts``, folded, as one string for ``matches`` to look in."""
    words: list[str] = []
    for text in texts:
        folded = fold(text)
        words.extend(_SEPARATORS.split(folded))
        words.extend(_SEPARATORS.sub("", joined) for joined in _JOINED.findall(folded))
    # A space before every word, so a term is looked for only at the start of a word.
    return "".join(f" {word}" for word in words if word)


def search_terms(query: str) -> tuple[str, ...]:
    """The words of ``query`` that say what is needed, folded, each once."""
    words = [word for word in _SEPARATORS.split(fold(query)) if word]
    needed = [word for word in words if word not in FILLER_WORDS]
    # A search made only of filler ("for me") is taken as it was typed.
    return tuple(dict.fromkeys(needed or words))


def matches(terms: Iterable[str], text: str) -> bool:
    """Whether each term begins a word of ``text`` (made by ``searchable``)."""
    return all(f" {term}" in text for term in terms)


class Listings(NamedTuple):
    """Every service as the directory searches it, in the directory's order.

    Kept column by column: a cache holds it between requests, and columns of plain values
    are the quickest to load. ``software`` holds the names folded (see ``fold``), ``texts``
    what ``searchable`` made of each service.
    """

    ids: tuple[int, ...]
    kinds: tuple[str, ...]
    software: tuple[str, ...]
    partners: tuple[str, ...]
    on_mesh: tuple[bool, ...]
    texts: tuple[str, ...]


def narrow(
    listings: Listings,
    *,
    q: str = "",
    kind: str = "",
    software: str = "",
    partner: str = "",
    lores: bool = False,
) -> list[int]:
    """The ids of the services that meet every filter, in the listings' order.

    ``q`` is a search (see ``search_terms``), ``kind`` and ``partner`` slugs, ``software``
    a name in any case; ``lores`` keeps only the services on the LoRes mesh.
    """
    # One pass per filter over the rows still in, each a plain comparison: at a thousand
    # services a search takes a fraction of a millisecond.
    rows: Iterable[int] = range(len(listings.ids))
    kinds, names, partners, on_mesh, texts = listings[1:]
    if kind:
        rows = [r for r in rows if kinds[r] == kind]
    if software:
        folded = fold(software)
        rows = [r for r in rows if names[r] == folded]
    if partner:
        rows = [r for r in rows if partners[r] == partner]
    if lores:
        rows = [r for r in rows if on_mesh[r]]
    for term in search_terms(q):
        needle = f" {term}"  # at the start of a word: see ``searchable``
        rows = [r for r in rows if needle in texts[r]]
    return [listings.ids[r] for r in rows]


class KindWords(NamedTuple):
    """A kind of service as a search reads it, and how many services of it the region has."""

    slug: str
    name: str
    text: str
    services: int


def kinds_for(query: str, kinds: Sequence[KindWords]) -> list[KindWords]:
    """The kinds that some word of ``query`` names, those naming most first, then by name.

    What a search that found nothing suggests, and how it tells a need the region doesn't
    meet yet (a kind with no services) from one it does.
    """
    terms = search_terms(query)
    named = [(sum(matches([t], kind.text) for t in terms), kind) for kind in kinds]
    return [kind for hits, kind in sorted(named, key=lambda n: (-n[0], n[1].name)) if hits]
