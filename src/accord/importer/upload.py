"""Receiving an upload: a multipart body streamed to the upload folder in chunks, its SHA-256
computed on the way, never the whole file in memory, stopped as soon as it is too large.

Plain Python over bytes (no web framework): the API feeds it the request's chunks.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header

from accord.errors import AppError, InvalidInput

#: form fields other than the file are short: a kind, a flag, a CSRF token
MAX_FIELD_BYTES = 1024


class TooLarge(AppError):
    status = 413


@dataclass
class StoredUpload:
    """The received file in the upload folder, and the form's other fields."""

    path: Path | None = None
    filename: str = ""
    sha256: str = ""
    size: int = 0
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


def safe_name(filename: str) -> str:
    """The file's own name (no folders), in characters any file system takes."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    return re.sub(r"[^A-Za-z0-9._-]+", "_", base)[:150].lstrip(".") or "upload"


class UploadReceiver:
    """Feed it the body's chunks (`feed`), then `finish()`; the `file` part goes to disk."""

    def __init__(self, content_type: str, directory: Path, max_bytes: int) -> None:
        kind, options = parse_options_header(content_type)
        boundary = options.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise InvalidInput(
                "send the upload as multipart/form-data with the fields kind and file",
                field="file",
            )
        self.directory = directory
        self.max_bytes = max_bytes
        self.upload = StoredUpload()
        self._headers: dict[str, str] = {}
        self._header_field = b""
        self._header_value = b""
        self._name = ""
        self._value = bytearray()
        self._out: IO[bytes] | None = None
        self._digest = hashlib.sha256()
        self._error: AppError | None = None
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._part_begin,
                "on_header_field": self._header_field_data,
                "on_header_value": self._header_value_data,
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._part_data,
                "on_part_end": self._part_end,
            },
        )

    # --- the parser's callbacks ----------------------------------------------------------

    def _part_begin(self) -> None:
        self._headers, self._name, self._value = {}, "", bytearray()

    def _header_field_data(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        name = self._header_field.decode("latin-1").lower()
        self._headers[name] = self._header_value.decode("utf-8", "replace")
        self._header_field, self._header_value = b"", b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get("content-disposition", ""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if self._name == "file" and filename is not None:
            if self._out is not None:
                self._error = InvalidInput("send one file per upload", field="file")
                return
            self.upload.filename = filename.decode("utf-8", "replace")
            self.directory.mkdir(parents=True, exist_ok=True)
            stored = f"{uuid.uuid4().hex}-{safe_name(self.upload.filename)}"
            self.upload.path = self.directory / stored
            self._out = self.upload.path.open("xb")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._error is not None:
            return
        chunk = data[start:end]
        if self._out is not None and self._name == "file" and not self._out.closed:
            self.upload.size += len(chunk)
            if self.upload.size > self.max_bytes:
                self._error = TooLarge(
                    f"the file is larger than the {self.max_bytes:,} bytes an upload may have "
                    "(ACCORD_UPLOAD_MAX_BYTES)",
                    field="file",
                )
                return
            self._digest.update(chunk)
            self._out.write(chunk)
        elif len(self._value) + len(chunk) > MAX_FIELD_BYTES:
            self._error = InvalidInput(f"the field {self._name} is too long", field=self._name)
        else:
            self._value += chunk

    def _part_end(self) -> None:
        if self._out is not None and self._name == "file" and not self._out.closed:
            self._out.close()
        elif self._name and self._name != "file":
            self.upload.fields[self._name] = self._value.decode("utf-8", "replace").strip()

    # --- feeding -------------------------------------------------------------------------

    def feed(self, chunk: bytes) -> None:
        """Write one chunk of the body; a too large file stops here, its part deleted."""
        try:
            self._parser.write(chunk)
        except Exception as error:  # the parser's own errors: a damaged body
            self._error = self._error or InvalidInput(
                f"the upload is not a readable multipart body: {error}", field="file"
            )
        if self._error is not None:
            self.abort()
            raise self._error

    def finish(self) -> StoredUpload:
        self._parser.finalize()
        if self._out is not None and not self._out.closed:
            # the body ended inside the file part: the client stopped sending
            self.abort()
            raise InvalidInput("the upload ended before the file did; send it again", field="file")
        self.upload.sha256 = self._digest.hexdigest()
        return self.upload

    def abort(self) -> None:
        if self._out is not None:
            self._out.close()
        self.upload.discard()


def store_file(
    source: IO[bytes], filename: str, directory: Path, max_bytes: int, chunk_size: int = 1 << 20
) -> StoredUpload:
    """Copy an already received file (a form the framework parsed) to the upload folder in
    chunks, with its SHA-256, under the same size limit."""
    upload = StoredUpload(filename=filename)
    directory.mkdir(parents=True, exist_ok=True)
    upload.path = directory / f"{uuid.uuid4().hex}-{safe_name(filename)}"
    digest = hashlib.sha256()
    with upload.path.open("xb") as out:
        for chunk in iter(lambda: source.read(chunk_size), b""):
            upload.size += len(chunk)
            if upload.size > max_bytes:
                out.close()
                upload.discard()
                raise TooLarge(
                    f"the file is larger than the {max_bytes:,} bytes an upload may have "
                    "(ACCORD_UPLOAD_MAX_BYTES)",
                    field="file",
                )
            digest.update(chunk)
            out.write(chunk)
    upload.sha256 = digest.hexdigest()
    return upload
