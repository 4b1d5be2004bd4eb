"""An S3-compatible server of the tests' own: moto's server mode, on 127.0.0.1, with a bucket
made for members' files (config/file_storage.py). Each pytest-xdist worker starts its own."""

import subprocess
import urllib.error
import urllib.request

import boto3

from tests.live_stack import ROOT, free_port, wait_until

BUCKET = "palabre-test-files"
# moto takes any credentials; boto3 still needs some, and a region.
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


class S3Server:
    def __init__(self):
        self.endpoint_url = f"http://127.0.0.1:{free_port()}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        port = self.endpoint_url.rsplit(":", 1)[1]
        self.process = subprocess.Popen(
            [ROOT / ".venv" / "bin" / "moto_server", "-H", "127.0.0.1", "-p", port],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self._answers, timeout=20, what="moto_server")
        self.client().create_bucket(Bucket=BUCKET)

    def _answers(self) -> bool:
        # Exited: the port was taken between free_port() and its start. Say so, not a timeout.
        if self.process.poll() is not None:
            raise RuntimeError(f"moto_server exited with {self.process.returncode}")
        try:
            with urllib.request.urlopen(self.endpoint_url, timeout=1):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=CREDENTIALS["access_key"],
            aws_secret_access_key=CREDENTIALS["secret_key"],
            region_name=CREDENTIALS["region_name"],
        )

    def keys(self) -> set[str]:
        listed = self.client().list_objects_v2(Bucket=BUCKET)
        return {entry["Key"] for entry in listed.get("Contents", [])}

    def read(self, key: str) -> bytes:
        return self.client().get_object(Bucket=BUCKET, Key=key)["Body"].read()

    def empty(self) -> None:
        client = self.client()
        for key in self.keys():
            client.delete_object(Bucket=BUCKET, Key=key)
