"""Debian's belenios-tool as anyone would run it on a ballot's record: the independent judge of
what the site publishes, run as a program, not through the site's own code (charter.belenios)."""

import subprocess  # nosec B404: belenios-tool, the verifier anyone would run
from pathlib import Path

VERIFIER = "/usr/bin/belenios-tool"


def verify_archive(archive: bytes, uuid: str, directory: Path) -> subprocess.CompletedProcess:
    """`belenios-tool election verify` on `archive`, written alone in `directory` as
    `<uuid>.bel`; its exit status and what it said (text)."""
    (directory / f"{uuid}.bel").write_bytes(archive)
    return subprocess.run(  # nosec B603: a fixed program, on our own file
        [VERIFIER, "election", "verify", "--dir", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
