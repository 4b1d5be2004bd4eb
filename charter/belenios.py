"""Belenios, the verifiable voting protocol every ballot runs as: Debian's `belenios-tool` does
all the cryptography, this module only feeds it and reads what it writes.

Secrets (a voter's credential, a trustee's keys, a choice) reach the tool through pipes, never
through a file: the scratch directory it writes in holds public files only, except the key a
trustee makes in the browser, which is read back and removed at once (under /dev/shm, in
memory, where there is one).

The public record is a Belenios archive (`<uuid>.bel`): a header, then files named by the
SHA-256 of their content, `…data.json` (a ballot, a partial decryption…) and `…event.json`
(the hash chain: each event names its parent, its height, its type and its payload). The site
keeps it as rows (`RecordFile`) and writes it out byte for byte, so `belenios-tool election
verify` checks exactly what the site counted.
"""

import base64
import hashlib
import json
import os
import shutil
import subprocess  # nosec B404: belenios-tool, with arguments we build
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

TOOL = "belenios-tool"
GROUP = "BELENIOS-2048"
BLOCK = 512

# The question every ballot asks: yes or no, with blank (abstain) counted on its own. A paper is
# one vector per question: [blank, yes, no].
CHOICES = {"abstain": [1, 0, 0], "yes": [0, 1, 0], "no": [0, 0, 1]}


class EngineError(Exception):
    """belenios-tool refused: what it said is the message."""


class EngineMissing(EngineError):
    """belenios-tool is not installed."""


@dataclass(frozen=True)
class File:
    """One file of an archive: its name (`<sha256>.data.json`, `<sha256>.event.json`) and
    content."""

    name: str
    content: bytes

    @property
    def is_event(self) -> bool:
        return self.name.endswith(".event.json")


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def tracker(paper: bytes) -> str:
    """A ballot's tracker, as Belenios shows it: its SHA-256 in base64 without padding."""
    return base64.b64encode(hashlib.sha256(paper).digest()).decode().rstrip("=")


def data_file(content: bytes) -> File:
    return File(f"{digest(content)}.data.json", content)


def event_file(*, parent: str | None, height: int, kind: str, payload: str | None) -> File:
    """An event as belenios-tool writes it, field for field: its bytes are what is hashed."""
    event = {} if parent is None else {"parent": parent}
    event |= {"height": height, "type": kind}
    if payload is not None:
        event["payload"] = payload
    content = json.dumps(event, separators=(",", ":")).encode()
    return File(f"{digest(content)}.event.json", content)


def archive_bytes(files: Iterable[File], *, timestamp: int) -> Iterator[bytes]:
    """The archive, block by block, as belenios-tool writes one (tar headers, no end marker)."""
    header = json.dumps({"version": 1, "timestamp": str(timestamp)}, separators=(",", ":"))
    yield from _record("BELENIOS", header.encode(), timestamp)
    for file in files:
        yield from _record(file.name, file.content, timestamp)


def _record(name: str, content: bytes, timestamp: int) -> Iterator[bytes]:
    header = bytearray(BLOCK)
    for offset, value in [
        (0, name),
        (100, "0000644"),
        (108, "0000000"),
        (116, "0000000"),
        (124, f"{len(content):011o}"),
        (136, f"{timestamp:011o}"),
        (148, "        "),
        (156, "0"),
    ]:
        header[offset : offset + len(value)] = value.encode()
    header[148:156] = f"{sum(header):06o}\0 ".encode()
    yield bytes(header)
    yield content
    if padding := -len(content) % BLOCK:
        yield bytes(padding)


def read_archive(path: Path) -> list[File]:
    """The files of an archive belenios-tool wrote (after its header), in order."""
    raw = path.read_bytes()
    files, offset = [], 0
    while offset + BLOCK <= len(raw):
        header = raw[offset : offset + BLOCK]
        name = header[:100].split(b"\0", 1)[0].decode()
        size = int(header[124:135].decode(), 8)
        content = raw[offset + BLOCK : offset + BLOCK + size]
        offset += BLOCK + size + (-size % BLOCK)
        if name != "BELENIOS":
            files.append(File(name, content))
    return files


def available() -> bool:
    return shutil.which(TOOL) is not None


def _scratch_root() -> str | None:
    shm = Path("/dev/shm")  # nosec B108: memory, not disk; private directories inside
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


@contextmanager
def _scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="palabre-belenios-", dir=_scratch_root()) as name:
        yield Path(name)


def _run(arguments: list[str], *, cwd: Path, stdin: bytes = b"", secrets=()) -> bytes:
    """Run belenios-tool; each of `secrets` is given as a pipe, whose path replaces the
    `{0}`, `{1}`… in `arguments`."""
    if not available():
        raise EngineMissing(
            "belenios-tool is not installed: run scripts/install-system-packages "
            "(apt-get install belenios-tool)"
        )
    with ExitStack() as stack:
        paths, keep = [], []
        for secret in secrets:
            read, write = os.pipe()
            stack.callback(os.close, read)
            with os.fdopen(write, "wb") as pipe:  # under 64 KiB: the pipe holds it all
                pipe.write(secret)
            paths.append(f"/dev/fd/{read}")
            keep.append(read)
        command = [TOOL, *(argument.format(*paths) for argument in arguments)]
        done = subprocess.run(  # nosec B603: a fixed program, arguments we built
            command,
            cwd=cwd,
            input=stdin,
            capture_output=True,
            pass_fds=keep,
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "BELENIOS_USE_URANDOM": "1"},
            check=False,
        )
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        raise EngineError(said[-1] if said else f"belenios-tool exited {done.returncode}")
    return done.stdout


def _lines(output: bytes) -> list[bytes]:
    return [line for line in output.split(b"\n") if line]


def json_objects(text: str) -> list[dict]:
    """The JSON objects of a file belenios-tool writes, one a line (a certificate, a
    polynomial, a partial decryption…); ValueError if `text` is not such a file."""
    try:
        values = [json.loads(line) for line in text.splitlines() if line.strip()]
    except RecursionError as error:
        raise ValueError("JSON nested too deep to read") from error
    if not all(isinstance(value, dict) for value in values):
        raise ValueError("a line is not a JSON object")
    return values


# Setting up: credentials, trustees' keys, the election.


def new_uuid() -> str:
    with _scratch() as directory:
        return _run(["setup", "generate-token"], cwd=directory).decode().strip()


def credentials(uuid: str, count: int) -> tuple[list[str], list[str]]:
    """`count` private credentials, and the public ones (in an order of their own, which says
    nothing of whose they are)."""
    if count == 0:
        return [], []
    with _scratch() as directory:
        _run(
            ["setup", "generate-credentials", "--uuid", uuid, "--group", GROUP,
             "--count", str(count), "--dir", "."],
            cwd=directory,
        )  # fmt: skip
        private_file = next(directory.glob("*.privcreds"))
        private = [line.split()[1] for line in private_file.read_text().splitlines() if line]
        private_file.unlink()
        public = json.loads(next(directory.glob("*.pubcreds")).read_text())
    return private, public


def _certificates(directory: Path, certificates: list[str]) -> None:
    (directory / "certs.jsons").write_text("".join(f"{c}\n" for c in certificates))


def _threshold(*arguments: str) -> list[str]:
    return ["setup", "generate-trustee-key-threshold", "--group", GROUP, *arguments]


def trustee_key() -> tuple[str, str]:
    """A trustee's certificate (public) and private key: step 1 of the threshold setup."""
    with _scratch() as directory:
        _run(_threshold("--step", "1"), cwd=directory)
        key_file = next(directory.glob("*.key"))
        key = key_file.read_text().strip()
        key_file.unlink()
        certificate = next(directory.glob("*.cert")).read_text().strip()
    return certificate, key


def check_certificates(certificates: list[str]) -> None:
    """Step 2: the certificates are valid (each signed by its key)."""
    with _scratch() as directory:
        _certificates(directory, certificates)
        _run(_threshold("--certs", "certs.jsons", "--step", "2"), cwd=directory)


def polynomial(certificates: list[str], key: str, threshold: int) -> str:
    """Step 3, by one trustee with their key."""
    with _scratch() as directory:
        _certificates(directory, certificates)
        output = _run(
            _threshold("--certs", "certs.jsons", "--key", "{0}", "--step", "3",
                       "--threshold", str(threshold)),
            cwd=directory,
            secrets=[key.encode()],
        )  # fmt: skip
    return output.decode().strip()


def verification_inputs(certificates: list[str], polynomials: list[str]) -> list[str]:
    """Step 4: what each trustee checks, in the order of `certificates`."""
    with _scratch() as directory:
        _certificates(directory, certificates)
        (directory / "polynomials.jsons").write_text("".join(f"{p}\n" for p in polynomials))
        _run(
            _threshold("--certs", "certs.jsons", "--step", "4", "--polynomials",
                       "polynomials.jsons"),
            cwd=directory,
        )  # fmt: skip
        return [
            (directory / f"{certificate_id(c)}.vinput").read_text().strip() for c in certificates
        ]


def certificate_id(certificate: str) -> str:
    """What belenios-tool names a trustee's files by: the SHA-256 of the signed message."""
    return digest(json.loads(certificate)["message"].encode())


def verification(certificates: list[str], key: str, vinput: str) -> str:
    """Step 5, by one trustee with their key: their check of everyone's shares."""
    with _scratch() as directory:
        _certificates(directory, certificates)
        output = _run(
            _threshold("--certs", "certs.jsons", "--key", "{0}", "--step", "5"),
            cwd=directory,
            stdin=vinput.encode() + b"\n",
            secrets=[key.encode()],
        )
    return output.decode().strip()


def threshold_parameters(
    certificates: list[str], polynomials: list[str], voutputs: list[str]
) -> tuple[str, list[str]]:
    """Step 6: the election's public key, shared among the trustees; and each trustee's
    decryption key, encrypted for their own key (useless without it), in their order."""
    with _scratch() as directory:
        _certificates(directory, certificates)
        (directory / "polynomials.jsons").write_text("".join(f"{p}\n" for p in polynomials))
        output = _run(
            _threshold("--certs", "certs.jsons", "--step", "6", "--polynomials",
                       "polynomials.jsons"),
            cwd=directory,
            stdin="".join(f"{v}\n" for v in voutputs).encode(),
        )  # fmt: skip
        decryption_keys = [
            (directory / f"{certificate_id(c)}.dkey").read_text().strip() for c in certificates
        ]
    return output.decode().strip(), decryption_keys


def setup_record(
    *, uuid: str, name: str, question: str, threshold: str, public_credentials: list[str]
) -> tuple[list[File], int]:
    """The election (its question, the trustees' key, the public credentials) as the first
    files of its archive, with the archive's timestamp."""
    template = {
        "description": name,
        "name": name,
        "questions": [
            {"answers": ["Yes", "No"], "blank": True, "min": 1, "max": 1, "question": question}
        ],
    }
    with _scratch() as directory:
        (directory / "threshold.json").write_text(threshold + "\n")
        (directory / "public_keys.jsons").write_text("")
        (directory / "public_creds.json").write_text(json.dumps(public_credentials))
        (directory / "template.json").write_text(json.dumps(template))
        _run(["setup", "make-trustees", "--dir", "."], cwd=directory)
        _run(
            ["setup", "make-election", "--uuid", uuid, "--group", GROUP,
             "--template", "template.json", "--dir", "."],
            cwd=directory,
        )  # fmt: skip
        _run(["archive", "init"], cwd=directory)
        archive = directory / f"{uuid}.bel"
        header = json.loads(_header(archive))
        return read_archive(archive), int(header["timestamp"])


def _header(archive: Path) -> bytes:
    raw = archive.read_bytes()
    size = int(raw[124:135].decode(), 8)
    return raw[BLOCK : BLOCK + size]


# Voting and counting, on the record as the site keeps it.


@contextmanager
def _written(uuid: str, files: Iterable[File], timestamp: int) -> Iterator[Path]:
    with _scratch() as directory:
        with (directory / f"{uuid}.bel").open("wb") as archive:
            for block in archive_bytes(files, timestamp=timestamp):
                archive.write(block)
        yield directory


def paper(*, uuid: str, setup: list[File], timestamp: int, credential: str, choice: str) -> bytes:
    """An encrypted ballot paper for `choice`, signed with the voter's private `credential`."""
    with _written(uuid, setup, timestamp) as directory:
        output = _run(
            ["election", "generate-ballot", "--dir", ".", "--privcred", "{0}", "--ballot", "{1}"],
            cwd=directory,
            secrets=[credential.encode(), json.dumps([CHOICES[choice]]).encode()],
        )
    return output.strip()


def encrypted_tally(*, uuid: str, record: Iterable[File], timestamp: int) -> list[bytes]:
    """The product of every paper, still encrypted (and its summary): no paper is decrypted."""
    with _written(uuid, record, timestamp) as directory:
        return _lines(_run(["election", "compute-encrypted-tally", "--dir", "."], cwd=directory))


def partial_decryption(
    *, uuid: str, record: Iterable[File], timestamp: int, key: str, decryption_key: str,
    trustee: int,
) -> list[bytes]:  # fmt: skip
    """A trustee's share of the decryption of the tally, made with their two keys."""
    with _written(uuid, record, timestamp) as directory:
        output = _run(
            ["election", "decrypt-threshold", "--dir", ".", "--key", "{0}",
             "--decryption-key", "{1}", "--trustee-id", str(trustee)],
            cwd=directory,
            secrets=[key.encode(), decryption_key.encode()],
        )  # fmt: skip
    return _lines(output)


def result(*, uuid: str, record: Iterable[File], timestamp: int) -> bytes:
    with _written(uuid, record, timestamp) as directory:
        return _run(["election", "compute-result", "--dir", "."], cwd=directory).strip()


def verify(*, uuid: str, record: Iterable[File], timestamp: int) -> None:
    """belenios-tool's own check of the whole record; EngineError says what failed."""
    with _written(uuid, record, timestamp) as directory:
        _run(["election", "verify", "--dir", "."], cwd=directory)


# What compute-result says, once it has checked every partial decryption, when they are right
# but too few to decrypt the tally.
TOO_FEW_DECRYPTIONS = "not enough partial decryptions"


def check_partial_decryptions(*, uuid: str, record: Iterable[File], timestamp: int) -> None:
    """Every partial decryption in the record, as belenios-tool checks them; raises
    EngineError saying what failed.

    `election verify` checks the partial decryptions only against a result ("no result to
    check" before one exists), so a wrong one would pass it: `election compute-result` checks
    each one present before it counts whether there are enough. It checks every paper again
    to compute the tally, so it takes as long as a verify: the record itself was verified at
    the close, and is not verified a second time here."""
    with _written(uuid, record, timestamp) as directory:
        try:
            _run(["election", "compute-result", "--dir", "."], cwd=directory)
        except EngineError as error:
            if not str(error).endswith(TOO_FEW_DECRYPTIONS):
                raise
