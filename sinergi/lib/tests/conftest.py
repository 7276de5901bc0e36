from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer


@dataclass(frozen=True)
class Bucket:
    """An empty bucket on the tests' S3-compatible server, and how to reach it."""

    endpoint: str
    name: str

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def keys(self) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=self.name)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    def env(self) -> dict[str, str]:
        """The settings that put a process's media files in this bucket."""
        return {
            "MEDIA_S3_BUCKET": self.name,
            "MEDIA_S3_ENDPOINT_URL": self.endpoint,
            "MEDIA_S3_REGION": "us-east-1",
            "MEDIA_S3_ACCESS_KEY_ID": "testing",
            "MEDIA_S3_SECRET_ACCESS_KEY": "testing",
        }

    def storages(self, current: dict[str, Any]) -> dict[str, Any]:
        options = {
            "bucket_name": self.name,
            "endpoint_url": self.endpoint,
            "region_name": "us-east-1",
            "access_key": "testing",
            "secret_key": "testing",
            "default_acl": "private",
            "file_overwrite": False,
        }
        return {
            **current,
            "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        }


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """moto's S3 server on a free local port, for the whole test session."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket_factory(s3_endpoint: str) -> Any:
    def make() -> Bucket:
        bucket = Bucket(s3_endpoint, f"sinergi-{uuid.uuid4().hex[:12]}")
        bucket.client().create_bucket(Bucket=bucket.name)
        return bucket

    return make
