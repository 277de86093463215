"""The service kinds a new region starts with: slug, name, one line for residents, LoRes;
and the words residents use for each.

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
    (
        "email",
        "Email",
        "Mailboxes and addresses for households, groups and small businesses.",
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

# What residents type when they look for each kind: other names for it, what they do with
# it, and the big-tech products it replaces. The directory's search reads them, so "dropbox"
# or "video call" finds the region's own services. A region edits them in the admin.
STARTER_SEARCH_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "files": (
        "file storage",
        "cloud storage",
        "storage",
        "drive",
        "google drive",
        "dropbox",
        "onedrive",
        "icloud",
        "backup",
        "sync",
        "share",
        "documents",
        "photos",
        "calendar",
        "contacts",
        "office",
        "google docs",
        "spreadsheets",
        "cloud",
    ),
    "chat": (
        "messaging",
        "messages",
        "instant messaging",
        "group chat",
        "whatsapp",
        "signal",
        "telegram",
        "slack",
        "discord",
        "messenger",
        "matrix",
        "xmpp",
    ),
    "video": (
        "video call",
        "video conference",
        "video chat",
        "meeting",
        "online meeting",
        "conference call",
        "webinar",
        "zoom",
        "teams",
        "microsoft teams",
        "google meet",
        "skype",
        "facetime",
        "jitsi",
    ),
    "websites": (
        "website",
        "web site",
        "homepage",
        "web page",
        "blog",
        "web hosting",
        "hosting",
        "wordpress",
        "squarespace",
        "wix",
        "static site",
        "online shop",
    ),
    "code": (
        "git",
        "github",
        "gitlab",
        "bitbucket",
        "repository",
        "source code",
        "version control",
        "programming",
        "software development",
        "issue tracker",
    ),
    "email": (
        "email",
        "e-mail",
        "mail",
        "mailbox",
        "inbox",
        "email address",
        "gmail",
        "outlook",
        "hotmail",
        "yahoo mail",
        "newsletter",
        "mailing list",
    ),
    "social": (
        "social network",
        "fediverse",
        "mastodon",
        "microblog",
        "twitter",
        "facebook",
        "instagram",
        "threads",
        "bluesky",
        "posts",
        "followers",
    ),
    "forum": (
        "forum",
        "discussion",
        "message board",
        "community",
        "facebook groups",
        "reddit",
        "noticeboard",
        "questions and answers",
        "discourse",
    ),
    "reference": (
        "wikipedia",
        "encyclopedia",
        "encyclopaedia",
        "wiki",
        "dictionary",
        "offline",
        "library",
        "kiwix",
        "reference",
    ),
}


def starter_search_words(slug: str) -> str:
    """A starter kind's search words as a kind keeps them: separated by commas."""
    return ", ".join(STARTER_SEARCH_WORDS.get(slug, ()))
