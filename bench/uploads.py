"""What an upload costs the web process that takes it: the time to decide a file's type and
write an image anew (core.uploaded_files), the memory it takes, and the time of the whole
request through Django's test Client, then how fast a kept file is served.

    .venv/bin/python bench/uploads.py [--repeat 5]

SQLite in a temporary folder, the filesystem storage in another; nothing else to start. The
figures are the machine's: compare the rows of one run with each other.
"""

import argparse
import io
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def phone_photo() -> bytes:
    """A 12-megapixel JPEG as a phone writes one (4032 by 3024, noisy enough to weigh
    about what a real photo does), with its EXIF."""
    from PIL import Image, ImageFilter

    # Noise softened as a lens does: about 4 MB at quality 90, as phones write them.
    noise = Image.effect_noise((4032, 3024), 60).filter(ImageFilter.GaussianBlur(0.8))
    gradient = Image.linear_gradient("L").resize((4032, 3024)).convert("RGB")
    photo = Image.blend(noise.convert("RGB"), gradient, 0.4)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    output = io.BytesIO()
    photo.save(output, "JPEG", quality=90, exif=exif)
    return output.getvalue()


def screenshot() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (2560, 1440), "white")
    draw = ImageDraw.Draw(image)
    for line in range(0, 1440, 24):
        draw.text((20, line), "Minutes of the general assembly " * 6, fill="black")
    output = io.BytesIO()
    image.save(output, "PNG")
    return output.getvalue()


def animation() -> bytes:
    from PIL import Image, ImageDraw

    frames = []
    for n in range(100):
        frame = Image.new("RGB", (480, 270), (240, 235, 220))
        ImageDraw.Draw(frame).ellipse((n * 4, 80, n * 4 + 100, 180), fill=(40, 120 + n, 60))
        frames.append(frame)
    output = io.BytesIO()
    frames[0].save(output, "GIF", save_all=True, append_images=frames[1:], duration=40, loop=0)
    return output.getvalue()


def timed(function, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--serve-requests", type=int, default=500)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="palabre-bench-uploads-"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.test_settings"
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["ALLOWED_HOSTS"] = "testserver"

    import django

    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from core import uploaded_files
    from forum import services
    from tests.builders.forum import make_thread
    from tests.builders.members import MemberFactory, signed_in

    call_command("migrate", verbosity=0)
    settings.UPLOAD_DAILY_BYTES = 10**12
    settings.MEMBER_RATE_LIMITS["uploading"] = ""
    formats = services.uploads.accepted_formats()
    limits = {
        "max_bytes": settings.UPLOAD_MAX_BYTES,
        "max_pixels": settings.UPLOAD_IMAGE_MAX_PIXELS,
        "max_side": settings.UPLOAD_IMAGE_MAX_SIDE,
    }
    samples = [
        ("phone photo, JPEG 4032x3024", "photo.jpg", phone_photo()),
        ("screenshot, PNG 2560x1440", "screen.png", screenshot()),
        ("animation, GIF 480x270, 100 frames", "dance.gif", animation()),
        ("minutes, PDF", "minutes.pdf", b"%PDF-1.7\n" + os.urandom(7 * 1024 * 1024)),
    ]

    print("A. Deciding the type and writing the file anew (core.uploaded_files.inspect)")
    rows = []
    for label, name, content in samples:
        kept = None

        def inspect(content=content, name=name):
            nonlocal kept
            kept = uploaded_files.inspect(
                io.BytesIO(content), name=name, size=len(content), formats=formats, **limits
            )

        times = timed(inspect, args.repeat)
        rows.append(
            [
                label,
                f"{len(content) / 1024:,.0f}",
                f"{len(kept.content) / 1024:,.0f}",
                ms(statistics.median(times)),
                ms(max(times)),
            ]
        )
    print(table(["file", "KiB in", "KiB kept", "median ms", "max ms"], rows))

    photo = samples[0][2]
    times = timed(
        lambda: uploaded_files.square_picture(
            io.BytesIO(photo), sizes=[48, 96, 192], max_pixels=limits["max_pixels"]
        ),
        args.repeat,
    )
    print(
        f"\nAn avatar from the phone photo (crop, three sizes of WebP): median "
        f"{ms(statistics.median(times))} ms, max {ms(max(times))} ms"
    )
    # ru_maxrss is in kilobytes on Linux: the process's peak, Pillow's buffers included.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Peak memory of this process so far: {peak:.0f} MB")

    print("\nB. The whole request: POST /files/ through Django's test Client")
    member = MemberFactory()
    client = signed_in(member)
    thread = make_thread(author=member)
    rows = []
    for label, name, content in samples:
        answers = []

        def post(content=content, name=name, answers=answers):
            upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
            response = client.post("/files/", {"attachment": upload, "alt": "A description"})
            answers.append(response.status_code)

        times = timed(post, args.repeat)
        assert set(answers) == {201}, answers
        rows.append([label, ms(statistics.median(times)), ms(max(times))])
    print(table(["file", "median ms", "max ms"], rows))

    print("\nC. Serving a kept file: GET /files/<token>/<name> for a visitor, post visible")
    upload = services.upload(
        member=member,
        file=SimpleUploadedFile("photo.jpg", photo),
        alt="The garden",
    )
    services.reply(author=member, thread=thread, source=services.markdown_for(upload, alt="x"))
    visitor = Client()
    url = upload.get_absolute_url()
    with CaptureQueriesContext(connection) as queries:
        body = b"".join(visitor.get(url).streaming_content)
    # Counted now: each request after this one empties Django's log of queries.
    query_count = len(queries)
    started = time.perf_counter()
    for _ in range(args.serve_requests):
        response = visitor.get(url)
        b"".join(response.streaming_content)
    seconds = time.perf_counter() - started
    print(
        f"{args.serve_requests} requests of {len(body) / 1e6:.2f} MB: "
        f"{args.serve_requests / seconds:.0f} per second, {query_count} SQL query each"
    )
    started = time.perf_counter()
    for _ in range(args.serve_requests):
        visitor.get(url, headers={"If-None-Match": f'"{upload.token}"'})
    seconds = time.perf_counter() - started
    print(f"Revalidated (304, no bytes): {args.serve_requests / seconds:.0f} per second")

    print(
        f"\nMachine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}, "
        f"Python {platform.python_version()}, Pillow {__import__('PIL').__version__}, "
        f"Django {django.get_version()}"
    )


def table(headers, rows):
    from bench.figures import table as aligned

    return aligned(headers, rows)


if __name__ == "__main__":
    main()
