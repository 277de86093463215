"""Guards shared by every app's write path (``actions.py``)."""

from collections.abc import Mapping
from typing import Any


def check_editable(data: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    """Refuse keys outside a use case's editable fields: a caller's mistake, not user input."""
    unexpected = sorted(set(data) - set(allowed))
    if unexpected:
        raise ValueError(f"not editable here: {', '.join(unexpected)}")
