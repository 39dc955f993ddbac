"""OpenAPI links: how one answer's ids feed the next call (docs/api.md, "Links").

A client (or a stateful test tool such as schemathesis) reads, say, that the `id`
of `PUT /contacts` is the `contact_id` of `GET /contacts/{contact_id}`. The table is
kept here in one place and added to the document by an apispec plugin, so views stay
as they are.
"""

from __future__ import annotations

from typing import Any, Final

from apispec import BasePlugin

PREFIX: Final = "/api/v1"

# (path, method, status) -> {link name: (target path, target method, {parameter: expression})}
Target = tuple[str, str, dict[str, str]]
LINKS: Final[dict[tuple[str, str, str], dict[str, Target]]] = {
    ("/forms", "get", "200"): {
        "GetForm": ("/forms/{slug}", "get", {"path.slug": "$response.body#/data/0/slug"}),
        "GetDefinition": ("/forms/{slug}/definition", "get",
                          {"path.slug": "$response.body#/data/0/slug"}),
    },
    ("/forms/{slug}", "get", "200"): {
        "GetDefinition": ("/forms/{slug}/definition", "get",
                          {"path.slug": "$response.body#/slug"}),
        "Publish": ("/forms/{slug}/publish", "post", {"path.slug": "$response.body#/slug"}),
        "ListResponses": ("/responses", "get", {"query.form": "$response.body#/slug"}),
    },
    ("/responses", "get", "200"): {
        "GetResponse": ("/responses/{response_id}", "get",
                        {"path.response_id": "$response.body#/data/0/id"}),
    },
    ("/responses/{response_id}", "get", "200"): {
        "GetContact": ("/contacts/{contact_id}", "get",
                       {"path.contact_id": "$response.body#/contact_id"}),
    },
    ("/contacts", "get", "200"): {
        "GetContact": ("/contacts/{contact_id}", "get",
                       {"path.contact_id": "$response.body#/data/0/id"}),
    },
    **{("/contacts", "put", status): {
        "GetContact": ("/contacts/{contact_id}", "get", {"path.contact_id": "$response.body#/id"}),
        "EraseContact": ("/contacts/{contact_id}", "delete",
                         {"path.contact_id": "$response.body#/id"}),
    } for status in ("200", "201")},
    ("/contacts/{contact_id}", "get", "200"): {
        "EraseContact": ("/contacts/{contact_id}", "delete",
                         {"path.contact_id": "$response.body#/id"}),
    },
    ("/leads", "get", "200"): {
        "GetLead": ("/leads/{lead_id}", "get", {"path.lead_id": "$response.body#/data/0/id"}),
    },
    ("/leads/{lead_id}", "get", "200"): {
        name: (f"/leads/{{lead_id}}/{action}", method, {"path.lead_id": "$response.body#/id"})
        for name, action, method in (
            ("SetStage", "stage", "post"), ("Dispose", "disposition", "post"),
            ("RecordOutcome", "outcome", "post"), ("Reassign", "owner", "post"),
            ("ListEvents", "events", "get"))
    },
    ("/webhooks/endpoints", "post", "201"): {
        "GetEndpoint": ("/webhooks/endpoints/{endpoint_id}", "get",
                        {"path.endpoint_id": "$response.body#/id"}),
        "DeleteEndpoint": ("/webhooks/endpoints/{endpoint_id}", "delete",
                           {"path.endpoint_id": "$response.body#/id"}),
        "ListDeliveries": ("/webhooks/deliveries", "get",
                           {"query.endpoint_id": "$response.body#/id"}),
    },
    ("/webhooks/endpoints", "get", "200"): {
        "GetEndpoint": ("/webhooks/endpoints/{endpoint_id}", "get",
                        {"path.endpoint_id": "$response.body#/data/0/id"}),
    },
    ("/webhooks/deliveries", "get", "200"): {
        "GetDelivery": ("/webhooks/deliveries/{delivery_id}", "get",
                        {"path.delivery_id": "$response.body#/data/0/id"}),
        "Replay": ("/webhooks/deliveries/{delivery_id}/replay", "post",
                   {"path.delivery_id": "$response.body#/data/0/id"}),
    },
    ("/webhooks/deliveries/{delivery_id}", "get", "200"): {
        "Replay": ("/webhooks/deliveries/{delivery_id}/replay", "post",
                   {"path.delivery_id": "$response.body#/id"}),
    },
}


def operation_ref(path: str, method: str) -> str:
    """A JSON pointer to an operation of this document (RFC 6901 escapes '/' as '~1')."""
    return "#/paths/" + (PREFIX + path).replace("~", "~0").replace("/", "~1") + "/" + method


class LinksPlugin(BasePlugin):
    """Adds the LINKS table to each operation's responses as the paths are registered."""

    def operation_helper(self, path: str | None = None, operations: dict[str, Any] | None = None,
                         **kwargs: Any) -> None:
        if not path or not operations or not path.startswith(PREFIX):
            return
        local = path.removeprefix(PREFIX)
        for method, operation in operations.items():
            for status, response in (operation.get("responses") or {}).items():
                links = LINKS.get((local, method, str(status)))
                if links and isinstance(response, dict):
                    response["links"] = {
                        name: {"operationRef": operation_ref(target, target_method),
                               "parameters": parameters}
                        for name, (target, target_method, parameters) in links.items()}
