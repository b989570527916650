/* Switching the language reloads the page: keep what was typed.
   Before the switch form submits, every other form's typed values (not passwords, not files,
   not CSRF tokens) are kept in sessionStorage for this page; after the reload they are put back
   and the storage is cleared. Chosen photos cannot be carried over: if any are chosen, the switch
   asks first. Declared in the markup: <form data-keeps-input> on the switch. */
(function () {
  "use strict";

  var KEY = "handover:kept-input:" + location.pathname + location.search;
  var SKIP = /^(password|file|hidden|submit|button|reset|image)$/;

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !SKIP.test(el.type || "") && !el.disabled;
    });
  }

  function snapshot(switcher) {
    var kept = [];
    Array.prototype.forEach.call(document.forms, function (form, index) {
      if (form === switcher) { return; }
      fields(form).forEach(function (el) {
        if (el.type === "checkbox" || el.type === "radio") {
          kept.push({ form: index, name: el.name, value: el.value, checked: el.checked });
        } else if (el.tagName === "SELECT" && el.multiple) {
          kept.push({ form: index, name: el.name, values: Array.prototype.filter.call(el.options, function (o) {
            return o.selected; }).map(function (o) { return o.value; }) });
        } else {
          kept.push({ form: index, name: el.name, value: el.value });
        }
      });
    });
    return kept;
  }

  function restore(kept) {
    kept.forEach(function (item) {
      var form = document.forms[item.form];
      if (!form) { return; }
      fields(form).forEach(function (el) {
        if (el.name !== item.name) { return; }
        if (el.type === "checkbox" || el.type === "radio") {
          if (el.value === item.value) { el.checked = item.checked; }
        } else if (item.values) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = item.values.indexOf(o.value) >= 0; });
        } else if (!el.dataset.keptOnce) {
          el.value = item.value;
          el.dataset.keptOnce = "1";  // several fields of one name (lists) are filled in order
        }
      });
    });
  }

  function photosChosen(switcher) {
    return Array.prototype.some.call(document.querySelectorAll("input[type=file]"), function (el) {
      return el.form !== switcher && el.files && el.files.length > 0;
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches("[data-keeps-input]")) { return; }
    if (photosChosen(form) && !window.confirm(form.getAttribute("data-photos-warning"))) {
      event.preventDefault();
      return;
    }
    try { sessionStorage.setItem(KEY, JSON.stringify(snapshot(form))); } catch (e) { /* private mode: nothing kept */ }
  });

  function putBack() {
    var raw;
    try { raw = sessionStorage.getItem(KEY); sessionStorage.removeItem(KEY); } catch (e) { return; }
    if (raw) { restore(JSON.parse(raw)); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", putBack);
  } else {
    putBack();
  }
}());
