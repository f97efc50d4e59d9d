"""The engine adapter: one small interface, two clients.

Every body the app sends is a plain dict built with ``elasticsearch.dsl``; the adapters only carry
it to the engine. ``OpenSearchEngine`` speaks to OpenSearch 2.x/3.x through opensearch-py and
``ElasticsearchEngine`` to Elasticsearch 8.x through the elasticsearch client. Any failure to
reach the engine (refused, timed out, answered with an error) surfaces as ``EngineUnavailable``
so that callers can fall back to the database instead of failing the request.

How to reach the engine (several node URLs, credentials, TLS) is worked out once, by
``client_config``, for our clients and for Wagtail's admin search backend alike (see settings).
"""

import logging
import os
import threading
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


class EngineUnavailable(Exception):
    """The engine could not be reached or refused the request."""


@dataclass(frozen=True)
class ClientConfig:
    """Node URLs without credentials, and the client keyword arguments that carry credentials
    and TLS options. ``warnings`` name what weakens the connection's security."""

    hosts: tuple
    options: dict = field(default_factory=dict)
    warnings: tuple = ()


def _redacted(url):
    """``url`` with any password replaced, for error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


def _node(url):
    """(scheme, URL without credentials but with its port, (username, password) or None)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ImproperlyConfigured(f"SEARCH_URL: {_redacted(url)!r} is not a URL: {exc}") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(
            f"SEARCH_URL: {_redacted(url)!r} must be an http:// or https:// URL with a host"
        )
    host = parts.netloc.rpartition("@")[2]
    if port is None:
        host = f"{host}:{443 if parts.scheme == 'https' else 80}"
    path = parts.path.rstrip("/")
    credentials = None
    if parts.username is not None:
        if parts.password is None:
            raise ImproperlyConfigured(
                f"SEARCH_URL: {_redacted(url)!r} names a user but no password"
            )
        credentials = (unquote(parts.username), unquote(parts.password))
    return parts.scheme, f"{parts.scheme}://{host}{path}", credentials


def client_config(
    url,
    *,
    engine="opensearch",
    username="",
    password="",
    api_key="",
    ca_certs="",
    verify_certs=True,
):
    """How a client reaches the engine at ``url`` (one node URL, or several separated by commas).

    Credentials are a username and password (given apart, or in the URLs, never both unless
    they agree) or an API key. Certificates are verified unless ``verify_certs`` is False, against
    ``ca_certs`` when given (a PEM bundle), else the system's. Raises ImproperlyConfigured for
    anything contradictory; never puts a password in a message.
    """
    urls = [u.strip() for u in (url.split(",") if isinstance(url, str) else url) if u.strip()]
    if not urls:
        raise ImproperlyConfigured("SEARCH_URL names no node")
    nodes = [_node(u) for u in urls]
    schemes = {scheme for scheme, _host, _credentials in nodes}
    if len(schemes) > 1:
        raise ImproperlyConfigured("SEARCH_URL: every node must use the same scheme (https)")
    tls = schemes == {"https"}

    in_urls = {credentials for _scheme, _host, credentials in nodes if credentials}
    if len(in_urls) > 1:
        raise ImproperlyConfigured("SEARCH_URL: the nodes' URLs carry different credentials")
    basic = next(iter(in_urls), None)
    if username or password:
        if not (username and password):
            raise ImproperlyConfigured("SEARCH_USERNAME and SEARCH_PASSWORD go together")
        if basic and basic != (username, password):
            raise ImproperlyConfigured(
                "SEARCH_URL carries credentials that differ from SEARCH_USERNAME/SEARCH_PASSWORD"
            )
        basic = (username, password)
    if basic and api_key:
        raise ImproperlyConfigured(
            "Give the search engine a username and password or SEARCH_API_KEY, not both"
        )

    options, warnings = {}, []
    if engine == "elasticsearch":
        if basic:
            options["basic_auth"] = basic
        if api_key:
            options["api_key"] = api_key
    else:
        if basic:
            options["http_auth"] = basic
        if api_key:
            # OpenSearch 3.7+ (security plugin) takes the same header as Elasticsearch.
            options["headers"] = {"Authorization": f"ApiKey {api_key}"}
    if tls:
        options["verify_certs"] = bool(verify_certs)
        if ca_certs:
            if not os.path.isfile(ca_certs):
                raise ImproperlyConfigured(f"SEARCH_CA_CERTS: no file at {ca_certs}")
            options["ca_certs"] = ca_certs
        if not verify_certs:
            # The clients' own warnings would go to stderr on every request; ours is logged.
            options["ssl_show_warn"] = False
            warnings.append(
                "certificate verification is off (SEARCH_VERIFY_CERTS=false): anyone on the "
                "path can impersonate the engine and read what is sent to it"
            )
    else:
        if ca_certs:
            raise ImproperlyConfigured("SEARCH_CA_CERTS is set but SEARCH_URL does not use https")
        if basic or api_key:
            warnings.append("credentials are sent unencrypted: SEARCH_URL does not use https")
    return ClientConfig(
        hosts=tuple(host for _scheme, host, _credentials in nodes),
        options=options,
        warnings=tuple(warnings),
    )


class Engine:
    name = ""

    def __init__(self, client):
        self.client = client

    # Each adapter says how its client spells these calls; the bodies are the same dicts.
    def _search(self, index, body, filter_path=None):
        raise NotImplementedError

    def _index(self, index, doc_id, document):
        raise NotImplementedError

    def _bulk(self, operations):
        raise NotImplementedError

    def _get_alias(self, alias):
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

    def search(self, index, body, *, filter_path=None):
        """The engine's answer to ``body``; ``filter_path`` (as the API takes it) keeps only the
        parts of the answer the caller reads."""
        try:
            response = self._call(self._search, index, body, filter_path)
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

    def force_merge(self, index):
        """Merge ``index`` into one segment per shard: for a freshly filled index before search
        reads it. A rebuild leaves a dozen segments at 100,000 documents, and each search pays
        for each segment (term lookups, fuzzy expansions, facet value tables); merged, a search
        took half the time (docs/performance.md). Waits until the merge is done: connect with a
        timeout of minutes, not the search timeout."""
        self._call(self.client.indices.forcemerge, index=index, max_num_segments=1)
        # Searches keep reading the old segments until the next refresh.
        self.refresh(index)

    def alias_targets(self, alias):
        """The indexes behind ``alias`` (none if the alias does not exist yet)."""
        response = dict(self._call(self._get_alias, alias))
        if response.get("status") == 404 or "error" in response:
            return []
        return sorted(response)

    def aliases(self, *names):
        """{alias: [indexes behind it]} for each of ``names``, read in one request so that the
        answer is one state of the cluster (a missing alias has no indexes)."""
        response = dict(self._call(self._get_alias, ",".join(names)))
        # Missing aliases add "error" and "status" keys beside the indexes that were found.
        found = {
            index: entry.get("aliases", {})
            for index, entry in response.items()
            if isinstance(entry, dict) and isinstance(entry.get("aliases"), dict)
        }
        return {name: sorted(i for i, held in found.items() if name in held) for name in names}

    def point_alias(self, alias, index, *, remove_aliases=()):
        """Move ``alias`` to ``index`` in one atomic step, so that search never goes down; the
        same step takes ``remove_aliases`` off ``index``. Returns the indexes it left."""
        old = self.alias_targets(alias)
        actions = [{"remove": {"index": o, "alias": alias}} for o in old if o != index]
        actions.append({"add": {"index": index, "alias": alias}})
        actions += [{"remove": {"index": index, "alias": other}} for other in remove_aliases]
        self._call(self.client.indices.update_aliases, body={"actions": actions})
        return [o for o in old if o != index]

    def indices(self, pattern):
        try:
            response = self._call(self.client.indices.get, index=pattern)
        except self._not_found():
            return []
        return sorted(dict(getattr(response, "body", response)))


class OpenSearchEngine(Engine):
    name = "opensearch"

    @classmethod
    def make_client(cls, hosts, options, timeout):
        from .opensearch_client import OpenSearch

        # A node that refuses the connection costs little: the next one is tried. A node that
        # times out is not retried, so a slow cluster never doubles a page's wait.
        return OpenSearch(
            list(hosts),
            timeout=timeout,
            max_retries=len(hosts) - 1,
            retry_on_timeout=False,
            **options,
        )

    def _search(self, index, body, filter_path=None):
        if filter_path:
            return self.client.search(index=index, body=body, filter_path=filter_path)
        return self.client.search(index=index, body=body)

    def _index(self, index, doc_id, document):
        return self.client.index(index=index, id=doc_id, body=document)

    def _bulk(self, operations):
        return self.client.bulk(body=operations)

    def _get_alias(self, alias):
        # A missing alias is an answer, not a fault: no 404 warning in the log.
        return self.client.indices.get_alias(name=alias, ignore=404)

    def _errors(self):
        from .opensearch_client import TransportError

        # ConnectionError and ConnectionTimeout are TransportErrors in opensearch-py.
        return (TransportError,)

    def _not_found(self):
        from .opensearch_client import NotFoundError

        return NotFoundError


class ElasticsearchEngine(Engine):
    name = "elasticsearch"

    @classmethod
    def make_client(cls, hosts, options, timeout):
        from elasticsearch import Elasticsearch

        return Elasticsearch(
            list(hosts),
            request_timeout=timeout,
            max_retries=len(hosts) - 1,
            retry_on_timeout=False,
            **options,
        )

    def _search(self, index, body, filter_path=None):
        if filter_path:
            return self.client.search(index=index, body=body, filter_path=filter_path)
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

# One client per configuration and timeout for the life of the process: its connections are
# kept alive (no TLS handshake per search) and a node found dead is skipped until it recovers.
_clients = {}
_clients_lock = threading.Lock()


def _client(engine, config, timeout):
    key = (engine, config.hosts, repr(sorted(config.options.items())), timeout)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            for warning in config.warnings:
                logger.warning("Search engine at %s: %s", ", ".join(config.hosts), warning)
            client = _clients[key] = ENGINES[engine].make_client(
                config.hosts, config.options, timeout
            )
    return client


def connect(url, *, engine="opensearch", timeout=None, **credentials):
    """An engine adapter for ``url`` (see ``client_config`` for it and ``credentials``)."""
    config = client_config(url, engine=engine, **credentials)
    timeout = settings.SEARCH_TIMEOUT if timeout is None else timeout
    return ENGINES[engine](_client(engine, config, timeout))


def configured_credentials():
    """The credentials and TLS settings for ``connect``, as the settings give them."""
    return {
        "username": settings.SEARCH_USERNAME,
        "password": settings.SEARCH_PASSWORD,
        "api_key": settings.SEARCH_API_KEY,
        "ca_certs": settings.SEARCH_CA_CERTS,
        "verify_certs": settings.SEARCH_VERIFY_CERTS,
    }


def get_engine(*, timeout=None):
    """The configured engine, or None when search runs on the database."""
    if not settings.SEARCH_URL:
        return None
    return connect(
        settings.SEARCH_URL,
        engine=settings.SEARCH_ENGINE,
        timeout=timeout,
        **configured_credentials(),
    )
