from django import template

from solhost.lores.queries import ServerNode, nodes_for_servers

register = template.Library()


@register.simple_tag
def server_lores_node(server) -> ServerNode | None:
    """The LoRes node of one server, for pages that show a single server."""
    return nodes_for_servers([server]).get(server.pk)
