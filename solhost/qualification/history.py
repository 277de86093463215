"""A partner's qualification history in words, for its public page and the changes feed."""

from solhost.energy.wording import STATUS_WORDS
from solhost.partners.models import Organisation
from solhost.qualification.dossier_document import subject_id


def subject_labels(organisation: Organisation) -> dict[str, str]:
    """The checks' subject names (``server:<id>``) as people know them."""
    labels = {"partner": organisation.name}
    for server in organisation.servers.only("slug", "name"):
        labels[f"server:{subject_id(server.slug)}"] = f"Server {server.name}"
    for service in organisation.services.only("slug", "name"):
        labels[f"service:{subject_id(service.slug)}"] = f"Service {service.name}"
    return labels


def changes_in_words(changes: list[dict], labels: dict[str, str]) -> list[str]:
    """A run's changed outcomes, as ``B1.4 for Merri Creek: Not yet shown → Met``."""
    return [
        f"{change['criterion']} for {labels.get(change['subject'], change['subject'])}: "
        f"{STATUS_WORDS.get(change['from'], change['from']) if change['from'] else 'new'} → "
        f"{STATUS_WORDS.get(change['to'], change['to'])}"
        for change in changes
    ]
