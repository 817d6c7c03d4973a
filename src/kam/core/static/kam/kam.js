// kam's own behaviour, in a file rather than inline: the Content-Security-Policy allows
// scripts from kam's own static files only.
"use strict";

// A select that acts at once (the language switcher): submit its form when it changes.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-submit-on-change")) {
    field.form.submit();
  }
});

// A box that scrolls sideways (a wide table, the map) must be reachable with the keyboard to
// scroll it: give it a place in the tab order when nothing inside it has one (WCAG 2.1.1).
function focusScrollBoxes(root) {
  root.querySelectorAll(".table-wrap, .map-canvas, [data-scroll-box]").forEach((box) => {
    const scrolls = box.scrollWidth > box.clientWidth || box.scrollHeight > box.clientHeight;
    if (scrolls && !box.hasAttribute("tabindex")) {
      box.tabIndex = 0;
      if (!box.hasAttribute("role")) box.setAttribute("role", "region");
      if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
        const heading = box.closest("section, .card")?.querySelector("h2, h3, caption");
        const caption = box.querySelector("caption");
        const name = (caption || heading)?.textContent.trim();
        if (name) box.setAttribute("aria-label", name);
      }
    }
  });
}
document.addEventListener("DOMContentLoaded", () => focusScrollBoxes(document));
document.addEventListener("htmx:afterSettle", (event) => focusScrollBoxes(event.target));
