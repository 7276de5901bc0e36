from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Path) -> None:
    """Uploaded files go to a throw-away folder, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
