"""How residents leave a service: the formats its own export gives, and whether an account
can move to another host. Pure: no Django.

A service declares these (its kind suggests them, see ``kinds.STARTER_EXIT_INFORMATION``);
the service page shows them under "How to leave", a resident's export repeats them for
each service they use, and charter criterion B3 reads whether each service names a way
to get its data out.
"""

from collections.abc import Iterable, Mapping
from typing import Final

# The formats a service's own export may give, by the code stored and sent by the API,
# with their names as a list shows them (brand names keep their own capitals).
# A closed list, so residents can compare services and the region can say which tools
# read each; a region that needs another adds it here.
EXPORT_FORMATS: Final[Mapping[str, str]] = {
    "original-files": "Original files (download or sync)",
    "zip": "ZIP archive",
    "ics": "iCalendar (.ics) calendars",
    "vcf": "vCard (.vcf) contacts",
    "csv": "CSV tables",
    "json": "JSON",
    "html": "HTML pages",
    "text": "Plain text",
    "markdown": "Markdown",
    "activitypub": "ActivityPub archive (JSON) of posts and media",
    "mbox": "mbox mail folders",
    "eml": "EML messages",
    "imap": "IMAP (copy mail with any mail program)",
    "git": "Git repositories with their history",
}

# Whether an account can move to another host, from the most to the least portable.
MOVES_WHOLE: Final = "whole"
MOVES_PARTLY: Final = "partly"
DOES_NOT_MOVE: Final = "none"
NO_ACCOUNT: Final = "no_account"
ACCOUNT_MOVES: Final[Mapping[str, str]] = {
    MOVES_WHOLE: "Yes: the account moves to another host with its data",
    MOVES_PARTLY: "Partly: some of it moves to another host, the rest comes as files",
    DOES_NOT_MOVE: "No: take the export and start a new account elsewhere",
    NO_ACCOUNT: "Nothing to move: the service keeps no account or data about you",
}

# The longest free text a service may give for each set of steps.
MAX_STEPS_LENGTH: Final = 1000


def unknown_formats(formats: Iterable[object]) -> list[str]:
    """The entries of ``formats`` that are not codes of ``EXPORT_FORMATS``, as given."""
    return [str(code) for code in formats if code not in EXPORT_FORMATS]


def format_names(formats: Iterable[str]) -> list[str]:
    """The names of ``formats`` in the order given; unknown codes as they are."""
    return [EXPORT_FORMATS.get(code, code) for code in formats]


def names_export_method(formats: Iterable[str], account_move: str) -> bool:
    """Whether a service says how residents get their data out: at least one format of its
    own export, or that it keeps nothing about them to return."""
    return bool(list(formats)) or account_move == NO_ACCOUNT
