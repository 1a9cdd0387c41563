"""A real IMAP server for the tests: Dovecot from the distribution's packages, started on
loopback on a free port with its own configuration, one test user (passwd-file) and a maildir
in a temporary directory; stopped when the session ends.

Locally, without Dovecot installed, the IMAP tests are skipped; under CI (`CI` or
`RELANCE_REQUIRE_POSTGRES=1`) they fail instead, like the PostgreSQL half.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from imapclient import IMAPClient

REQUIRE = os.environ.get("RELANCE_REQUIRE_POSTGRES") == "1" or bool(os.environ.get("CI"))
USER, PASSWORD = "relance", "test-password"


@dataclass
class ImapServer:
    host: str
    port: int  # plain, STARTTLS offered
    user: str
    password: str
    imaps_port: int = 0
    ca_file: Path | None = None  # the self-signed certificate the server presents

    def client(self) -> IMAPClient:
        client = IMAPClient(self.host, port=self.port, ssl=False, timeout=30)
        client.login(self.user, self.password)
        return client

    def append(self, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message in the mailbox the way a mail server would: over IMAP APPEND."""
        with self.client() as client:
            client.append(folder, raw)

    def uids(self, folder: str) -> list[int]:
        with self.client() as client:
            if not client.folder_exists(folder):
                return []
            client.select_folder(folder, readonly=True)
            return list(client.search("ALL"))

    def empty(self) -> None:
        """Every folder emptied: each test starts clean."""
        with self.client() as client:
            listed = client.list_folders()
            for flags, _delim, name in listed:
                if b"\\Noselect" not in flags and b"\\NonExistent" not in flags:
                    client.select_folder(name)
                    uids = client.search("ALL")
                    if uids:
                        client.delete_messages(uids)
                        client.expunge()
                    client.unselect_folder()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _config(root: Path, port: int, imaps_port: int) -> str:
    """Dovecot as root drops to system users; as anyone else it runs as that user."""
    if os.geteuid() == 0:
        internal, login = "dovecot", "dovenull"
        mail_uid, mail_gid = "nobody", grp.getgrgid(pwd.getpwnam("nobody").pw_gid).gr_name
    else:
        internal = login = mail_uid = pwd.getpwuid(os.getuid()).pw_name
        mail_gid = grp.getgrgid(os.getgid()).gr_name
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
instance_name = relance-test-{port}
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_uid} gid={mail_gid} home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {imaps_port}
  }}
}}
protocol imap {{
  mail_max_userip_connections = 200
}}
"""


def _self_signed(root: Path) -> None:
    """A certificate for 127.0.0.1, so IMAPS and STARTTLS are tested with verification on."""
    made = subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"),
        ],
        capture_output=True,
        text=True,
    )  # fmt: skip
    if made.returncode != 0:
        raise DovecotUnavailable(f"no test certificate (openssl): {made.stderr.strip()}")
    (root / "key.pem").chmod(0o600)


class DovecotUnavailable(Exception):
    pass


@contextmanager
def running_dovecot() -> Iterator[ImapServer]:
    """Dovecot on a free loopback port with its own configuration, stopped on leaving (the
    test fixture and the inbox benchmark share it)."""
    binary = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None
    )
    if binary is None:
        raise DovecotUnavailable("Dovecot is not installed (Debian: apt-get install dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="relance-imap-"))
    try:
        root.chmod(0o755)  # the mail user must reach its maildir
        (root / "mail").mkdir()
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(root / "mail", nobody.pw_uid, nobody.pw_gid)
        (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        port, imaps_port = _free_port(), _free_port()
        _self_signed(root)
        conf = root / "dovecot.conf"
        conf.write_text(_config(root, port, imaps_port))
        errors = root / "start.err"
        with errors.open("w") as err:  # not a pipe: the daemon keeps it open after detaching
            started = subprocess.run(
                [binary, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=err
            )
        if started.returncode != 0:
            raise DovecotUnavailable(f"Dovecot did not start: {errors.read_text().strip()}")
        try:
            server = ImapServer("127.0.0.1", port, USER, PASSWORD, imaps_port, root / "cert.pem")
            deadline = time.monotonic() + 10
            while True:
                try:
                    server.client().logout()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise DovecotUnavailable(f"Dovecot did not answer on port {port}") from None
                    time.sleep(0.1)
            yield server
        finally:
            pid = int((root / "run" / "master.pid").read_text())
            os.kill(pid, 15)
            for _ in range(50):
                if not (root / "run" / "master.pid").exists():
                    break
                time.sleep(0.1)
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def imap_server() -> Iterator[ImapServer]:
    try:
        with running_dovecot() as server:
            yield server
    except DovecotUnavailable as exc:
        message = str(exc)
        if REQUIRE:
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def imap(imap_server: ImapServer) -> Iterator[ImapServer]:
    """The server with an empty mailbox."""
    imap_server.empty()
    yield imap_server
