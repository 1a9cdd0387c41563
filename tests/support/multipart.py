"""A multipart/form-data body built by hand, as a browser would send it (the tests' own, so a
parser is never checked against itself)."""

from __future__ import annotations

import secrets


def encode(
    fields: dict[str, str | list[str]], files: dict[str, tuple[str, bytes, str]]
) -> tuple[bytes, str]:
    """The body and its Content-Type; `files` maps a field to (filename, content, type)."""
    boundary = "----relance" + secrets.token_hex(12)
    out = bytearray()
    for name, value in fields.items():
        for one in [value] if isinstance(value, str) else value:
            out += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            out += one.encode() + b"\r\n"
    for name, (filename, content, kind) in files.items():
        quoted = filename.replace('"', "%22")
        out += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{quoted}"\r\nContent-Type: {kind}\r\n\r\n'
        ).encode()
        out += content + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"
