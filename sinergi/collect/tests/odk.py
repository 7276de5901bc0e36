"""ODK Collect as a test double: fill the XForm's own primary instance and send it.

What Collect does: take the form's primary instance (the first <instance> of the model),
write the answers into its elements, set meta/instanceID (and meta/deprecatedID for an
edit), and post it as `xml_submission_file` in a multipart body with any photos.
Used by the tests and by bench/openrosa_load.py.
"""

from __future__ import annotations

import base64
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from typing import Any

XFORMS = "http://www.w3.org/2002/xforms"


def primary_instance(xform: bytes) -> ET.Element:
    root = ET.fromstring(xform)  # noqa: S314 - our own generated form
    model = root.find(f".//{{{XFORMS}}}model")
    assert model is not None
    instance = model.find(f"{{{XFORMS}}}instance")
    assert instance is not None
    return next(iter(instance))


def _value(value: Any) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        return " ".join(str(v) for v in value)  # select_multiple: codes separated by spaces
    return str(value)


def fill_instance(
    xform: bytes,
    answers: Mapping[str, Any],
    *,
    instance_id: str | None = None,
    deprecated_id: str | None = None,
) -> bytes:
    """The submission XML Collect would send for these answers (by element name)."""
    data = primary_instance(xform)
    for element in data.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name in answers:
            element.text = _value(answers[name])
    meta = next(e for e in data.iter() if e.tag.rsplit("}", 1)[-1] == "meta")
    instance = next(e for e in meta if e.tag.rsplit("}", 1)[-1] == "instanceID")
    instance.text = instance_id or f"uuid:{uuid.uuid4()}"
    if deprecated_id:
        ET.SubElement(meta, f"{{{XFORMS}}}deprecatedID").text = deprecated_id
    ET.register_namespace("", XFORMS)
    xml: bytes = ET.tostring(data, encoding="utf-8", xml_declaration=True)
    return xml


def multipart(xml: bytes, files: Sequence[tuple[str, bytes, str]] = ()) -> tuple[bytes, str]:
    """A body as Collect posts it, and its content type."""
    boundary = uuid.uuid4().hex
    parts = [("xml_submission_file", "submission.xml", xml, "text/xml")]
    parts += [(name, name, content, kind) for name, content, kind in files]
    chunks = []
    for field, filename, content, kind in parts:
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: {kind}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
