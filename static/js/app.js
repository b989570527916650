// Small behaviours every page may use, declared in the markup with data attributes (the
// Content-Security-Policy allows no inline script, so no onclick="..." in templates):
//   <tr data-href="/url">              the whole row opens the link
//   <button data-confirm="Sure?">      asks before submitting
//   <button data-print>                prints the page
//   <select data-autosubmit data-clear="other">  submits its form on change (clearing `other`)
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }

    var asking = target.closest("[data-confirm]");
    if (asking && !window.confirm(asking.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
      return;
    }
    if (target.closest("[data-print]")) {
      event.preventDefault();
      window.print();
      return;
    }
    var row = target.closest("[data-href]");
    if (row && !target.closest("a, button, input, select, textarea, label")) {
      window.location.href = row.getAttribute("data-href");
    }
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!(select instanceof Element) || !select.matches("[data-autosubmit]") || !select.form) { return; }
    var clear = select.getAttribute("data-clear");
    if (clear && select.form.elements[clear]) { select.form.elements[clear].value = ""; }
    select.form.submit();
  });
})();
