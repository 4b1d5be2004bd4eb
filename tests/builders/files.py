"""Files as members upload them, made here byte by byte: pictures with and without metadata,
documents, and the hostile ones (a polyglot, a decompression bomb, a lying name)."""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

# Where the garden's photo was taken: 48°51'N, 2°21'E.
GPS = {1: "N", 2: (48.0, 51.0, 24.0), 3: "E", 4: (2.0, 21.0, 7.0)}
HTML_PAYLOAD = b"<html><body><script>alert('polyglot')</script></body></html>"


def picture(format: str = "PNG", *, size: tuple[int, int] = (64, 48), **options) -> bytes:
    image = Image.new("RGB", size, (40, 120, 60))
    output = io.BytesIO()
    image.save(output, format, **options)
    return output.getvalue()


def photo_with_gps() -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera and where it was taken."""
    image = Image.new("RGB", (120, 80), (200, 180, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0131] = "Camera 1.0"  # Software
    exif[0x8825] = GPS  # GPSInfo
    output = io.BytesIO()
    image.save(output, "JPEG", exif=exif, quality=90)
    return output.getvalue()


def animation(frames: int = 3) -> bytes:
    """An animated GIF whose frames differ (identical ones the encoder would merge into one)."""
    images = [
        Image.new("RGB", (20, 20), (index * 60, 100, 200 - index * 60)) for index in range(frames)
    ]
    output = io.BytesIO()
    images[0].save(output, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return output.getvalue()


def polyglot() -> bytes:
    """A GIF that is also a web page: a browser sniffing it as HTML would run its script."""
    return picture("GIF") + HTML_PAYLOAD


def decompression_bomb() -> bytes:
    """A few kilobytes of PNG that would decode to 900 million pixels."""
    image = Image.new("1", (30_000, 30_000), 0)
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()


def pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def odt(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), mimetype)
        archive.writestr("content.xml", "<office:document-content/>")
    return output.getvalue()


def svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


def executable() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + bytes(200)


def as_upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    """What Django hands a view: the name and type are the sender's word."""
    return SimpleUploadedFile(name, content, content_type=content_type)
