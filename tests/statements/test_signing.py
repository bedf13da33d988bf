"""Signed statement PDFs: a PAdES signature that pyHanko's validation accepts against the signing
certificate, that breaks when one signed byte changes, made with the configured certificate or
(outside production) a development certificate generated once."""

from __future__ import annotations

import io
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import Flask
from fpdf import FPDF
from pyhanko.keys.pemder import load_certs_from_pemder_data
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from wijklab import create_app
from wijklab.config import SIGNING_SETTINGS, ConfigError, ProductionConfig, load_config
from wijklab.statements import signing
from wijklab.statements.signing import (
    DEVELOPMENT_FILE,
    development_certificate,
    sign_pdf,
    signing_certificate_info,
    signing_certificate_pem,
)

TEXT = b"Praktijkverklaring voor Ayse Yilmaz"


def small_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_compression(False)  # the text stays readable in the file, to change one byte of it
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=TEXT.decode())
    return bytes(pdf.output())


def embedded_signature(data: bytes):
    (signature,) = PdfFileReader(io.BytesIO(data)).embedded_signatures
    return signature


def validate(data: bytes, root: x509.Certificate):
    (trusted,) = load_certs_from_pemder_data(root.public_bytes(serialization.Encoding.PEM))
    context = ValidationContext(trust_roots=[trusted])
    return validate_pdf_signature(embedded_signature(data), context)


def signer_certificate(app) -> x509.Certificate:
    return x509.load_pem_x509_certificate(signing_certificate_pem(app))


def make_certificate(
    common_name: str,
    *,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
    ca: bool = False,
    not_after: datetime | None = None,
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A certificate with an EC key (fast to make), self-signed unless an issuer is given."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    issuer_cert, issuer_key = issuer or (None, key)
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_cert.subject if issuer_cert else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=30))
        .not_valid_after(not_after or now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(issuer_key, hashes.SHA256())
    )
    return certificate, key


def write_pem(path: Path, *objects, password: bytes | None = None) -> str:
    data = b""
    for item in objects:
        if isinstance(item, x509.Certificate):
            data += item.public_bytes(serialization.Encoding.PEM)
        else:
            encryption = (
                serialization.BestAvailableEncryption(password)
                if password
                else serialization.NoEncryption()
            )
            data += item.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
            )
    path.write_bytes(data)
    return str(path)


@pytest.fixture
def signing_dir(app, tmp_path):
    """The development certificate of this test in its own folder (the app fixture restores
    the configuration afterwards)."""
    folder = tmp_path / "signing"
    app.config["SIGNING_DIR"] = str(folder)
    return folder


# Signing and validating


def test_signed_pdf_validates_as_intact_and_trusted(app, signing_dir):
    original = small_pdf()

    signed = sign_pdf(original)

    status = validate(signed, signer_certificate(app))
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert status.md_algorithm == "sha256"
    signature = embedded_signature(signed)
    assert signature.field_name == "Wijklab"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature.sig_object["/Reason"] == "Praktijkverklaring"
    # An incremental update: the statement itself is unchanged, and the signature covers it all.
    assert signed.startswith(original)
    assert status.coverage.name == "ENTIRE_FILE"


def test_changing_one_signed_byte_breaks_the_signature(app, signing_dir):
    signed = sign_pdf(small_pdf())
    position = signed.index(TEXT) + len("Praktijkverklaring voor A")
    tampered = signed[:position] + b"j" + signed[position + 1 :]
    assert len(tampered) == len(signed) and tampered != signed

    status = validate(tampered, signer_certificate(app))

    assert not status.intact
    assert not status.bottom_line


def test_signature_is_not_trusted_against_another_certificate(app, signing_dir):
    stranger, _ = make_certificate("Niet de school")

    status = validate(sign_pdf(small_pdf()), stranger)

    assert status.intact  # the bytes are unchanged ...
    assert not status.trusted  # ... but nobody we trust signed them
    assert not status.bottom_line


# The development certificate


def test_development_certificate_is_generated_once_and_reused(app, signing_dir):
    assert not signing_dir.exists()

    first = signing_certificate_info(app)
    path = signing_dir / DEVELOPMENT_FILE
    written = path.read_bytes()
    app.extensions.pop(signing.EXTENSION)  # as a new worker or a restart would start
    second = signing_certificate_info(app)

    assert second == first
    assert path.read_bytes() == written
    assert [p.name for p in signing_dir.iterdir()] == [DEVELOPMENT_FILE]
    assert path.stat().st_mode & 0o077 == 0  # the private key is the owner's only
    assert first["subject"] == first["issuer"]
    assert "CN=Wijklab ontwikkelcertificaat" in first["subject"]
    assert len(first["fingerprint_sha256"].split(":")) == 32
    expected_end = datetime.now(UTC) + timedelta(days=3650)
    assert abs(first["not_after"] - expected_end) < timedelta(days=1)


def test_signer_is_loaded_once_per_app(app, signing_dir, monkeypatch):
    sign_pdf(small_pdf())
    (signing_dir / DEVELOPMENT_FILE).unlink()
    monkeypatch.setattr(signing, "development_certificate", pytest.fail)

    # No file is read again for the next statement: the loaded signer is kept with the app.
    assert validate(sign_pdf(small_pdf()), signer_certificate(app)).bottom_line


def test_a_worker_that_loses_the_race_uses_the_certificate_written_first(tmp_path, monkeypatch):
    folder = tmp_path / "signing"
    winner = development_certificate(tmp_path / "elsewhere").read_bytes()
    make_pem = signing._self_signed_pem

    def another_worker_writes_first() -> bytes:
        pem = make_pem()
        (folder / DEVELOPMENT_FILE).write_bytes(winner)
        return pem

    monkeypatch.setattr(signing, "_self_signed_pem", another_worker_writes_first)

    path = development_certificate(folder)

    assert path.read_bytes() == winner
    assert [p.name for p in folder.iterdir()] == [DEVELOPMENT_FILE]  # no temporary file left


def _create_at(folder: str, start_at: float) -> bytes:
    time.sleep(max(0.0, start_at - time.time()))
    return development_certificate(Path(folder)).read_bytes()


def test_parallel_workers_create_one_development_certificate(tmp_path):
    folder = tmp_path / "signing"
    workers = 4
    context = multiprocessing.get_context("spawn")  # a fresh interpreter, like a gunicorn worker
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        # Once every worker is up (each imports the app), they all start at the same moment.
        pool.submit(os.getpid).result()
        start_at = time.time() + 3
        results = list(pool.map(_create_at, [str(folder)] * workers, [start_at] * workers))

    assert len(set(results)) == 1
    assert (folder / DEVELOPMENT_FILE).read_bytes() == results[0]
    assert [p.name for p in folder.iterdir()] == [DEVELOPMENT_FILE]
    app = Flask(__name__)
    app.config.update(ENV_NAME="development", SIGNING_DIR=str(folder))
    status = validate(sign_pdf(small_pdf(), app), signer_certificate(app))
    assert status.bottom_line


# A configured certificate


def test_configured_pem_key_certificate_and_chain_are_used(app, signing_dir, tmp_path):
    root = make_certificate("ROC Amsterdam CA", ca=True)
    leaf, key = make_certificate("ROC Amsterdam praktijkbureau", issuer=root)
    app.config.update(
        SIGNING_KEY=write_pem(tmp_path / "key.pem", key, password=b"geheim"),
        SIGNING_KEY_PASSWORD="geheim",
        SIGNING_CERT=write_pem(tmp_path / "cert.pem", leaf),
        SIGNING_CHAIN=write_pem(tmp_path / "chain.pem", root[0]),
    )

    signed = sign_pdf(small_pdf())

    # Trusted through the school's CA: the chain travels inside the signature.
    assert validate(signed, root[0]).bottom_line
    assert signing_certificate_info(app)["subject"] == "CN=ROC Amsterdam praktijkbureau"
    assert signing_certificate_info(app)["issuer"] == "CN=ROC Amsterdam CA"
    assert not signing_dir.exists()  # no development certificate made


def test_configured_p12_is_used(app, signing_dir, tmp_path):
    certificate, key = make_certificate("Hogeschool van Amsterdam examencommissie")
    p12 = tmp_path / "school.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"school", key, certificate, None, serialization.BestAvailableEncryption(b"p12-geheim")
        )
    )
    app.config.update(SIGNING_P12=str(p12), SIGNING_P12_PASSWORD="p12-geheim")

    signed = sign_pdf(small_pdf())

    assert validate(signed, certificate).bottom_line
    assert signer_certificate(app) == certificate
    assert not signing_dir.exists()


def test_wrong_p12_password_is_a_clear_error(app, tmp_path):
    certificate, key = make_certificate("School")
    p12 = tmp_path / "school.p12"
    p12.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"school", key, certificate, None, serialization.BestAvailableEncryption(b"goed")
        )
    )
    app.config.update(SIGNING_P12=str(p12), SIGNING_P12_PASSWORD="fout")

    with pytest.raises(ConfigError, match="WIJKLAB_SIGNING_P12_PASSWORD"):
        sign_pdf(small_pdf())


def test_a_key_that_does_not_belong_to_the_certificate_is_refused(app, tmp_path):
    certificate, _ = make_certificate("School")
    _, other_key = make_certificate("Iemand anders")
    app.config.update(
        SIGNING_KEY=write_pem(tmp_path / "key.pem", other_key),
        SIGNING_CERT=write_pem(tmp_path / "cert.pem", certificate),
    )

    with pytest.raises(ConfigError, match="not the key of WIJKLAB_SIGNING_CERT"):
        sign_pdf(small_pdf())


def test_an_expired_certificate_is_refused(app, tmp_path):
    certificate, key = make_certificate("School", not_after=datetime.now(UTC) - timedelta(days=1))
    app.config.update(
        SIGNING_KEY=write_pem(tmp_path / "key.pem", key),
        SIGNING_CERT=write_pem(tmp_path / "cert.pem", certificate),
    )

    with pytest.raises(ConfigError, match="expired"):
        sign_pdf(small_pdf())


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"SIGNING_KEY": "key.pem"}, "go together"),
        ({"SIGNING_CERT": "cert.pem"}, "go together"),
        ({"SIGNING_P12": "school.p12", "SIGNING_KEY": "key.pem"}, "not both"),
        ({"SIGNING_P12": "missing.p12"}, "WIJKLAB_SIGNING_P12 names .*missing.p12"),
        ({"SIGNING_KEY": "key.pem", "SIGNING_CERT": "missing.pem"}, "WIJKLAB_SIGNING_CERT"),
    ],
)
def test_incomplete_signing_settings_stop_the_start(tmp_path, settings, message):
    for name in ("key.pem", "cert.pem", "school.p12"):
        (tmp_path / name).write_text("-")
    overrides = {name: str(tmp_path / value) for name, value in settings.items()}

    with pytest.raises(ConfigError, match=message):
        load_config(Flask(__name__), {"TESTING": True, **overrides})


@pytest.fixture
def production_env(monkeypatch):
    monkeypatch.setenv("WIJKLAB_SECRET_KEY", "x" * 64)
    monkeypatch.setenv("WIJKLAB_DATABASE_URL", "sqlite://")
    monkeypatch.setenv("WIJKLAB_PUBLIC_URL", "https://wijklab.example.org")
    for name in SIGNING_SETTINGS:
        monkeypatch.delenv(f"WIJKLAB_{name}", raising=False)
    return monkeypatch


def test_production_refuses_to_start_without_a_signing_certificate(production_env):
    with pytest.raises(ConfigError, match="WIJKLAB_SIGNING_P12.*WIJKLAB_SIGNING_KEY"):
        create_app(ProductionConfig)


def test_production_signs_with_the_certificate_from_the_environment(production_env, tmp_path):
    certificate, key = make_certificate("ROC Amsterdam")
    production_env.setenv("WIJKLAB_SIGNING_KEY", write_pem(tmp_path / "key.pem", key))
    production_env.setenv("WIJKLAB_SIGNING_CERT", write_pem(tmp_path / "cert.pem", certificate))

    production = create_app(ProductionConfig)

    assert validate(sign_pdf(small_pdf(), production), certificate).bottom_line
    # Never a generated certificate in production, even when the setting goes missing later.
    production.config["SIGNING_KEY"] = production.config["SIGNING_CERT"] = None
    production.config["SIGNING_DIR"] = str(tmp_path / "signing")
    with pytest.raises(ConfigError, match="production never uses a generated certificate"):
        sign_pdf(small_pdf(), production)
    assert not (tmp_path / "signing").exists()
