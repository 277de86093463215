"""The service kinds a new region starts with: slug, name, one line for residents, LoRes.

The last field says whether the LoRes mesh has a recipe for the kind, so criterion V2 can
ask partners to offer the LoRes way. A region adds or renames kinds in the admin.
"""

from typing import Final

STARTER_SERVICE_KINDS: Final = (
    (
        "files",
        "Files and calendars",
        "Keep documents, photos, contacts and calendars in sync.",
        False,
    ),
    (
        "chat",
        "Chat and messaging",
        "Group and one-to-one chat for households, clubs and campaigns.",
        False,
    ),
    ("video", "Video calls", "Meet face to face from a browser, no account needed to join.", False),
    ("websites", "Websites", "Simple websites for groups, shops and people.", True),
    (
        "code",
        "Code hosting",
        "Git repositories, issues and collaboration for software projects.",
        False,
    ),
    ("social", "Social media", "A local home on the fediverse.", False),
    ("forum", "Forums", "Long-form discussion for neighbourhood groups.", False),
    (
        "reference",
        "Encyclopaedia and reference",
        "Offline-capable copies of Wikipedia and other references.",
        True,
    ),
)
