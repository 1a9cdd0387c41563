"""A PostgreSQL server of the test's own (Debian's binaries, a temporary cluster on a free
loopback port), to stop and start again, or to dump and restore with the server's own tools."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import pytest

from tests.support.app_process import free_port


class OwnPostgres:
    """A PostgreSQL server of the test's own (Debian's binaries, a temporary cluster on a free
    port), to stop and start again."""

    def __init__(self, root: Path):
        bins = sorted(glob("/usr/lib/postgresql/*/bin"))
        if not bins:
            pytest.skip("PostgreSQL's server binaries are not installed")
        self.bin, self.data, self.port = Path(bins[-1]), root / "data", free_port()
        self.user = pwd.getpwnam("postgres")
        root.chmod(0o777)
        self._as_postgres([self.bin / "initdb", "-D", self.data, "-A", "trust", "-U", "postgres"])

    def _as_postgres(self, command: list[object]) -> None:
        def drop() -> None:
            os.setgid(self.user.pw_gid)
            os.setuid(self.user.pw_uid)

        subprocess.run(  # no pipes: the server started would hold them open
            [str(part) for part in command],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=drop if os.geteuid() == 0 else None,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        log = self.data.parent / "server.log"
        self._as_postgres(
            [self.bin / "pg_ctl", "-D", self.data, "-l", log, "-o", options, "-w", "start"]
        )

    def stop(self) -> None:
        self._as_postgres([self.bin / "pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop"])

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    root = Path(tempfile.mkdtemp(prefix="relance-pg-"))
    server = OwnPostgres(root)
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            server.stop()
        shutil.rmtree(root, ignore_errors=True)
