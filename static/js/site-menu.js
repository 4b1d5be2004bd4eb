// The header's menu is a <details>: it opens and closes without this script, by mouse, touch and
// keyboard, and screen readers announce its state. This adds what people expect of a menu that
// covers the page: Escape closes it and gives focus back to its button, and it closes when a
// click or the focus goes elsewhere (a focused link must never sit under the open panel).
// A block, so that its names stay out of the page's global scope.
{
  const menu = document.querySelector(".site-menu");

  if (menu) {
    const button = menu.querySelector("summary");

    menu.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        button.focus();
      }
    });

    menu.addEventListener("focusout", (event) => {
      if (menu.open && event.relatedTarget && !menu.contains(event.relatedTarget)) {
        menu.open = false;
      }
    });

    document.addEventListener("click", (event) => {
      if (menu.open && !menu.contains(event.target)) {
        menu.open = false;
      }
    });
  }
}
