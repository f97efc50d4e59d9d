"""How KX reaches a production engine: several nodes, credentials, TLS with verification on.

``client_config`` turns the settings into the clients' keyword arguments, for our adapters and
for Wagtail's admin search backend alike. The dev node has no security plugin (no TLS, no
users), so the TLS and credential tests put a TLS proxy that asks for credentials in front of it
(``secured_node``): the clients verify a real certificate chain and send real credentials, and
the node answers through the proxy.
"""

import base64
import http.client
import json
import logging
import os
import ssl
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import trustme
from django.core.exceptions import ImproperlyConfigured
from wagtail.search.backends import get_search_backend

from search import selectors
from search.engine import EngineUnavailable, client_config, connect
from search.index import alias_name
from search.queries import SearchQuery
from tests.factories import UserFactory
from tests.practice_library.factories import PracticePageFactory

from .conftest import TEST_INDEX

CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
DEAD_NODE = "http://127.0.0.1:9"  # nothing listens on the discard port


@pytest.fixture
def ca_file(tmp_path):
    path = tmp_path / "ca.pem"
    path.write_text("not read by client_config, only looked for\n")
    return str(path)


# client_config: one test per combination of settings.


def test_one_node_without_credentials():
    config = client_config("http://127.0.0.1:9201")
    assert config.hosts == ("http://127.0.0.1:9201",)
    assert config.options == {} and config.warnings == ()


def test_several_nodes_separated_by_commas_get_explicit_ports_and_keep_their_paths():
    config = client_config(" https://a.example:9200, https://b.example/search/ ,https://c.example")
    assert config.hosts == (
        "https://a.example:9200",
        "https://b.example:443/search",
        "https://c.example:443",
    )


@pytest.mark.parametrize("engine", ["opensearch", "elasticsearch"])
def test_credentials_in_the_urls_leave_the_urls_and_are_decoded(engine):
    config = client_config(
        "https://kx:p%40ss%3Aword@a.example:9200,https://b.example:9200", engine=engine
    )
    assert config.hosts == ("https://a.example:9200", "https://b.example:9200")
    auth = {"opensearch": "http_auth", "elasticsearch": "basic_auth"}[engine]
    assert config.options == {auth: ("kx", "p@ss:word"), "verify_certs": True}


@pytest.mark.parametrize("engine", ["opensearch", "elasticsearch"])
def test_username_and_password_from_the_settings(engine, ca_file):
    config = client_config(
        "https://a.example:9200",
        engine=engine,
        username="kx",
        password="secret",
        ca_certs=ca_file,
    )
    auth = {"opensearch": "http_auth", "elasticsearch": "basic_auth"}[engine]
    assert config.options == {auth: ("kx", "secret"), "verify_certs": True, "ca_certs": ca_file}
    assert config.warnings == ()


def test_the_same_credentials_in_the_url_and_the_settings_agree():
    config = client_config("https://kx:secret@a.example", username="kx", password="secret")
    assert config.options["http_auth"] == ("kx", "secret")


def test_an_api_key_is_sent_as_the_apikey_header_by_either_client():
    opensearch = client_config("https://a.example", api_key="a2V5")
    assert opensearch.options == {
        "headers": {"Authorization": "ApiKey a2V5"},
        "verify_certs": True,
    }
    elasticsearch = client_config("https://a.example", engine="elasticsearch", api_key="a2V5")
    assert elasticsearch.options == {"api_key": "a2V5", "verify_certs": True}


@pytest.mark.parametrize("engine", ["opensearch", "elasticsearch"])
def test_turning_verification_off_is_explicit_and_warned_about(engine):
    config = client_config("https://a.example", engine=engine, verify_certs=False)
    assert config.options == {"verify_certs": False, "ssl_show_warn": False}
    assert config.warnings and "certificate verification is off" in config.warnings[0]


def test_plain_http_ignores_tls_options_but_warns_about_credentials_in_clear():
    config = client_config("http://a.example:9200", username="kx", password="s3cret")
    assert config.options == {"http_auth": ("kx", "s3cret")}
    assert config.warnings == ("credentials are sent unencrypted: SEARCH_URL does not use https",)
    assert client_config("http://a.example:9200", verify_certs=False).options == {}


@pytest.mark.parametrize(
    ("url", "settings", "message"),
    [
        ("", {}, "names no node"),
        ("a.example:9200", {}, "must be an http:// or https:// URL"),
        ("https://kx:s3cret@a.example:99999", {}, "is not a URL"),
        ("ftp://kx:s3cret@a.example", {}, "must be an http:// or https:// URL"),
        ("http://a.example,https://b.example", {}, "same scheme"),
        ("https://kx:s3cret@a,https://kx:0ther@b", {}, "different credentials"),
        ("https://kx@a.example", {}, "no password"),
        ("https://a.example", {"username": "kx"}, "go together"),
        ("https://a.example", {"password": "s3cret"}, "go together"),
        ("https://kx:s3cret@a", {"username": "kx", "password": "0ther"}, "differ"),
        ("https://a", {"username": "kx", "password": "s3cret", "api_key": "k"}, "not both"),
        ("https://kx:s3cret@a", {"api_key": "k"}, "not both"),
        ("https://a.example", {"ca_certs": "/nowhere/ca.pem"}, "no file"),
        ("http://a.example", {"ca_certs": CA_BUNDLE}, "does not use https"),
    ],
)
def test_contradictory_settings_are_refused_without_showing_a_password(url, settings, message):
    with pytest.raises(ImproperlyConfigured, match=message) as refused:
        client_config(url, **settings)
    assert "s3cret" not in str(refused.value) and "0ther" not in str(refused.value)


# The clients: the options reach every node's connection.


def test_the_opensearch_client_carries_the_options_to_every_node():
    engine = connect(
        "https://a.example:9200,https://b.example:9201",
        timeout=3,
        username="kx",
        password="secret",
        ca_certs=CA_BUNDLE,
    )
    connections = engine.client.transport.connection_pool.connections
    assert sorted(c.host for c in connections) == [
        "https://a.example:9200",
        "https://b.example:9201",
    ]
    expected_auth = "Basic " + base64.b64encode(b"kx:secret").decode()
    for connection in connections:
        assert connection.headers["authorization"] == expected_auth
        assert connection.pool.ca_certs == CA_BUNDLE
        assert connection.pool.cert_reqs == "CERT_REQUIRED"
    # A refusing node is skipped (one retry per other node); a slow one is not retried.
    assert engine.client.transport.max_retries == 1
    assert engine.client.transport.retry_on_timeout is False


def test_the_elasticsearch_client_carries_the_options_to_every_node():
    engine = connect(
        "https://a.example:9200,https://b.example:9201",
        engine="elasticsearch",
        timeout=3,
        api_key="a2V5",
        ca_certs=CA_BUNDLE,
    )
    nodes = sorted(engine.client.transport.node_pool.all(), key=lambda n: n.config.port)
    assert [(n.config.host, n.config.port) for n in nodes] == [
        ("a.example", 9200),
        ("b.example", 9201),
    ]
    assert all(n.config.ca_certs == CA_BUNDLE and n.config.verify_certs for n in nodes)
    assert engine.client._headers["authorization"] == "ApiKey a2V5"


def test_a_connection_without_verification_is_logged_once_per_client(caplog):
    with caplog.at_level(logging.WARNING, logger="search.engine"):
        connect("https://unverified.example:9200", timeout=3, verify_certs=False)
        connect("https://unverified.example:9200", timeout=3, verify_certs=False)
    warnings = [r for r in caplog.records if "certificate verification is off" in r.message]
    assert len(warnings) == 1
    assert "https://unverified.example:9200" in warnings[0].message


# The settings, read from the environment as in production, for us and for Wagtail.


def settings_from_environment(**environment):
    """Import the settings in a fresh interpreter with ``environment``; return the search ones."""
    code = (
        "import json\n"
        "from kx_site.settings import base\n"
        "print(json.dumps({'wagtail': base.WAGTAILSEARCH_BACKENDS['default'],\n"
        "    'verify': base.SEARCH_VERIFY_CERTS}))\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEARCH_")}
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, **environment},
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if result.returncode:
        return {"error": result.stderr.strip().splitlines()[-1]}
    return json.loads(result.stdout)


def test_the_settings_give_wagtail_the_same_nodes_credentials_and_tls():
    found = settings_from_environment(
        SEARCH_URL="https://kx:secret@a.example:9200, https://b.example:9200",
        SEARCH_CA_CERTS=CA_BUNDLE,
    )
    assert found["verify"] is True
    wagtail = found["wagtail"]
    assert wagtail["BACKEND"] == "wagtail.search.backends.opensearch2"
    assert wagtail["HOSTS"] == ["https://a.example:9200", "https://b.example:9200"]
    assert wagtail["OPTIONS"] == {
        "http_auth": ["kx", "secret"],
        "verify_certs": True,
        "ca_certs": CA_BUNDLE,
    }
    # Wagtail's client, built from that entry, verifies and authenticates on every node.
    backend = backend_from(wagtail)
    connections = backend.es.transport.connection_pool.connections
    assert len(connections) == 2
    for connection in connections:
        assert connection.headers["authorization"].startswith("Basic ")
        assert connection.pool.cert_reqs == "CERT_REQUIRED"
        assert connection.pool.ca_certs == CA_BUNDLE


def test_the_settings_refuse_an_unclear_verification_switch():
    found = settings_from_environment(
        SEARCH_URL="https://a.example:9200", SEARCH_VERIFY_CERTS="maybe"
    )
    assert "SEARCH_VERIFY_CERTS must be true or false" in found["error"]
    found = settings_from_environment(
        SEARCH_URL="https://a.example:9200", SEARCH_VERIFY_CERTS="FALSE"
    )
    assert found["verify"] is False
    assert found["wagtail"]["OPTIONS"] == {"verify_certs": False, "ssl_show_warn": False}


def backend_from(entry):
    return get_search_backend(
        entry["BACKEND"], **{k: v for k, v in entry.items() if k != "BACKEND"}
    )


# With the real node.


def test_a_dead_node_beside_a_live_one_does_not_fail_a_search(engine_url, settings, db):
    user = UserFactory()
    PracticePageFactory(title="Turnstone practice", audience="registered")
    settings.SEARCH_URL = f"{DEAD_NODE},{engine_url}"
    settings.SEARCH_INDEX = TEST_INDEX
    settings.SEARCH_TIMEOUT = 15
    from search import services

    services.search_entries_rebuild()
    services.search_engine_sync()
    connect(engine_url, timeout=30).refresh(alias_name())
    # Round robin over two nodes: two searches reach both, so the dead one is tried.
    for _ in range(3):
        results = selectors.search(SearchQuery(text="turnstone"), user)
        assert results.source == "engine" and not results.fallback
        assert [hit.title for hit in results.hits] == ["Turnstone practice"]
    # The client the searches used: the dead node was tried, and is now skipped.
    pool = connect(settings.SEARCH_URL, timeout=15).client.transport.connection_pool
    assert [c.host for c in pool.dead_count] == [DEAD_NODE]
    # Alone, the dead node fails: the search above succeeded because of the live one.
    with pytest.raises(EngineUnavailable):
        connect(DEAD_NODE, timeout=5).search(alias_name(), {"query": {"match_all": {}}})


class SecuredNode:
    """A TLS proxy in front of the dev node that asks for credentials, as a secured cluster
    does: basic auth ``kx``/``secret`` or the API key ``a2V5``."""

    def __init__(self, node_url, ca_path):
        node = urlsplit(node_url)
        ca = trustme.CA()
        ca.cert_pem.write_to_path(ca_path)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        allowed = {"Basic " + base64.b64encode(b"kx:secret").decode(), "ApiKey a2V5"}
        self.requests = []

        class Handler(BaseHTTPRequestHandler):
            def forward(handler):
                self.requests.append(handler.headers.get("Authorization"))
                if handler.headers.get("Authorization") not in allowed:
                    body, status = b'{"error":"unauthorized","status":401}', 401
                else:
                    length = int(handler.headers.get("Content-Length") or 0)
                    upstream = http.client.HTTPConnection(node.hostname, node.port, timeout=30)
                    upstream.request(
                        handler.command,
                        handler.path,
                        body=handler.rfile.read(length) if length else None,
                        headers={"Content-Type": handler.headers.get("Content-Type", "")},
                    )
                    answer = upstream.getresponse()
                    body, status = answer.read(), answer.status
                    upstream.close()
                handler.send_response(status)
                handler.send_header("Content-Type", "application/json")
                handler.send_header("Content-Length", str(len(body)))
                handler.end_headers()
                if handler.command != "HEAD":
                    handler.wfile.write(body)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = forward

            def log_message(handler, *args):
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(server, request, client_address):
                pass  # a client refusing our certificate, as it should

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def secured_node(engine_url, tmp_path):
    node = SecuredNode(engine_url, tmp_path / "kx-ca.pem")
    yield node
    node.close()


def info(engine):
    return engine._call(engine.client.info)


def test_tls_with_a_private_ca_and_credentials_reach_the_node(secured_node, tmp_path):
    ca = str(tmp_path / "kx-ca.pem")
    by_password = connect(
        secured_node.url, timeout=30, username="kx", password="secret", ca_certs=ca
    )
    assert info(by_password)["version"]["distribution"] == "opensearch"
    in_url = secured_node.url.replace("https://", "https://kx:secret@")
    assert info(connect(in_url, timeout=30, ca_certs=ca))["version"]["number"]
    by_key = connect(secured_node.url, timeout=30, api_key="a2V5", ca_certs=ca)
    assert info(by_key)["version"]["number"]
    assert secured_node.requests[-1] == "ApiKey a2V5"


def test_certificates_are_verified_unless_turned_off(secured_node, tmp_path):
    # The proxy's certificate is signed by a CA the system does not trust: refused by default.
    untrusted = connect(secured_node.url, timeout=30, username="kx", password="secret")
    with pytest.raises(EngineUnavailable, match="CERTIFICATE_VERIFY_FAILED"):
        info(untrusted)
    assert secured_node.requests == []  # nothing, credentials included, was sent
    unverified = connect(
        secured_node.url, timeout=30, username="kx", password="secret", verify_certs=False
    )
    assert info(unverified)["version"]["number"]
    wrong_password = connect(
        secured_node.url,
        timeout=30,
        username="kx",
        password="guess",
        ca_certs=str(tmp_path / "kx-ca.pem"),
    )
    with pytest.raises(EngineUnavailable, match="401"):
        info(wrong_password)


def test_wagtail_reaches_the_secured_node_with_the_settings_options(secured_node, tmp_path):
    found = settings_from_environment(
        SEARCH_URL=secured_node.url.replace("https://", "https://kx:secret@"),
        SEARCH_CA_CERTS=str(tmp_path / "kx-ca.pem"),
    )
    backend = backend_from(found["wagtail"])
    assert backend.es.info()["version"]["distribution"] == "opensearch"
    assert secured_node.requests[-1].startswith("Basic ")
