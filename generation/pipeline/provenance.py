"""Signed provenance on every video: a C2PA manifest embedded in the MP4 through c2pa-python.

The manifest carries a ``c2pa.actions`` assertion saying how the video was made, in the IPTC
Digital Source Type vocabulary: ``algorithmicMedia`` for the built-in renderer, which draws with
a program and no trained model, and ``trainedAlgorithmicMedia`` for a diffusers model. It also
carries this site's own ``org.sora.generation`` assertion: site, record URL, creator,
prompt hash, seed, model, model hash, cameo grants used and creation time.

Signing works offline. Operators set ``SORA_SIGNING_CERT`` (a PEM chain, signer first) and
``SORA_SIGNING_KEY``; otherwise a development CA and signing certificate are created under
``var/provenance/`` on first use. C2PA refuses self-signed signing certificates, hence the CA.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings

ASSERTION = "org.sora.generation"
IPTC_SOURCE_TYPES = "http://cv.iptc.org/newscodes/digitalsourcetype/"
# "Created by an algorithm not based on sampled training data" (IPTC): the built-in renderer.
ALGORITHMIC = IPTC_SOURCE_TYPES + "algorithmicMedia"
# "Created by software using a model derived from sampled content": a generative model.
TRAINED_ALGORITHMIC = IPTC_SOURCE_TYPES + "trainedAlgorithmicMedia"
# Backends whose frames come from a program rather than a trained model.
NOT_TRAINED_BACKENDS = frozenset({"builtin"})


@dataclass(frozen=True)
class SigningIdentity:
    chain_pem: bytes  # signer certificate first, then its issuers
    key_pem: bytes
    anchors_pem: str  # the CA certificate(s) a reader should trust


@dataclass
class ReadResult:
    """What a file's manifest says, and whether its signature and hashes hold."""

    fields: dict[str, Any]
    trusted: bool
    intact: bool
    signer: str
    problems: list[str] = field(default_factory=list)
    source_type: str = ""  # the IPTC digital source type of its "created" action


def _settings() -> Any:
    return settings


def _name(common_name: str) -> Any:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, _settings().SITE_NAME),
        ]
    )


def _key_usage(*, signer: bool) -> Any:
    return x509.KeyUsage(
        digital_signature=signer, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=not signer,
        crl_sign=not signer, encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _make_dev_identity(folder: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Development provenance CA")
    ca = (
        x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signer=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    cert = (
        x509.CertificateBuilder().subject_name(_name("Video signer")).issuer_name(ca_name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signer=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    pem = serialization.Encoding.PEM
    (folder / "ca.pem").write_bytes(ca.public_bytes(pem))
    (folder / "chain.pem").write_bytes(cert.public_bytes(pem) + ca.public_bytes(pem))
    key_file = folder / "signer.key"
    key_file.write_bytes(
        key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_file.chmod(0o600)


def _dev_identity_folder() -> Path:
    """Create the development identity once; concurrent workers race safely on a rename."""
    folder = Path(_settings().VAR_DIR) / "provenance"
    if (folder / "chain.pem").exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".provenance-", dir=folder.parent))
    _make_dev_identity(staging)
    with contextlib.suppress(OSError):  # another process won the race; use its identity
        os.rename(staging, folder)
    return folder


@functools.cache
def signing_identity() -> SigningIdentity:
    settings = _settings()
    if settings.SORA_SIGNING_CERT and settings.SORA_SIGNING_KEY:
        chain = Path(settings.SORA_SIGNING_CERT).read_bytes()
        anchors = settings.SORA_SIGNING_TRUST_ANCHORS
        return SigningIdentity(
            chain_pem=chain,
            key_pem=Path(settings.SORA_SIGNING_KEY).read_bytes(),
            anchors_pem=Path(anchors).read_text() if anchors else "",
        )
    folder = _dev_identity_folder()
    return SigningIdentity(
        chain_pem=(folder / "chain.pem").read_bytes(),
        key_pem=(folder / "signer.key").read_bytes(),
        anchors_pem=(folder / "ca.pem").read_text(),
    )


def digital_source_type(backend: str) -> str:
    """The IPTC term for how a backend makes a video."""
    return ALGORITHMIC if backend in NOT_TRAINED_BACKENDS else TRAINED_ALGORITHMIC


def manifest_for(fields: dict[str, Any]) -> dict[str, Any]:
    source_type = digital_source_type(str(fields.get("model", "")))
    return {
        "claim_generator": f"{_settings().SITE_NAME} self-hosted",
        "title": "video.mp4",
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": source_type}]},
            },
            {"label": ASSERTION, "data": fields},
        ],
    }


def sign_mp4(source: Path, dest: Path, fields: dict[str, Any]) -> None:
    """Write ``source`` to ``dest`` with a signed manifest holding ``fields``."""
    identity = signing_identity()
    info = c2pa.C2paSignerInfo(
        alg=b"es256", sign_cert=identity.chain_pem, private_key=identity.key_pem, ta_url=None
    )
    signer = c2pa.Signer.from_info(info)
    with (
        c2pa.Builder(json.dumps(manifest_for(fields))) as builder,
        open(source, "rb") as src,  # noqa: PTH123
        open(dest, "wb") as dst,  # noqa: PTH123
    ):
        builder.sign(signer, "video/mp4", src, dst)


def read_mp4(path: Path) -> ReadResult | None:
    """The manifest of a file, or None when it carries none of ours."""
    identity = signing_identity()
    context = c2pa.Context.from_dict(
        {"trust": {"user_anchors": identity.anchors_pem}, "verify": {"verify_trust": True}}
    )
    try:
        with c2pa.Reader(str(path), context=context) as reader:
            store = json.loads(reader.json())
    except c2pa.C2paError:
        return None
    active = store.get("manifests", {}).get(store.get("active_manifest", ""), {})
    ours = [a["data"] for a in active.get("assertions", []) if a.get("label") == ASSERTION]
    if not ours:
        return None
    problems = [
        s.get("explanation") or s.get("code", "") for s in store.get("validation_status", [])
    ]
    untrusted_only = all(
        "untrusted" in s.get("code", "") for s in store.get("validation_status", [])
    )
    return ReadResult(
        fields=ours[0],
        trusted=store.get("validation_state") == "Trusted",
        intact=untrusted_only,
        signer=active.get("signature_info", {}).get("issuer", ""),
        problems=problems,
        source_type=_created_source_type(active.get("assertions", [])),
    )


def _created_source_type(assertions: list[dict[str, Any]]) -> str:
    for assertion in assertions:
        if not str(assertion.get("label", "")).startswith("c2pa.actions"):
            continue
        for action in assertion.get("data", {}).get("actions", []):
            if action.get("action") == "c2pa.created":
                return str(action.get("digitalSourceType", ""))
    return ""
