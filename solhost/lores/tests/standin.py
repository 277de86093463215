"""A stand-in LoRes node: a real HTTP server answering the three public endpoints solhost reads.

A real node is a Rust/axum service (local-resilience-tech/lores-node) that needs a P2Panda
network to run, so the tests serve documents shaped exactly like its published types
instead: ``RegionWithNodes``, ``Region``, ``RegionMap``, ``LatLng``, ``RegionNodeDetails``,
``RegionAppWithInstallations``, ``AppInstallation``, ``LocalApp`` and ``NodeAppUrl`` in
``backend/lores-node-axum/src/data/entities.rs``, served at the paths nested in
``backend/lores-node-axum/src/api/public_api/mod.rs``, as of lores-node commit
a5a4a2943489bc58186d0b55f08c7522d39093bb (release 0.22.2). The documents are written
here from those types; no code of the project is copied.
"""

import contextlib
import copy
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

REGION_ID = "6f1c2a9e0b7d4c3a8e5f1d2c3b4a5968778695a4b3c2d1e0f1a2b3c4d5e6f708"
MCC_NODE = "a3f1e2d4c5b6a7980f1e2d3c4b5a69788796a5b4c3d2e1f0a1b2c3d4e5f60718"
CCT_NODE = "b4e2f3a5d6c7b8091a2f3e4d5c6b7a8998a7b6c5d4e3f2a1b2c3d4e5f6071829"
NEIGHBOUR_NODE = "c5f3a4b6e7d8c9102b3a4f5e6d7c8b9aa9b8c7d6e5f4a3b2c3d4e5f607182930"


def my_regions() -> list[dict]:
    """``GET /public_api/my_regions/`` of a node in the Merri-bek region: three nodes, one
    of them a neighbour's machine that is none of the region's servers."""
    return [
        {
            "region": {
                "id": REGION_ID,
                "creator_node_id": MCC_NODE,
                "slug": "merri-bek",
                "name": "Merri-bek",
                "organisation_name": "Merri-bek Tech",
                "organisation_url": "https://merri-bek.tech",
                "node_steward_conduct_url": "https://merri-bek.tech/conduct",
                "user_conduct_url": None,
                "user_privacy_url": None,
                "map": {
                    "map_data_url": "https://merri-bek.tech/map.pmtiles",
                    "min_latlng": {"lat": -37.79, "lng": 144.90},
                    "max_latlng": {"lat": -37.68, "lng": 145.02},
                },
            },
            "nodes": [
                node(1, MCC_NODE, "mcc-node", latlng={"lat": -37.7672, "lng": 144.9751}),
                # Pinned in Preston, about 3 km from the Coburg server it claims to be.
                node(2, CCT_NODE, "cct-node", latlng={"lat": -37.742, "lng": 145.005}),
                node(3, NEIGHBOUR_NODE, "garage-pi", latlng=None, status="RequestedToJoin"),
            ],
        }
    ]


def node(lores_id: int, node_id: str, name: str, *, latlng, status="Member") -> dict:
    """A ``RegionNodeDetails``: every field the type has, optional ones filled as a node would."""
    return {
        "id": lores_id,
        "node_id": node_id,
        "region_id": REGION_ID,
        "status": status,
        "name": name,
        "public_ipv4": f"203.0.113.{lores_id}",
        "domain_on_local_network": f"{name}.local",
        "domain_on_internet": f"{name}.merri-bek.tech",
        "latlng": latlng,
        "about_your_node": "A small server on solar.",
        "about_your_stewards": "Two co-op members.",
        "agreed_node_steward_conduct_url": "https://merri-bek.tech/conduct",
        "status_text": "All good",
        "state": "active",
    }


def region_apps() -> list[dict]:
    """``GET /public_api/region_apps/``: Nextcloud on two nodes, Matrix on one."""
    return [
        {
            "name": "nextcloud",
            "region_id": REGION_ID,
            "installations": [
                {"app_name": "nextcloud", "region_node_id": 1, "version": "31.0.2"},
                {"app_name": "nextcloud", "region_node_id": 2, "version": "30.0.8"},
            ],
        },
        {
            "name": "matrix-synapse",
            "region_id": REGION_ID,
            "installations": [
                {"app_name": "matrix-synapse", "region_node_id": 1, "version": "1.128.0"}
            ],
        },
    ]


def local_apps() -> list[dict]:
    """``GET /public_api/local_apps/`` of the node answering (mcc-node)."""
    return [
        {
            "name": "nextcloud",
            "version": "31.0.2",
            "url": {
                "internet_url": "https://cloud.mcc-node.merri-bek.tech",
                "local_network_url": "http://cloud.mcc-node.local",
            },
            "source": "docker",
            "instance_id": None,
            "bound_to_region_id": REGION_ID,
        }
    ]


@dataclass
class Answer:
    """A raw answer to one path, for the hostile cases: any status, body and delay."""

    body: bytes
    status: int = 200
    delay: float = 0.0


@dataclass
class StandInNode:
    """The documents the node serves; tests change them between syncs."""

    documents: dict[str, object] = field(default_factory=dict)
    raw: dict[str, Answer] = field(default_factory=dict)
    url: str = ""

    def reset(self) -> None:
        self.documents = {
            "/public_api/my_regions/": my_regions(),
            "/public_api/region_apps/": region_apps(),
            "/public_api/local_apps/": local_apps(),
        }
        self.raw = {}

    def regions(self) -> list[dict]:
        return self.documents["/public_api/my_regions/"]  # type: ignore[return-value]

    def apps(self) -> list[dict]:
        return self.documents["/public_api/region_apps/"]  # type: ignore[return-value]


def start() -> tuple[StandInNode, ThreadingHTTPServer]:
    """Serve a stand-in node on a free local port, in a daemon thread."""
    state = StandInNode()
    state.reset()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            answer = state.raw.get(self.path)
            if answer is None:
                if self.path not in state.documents:
                    answer = Answer(b"", status=404)
                else:
                    body = json.dumps(copy.deepcopy(state.documents[self.path])).encode()
                    answer = Answer(body)
            time.sleep(answer.delay)
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            # The client stops reading an oversized or slow answer, as it should.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(answer.body)

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return state, server
