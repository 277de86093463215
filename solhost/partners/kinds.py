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


# How residents usually leave each kind of service, as the software most co-ops run for it
# allows: the formats of its own export and the steps to take it, whether an account can
# move to another host and how. A new service starts with its kind's; the partner corrects
# them on its service form when its software does otherwise.
STARTER_EXIT_INFORMATION: Final[dict[str, dict[str, object]]] = {
    "files": {
        "export_formats": ["original-files", "zip", "ics", "vcf"],
        "export_steps": (
            "Download your files (a folder comes as a ZIP archive) or keep a copy with the "
            "desktop sync app. Export each calendar as .ics from the Calendar app and your "
            "address book as .vcf from the Contacts app."
        ),
        "account_move": "partly",
        "account_move_steps": (
            "Nextcloud's user migration (Settings, Data migration) packs your files and "
            "profile into one file another Nextcloud imports. Calendars, contacts and Talk "
            "are not carried yet: bring them as .ics and .vcf files."
        ),
    },
    "chat": {
        "export_formats": ["html", "text", "json"],
        "export_steps": (
            "In Element, open a room's settings and choose Export chat to save its history "
            "as HTML, plain text or JSON, one room at a time."
        ),
        "account_move": "none",
        "account_move_steps": (
            "Matrix has no account portability today: make an account with another host, "
            "join your rooms again from it and tell your contacts your new address."
        ),
    },
    "video": {
        "export_formats": [],
        "export_steps": "Calls are not recorded and nobody needs an account to join.",
        "account_move": "no_account",
        "account_move_steps": "",
    },
    "websites": {
        "export_formats": ["zip", "html"],
        "export_steps": "Ask the co-op for your site's files, or download them as a ZIP archive.",
        "account_move": "whole",
        "account_move_steps": (
            "A website moves whole: put its files with another host and point your domain "
            "name there."
        ),
    },
    "code": {
        "export_formats": ["git"],
        "export_steps": "Clone each repository with git: its whole history comes with it.",
        "account_move": "partly",
        "account_move_steps": (
            "Another Forgejo or Gitea migrates a repository with its issues, pull requests, "
            "wiki and releases (New migration). Your account, stars and followers do not move."
        ),
    },
    "email": {
        "export_formats": ["imap", "mbox", "eml"],
        "export_steps": (
            "Copy your mail to another mailbox with any mail program over IMAP, or save "
            "folders as mbox and messages as EML, e.g. with Thunderbird."
        ),
        "account_move": "partly",
        "account_move_steps": (
            "Your messages move over IMAP. An address on the co-op's domain stays with it: "
            "ask for forwarding and tell people your new address. An address on your own "
            "domain moves with you."
        ),
    },
    "social": {
        "export_formats": ["activitypub", "csv"],
        "export_steps": (
            "In Settings, Import and export, Data export: request the archive of your posts "
            "and media, and download the CSV lists of who you follow, your lists, mutes, "
            "blocks and bookmarks."
        ),
        "account_move": "partly",
        "account_move_steps": (
            "Make your new account elsewhere and give it this account as an alias, then use "
            "Settings, Account, Move to a different account: your followers move with you. "
            "Import the CSV lists at the new server. Your posts do not move."
        ),
    },
    "forum": {
        "export_formats": ["csv"],
        "export_steps": "In your preferences, Download all gives your posts as a CSV table.",
        "account_move": "none",
        "account_move_steps": "A forum account cannot move: make one on the new forum.",
    },
    "reference": {
        "export_formats": [],
        "export_steps": (
            "Nothing about you is kept. The whole reference can be downloaded as ZIM files "
            "to read offline with Kiwix."
        ),
        "account_move": "no_account",
        "account_move_steps": "",
    },
}


def starter_exit_information(slug: str) -> dict[str, object]:
    """A starter kind's exit information as a kind keeps it; nothing for another kind."""
    return dict(STARTER_EXIT_INFORMATION.get(slug, {}))
