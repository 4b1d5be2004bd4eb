"""What a member's uploaded file really is, decided from its bytes, and the bytes the site keeps.

The name a file comes with and the type the browser claims are the sender's word: neither is
read. An image is decoded by Pillow and written anew, so that what is kept is pixels and nothing
else (no EXIF, GPS or comment; no HTML or script hidden after the image data, as in a polyglot),
at most `max_side` wide and high; one that would decode to more than `max_pixels` is refused
before it is decoded. A file (PDF, OpenDocument text, plain text) is kept as it came, for
download only: it is never shown inside the site's pages (core.stored_files).

Every refusal is a `Refused` whose message, in the member's language, says what to do.
"""

import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from django.core.exceptions import SuspiciousFileOperation
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError

IMAGE = "image"
FILE = "file"


@dataclass(frozen=True)
class Format:
    key: str  # as the settings name it (UPLOAD_IMAGE_TYPES, UPLOAD_FILE_TYPES)
    kind: str
    content_type: str
    extension: str
    label: str  # or a lazy translation


# Every format the site knows. Settings choose among these only: anything else (SVG, HTML, an
# office document with macros) cannot be turned on.
FORMATS = {
    format.key: format
    for format in [
        Format("jpeg", IMAGE, "image/jpeg", "jpg", "JPEG"),
        Format("png", IMAGE, "image/png", "png", "PNG"),
        Format("webp", IMAGE, "image/webp", "webp", "WebP"),
        Format("gif", IMAGE, "image/gif", "gif", "GIF"),
        Format("pdf", FILE, "application/pdf", "pdf", "PDF"),
        Format("odt", FILE, "application/vnd.oasis.opendocument.text", "odt", "ODT"),
        Format("txt", FILE, "text/plain; charset=utf-8", "txt", gettext_lazy("plain text")),
    ]
}
_PILLOW_FORMATS = {"JPEG": "jpeg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
# An animated GIF, WebP or PNG is decoded frame by frame: its frames' pixels count together.
MAX_FRAMES = 300
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
# Text that starts as markup does (after any byte-order mark and blank space, "<" and then a
# letter, "!", "?" or "/"): a browser sniffing it would take it for a web page or a drawing
# (the WHATWG MIME sniffing standard lists some of those openings; all of them are refused),
# whatever the headers it is served with. No letter, minutes or notes starts so.
_MARKUP_START = re.compile(
    rb"^(?:\xef\xbb\xbf|\xfe\xff|\xff\xfe)?[\t\n\x0c\r ]*<[A-Za-z!?/]", re.IGNORECASE
)
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class Refused(ValueError):
    """The file cannot be kept; the message says why, in the member's language."""


@dataclass(frozen=True)
class Inspected:
    format: Format
    content: bytes
    name: str
    width: int | None = None
    height: int | None = None

    @property
    def kind(self) -> str:
        return self.format.kind


def accepted_formats(keys: list[str]) -> list[Format]:
    """The formats a setting names; a name the site does not know is a mistake to report."""
    unknown = [key for key in keys if key not in FORMATS]
    if unknown:
        raise ValueError(f"Unknown upload types {unknown}: choose among {sorted(FORMATS)}.")
    return [FORMATS[key] for key in keys]


def inspect(
    upload: BinaryIO,
    *,
    name: str,
    size: int,
    formats: list[Format],
    max_bytes: int,
    max_pixels: int,
    max_side: int,
) -> Inspected:
    """The upload as the site will keep it, or `Refused`."""
    require_size(size, max_bytes=max_bytes)
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    image_formats = [format for format in formats if format.kind == IMAGE]
    if image_format := _image_format(upload):
        if image_format not in image_formats:
            raise _not_accepted(formats)
        return _image(upload, image_format, name, max_pixels=max_pixels, max_side=max_side)
    content = upload.read(max_bytes + 1)
    for format in formats:
        if format.kind == FILE and _is(format.key, head, content):
            return Inspected(format=format, content=content, name=_file_name(name, format))
    if _MARKUP_START.match(head):
        raise Refused(
            _(
                "This file is a web page or a drawing in markup (HTML, SVG, XML), which the "
                "site does not accept: save it as PDF or as an image."
            )
        )
    raise _not_accepted(formats)


def require_size(size: int, *, max_bytes: int) -> None:
    """`Refused` for an empty upload or one past `max_bytes`, before any byte of it is read."""
    if size == 0:
        raise Refused(_("This file is empty."))
    if size > max_bytes:
        raise Refused(
            _("This file is %(size)s: files can be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
        )


def square_picture(upload: BinaryIO, *, sizes: list[int], max_pixels: int) -> dict[int, bytes]:
    """An avatar: the image cropped to its centre square, at each of `sizes` (pixels wide), in
    WebP; `Refused` if it is not an image the site reads."""
    image_format = _image_format(upload)
    if image_format is None:
        raise Refused(_("Choose a picture: a JPEG, PNG, WebP or GIF image."))
    with _decoding(upload, max_pixels, at_least=max(sizes)) as image:
        picture = ImageOps.exif_transpose(image).convert("RGBA" if _has_alpha(image) else "RGB")
    side = min(picture.size)
    left, top = (picture.width - side) // 2, (picture.height - side) // 2
    square = picture.crop((left, top, left + side, top + side))
    sizes_kept = {}
    for size in sizes:
        output = io.BytesIO()
        square.resize((size, size), Image.Resampling.LANCZOS).save(output, "WEBP", quality=85)
        sizes_kept[size] = output.getvalue()
    return sizes_kept


def _image_format(upload: BinaryIO) -> Format | None:
    """The image format Pillow finds in the bytes; None if they are not an image it knows."""
    upload.seek(0)
    try:
        with Image.open(upload, formats=list(_PILLOW_FORMATS)) as image:
            key = _PILLOW_FORMATS[image.format]
    except Image.DecompressionBombError:
        raise _bomb() from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        # Not an image, or one too broken to say which: a file, or nothing, to the caller.
        return None
    finally:
        upload.seek(0)
    return FORMATS[key]


class _decoding:
    """An image opened for decoding, with the pixel limit checked before any pixel is."""

    def __init__(self, upload: BinaryIO, max_pixels: int, *, at_least: int) -> None:
        self.upload, self.max_pixels, self.at_least = upload, max_pixels, at_least

    def __enter__(self) -> Image.Image:
        self.upload.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                image = Image.open(self.upload, formats=list(_PILLOW_FORMATS))
                frames = getattr(image, "n_frames", 1)
                if image.width * image.height * min(frames, MAX_FRAMES) > self.max_pixels:
                    raise _too_many_pixels(image, self.max_pixels)
                if frames > MAX_FRAMES:
                    raise Refused(
                        _("This animation has %(count)d frames: at most %(limit)d are accepted.")
                        % {"count": frames, "limit": MAX_FRAMES}
                    )
                if image.format == "JPEG":
                    # A JPEG decodes at a half, a quarter or an eighth of its size for little
                    # more than that share of the time and memory: as small as what is kept
                    # allows (a picture of 192 pixels from a phone's 12 megapixels).
                    image.draft(None, (self.at_least, self.at_least))
                image.load()
            except Refused:
                raise
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise _bomb() from None
            except (OSError, ValueError, SyntaxError, EOFError) as error:
                raise Refused(
                    _("This image is damaged or incomplete: open it and save it again.")
                ) from error
        self.image = image
        return image

    def __exit__(self, *exc_info) -> None:
        self.image.close()


def _bomb() -> Refused:
    return Refused(
        _("This image would be far too large once opened: make it smaller and try again.")
    )


def _too_many_pixels(image: Image.Image, max_pixels: int) -> Refused:
    return Refused(
        _(
            "This image is %(width)d by %(height)d pixels: images can have at most "
            "%(limit)s million pixels. Make it smaller and try again."
        )
        % {
            "width": image.width,
            "height": image.height,
            "limit": f"{max_pixels / 1_000_000:g}",
        }
    )


def _image(
    upload: BinaryIO, format: Format, name: str, *, max_pixels: int, max_side: int
) -> Inspected:
    with _decoding(upload, max_pixels, at_least=max_side) as image:
        frames = [ImageOps.exif_transpose(frame.copy()) for frame in ImageSequence.Iterator(image)]
        duration = image.info.get("duration")
        loop = image.info.get("loop")
        # Colours as the camera meant them (a colour profile says nothing about anyone), unless
        # the pixels are converted: a CMYK profile would misread the RGB written below.
        icc_profile = image.info.get("icc_profile") if image.mode != "CMYK" else None
    for frame in frames:
        frame.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    first = frames[0]
    output = io.BytesIO()
    # Only what these arguments name is written: no EXIF, XMP or text chunk of the original.
    options: dict = {"format": format.key.upper()}
    if icc_profile:
        options["icc_profile"] = icc_profile
    if format.key == "jpeg":
        first = first.convert("RGB")
        options.update(quality=88, optimize=True)
    elif format.key == "webp":
        options.update(quality=85)
    if len(frames) > 1 and format.key in ("gif", "webp", "png"):
        options.update(save_all=True, append_images=frames[1:])
        if duration is not None:
            options["duration"] = duration
        if loop is not None:
            options["loop"] = loop
    first.save(output, **options)
    return Inspected(
        format=format,
        content=output.getvalue(),
        name=_file_name(name, format),
        width=first.width,
        height=first.height,
    )


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def _is(key: str, head: bytes, content: bytes) -> bool:
    if key == "pdf":
        return head.startswith(b"%PDF-")
    if key == "odt":
        return _is_odt(content)
    if key == "txt":
        return _is_plain_text(head, content)
    return False


def _is_odt(content: bytes) -> bool:
    """An OpenDocument text: a zip whose first entry, `mimetype`, names the type (ODF 1.3,
    part 2, section 3.3)."""
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            if not entries or entries[0].filename != "mimetype" or entries[0].file_size > 100:
                return False
            return archive.read(entries[0]).strip() == ODT_MIMETYPE
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError):
        return False


def _is_plain_text(head: bytes, content: bytes) -> bool:
    if _MARKUP_START.match(head):
        return False
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not _CONTROL_CHARACTERS.search(text)


def _not_accepted(formats: list[Format]) -> Refused:
    return Refused(
        _("This type of file is not accepted. You can upload: %(types)s.")
        % {"types": ", ".join(str(format.label) for format in formats)}
    )


def _file_name(name: str, format: Format) -> str:
    """The name the file is offered under: the member's, made safe, ending as its type does."""
    stem = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem else stem
    try:
        safe = get_valid_filename(stem)[:80]
    except SuspiciousFileOperation:  # nothing safe is left of it
        safe = ""
    return f"{safe or 'file'}.{format.extension}"
