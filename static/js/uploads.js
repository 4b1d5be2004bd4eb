// The composer's images and files. Without this script, the Add button sends the form, and
// the page comes back with the file's Markdown at the end of the text. With it, a file dropped
// on the message or chosen with the button is sent on its own, and its Markdown goes where the
// cursor is. An image waits for what it shows to be described: the site refuses it without.
// A block, so that its names stay out of the page's global scope.
{
  const insertAtCursor = (textarea, text) => {
    const start = textarea.selectionStart ?? textarea.value.length;
    const end = textarea.selectionEnd ?? start;
    const before = textarea.value.slice(0, start);
    const after = textarea.value.slice(end);
    const lead = before && !before.endsWith("\n") ? "\n\n" : "";
    const trail = after.startsWith("\n") ? "" : "\n";
    textarea.value = before + lead + text + trail + after;
    const cursor = (before + lead + text + trail).length;
    textarea.setSelectionRange(cursor, cursor);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  };

  for (const fieldset of document.querySelectorAll(".attach[data-upload-url]")) {
    const form = fieldset.closest("form");
    const textarea = form.querySelector("textarea[name=source]");
    const input = fieldset.querySelector("input[type=file]");
    const alt = fieldset.querySelector("input[name=alt]");
    const button = fieldset.querySelector("button[name=attach]");
    const status = fieldset.querySelector(".attach__status");
    // An image the site takes (the chooser's `accept` lists their types) waits for its
    // description; anything else, an SVG drawing too, goes at once and the site says if it
    // refuses it, rather than asking for a description first.
    const imageTypes = input.accept.split(",").filter((type) => type.startsWith("image/"));
    const isImage = (file) => imageTypes.includes(file.type);
    const say = (message, failed = false) => {
      status.textContent = message;
      status.classList.toggle("attach__status--error", failed);
    };

    const send = async () => {
      const file = input.files[0];
      if (!file) {
        input.focus();
        return;
      }
      if (isImage(file) && !alt.value.trim()) {
        say(fieldset.dataset.describe, true);
        alt.focus();
        return;
      }
      const body = new FormData();
      body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      body.append("attachment", file);
      body.append("alt", alt.value);
      button.disabled = true;
      say(fieldset.dataset.adding);
      try {
        const response = await fetch(fieldset.dataset.uploadUrl, {
          method: "POST",
          body,
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        const answer = response.headers.get("Content-Type")?.startsWith("application/json")
          ? await response.json()
          : {};
        if (!response.ok || !answer.markdown) {
          say(answer.error || fieldset.dataset.failed, true);
          return;
        }
        insertAtCursor(textarea, answer.markdown);
        input.value = "";
        alt.value = "";
        say(fieldset.dataset.added);
        textarea.focus();
      } catch {
        say(fieldset.dataset.failed, true);
      } finally {
        button.disabled = false;
      }
    };

    button.addEventListener("click", (event) => {
      event.preventDefault();
      send();
    });

    // An image waits for its description (the Add button sends it); a file goes at once.
    const chosen = () => {
      const file = input.files[0];
      if (!file) return;
      if (isImage(file)) {
        say(fieldset.dataset.describe);
        alt.focus();
      } else {
        send();
      }
    };
    input.addEventListener("change", chosen);
    // Enter in the description adds the image, as the Add button does, rather than posting.
    alt.addEventListener("keydown", (event) => {
      if (event.key === "Enter") {
        event.preventDefault();
        send();
      }
    });

    textarea.addEventListener("dragover", (event) => {
      if (event.dataTransfer?.types.includes("Files")) {
        event.preventDefault();
        textarea.classList.add("editor__drop");
      }
    });
    textarea.addEventListener("dragleave", () => textarea.classList.remove("editor__drop"));
    textarea.addEventListener("drop", (event) => {
      textarea.classList.remove("editor__drop");
      if (!event.dataTransfer?.files.length) return;
      event.preventDefault();
      const files = new DataTransfer();
      files.items.add(event.dataTransfer.files[0]);
      input.files = files.files;
      chosen();
      if (event.dataTransfer.files.length > 1) {
        say(fieldset.dataset.oneAtATime, true);
      }
    });
  }
}
