"""The engine adapter: one small interface, two clients.

Every body the app sends is a plain dict built with ``elasticsearch.dsl``; the adapters only carry
it to the engine. ``OpenSearchEngine`` speaks to OpenSearch 2.x/3.x through opensearch-py and
``ElasticsearchEngine`` to Elasticsearch 8.x through the elasticsearch client. Any failure to
reach the engine (refused, timed out, answered with an error) surfaces as ``EngineUnavailable``
so that callers can fall back to the database instead of failing the request.
"""

from django.conf import settings


class EngineUnavailable(Exception):
    """The engine could not be reached or refused the request."""


class Engine:
    name = ""

    def __init__(self, client):
        self.client = client

    # Each adapter says how its client spells these calls; the bodies are the same dicts.
    def _search(self, index, body):
        raise NotImplementedError

    def _index(self, index, doc_id, document):
        raise NotImplementedError

    def _bulk(self, operations):
        raise NotImplementedError

    def _errors(self):
        raise NotImplementedError

    def _not_found(self):
        raise NotImplementedError

    def _call(self, function, *args, **kwargs):
        try:
            return function(*args, **kwargs)
        except self._not_found():
            raise
        except self._errors() as exc:
            raise EngineUnavailable(f"{self.name}: {exc}") from exc

    def search(self, index, body):
        try:
            response = self._call(self._search, index, body)
        except self._not_found() as exc:
            raise EngineUnavailable(
                f"{self.name}: no index {index!r} yet (run manage.py search_index --rebuild)"
            ) from exc
        return dict(getattr(response, "body", response))

    def index_document(self, index, doc_id, document):
        self._call(self._index, index, doc_id, document)

    def delete_document(self, index, doc_id):
        try:
            self._call(self.client.delete, index=index, id=doc_id)
        except self._not_found():
            pass

    def bulk(self, operations):
        """``operations`` alternate action and source lines, as the _bulk API takes them."""
        if not operations:
            return {"errors": False, "items": []}
        response = self._call(self._bulk, operations)
        response = dict(getattr(response, "body", response))
        if response.get("errors"):
            failed = [item for item in response["items"] if next(iter(item.values())).get("error")]
            raise EngineUnavailable(f"{self.name}: {len(failed)} bulk operations failed")
        return response

    def create_index(self, name, body):
        self._call(self.client.indices.create, index=name, body=body)

    def delete_index(self, name):
        try:
            self._call(self.client.indices.delete, index=name)
        except self._not_found():
            pass

    def refresh(self, index):
        self._call(self.client.indices.refresh, index=index)

    def alias_targets(self, alias):
        """The indexes behind ``alias`` (none if the alias does not exist yet)."""
        response = dict(self._call(self._get_alias, alias))
        if response.get("status") == 404 or "error" in response:
            return []
        return sorted(response)

    def point_alias(self, alias, index):
        """Move ``alias`` to ``index`` in one atomic step, so that search never goes down."""
        actions = [{"remove": {"index": old, "alias": alias}} for old in self.alias_targets(alias)]
        actions.append({"add": {"index": index, "alias": alias}})
        self._call(self.client.indices.update_aliases, body={"actions": actions})

    def indices(self, pattern):
        try:
            response = self._call(self.client.indices.get, index=pattern)
        except self._not_found():
            return []
        return sorted(dict(getattr(response, "body", response)))


class OpenSearchEngine(Engine):
    name = "opensearch"

    @classmethod
    def connect(cls, url, timeout):
        from opensearchpy import OpenSearch

        return cls(OpenSearch(url, timeout=timeout, max_retries=0, retry_on_timeout=False))

    def _search(self, index, body):
        return self.client.search(index=index, body=body)

    def _index(self, index, doc_id, document):
        return self.client.index(index=index, id=doc_id, body=document)

    def _bulk(self, operations):
        return self.client.bulk(body=operations)

    def _get_alias(self, alias):
        # A missing alias is an answer, not a fault: no 404 warning in the log.
        return self.client.indices.get_alias(name=alias, ignore=404)

    def _errors(self):
        from opensearchpy.exceptions import TransportError

        # ConnectionError and ConnectionTimeout are TransportErrors in opensearch-py.
        return (TransportError,)

    def _not_found(self):
        from opensearchpy.exceptions import NotFoundError

        return NotFoundError


class ElasticsearchEngine(Engine):
    name = "elasticsearch"

    @classmethod
    def connect(cls, url, timeout):
        from elasticsearch import Elasticsearch

        return cls(
            Elasticsearch(url, request_timeout=timeout, max_retries=0, retry_on_timeout=False)
        )

    def _search(self, index, body):
        return self.client.search(index=index, body=body)

    def _index(self, index, doc_id, document):
        return self.client.index(index=index, id=doc_id, document=document)

    def _bulk(self, operations):
        return self.client.bulk(operations=operations)

    def _get_alias(self, alias):
        response = self.client.options(ignore_status=404).indices.get_alias(name=alias)
        return response.body

    def _errors(self):
        from elasticsearch import ApiError, TransportError, UnsupportedProductError

        return (ApiError, TransportError, UnsupportedProductError)

    def _not_found(self):
        from elasticsearch import NotFoundError

        return NotFoundError


ENGINES = {"opensearch": OpenSearchEngine, "elasticsearch": ElasticsearchEngine}


def connect(url, *, engine="opensearch", timeout=None):
    return ENGINES[engine].connect(url, settings.SEARCH_TIMEOUT if timeout is None else timeout)


def get_engine(*, timeout=None):
    """The configured engine, or None when search runs on the database."""
    if not settings.SEARCH_URL:
        return None
    return connect(settings.SEARCH_URL, engine=settings.SEARCH_ENGINE, timeout=timeout)
