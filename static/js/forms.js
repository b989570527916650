/* Forms after a failed save: bring the error summary into view and focus it (a screen reader reads
   it out), and make each of its links move to its field and focus the first control there.
   Nothing inline, so a strict Content-Security-Policy allows it. */
(function () {
  "use strict";

  function focusField(target) {
    var control = target.matches("input, select, textarea, button") ? target
      : target.querySelector("input:not([type=hidden]), select, textarea, button");
    target.scrollIntoView({ block: "center" });
    if (control) {
      try { control.focus({ preventScroll: true }); } catch (e) { control.focus(); }
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-error-link]");
    if (!link) { return; }
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (!target) { return; }
    event.preventDefault();
    focusField(target);
  });

  function showSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.scrollIntoView({ block: "start" });
    try { summary.focus({ preventScroll: true }); } catch (e) { summary.focus(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showSummary);
  } else {
    showSummary();
  }
}());
