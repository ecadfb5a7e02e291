"""FilesMixin: file records, uploads and file_id resolution, downloads and getFile."""

from __future__ import annotations

import base64
import hashlib
import re

from bot.fakebot.constants import (
    FILE_ID_PREFIX,
    FILE_TYPE_NAMES,
    IMAGE_MAGIC,
    MAX_DOWNLOAD_BYTES,
    MAX_UPLOAD_BYTES,
)
from bot.fakebot.params import Args
from bot.fakebot.records import JSON, ApiError, FileRecord, UploadedFile, bad_request
from bot.fakebot.state import FakeTelegramState


class FilesMixin(FakeTelegramState):
    """Files as Telegram stores them: ids, photo size sets, uploads, downloads."""

    # ------------------------------------------------------------------ file records

    def _new_file(
        self,
        kind: str,
        content: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        width: int | None = None,
        height: int | None = None,
        duration: int | None = None,
    ) -> FileRecord:
        n = next(self._ids)
        digest = base64.urlsafe_b64encode(hashlib.sha256(f"{kind}{n}".encode()).digest())
        token = digest.decode().rstrip("=")
        file_id = f"{FILE_ID_PREFIX[kind]}{n:06d}{token[:40]}"
        unique = f"AQAD{token[40:52]}{n}"
        extension = (file_name or "").rsplit(".", 1)[-1] if file_name and "." in file_name else {
            "photo": "jpg", "sticker": "webp", "voice": "oga", "video": "mp4",
            "audio": "mp3", "animation": "mp4",
        }.get(kind, "bin")
        folder = "voice" if kind == "voice" else f"{kind}s"
        record = FileRecord(
            file_id, unique, kind, content, file_name, mime_type, width, height, duration,
            f"{folder}/file_{n}.{extension}",
        )
        self.files[file_id] = record
        return record

    @staticmethod
    def _file_dict(record: FileRecord) -> JSON:
        data: JSON = {"file_id": record.file_id, "file_unique_id": record.file_unique_id}
        for key in ("file_name", "mime_type", "width", "height", "duration"):
            if getattr(record, key) is not None:
                data[key] = getattr(record, key)
        data["file_size"] = record.file_size
        return data

    def _make_photo_sizes(self, content: bytes, width: int, height: int) -> list[JSON]:
        sizes: list[JSON] = []
        for limit in (90, 320, 800, 1280):
            scale = min(1.0, limit / max(width, height))
            w, h = max(1, round(width * scale)), max(1, round(height * scale))
            if sizes and (w, h) == (sizes[-1]["width"], sizes[-1]["height"]):
                break
            part = content if scale == 1.0 else content[: max(1, int(len(content) * scale * scale))]
            record = self._new_file("photo", part, width=w, height=h)
            sizes.append(self._file_dict(record))
        for size in sizes:
            self._photo_sets[size["file_id"]] = sizes
        return sizes

    # ------------------------------------------------------------------ file arguments & uploads

    def _input_file(self, args: Args, name: str, value: str | None, kind: str) -> tuple[FileRecord, list[JSON] | None]:
        """Resolves a file argument: multipart upload, attach://, URL or file_id."""
        upload = args.files.get(name)
        if upload is None and value and value.startswith("attach://"):
            upload = args.files.get(value[len("attach://") :])
            if upload is None:
                raise bad_request(f"can't find attached file \"{value[len('attach://'):]}\"")
        if upload is not None:
            return self._from_upload(upload, kind)
        if not value:
            noun = {"photo": "photo", "document": "document"}.get(kind, kind)
            raise bad_request(f"there is no {noun} in the request")
        if re.match(r"^https?://", value):
            content = FAKE_JPEG if kind == "photo" else b"downloaded by URL"
            return self._stored_upload(content, kind, value.rsplit("/", 1)[-1] or None, None)
        record = self.files.get(value.strip())
        if record is None:
            raise bad_request("wrong remote file identifier specified: can't unserialize it")
        if record.kind != kind:
            raise bad_request(
                f"can't use file of type {FILE_TYPE_NAMES[record.kind]} as {FILE_TYPE_NAMES[kind]}"
            )
        return record, self._photo_sets.get(record.file_id)

    def _from_upload(self, upload: UploadedFile, kind: str) -> tuple[FileRecord, list[JSON] | None]:
        if not upload.content:
            raise bad_request("file must be non-empty")
        if len(upload.content) > MAX_UPLOAD_BYTES:
            raise ApiError(413, "Request Entity Too Large")
        if kind == "photo" and not upload.content.startswith(IMAGE_MAGIC):
            raise bad_request("IMAGE_PROCESS_FAILED")
        return self._stored_upload(upload.content, kind, upload.filename, upload.mime_type)

    def _stored_upload(
        self, content: bytes, kind: str, filename: str | None, mime: str | None
    ) -> tuple[FileRecord, list[JSON] | None]:
        if kind == "photo":
            width, height = _image_size(content)
            sizes = self._make_photo_sizes(content, width, height)
            return self.files[sizes[-1]["file_id"]], sizes
        record = self._new_file(
            kind, content, file_name=filename, mime_type=mime or "application/octet-stream"
        )
        return record, None

    # ------------------------------------------------------------------ downloads

    def download(self, token: str | None, file_path: str) -> tuple[int, bytes]:
        """Serves https://api.telegram.org/file/bot<token>/<file_path>."""
        if self.token is not None and token != self.token:
            return 401, b'{"ok":false,"error_code":401,"description":"Unauthorized"}'
        for record in self.files.values():
            if record.file_path == file_path:
                return 200, record.content
        return 404, b'{"ok":false,"error_code":404,"description":"Not Found"}'

    def _api_getFile(self, args: Args) -> JSON:
        file_id = args.get("file_id").strip()
        if not file_id:
            raise bad_request("file_id is empty")  # approximation
        record = self.files.get(file_id)
        if record is None:
            raise bad_request("wrong remote file identifier specified: can't unserialize it")
        if record.file_size > MAX_DOWNLOAD_BYTES:
            raise bad_request("file is too big")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.file_size,
            "file_path": record.file_path,
        }


def _image_size(content: bytes) -> tuple[int, int]:
    if content.startswith(b"\x89PNG\r\n\x1a\n") and len(content) >= 24:
        return int.from_bytes(content[16:20], "big"), int.from_bytes(content[20:24], "big")
    if content[:6] in (b"GIF87a", b"GIF89a") and len(content) >= 10:
        return int.from_bytes(content[6:8], "little"), int.from_bytes(content[8:10], "little")
    if content.startswith(b"\xff\xd8"):
        size = _jpeg_size(content)
        if size:
            return size
    return 800, 600


def _jpeg_size(content: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(content):
        if content[i] != 0xFF:
            return None
        marker = content[i + 1]
        length = int.from_bytes(content[i + 2 : i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            height = int.from_bytes(content[i + 5 : i + 7], "big")
            width = int.from_bytes(content[i + 7 : i + 9], "big")
            return width, height
        i += 2 + length
    return None


# A minimal valid-looking JPEG header used for driver-side photos.
FAKE_JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xc0\x00\x11\x08\x03\xc0\x05\x00\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"
    + b"\x00" * 4000
    + b"\xff\xd9"
)
