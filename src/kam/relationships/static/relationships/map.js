// The relationship map: point at or click a person to light up their lines (links, our
// team's, reporting lines between departments) and fade the rest; a searched person is
// scrolled into view; the drawer with a person's panel closes with its button or Escape.
"use strict";

(() => {
  const canvas = document.getElementById("map-canvas");
  if (!canvas) return;
  const svg = canvas.querySelector("svg.relationship-map");
  if (!svg) return;
  let pinned = null;

  const light = (id) => {
    svg.querySelectorAll(".on").forEach((el) => el.classList.remove("on"));
    svg.classList.toggle("lit", id !== null);
    if (id === null) return;
    const selector = [
      `[data-source="${id}"]`,
      `[data-target="${id}"]`,
      `path[data-contact-id="${id}"]`,
      `g[data-contact-id="${id}"]`,
    ].join(",");
    svg.querySelectorAll(selector).forEach((el) => el.classList.add("on"));
  };
  const personOf = (event) => event.target.closest("g[data-contact-id]");

  svg.addEventListener("pointerover", (event) => {
    const person = personOf(event);
    if (person) light(person.dataset.contactId);
  });
  svg.addEventListener("pointerout", (event) => {
    if (personOf(event)) light(pinned);
  });
  svg.addEventListener("click", (event) => {
    const person = personOf(event);
    pinned = person ? person.dataset.contactId : null;
    light(pinned);
  });

  // Enter or Space on a person (they are in the tab order) does what a click does.
  svg.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" && event.key !== " ") return;
    const person = personOf(event);
    if (!person) return;
    event.preventDefault();
    person.dispatchEvent(new MouseEvent("click", { bubbles: true }));
  });

  const focused = svg.querySelector("g.contact.focus");
  if (focused) {
    pinned = focused.dataset.contactId;
    light(pinned);
    const box = focused.getBoundingClientRect();
    const frame = canvas.getBoundingClientRect();
    canvas.scrollLeft += box.left - frame.left - frame.width / 2 + box.width / 2;
    canvas.scrollTop += box.top - frame.top - frame.height / 2 + box.height / 2;
  }

  // The toggles redraw nothing (CSS shows or hides the lines) but the address and the export
  // links follow them, so a shared or reloaded address shows the same lines.
  const filters = document.getElementById("map-filters");
  if (filters) {
    // Who is drawn changes only with Redraw: the address keeps what the drawing was made with.
    const departed = filters.querySelector("#id_departed");
    const drawnWithDeparted = departed ? departed.checked : true;
    filters.addEventListener("change", (event) => {
      if (!event.target.closest("fieldset.overlays") || event.target === departed) return;
      const params = new URLSearchParams(window.location.search);
      for (const name of ["f", "k", "links", "team", "departed", "kinds"]) params.delete(name);
      params.set("f", "1");
      params.set("k", "1");
      const state = new FormData(filters);
      for (const name of ["links", "team"]) if (state.get(name)) params.set(name, "on");
      if (drawnWithDeparted) params.set("departed", "on");
      for (const kind of state.getAll("kinds")) params.append("kinds", kind);
      // The drawing's own classes hide the same lines on the printed sheets.
      svg.classList.toggle("hide-links", !state.get("links"));
      svg.classList.toggle("hide-team", !state.get("team"));
      filters.querySelectorAll("input[name=kinds]").forEach((box) => {
        svg.classList.toggle(`hide-${box.value}`, !box.checked);
      });
      window.history.replaceState(null, "", `?${params}`);
      document.querySelectorAll("a[data-export]").forEach((a) => {
        a.search = `?${params}`;
      });
    });
  }

  const panel = document.getElementById("contact-panel");
  const close = () => {
    if (panel) panel.replaceChildren();
    pinned = null;
    light(null);
  };
  document.querySelectorAll("[data-close-panel]").forEach((b) => b.addEventListener("click", close));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  document.querySelectorAll("[data-print]").forEach((a) =>
    a.addEventListener("click", (event) => {
      event.preventDefault();
      window.print();
    }),
  );
})();
