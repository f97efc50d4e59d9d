"""Fetching files in tests."""


def download(client, document):
    """GET a document's URL and read the whole body into ``response.body``.

    Reading a streamed response to its end closes it (Django's test client wraps the stream).
    Do not call ``response.close()`` here: it would fire ``request_finished`` outside the test
    client, and on PostgreSQL that closes the database connection inside the test's transaction.
    """
    response = client.get(document.url)
    response.body = b"".join(response.streaming_content) if response.streaming else b""
    return response
