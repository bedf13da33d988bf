"""PAdES signatures on statement PDFs, made with the school's certificate.

A PDF reader shows a signed statement as signed and unchanged since signing. The certificate
comes from the configuration (``WIJKLAB_SIGNING_P12``, or ``WIJKLAB_SIGNING_KEY`` with
``WIJKLAB_SIGNING_CERT``); without one, development and the tests use a self-signed certificate
generated once under ``<instance>/signing/``, and production refuses to start (wijklab.config).
The loaded signer is kept per app, so a request never reads key files.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from flask import Flask, current_app
from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder_data
from pyhanko.keys.pemder import load_certs_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from wijklab.config import SIGNING_SETTINGS, ConfigError

SIGNATURE_FIELD = "Wijklab"
# Part of the signature itself (a reader shows it as the reason), so one fixed Dutch text.
SIGNATURE_REASON = "Praktijkverklaring"
DEVELOPMENT_COMMON_NAME = "Wijklab ontwikkelcertificaat"
DEVELOPMENT_FILE = "ontwikkelcertificaat.pem"
DEVELOPMENT_VALIDITY = timedelta(days=3650)
EXTENSION = "wijklab.signing"
_lock = threading.Lock()


def sign_pdf(data: bytes, app: Flask | None = None) -> bytes:
    """The PDF with an invisible PAdES signature (ETSI.CAdES.detached, SHA-256) in the field
    "Wijklab", made with the configured certificate, added as an incremental update."""
    signer = _signer(app or current_app)
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        reason=SIGNATURE_REASON,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(bytes(data)))
    # pyHanko's synchronous wrapper runs an event loop of its own (a sync worker has none).
    return signers.sign_pdf(writer, metadata, signer=signer).getvalue()


def signing_certificate_info(app: Flask | None = None) -> dict:
    """Who signs: subject, issuer, SHA-256 fingerprint (as a PDF reader shows it) and not_after."""
    certificate = _certificate(app or current_app)
    return {
        "subject": certificate.subject.rfc4514_string(),
        "issuer": certificate.issuer.rfc4514_string(),
        "fingerprint_sha256": certificate.fingerprint(hashes.SHA256()).hex(":").upper(),
        "not_after": certificate.not_valid_after_utc,
    }


def signing_certificate_pem(app: Flask | None = None) -> bytes:
    """The signing certificate (never the key) as PEM, for a reader to trust or compare."""
    return _certificate(app or current_app).public_bytes(serialization.Encoding.PEM)


def development_certificate(folder: Path) -> Path:
    """The development key and self-signed certificate in one PEM file in ``folder``, generated
    the first time; parallel workers creating it at once agree on the first one written."""
    path = folder / DEVELOPMENT_FILE
    if path.is_file():
        return path
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # mkstemp creates the file readable by its owner only: the key never lies open.
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".ontwikkelcertificaat-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(_self_signed_pem())
            out.flush()
            os.fsync(out.fileno())
        try:
            # A hard link creates the name only when it is free, atomically: of several workers
            # the first one wins, and nobody ever reads a half-written file or a key of one
            # worker with the certificate of another.
            os.link(temporary, path)
        except FileExistsError:
            pass
        except OSError:
            # A file system without hard links: the last complete file wins instead.
            if not path.is_file():
                os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return path


def _self_signed_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, DEVELOPMENT_COMMON_NAME),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Wijklab"),
        ]
    )
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        # A day back, so a machine whose clock runs a little behind still accepts it.
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + DEVELOPMENT_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        # Non-repudiation (content commitment): validators expect it on a document signer.
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ) + certificate.public_bytes(serialization.Encoding.PEM)


def _signer(app: Flask) -> signers.SimpleSigner:
    """The app's signer, loaded once per configuration (a test that changes it gets a new one)."""
    settings = tuple(app.config.get(name) for name in SIGNING_SETTINGS)
    cache = app.extensions.setdefault(EXTENSION, {})
    signer = cache.get(settings)
    if signer is None:
        with _lock:
            signer = cache.get(settings)
            if signer is None:
                signer = cache[settings] = _load_signer(app)
    return signer


def _certificate(app: Flask) -> x509.Certificate:
    return x509.load_der_x509_certificate(_signer(app).signing_cert.dump())


def _load_signer(app: Flask) -> signers.SimpleSigner:
    config = app.config
    chain = _chain(config.get("SIGNING_CHAIN"))
    if config.get("SIGNING_P12"):
        signer = _p12_signer(config["SIGNING_P12"], config.get("SIGNING_P12_PASSWORD"), chain)
    elif config.get("SIGNING_KEY") or config.get("SIGNING_CERT"):
        if not (config.get("SIGNING_KEY") and config.get("SIGNING_CERT")):
            raise ConfigError("WIJKLAB_SIGNING_KEY and WIJKLAB_SIGNING_CERT go together: set both.")
        signer = _pem_signer(
            config["SIGNING_KEY"], config["SIGNING_CERT"], config.get("SIGNING_KEY_PASSWORD"), chain
        )
    elif config["ENV_NAME"] == "production":
        raise ConfigError(
            "No signing certificate: set WIJKLAB_SIGNING_P12 or WIJKLAB_SIGNING_KEY and "
            "WIJKLAB_SIGNING_CERT (production never uses a generated certificate)."
        )
    else:
        folder = Path(config.get("SIGNING_DIR") or Path(app.instance_path) / "signing")
        signer = _pem_signer(development_certificate(folder), None, None, chain)
    _check_validity(signer.signing_cert)
    return signer


def _read(path: str | os.PathLike, setting: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ConfigError(f"{setting}: cannot read {path} ({exc.strerror}).") from exc


def _password(value: str | bytes | None) -> bytes | None:
    if not value:
        return None
    return value if isinstance(value, bytes) else value.encode()


def _chain(path: str | None) -> list[asn1_x509.Certificate]:
    if not path:
        return []
    _read(path, "WIJKLAB_SIGNING_CHAIN")
    try:
        return list(load_certs_from_pemder([path]))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"WIJKLAB_SIGNING_CHAIN: {path} holds no readable certificates.") from exc


def _p12_signer(
    path: str, password: str | None, chain: list[asn1_x509.Certificate]
) -> signers.SimpleSigner:
    data = _read(path, "WIJKLAB_SIGNING_P12")
    try:
        return signers.SimpleSigner.load_pkcs12_data(data, chain, passphrase=_password(password))
    except ValueError as exc:
        raise ConfigError(
            f"WIJKLAB_SIGNING_P12: {path} cannot be opened; is WIJKLAB_SIGNING_P12_PASSWORD right?"
        ) from exc


def _pem_signer(
    key_path: str | Path,
    cert_path: str | Path | None,
    password: str | None,
    chain: list[asn1_x509.Certificate],
) -> signers.SimpleSigner:
    key_data = _read(key_path, "WIJKLAB_SIGNING_KEY")
    try:
        key = load_private_key_from_pemder_data(key_data, passphrase=_password(password))
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"WIJKLAB_SIGNING_KEY: {key_path} holds no private key that opens; "
            "is WIJKLAB_SIGNING_KEY_PASSWORD right?"
        ) from exc
    cert_path = cert_path or key_path
    _read(cert_path, "WIJKLAB_SIGNING_CERT")
    try:
        certificate = load_cert_from_pemder(str(cert_path))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"WIJKLAB_SIGNING_CERT: {cert_path} holds no certificate.") from exc
    if _public_key_der(key) != certificate.public_key.dump():
        raise ConfigError(
            f"WIJKLAB_SIGNING_KEY ({key_path}) is not the key of WIJKLAB_SIGNING_CERT "
            f"({cert_path})."
        )
    registry = SimpleCertificateStore()
    registry.register_multiple(chain)
    return signers.SimpleSigner(signing_cert=certificate, signing_key=key, cert_registry=registry)


def _public_key_der(key: asn1_keys.PrivateKeyInfo) -> bytes:
    private_key = serialization.load_der_private_key(key.dump(), password=None)
    return private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _check_validity(certificate: asn1_x509.Certificate) -> None:
    # A signature made with an expired certificate shows as invalid in every reader: say so now.
    not_after = certificate["tbs_certificate"]["validity"]["not_after"].native
    if not_after <= datetime.now(UTC):
        raise ConfigError(
            f"The signing certificate {certificate.subject.human_friendly} expired on "
            f"{not_after:%Y-%m-%d}: configure a new one."
        )
