"""Which installed LoRes app makes which service available on the mesh. Pure: no Django.

LoRes apps are Co-op Cloud recipes, named after the software they run (``nextcloud``,
``mastodon``), with a few exceptions (``matrix-synapse`` runs Synapse). A service is
matched by its software's name, folded so that ``Jitsi Meet`` and ``jitsi-meet`` agree;
``custom-html`` serves any static website, so it matches the starter kind ``websites``
whatever generator or web server the partner declared.
"""

from typing import Final

# Recipes whose name is not the software's name, folded (see ``fold``).
RECIPE_SOFTWARE: Final[dict[str, str]] = {
    "matrixsynapse": "synapse",
    "kiwixserve": "kiwix",
    "customhtml": "",
}
# Recipes that serve any service of a kind, by the kind's starter slug.
RECIPE_KINDS: Final[dict[str, str]] = {
    "customhtml": "websites",
}


def fold(name: str) -> str:
    """A name without case, spaces or punctuation: ``Matrix-Synapse`` → ``matrixsynapse``."""
    return "".join(c for c in name.casefold() if c.isalnum())


def serves(recipe: str, *, software: str, kind: str) -> bool:
    """Whether the app ``recipe`` runs the service's ``software`` or serves its ``kind``."""
    folded = fold(recipe)
    if RECIPE_KINDS.get(folded) == kind:
        return True
    runs = RECIPE_SOFTWARE.get(folded, folded)
    return bool(runs) and runs == fold(software)
