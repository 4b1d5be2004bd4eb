"""What the site keeps of an uploaded file is decided from its bytes (core.uploaded_files): the
name it comes with and the browser's word are never believed, images are written anew by
Pillow, and every refusal says why in the member's language."""

import io
import time
import zipfile

import pytest
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext, override
from PIL import Image

from core.uploaded_files import Inspected, Refused, accepted_formats, inspect
from tests.builders import files

NOT_ACCEPTED = "This type of file is not accepted. You can upload: %(types)s."
MARKUP = (
    "This file is a web page or a drawing in markup (HTML, SVG, XML), which the site does not "
    "accept: save it as PDF or as an image."
)
BOMB = "This image would be far too large once opened: make it smaller and try again."
DAMAGED = "This image is damaged or incomplete: open it and save it again."
TOO_LARGE = "This file is %(size)s: files can be at most %(limit)s."
EMPTY = "This file is empty."
ALL_TYPES = "JPEG, PNG, WebP, GIF, PDF, ODT, plain text"


def kept(content: bytes, name: str = "upload", **limits) -> Inspected:
    """The file as the site would keep it, with the site's default types and limits."""
    limits.setdefault("max_bytes", settings.UPLOAD_MAX_BYTES)
    limits.setdefault("max_pixels", settings.UPLOAD_IMAGE_MAX_PIXELS)
    limits.setdefault("max_side", settings.UPLOAD_IMAGE_MAX_SIDE)
    return inspect(
        io.BytesIO(content),
        name=name,
        size=len(content),
        formats=accepted_formats([*settings.UPLOAD_IMAGE_TYPES, *settings.UPLOAD_FILE_TYPES]),
        **limits,
    )


def refusal(content: bytes, name: str = "upload", **limits) -> str:
    with pytest.raises(Refused) as refused:
        kept(content, name, **limits)
    return str(refused.value)


def opened(content: bytes) -> Image.Image:
    return Image.open(io.BytesIO(content))


def zip_of(entries: dict[str, bytes]) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return output.getvalue()


def animated_webp(frames: int = 4) -> bytes:
    images = [Image.new("RGB", (20, 20), (n * 50, 80, 120)) for n in range(frames)]
    output = io.BytesIO()
    images[0].save(output, "WEBP", save_all=True, append_images=images[1:], duration=80, loop=0)
    return output.getvalue()


# Every allowed type


@pytest.mark.parametrize(
    ("format", "key", "content_type"),
    [
        ("JPEG", "jpeg", "image/jpeg"),
        ("PNG", "png", "image/png"),
        ("WEBP", "webp", "image/webp"),
        ("GIF", "gif", "image/gif"),
    ],
)
def test_each_allowed_image_type_is_kept_as_an_image_written_anew(format, key, content_type):
    upload = kept(files.picture(format, size=(64, 48)), "holiday.bin")
    assert upload.kind == "image" and upload.format.key == key
    assert upload.format.content_type == content_type
    assert (upload.width, upload.height) == (64, 48)
    assert opened(upload.content).format == format
    assert upload.name == f"holiday.{upload.format.extension}"


def test_an_animated_gif_keeps_its_frames_and_timing():
    original = files.animation(frames=3)
    assert opened(original).n_frames == 3
    animation = opened(kept(original, "dance.gif").content)
    assert animation.n_frames == 3
    assert animation.info["duration"] == 100 and animation.info["loop"] == 0


def test_an_animated_png_keeps_its_frames():
    images = [Image.new("RGB", (20, 20), (n * 60, 90, 30)) for n in range(3)]
    output = io.BytesIO()
    images[0].save(output, "PNG", save_all=True, append_images=images[1:], duration=120)
    animated = opened(kept(output.getvalue(), "dance.png").content)
    assert animated.format == "PNG" and animated.n_frames == 3


def test_a_cmyk_photo_is_written_in_rgb_without_its_cmyk_colour_profile():
    output = io.BytesIO()
    Image.new("CMYK", (30, 20), (0, 80, 80, 0)).save(output, "JPEG", icc_profile=b"cmyk-profile")
    written = opened(kept(output.getvalue(), "print.jpg").content)
    assert written.mode == "RGB" and "icc_profile" not in written.info


def test_an_animated_webp_keeps_its_frames():
    assert opened(kept(animated_webp(frames=4), "spin.webp").content).n_frames == 4


@pytest.mark.parametrize(
    ("content", "name", "key", "kept_as"),
    [
        (files.pdf(), "minutes.pdf", "pdf", "minutes.pdf"),
        (files.odt(), "minutes.odt", "odt", "minutes.odt"),
        ("Graines à échanger : tomates 🍅\nrue des Lilas\n".encode(), "seeds", "txt", "seeds.txt"),
    ],
)
def test_each_allowed_file_type_is_kept_as_it_came(content, name, key, kept_as):
    upload = kept(content, name)
    assert upload.kind == "file" and upload.format.key == key
    assert upload.content == content and upload.name == kept_as


def test_text_is_served_as_utf8():
    assert kept(b"Hello", "a.txt").format.content_type == "text/plain; charset=utf-8"


# Each refused type


def test_an_svg_is_refused_as_markup():
    assert refusal(files.svg(), "drawing.svg") == MARKUP


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><body>Hi</body></html>",
        b"  \n<html><script>alert(1)</script></html>",
        b"<script>alert(1)</script>",
        b"<?xml version='1.0'?><x/>",
        b"<!-- a comment first --><svg><script>alert(1)</script></svg>",
        b"\xef\xbb\xbf<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
        b"\xef\xbb\xbf  <html><body>Hi</body></html>",
        b"<img src=x onerror=alert(1)>",
        b"</p><p>closing first",
    ],
    ids=["doctype", "html", "script", "xml", "comment", "BOM svg", "BOM html", "img", "closing"],
)
def test_a_web_page_or_xml_is_refused_even_named_as_text(content):
    assert refusal(content, "notes.txt") == MARKUP


@pytest.mark.parametrize(
    "content", [b"a < b, and b > c", b"<3 to the garden team", b"\xef\xbb\xbfMinutes, 3 May"]
)
def test_text_that_only_holds_angle_brackets_is_text(content):
    assert kept(content, "notes.txt").format.key == "txt"


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (files.executable(), "setup.exe"),
        (files.picture("BMP"), "photo.bmp"),
        (files.picture("TIFF"), "photo.tiff"),
        (zip_of({"notes.txt": b"hello"}), "notes.zip"),
        (files.odt(mimetype=b"application/zip"), "report.odt"),
        (files.odt(mimetype=b"application/vnd.oasis.opendocument.spreadsheet"), "sheet.odt"),
        (b"text with a \x00 NUL byte", "notes.txt"),
        ("café crème, déjà vu".encode("latin-1") + bytes(range(0x80, 0x100)), "notes.txt"),
    ],
    ids=[
        "executable",
        "BMP",
        "TIFF",
        "zip",
        "ODT with a zip mimetype",
        "spreadsheet as ODT",
        "NUL",
        "Latin-1",
    ],
)
def test_other_types_are_refused_naming_what_is_accepted(content, name):
    assert refusal(content, name) == NOT_ACCEPTED % {"types": ALL_TYPES}


def test_types_the_settings_leave_out_are_refused_and_not_offered():
    only_images = accepted_formats(["jpeg", "png"])
    with pytest.raises(Refused) as refused:
        inspect(
            io.BytesIO(files.pdf()),
            name="minutes.pdf",
            size=len(files.pdf()),
            formats=only_images,
            max_bytes=1_000_000,
            max_pixels=1_000_000,
            max_side=100,
        )
    assert str(refused.value) == NOT_ACCEPTED % {"types": "JPEG, PNG"}


def test_settings_naming_an_unknown_type_are_a_mistake():
    with pytest.raises(ValueError, match="svg"):
        accepted_formats(["svg"])
    with pytest.raises(ValueError, match="html"):
        accepted_formats(["png", "html"])


# Lying names, polyglots and bombs


def test_a_png_named_pdf_is_kept_as_a_png_and_named_so():
    upload = kept(files.picture("PNG"), "invoice.pdf")
    assert upload.format.key == "png" and upload.format.content_type == "image/png"
    assert upload.name == "invoice.png"


def test_a_pdf_named_png_is_kept_as_a_pdf_and_named_so():
    upload = kept(files.pdf(), "photo.png")
    assert upload.format.key == "pdf" and upload.name == "photo.pdf"


def test_a_web_page_named_jpg_is_refused():
    assert refusal(files.HTML_PAYLOAD, "photo.jpg") == MARKUP


def test_a_gif_that_is_also_a_web_page_is_kept_as_pixels_only():
    polyglot = files.polyglot()
    assert b"<script" in polyglot
    upload = kept(polyglot, "funny.gif")
    assert upload.format.key == "gif"
    assert b"<script" not in upload.content.lower() and b"<html" not in upload.content.lower()
    assert opened(upload.content).size == (64, 48)


def test_a_decompression_bomb_is_refused_quickly_without_decoding_it():
    bomb = files.decompression_bomb()
    assert len(bomb) < 200_000
    started = time.monotonic()
    assert refusal(bomb, "tiny.png") == BOMB
    assert time.monotonic() - started < 1


def test_an_image_past_the_pixel_limit_is_refused_saying_the_limit():
    image = files.picture("PNG", size=(400, 300))
    message = refusal(image, "big.png", max_pixels=100_000)
    assert message == (
        "This image is 400 by 300 pixels: images can have at most 0.1 million pixels. "
        "Make it smaller and try again."
    )


def test_a_nine_megabyte_file_is_refused_naming_the_eight_megabyte_limit():
    assert settings.UPLOAD_MAX_BYTES == 8 * 1024 * 1024
    message = refusal(b"a" * (9 * 1024 * 1024), "big.txt")
    assert message == TOO_LARGE % {"size": "9.0\xa0MB", "limit": "8.0\xa0MB"}
    assert "8.0\xa0MB" in message


def test_an_empty_file_is_refused():
    assert refusal(b"", "empty.txt") == EMPTY


@pytest.mark.parametrize(
    "content",
    [files.picture("PNG", size=(400, 400))[:100], files.picture("GIF", size=(300, 300))[:60]],
    ids=["PNG", "GIF"],
)
def test_a_truncated_image_is_refused_as_damaged(content):
    assert refusal(content, "cut.png") == DAMAGED


def test_a_truncated_photo_is_refused_as_damaged():
    noise = Image.effect_noise((300, 300), 60).convert("RGB")
    output = io.BytesIO()
    noise.save(output, "JPEG")
    photo = output.getvalue()
    assert refusal(photo[: len(photo) // 2], "cut.jpg") == DAMAGED


# What an image keeps


def test_a_photos_gps_position_and_camera_are_removed():
    photo = files.photo_with_gps()
    original = opened(photo).getexif()
    assert original[0x010F] == "PhoneMaker" and 0x8825 in original  # Make, GPSInfo
    written = opened(kept(photo, "garden.jpg").content)
    exif = written.getexif()
    assert 0x8825 not in exif and 0x010F not in exif and 0x0131 not in exif
    assert not exif.get_ifd(0x8825)
    assert "exif" not in written.info


def test_an_image_wider_than_the_limit_is_scaled_down_keeping_its_shape():
    upload = kept(files.picture("PNG", size=(400, 200)), "wide.png", max_side=100)
    assert (upload.width, upload.height) == (100, 50)
    assert opened(upload.content).size == (100, 50)


def test_the_default_side_limit_applies():
    side = settings.UPLOAD_IMAGE_MAX_SIDE
    upload = kept(files.picture("PNG", size=(side + 40, 10)), "strip.png")
    assert upload.width == side


# Names


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "..\\..\\windows\\system32",
        '"><script>alert(1)</script>.png',
        "<img src=x onerror=alert(1)>.jpg",
        'it\'s "quoted".png',
        "two\nlines\r\n.png",
        "\u202egnp.exe",
        "..",
        ".",
        "",
        "x" * 300 + ".png",
    ],
)
def test_a_dangerous_name_becomes_a_safe_one_ending_as_its_type(name):
    safe = kept(files.picture("PNG"), name).name
    assert safe.endswith(".png")
    assert len(safe) <= 100  # forum.Upload.name
    for character in "/\\<>\"'\n\r\u202e ":
        assert character not in safe
    assert not safe.startswith(".")


def test_a_plain_name_is_kept():
    assert kept(files.picture("PNG"), "Potager été 2026.PNG").name == "Potager_été_2026.png"


# In the member's language


def test_refusals_go_through_the_translation_catalogue():
    with override("fr"):
        assert refusal(files.svg(), "drawing.svg") == gettext(MARKUP)
        assert refusal(files.decompression_bomb()) == gettext(BOMB)
        assert refusal(files.picture("PNG", size=(400, 400))[:100]) == gettext(DAMAGED)
        assert refusal(b"") == gettext(EMPTY)
        types = ", ".join(
            ["JPEG", "PNG", "WebP", "GIF", "PDF", "ODT", gettext("plain text")],
        )
        assert refusal(files.executable()) == gettext(NOT_ACCEPTED) % {"types": types}
        size = 9 * 1024 * 1024
        assert refusal(b"a" * size) == gettext(TOO_LARGE) % {
            "size": filesizeformat(size),
            "limit": filesizeformat(8 * 1024 * 1024),
        }
        # The sizes are written as French writes numbers (Django's own catalogue).
        assert "9,0" in refusal(b"a" * size)
