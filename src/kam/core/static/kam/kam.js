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
