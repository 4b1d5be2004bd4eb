"""Images and files in posts, in a real browser under the site's Content Security Policy: a
member drops a picture on their reply, describes it, adds it and sees it in their post; a file
chosen with the button goes in at once as a link; a file the site refuses says why and adds
nothing; without JavaScript, the Add button brings the page back with the Markdown in the text.
And the hostile corpus, as file names and descriptions, runs nothing.

The files are built byte by byte (tests/builders/files.py) and handed to the page: dropped as a
`File` in a `DataTransfer` made in the page, or chosen with `set_input_files`."""

import base64
import re

from playwright.sync_api import Page, expect

from forum.models import Post, Upload
from tests.browser.steps import sign_in, signed_in
from tests.browser.test_hostile_content import AUDIT, PROVOKE, SENTINEL
from tests.builders import files
from tests.builders.forum import CategoryFactory, make_thread
from tests.builders.members import MemberFactory
from tests.hostile_payloads import FAMILIES, PAYLOADS

UPLOADED = r"/files/[A-Za-z0-9_-]{24}/"

# A DataTransfer holding one File, as the browser hands a drop from the desktop to the page.
DATA_TRANSFER = """([content, name, type]) => {
    const bytes = Uint8Array.from(atob(content), (character) => character.charCodeAt(0));
    const transfer = new DataTransfer();
    transfer.items.add(new File([bytes], name, { type }));
    return transfer;
}"""

# Uploads sent as the composer's script sends one, a few at a time (as a member adding the
# pictures of an outing in several tabs might); returns the answers in order.
UPLOAD_ALL = """async ([url, uploads]) => {
    const token = document.querySelector("#reply-form [name=csrfmiddlewaretoken]").value;
    const send = async ([content, name, type, alt]) => {
        const bytes = Uint8Array.from(atob(content), (character) => character.charCodeAt(0));
        const body = new FormData();
        body.append("csrfmiddlewaretoken", token);
        body.append("attachment", new File([bytes], name, { type }));
        body.append("alt", alt);
        const response = await fetch(url, { method: "POST", body, credentials: "same-origin" });
        return [response.status, await response.json()];
    };
    const answers = [];
    for (let start = 0; start < uploads.length; start += 6) {
        answers.push(...(await Promise.all(uploads.slice(start, start + 6).map(send))));
    }
    return answers;
}"""

LOADED = "image => image.complete && image.naturalWidth > 0"


def as_read(description: str) -> str:
    """A description as its alt text should read. markdown-it's linkify takes an address from
    the Markdown source, escapes included: in "https://example.org/\\<b" the backslash that
    keeps "<" a character stays in the alt text (harmless, and rendering's to change)."""
    if re.search(r"https?://|www\.", description):
        return description.replace("\\", "")
    return description


def encoded(content: bytes) -> str:
    return base64.b64encode(content).decode()


def drop(page: Page, target: str, *, name: str, type: str, content: bytes) -> None:
    """Drag a file from the desktop and drop it on `target`."""
    transfer = page.evaluate_handle(DATA_TRANSFER, [encoded(content), name, type])
    element = page.locator(target)
    element.dispatch_event("dragenter", {"dataTransfer": transfer})
    element.dispatch_event("dragover", {"dataTransfer": transfer})
    # The message shows where the file would go.
    expect(element).to_have_class(re.compile(r"\beditor__drop\b"))
    element.dispatch_event("drop", {"dataTransfer": transfer})
    expect(element).not_to_have_class(re.compile(r"\beditor__drop\b"))


def status(page: Page):
    return page.locator("#reply-form .attach__status")


def test_a_member_drops_a_picture_describes_it_and_sees_it_in_her_reply(new_page):
    claire = MemberFactory(username="claire", display_name="Claire Dubois")
    thread = make_thread(
        category=CategoryFactory(name="Allotments", slug="allotments"), title="Leeks in June"
    )
    page = signed_in(new_page, claire)
    page.goto(thread.get_absolute_url())
    source = page.locator("#id_source")
    source.fill("Here is my bed this morning:")

    # She drops the photo on her message: the site asks what it shows before adding it.
    drop(page, "#id_source", name="leeks.png", type="image/png",
         content=files.picture("PNG", size=(300, 200)))  # fmt: skip
    expect(status(page)).to_have_text("Say what the image shows, then press Add.")
    alt = page.get_by_role("textbox", name="What the image shows")
    expect(alt).to_be_focused()
    assert page.locator("#id_attachment").evaluate("input => input.files[0].name") == "leeks.png"
    expect(source).to_have_value("Here is my bed this morning:")

    # She describes it and presses Add: its Markdown goes where her cursor was.
    alt.fill("Two rows of leeks, ready to earth up")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(status(page)).to_have_text("Added to your message.")
    expect(status(page)).not_to_have_class(re.compile("attach__status--error"))
    expect(source).to_have_value(
        re.compile(
            rf"^Here is my bed this morning:\n\n!\[Two rows of leeks, ready to earth up\]"
            rf"\({UPLOADED}leeks\.png\)\n$"
        )
    )
    expect(source).to_be_focused()
    expect(alt).to_have_value("")
    upload = Upload.objects.get(owner=claire)
    assert (upload.width, upload.height, upload.post) == (300, 200, None)

    # She posts her reply, and the picture shows in it (it loaded, under the site's policy).
    page.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(re.compile(rf"/t/{thread.pk}/#post-2$"))
    image = page.locator("#post-2 .prose img")
    expect(image).to_have_attribute("alt", "Two rows of leeks, ready to earth up")
    expect(image).to_have_attribute("src", upload.get_absolute_url())
    image.scroll_into_view_if_needed()
    page.wait_for_function(LOADED, arg=image.element_handle())
    upload.refresh_from_db()
    assert upload.post == Post.objects.get(thread=thread, number=2)

    # Another reader sees it too.
    reader = new_page()
    reader.goto(thread.get_absolute_url())
    reader.wait_for_function(LOADED, arg=reader.locator("#post-2 .prose img").element_handle())


def test_a_file_chosen_with_the_button_goes_in_at_once_as_a_link(new_page):
    claire = MemberFactory(username="claire")
    thread = make_thread(title="Shed rota")
    page = signed_in(new_page, claire)
    page.goto(thread.get_absolute_url())

    page.locator("#id_attachment").set_input_files(
        {"name": "rota.pdf", "mimeType": "application/pdf", "buffer": files.pdf()}
    )
    # No description asked, no Add to press.
    source = page.locator("#id_source")
    expect(source).to_have_value(re.compile(rf"^\[rota\.pdf\]\({UPLOADED}rota\.pdf\)\n$"))
    expect(status(page)).to_have_text("Added to your message.")
    page.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(re.compile(rf"/t/{thread.pk}/#post-2$"))
    link = page.locator("#post-2 .prose a", has_text="rota.pdf")
    href = link.get_attribute("href")
    assert href == Upload.objects.get(owner=claire).get_absolute_url()
    # Offered for download, never opened as a page of the site.
    response = page.request.get(href)
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.body() == files.pdf()


def test_a_refused_file_says_why_and_adds_nothing(new_page):
    thread = make_thread(title="Plans for the pond")
    page = signed_in(new_page, MemberFactory(username="claire"))
    page.goto(thread.get_absolute_url())
    source = page.locator("#id_source")
    source.fill("The plan:")
    attachment = page.locator("#id_attachment")

    # A drawing in SVG, which the site does not take: it says so at once.
    attachment.set_input_files(
        {"name": "pond.svg", "mimeType": "image/svg+xml", "buffer": files.svg()}
    )
    expect(status(page)).to_have_text(re.compile(r"web page or a drawing in markup"))
    expect(status(page)).to_have_class(re.compile(r"\battach__status--error\b"))

    # A file too large: the site's own words, with the limit.
    attachment.set_input_files(
        {
            "name": "survey.pdf",
            "mimeType": "application/pdf",
            "buffer": b"%PDF-1.4\n" + bytes(9 * 1024 * 1024),
        }
    )
    expect(status(page)).to_have_text(re.compile(r"This file is 9\.0\s+MB: .* at most 8\.0\s+MB"))
    expect(status(page)).to_have_class(re.compile(r"\battach__status--error\b"))

    # Dropped, the SVG is refused in the same words.
    drop(page, "#id_source", name="pond.svg", type="image/svg+xml", content=files.svg())
    expect(status(page)).to_have_text(re.compile(r"web page or a drawing in markup"))

    expect(source).to_have_value("The plan:")
    assert not Upload.objects.exists()


def test_without_javascript_add_brings_the_page_back_with_the_markdown(new_page):
    claire = MemberFactory(username="claire")
    thread = make_thread(title="Tomato blight")
    page = new_page(java_script_enabled=False)
    sign_in(page, claire.username)
    page.goto(thread.get_absolute_url())
    page.locator("#id_source").fill("My plants last week.")
    page.locator("#id_attachment").set_input_files(
        {"name": "blight.jpg", "mimeType": "image/jpeg", "buffer": files.photo_with_gps()}
    )
    page.get_by_role("textbox", name="What the image shows").fill("Brown spots on the leaves")
    page.get_by_role("button", name="Add", exact=True).click()

    source = page.locator("#id_source")
    expect(source).to_have_value(
        re.compile(
            rf"^My plants last week\.\n\n!\[Brown spots on the leaves\]\({UPLOADED}blight\.jpg\)\n$"
        )
    )
    page.get_by_role("button", name="Post reply").click()
    expect(page).to_have_url(re.compile(rf"/t/{thread.pk}/#post-2$"))
    image = page.locator("#post-2 .prose img")
    expect(image).to_have_attribute("alt", "Brown spots on the leaves")
    image.scroll_into_view_if_needed()
    page.wait_for_function(LOADED, arg=image.element_handle())


def test_hostile_file_names_and_descriptions_run_nothing(new_page, without_rate_limits):
    thread = make_thread(title="Hostile uploads")
    page = signed_in(new_page, MemberFactory(username="claire"))
    page.goto(thread.get_absolute_url())

    # The first payload of each family through the composer, as a member would: the file
    # chosen under that name, described with it, added.
    image = files.picture("PNG", size=(8, 8))
    chosen = [family[0] for family in FAMILIES.values()]
    for payload in chosen:
        page.locator("#id_attachment").set_input_files(
            {"name": payload, "mimeType": "image/png", "buffer": image}
        )
        page.locator("#id_alt").fill(payload)
        page.get_by_role("button", name="Add", exact=True).click()
        expect(status(page)).to_have_text("Added to your message.")
        expect(page.locator("#id_alt")).to_have_value("")
    typed = page.locator("#id_source").input_value()
    assert len(re.findall(UPLOADED, typed)) == len(chosen)

    # All of them as the composer's script sends them: images named and described with each
    # payload, and files named with it. A name ends as a file's does: Django reads one that
    # ends with a slash as a folder's, and finds no file in it.
    uploads = [[encoded(image), f"{payload}.png", "image/png", payload] for payload in PAYLOADS]
    # (The site keeps little of a file's name, [-\w.]: a quarter of the corpus is enough.)
    named = PAYLOADS[::4]
    uploads += [[encoded(files.pdf()), f"{payload}.pdf", "application/pdf", ""]
                for payload in named]  # fmt: skip
    answers = page.evaluate(UPLOAD_ALL, ["/files/", uploads])
    refused = [answer for code, answer in answers if code != 201]
    assert not refused, refused[:5]

    # Posted with the reply form, in replies within POST_MAX_LENGTH.
    replies, reply = [], typed
    for answer in (answer for _code, answer in answers):
        if len(reply) + len(answer["markdown"]) > 19_000:
            replies.append(reply)
            reply = ""
        reply += answer["markdown"] + "\n\n"
    replies.append(reply)
    for text in replies:
        page.locator("#id_source").fill(text)
        page.get_by_role("button", name="Post reply").click()
        expect(page).to_have_url(re.compile(rf"/t/{thread.pk}/#post-\d+$"))
    assert not Upload.objects.filter(post=None).exists()
    assert Upload.objects.count() == len(chosen) + len(uploads)

    # A reader opens the thread under the site's policy, with the sentinel watching; every
    # element gets the events inline handlers wait for. A script the escaping let through
    # would also break the policy, which fails the test (conftest's new_page).
    reader = new_page()
    traces: list[str] = []
    reader.context.add_init_script(SENTINEL)
    reader.on("dialog", lambda dialog: (traces.append(dialog.message), dialog.dismiss()))
    reader.on("pageerror", lambda error: traces.append(f"page error: {error}"))
    reader.context.on(
        "request", lambda request: "/__xss__/" in request.url and traces.append(request.url)
    )
    reader.goto(thread.get_absolute_url())
    reader.evaluate(PROVOKE)
    reader.wait_for_timeout(50)
    problems = reader.evaluate(AUDIT)
    traces += reader.evaluate("() => [...window.__xssHits]")
    assert not traces, f"something ran: {traces}"
    assert not problems, "live markup:\n" + "\n".join(problems)

    # Every picture loaded (its address survived the name), and every file is a link.
    pictures = reader.locator(".prose img")
    expect(pictures).to_have_count(len(chosen) + len(PAYLOADS))
    reader.wait_for_function("() => [...document.images].every((image) => image.complete)")
    broken = pictures.evaluate_all("all => all.filter(i => !i.naturalWidth).map(i => i.src)")
    assert not broken, broken[:5]
    expect(reader.locator(".prose a[href^='/files/']")).to_have_count(len(named))
    # Each description is the alt text of its picture, as typed (spaces aside).
    described = [" ".join(payload.split()) for payload in [*chosen, *PAYLOADS]]
    alts = pictures.evaluate_all("all => all.map((image) => image.alt)")
    changed = [
        (want, got)
        for want, got in zip(described, alts, strict=True)
        if as_read(want) != as_read(got)
    ]
    assert not changed, changed[:5]
