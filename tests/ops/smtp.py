"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, keeping every message it accepts.

``running_smtp_server(settings)`` starts one on a free port and points Django's SMTP backend at
it; ``server.stop()`` closes the port (a mail server that is down) and ``server.start()`` opens
it again on the same port, keeping what was received before.
"""

import socket
import ssl
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from ipaddress import IPv4Address

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

# cryptography comes with allauth[mfa] (through fido2); here it only makes test certificates.
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


@dataclass
class ReceivedEmail:
    mail_from: str
    rcpt_tos: list
    message: EmailMessage
    tls: bool
    login: str | None

    @property
    def message_id(self):
        return self.message["Message-ID"]

    def attachments(self):
        return [
            (part.get_filename(), part.get_content_type(), part.get_content())
            for part in self.message.iter_attachments()
        ]


class RecordingHandler:
    def __init__(self, received):
        self.received = received

    async def handle_DATA(self, server, session, envelope):
        self.received.append(
            ReceivedEmail(
                mail_from=envelope.mail_from,
                rcpt_tos=list(envelope.rcpt_tos),
                message=message_from_bytes(envelope.original_content, policy=policy.default),
                tls=server.transport.get_extra_info("ssl_object") is not None,
                login=session.auth_data.login.decode() if session.authenticated else None,
            )
        )
        return "250 OK"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SmtpServer:
    """``tls_context`` offers STARTTLS, ``ssl_context`` speaks TLS from the start; with
    ``credentials`` (login, password) the server demands AUTH, and only over TLS."""

    host = "127.0.0.1"

    def __init__(self, *, tls_context=None, ssl_context=None, credentials=None):
        self.port = free_port()
        self.received = []
        self.tls_context = tls_context
        self.ssl_context = ssl_context
        self.credentials = credentials
        self._controller = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        given = (auth_data.login.decode(), auth_data.password.decode())
        return AuthResult(success=given == self.credentials, auth_data=auth_data)

    def start(self):
        options = {}
        if self.tls_context:
            options.update(tls_context=self.tls_context, require_starttls=True)
        if self.credentials:
            options.update(authenticator=self._authenticate, auth_required=True)
            # aiosmtpd counts only STARTTLS as TLS for AUTH; from the start, all of it is TLS.
            options["auth_require_tls"] = not self.ssl_context
        self._controller = Controller(
            RecordingHandler(self.received),
            hostname=self.host,
            port=self.port,
            ssl_context=self.ssl_context,
            **options,
        )
        self._controller.start()

    def stop(self):
        self._controller.stop()
        self._controller = None

    @property
    def running(self):
        return self._controller is not None

    def message_id_counts(self):
        return Counter(email.message_id for email in self.received)


@contextmanager
def running_smtp_server(settings, **options):
    """Start a server and send Django's email through SMTP to it."""
    server = SmtpServer(**options)
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        if server.running:
            server.stop()


def tls_certificates(folder):
    """A certificate authority and a server certificate it signed for 127.0.0.1.

    Returns the authority's PEM file (for SSL_CERT_FILE, so that the client trusts it) and a
    server-side ``ssl.SSLContext`` holding the server certificate.
    """
    now = datetime.now(UTC)

    def build(subject, issuer, public_key, signing_key, extensions):
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=1))
        )
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = build(
        "KX test mail CA",
        "KX test mail CA",
        ca_key.public_key(),
        ca_key,
        [
            (x509.BasicConstraints(ca=True, path_length=0), True),
            (
                x509.KeyUsage(
                    digital_signature=False,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=True,
                    crl_sign=True,
                    encipher_only=False,
                    decipher_only=False,
                ),
                True,
            ),
            (x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False),
        ],
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = build(
        "127.0.0.1",
        "KX test mail CA",
        server_key.public_key(),
        ca_key,
        [
            (x509.BasicConstraints(ca=False, path_length=None), True),
            (x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]), False),
            (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
            (x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False),
        ],
    )
    ca_file = folder / "mail-ca.pem"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    chain_file = folder / "mail-server.pem"
    chain_file.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + server.public_bytes(serialization.Encoding.PEM)
    )
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(chain_file)
    return ca_file, server_context
