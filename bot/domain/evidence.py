"""Which files a citizen may send as evidence: one allow-list, by file name extension and MIME type.

Accepted: photos, PDF, office documents, plain text and images sent as files. Executables and
scripts are refused by extension or by MIME type, whichever reveals them (``bukti.pdf.exe`` and a
``.pdf`` announced as ``application/x-msdownload`` are both refused); any other type is refused as
not supported. Nothing refused is stored or reaches the staff chat.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["EvidenceVerdict", "judge_evidence"]


class EvidenceVerdict(StrEnum):
    ACCEPTED = "diterima"
    EXECUTABLE = "program"  # executables and scripts: refused for safety
    UNSUPPORTED = "tidak_didukung"  # anything else not on the allow-list (archives, video, …)


ALLOWED_EXTENSIONS = frozenset({
    # PDF and plain text
    "pdf", "txt", "csv", "rtf",
    # office documents (Microsoft Office, OpenDocument)
    "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp",
    # images sent as files
    "jpg", "jpeg", "png", "gif", "webp", "bmp", "tif", "tiff", "heic", "heif",
})

ALLOWED_MIME_TYPES = frozenset({
    "application/pdf", "text/plain", "text/csv", "application/rtf", "text/rtf",
    "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/tiff", "image/heic",
    "image/heif",
    # what clients announce when they do not know: the extension decides then
    "application/octet-stream",
})

EXECUTABLE_EXTENSIONS = frozenset({
    "exe", "msi", "com", "scr", "pif", "cpl", "dll", "sys", "bat", "cmd", "ps1", "psm1", "vbs", "vbe",
    "js", "jse", "mjs", "wsf", "wsh", "hta", "jar", "apk", "xapk", "aab", "ipa", "app", "dmg", "pkg",
    "deb", "rpm", "run", "bin", "elf", "sh", "bash", "zsh", "csh", "ksh", "py", "pyc", "pyw", "pl",
    "rb", "php", "lua", "lnk", "reg", "inf", "msc", "gadget", "docm", "xlsm", "pptm", "dotm", "xlam",
    "svg", "html", "htm", "xhtml", "swf",
})

EXECUTABLE_MIME_TYPES = frozenset({
    "application/x-msdownload", "application/x-msdos-program", "application/x-ms-dos-executable",
    "application/x-dosexec", "application/x-executable", "application/x-elf", "application/x-sharedlib",
    "application/x-msi", "application/x-ms-installer", "application/x-bat", "application/x-sh",
    "application/x-shellscript", "text/x-shellscript", "application/x-csh", "text/x-python",
    "application/x-python-code", "text/x-perl", "application/x-perl", "application/x-php", "text/x-php",
    "application/javascript", "text/javascript", "application/x-javascript", "application/java-archive",
    "application/x-java-archive", "application/vnd.android.package-archive", "application/x-apple-diskimage",
    "application/vnd.microsoft.portable-executable", "application/hta", "application/x-ms-shortcut",
    "text/vbscript", "application/x-vbscript", "image/svg+xml", "text/html", "application/xhtml+xml",
    "application/x-shockwave-flash", "application/vnd.ms-word.document.macroenabled.12",
    "application/vnd.ms-excel.sheet.macroenabled.12",
    "application/vnd.ms-powerpoint.presentation.macroenabled.12",
})


def _extensions(file_name: str | None) -> list[str]:
    """Every dotted part after the first: 'bukti.pdf.exe' → ['pdf', 'exe']."""
    parts = (file_name or "").strip().lower().rstrip(". ").split(".")
    return [part.strip() for part in parts[1:] if part.strip()]


def judge_evidence(kind: str, file_name: str | None, mime_type: str | None) -> EvidenceVerdict:
    """The verdict on one file. ``kind`` "photo" is a Telegram photo (always an image)."""
    if kind == "photo":
        return EvidenceVerdict.ACCEPTED
    extensions = _extensions(file_name)
    mime = (mime_type or "").split(";")[0].strip().lower()
    if any(ext in EXECUTABLE_EXTENSIONS for ext in extensions) or mime in EXECUTABLE_MIME_TYPES:
        return EvidenceVerdict.EXECUTABLE
    last = extensions[-1] if extensions else None
    if last is not None and last not in ALLOWED_EXTENSIONS:
        return EvidenceVerdict.UNSUPPORTED
    if mime and mime not in ALLOWED_MIME_TYPES:
        return EvidenceVerdict.UNSUPPORTED
    if last is None and mime in ("", "application/octet-stream"):
        return EvidenceVerdict.UNSUPPORTED  # no name and no type: nothing tells what it is
    return EvidenceVerdict.ACCEPTED
