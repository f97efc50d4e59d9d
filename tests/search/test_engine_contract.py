"""Both adapters send the engine the same bodies for every request the app makes.

The wire is replaced at each client's transport (``perform_request``), below the client API,
so this proves what each client would put on the wire; every other engine test uses a real node.
"""

import json

import pytest
from django.contrib.auth.models import AnonymousUser

from search import queries
from search.engine import EngineUnavailable, connect
from search.queries import SearchQuery
from tests.factories import PractitionerFactory

pytestmark = pytest.mark.django_db

SEARCH_RESPONSE = {"hits": {"total": {"value": 0}, "hits": []}, "aggregations": {}}
ALIAS_RESPONSE = {"kx-0": {"aliases": {"kx": {}}}}


def response_for(path):
    if path.startswith("/_alias/"):
        return ALIAS_RESPONSE
    return {"errors": False, "items": [], **SEARCH_RESPONSE}


def opensearch_capture(monkeypatch):
    from search.opensearch_client import Transport

    sent = []

    def perform_request(self, method, url, headers=None, params=None, body=None):
        sent.append((method, url, body))
        return response_for(url)

    monkeypatch.setattr(Transport, "perform_request", perform_request)
    return connect("http://opensearch.invalid:9200", engine="opensearch"), sent


def elasticsearch_capture(monkeypatch):
    from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig, Transport

    sent = []

    def perform_request(self, method, target, *, body=None, headers=None, **kwargs):
        sent.append((method, target.split("?")[0], body))
        meta = ApiResponseMeta(
            status=200,
            http_version="1.1",
            headers=HttpHeaders({"x-elastic-product": "Elasticsearch"}),
            duration=0.0,
            node=NodeConfig("http", "elasticsearch.invalid", 9200),
        )
        return meta, response_for(target.split("?")[0])

    monkeypatch.setattr(Transport, "perform_request", perform_request)
    return connect("http://elasticsearch.invalid:9200", engine="elasticsearch"), sent


def app_requests(engine, user):
    """Every kind of request the app sends, with the bodies it builds."""
    bodies = [
        queries.search_body(SearchQuery(text="home visits"), user),
        queries.search_body(
            SearchQuery(
                text='risk "joint visits"',
                filters={"type": ("practice",), "topic": ("mappa",), "year": (2024,)},
                sort="date",
                page=3,
            ),
            user,
        ),
        queries.search_body(SearchQuery(), user),
        queries.keys_body(
            SearchQuery(text="home visits", filters={"type": ("practice",), "topic": ("mappa",)}),
            user,
        ),
        queries.suggest_body("home vi", user),
        queries.spelling_body("hom visits", user),
        queries.related_body("practice:1", user),
    ]
    for body in bodies:
        engine.search("kx", body)
    engine.bulk(
        [
            {"index": {"_index": "kx", "_id": "practice:1"}},
            {"title": "Joint visits", "audience": "public"},
            {"delete": {"_index": "kx", "_id": "practice:2"}},
        ]
    )
    engine.create_index("kx-1", {"settings": {"number_of_shards": 1}, "mappings": {}})
    engine.index_document("kx", "practice:3", {"title": "One"})
    assert engine.alias_targets("kx") == ["kx-0"]
    engine.point_alias("kx", "kx-1")


def normalise(sent):
    """(path, body) with bodies compared as JSON values, whatever their framing.

    The HTTP method is each client's choice for the same endpoint (PUT or POST for _bulk).
    """
    normalised = []
    for _method, path, body in sent:
        if isinstance(body, bytes):
            body = body.decode()
        if isinstance(body, str):
            lines = [line for line in body.splitlines() if line.strip()]
            body = [json.loads(line) for line in lines]
            body = body[0] if len(body) == 1 else body
        normalised.append((path, body))
    return normalised


@pytest.mark.parametrize("practitioner", [False, True])
def test_both_adapters_send_identical_bodies(monkeypatch, practitioner):
    user = PractitionerFactory() if practitioner else AnonymousUser()
    opensearch, sent_by_opensearch = opensearch_capture(monkeypatch)
    elasticsearch, sent_by_elasticsearch = elasticsearch_capture(monkeypatch)
    app_requests(opensearch, user)
    app_requests(elasticsearch, user)
    assert len(sent_by_opensearch) == 13
    assert normalise(sent_by_opensearch) == normalise(sent_by_elasticsearch)


def test_an_unreachable_engine_is_reported_as_unavailable():
    for engine_name in ("opensearch", "elasticsearch"):
        engine = connect("http://127.0.0.1:9", engine=engine_name, timeout=0.5)
        with pytest.raises(EngineUnavailable):
            engine.search("kx", {"query": {"match_all": {}}})
