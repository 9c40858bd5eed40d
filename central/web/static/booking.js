// The booking pages: a choice of office, service or day shows its times at once.
// Without this script the "show the free times" button does the same.
"use strict";
(function () {
  // A new office has other services, a new service other days: ask for them afresh.
  const later = { office: ["service", "day"], service: ["day"], day: [] };
  for (const select of document.querySelectorAll("select.js-autosubmit")) {
    select.addEventListener("change", function () {
      const form = select.form;
      for (const name of later[select.name] || []) {
        const field = form.elements.namedItem(name);
        if (field) { field.disabled = true; }
      }
      form.submit();
    });
  }
  for (const button of document.querySelectorAll(".js-hide")) { button.hidden = true; }
})();
