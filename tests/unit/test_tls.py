"""TLS mode's certificates: a CA made once and kept, a server certificate it signs for the
loopback names, private keys readable by their owner only, and a CA that can vouch for
loopback names only."""

import ipaddress
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError

from api.emulator.tls import ensure_certificates


def _verify(files_dir: Path, name: x509.DNSName | x509.IPAddress) -> None:
    ca = x509.load_pem_x509_certificate((files_dir / "ca.pem").read_bytes())
    server = x509.load_pem_x509_certificate((files_dir / "server.pem").read_bytes())
    verifier = PolicyBuilder().store(Store([ca])).build_server_verifier(name)
    verifier.verify(server, [])


def test_the_ca_is_created_once_and_kept(tmp_path: Path) -> None:
    first = ensure_certificates(tmp_path / "tls")
    ca_before = first.ca_cert.read_bytes()
    server_before = first.cert.read_bytes()

    second = ensure_certificates(tmp_path / "tls")

    assert second.ca_cert.read_bytes() == ca_before
    assert second.cert.read_bytes() != server_before  # a fresh server certificate
    _verify(tmp_path / "tls", x509.DNSName("localhost"))  # still signed by the kept CA


@pytest.mark.parametrize(
    "name",
    [
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
        x509.IPAddress(ipaddress.ip_address("::1")),
    ],
)
def test_the_server_certificate_is_valid_for_the_loopback_names(
    tmp_path: Path, name: x509.DNSName | x509.IPAddress
) -> None:
    ensure_certificates(tmp_path)

    _verify(tmp_path, name)


def test_the_server_certificate_is_not_valid_for_other_names(tmp_path: Path) -> None:
    ensure_certificates(tmp_path)

    with pytest.raises(VerificationError):
        _verify(tmp_path, x509.DNSName("example.com"))


def test_the_ca_may_only_vouch_for_loopback(tmp_path: Path) -> None:
    files = ensure_certificates(tmp_path)
    ca = x509.load_pem_x509_certificate(files.ca_cert.read_bytes())

    constraints = ca.extensions.get_extension_for_class(x509.NameConstraints)

    assert constraints.critical
    assert set(constraints.value.permitted_subtrees or []) == {
        x509.DNSName("localhost"),
        x509.IPAddress(ipaddress.ip_network("127.0.0.0/8")),
        x509.IPAddress(ipaddress.ip_network("::1/128")),
    }


def test_private_keys_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    ensure_certificates(tmp_path / "tls")

    assert stat.S_IMODE((tmp_path / "tls").stat().st_mode) == 0o700
    for key in ("ca-key.pem", "server-key.pem"):
        assert stat.S_IMODE((tmp_path / "tls" / key).stat().st_mode) == 0o600
