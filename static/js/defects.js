/* Defect pages on a tablet: category → its items → their phrases, tap-to-insert phrase chips, and
   photos shrunk in the browser before upload (a weak signal sends ~0.5 MB instead of ~5 MB).
   Everything here is an enhancement: without it the forms still post and the server decides. */
(function () {
  "use strict";

  var LONG_EDGE = 2048;          // the server keeps no more than this anyway
  var QUALITY = 0.85;
  var SMALL_ENOUGH = 1500000;    // bytes; smaller photos are sent as they are

  function logForm() { return document.getElementById("log-defect"); }

  function showPhrases(form) {
    var item = form.querySelector("input[name=checklist_item_id]:checked");
    form.querySelectorAll(".phrase-group").forEach(function (group) {
      group.hidden = !item || group.dataset.item !== item.value;
    });
  }

  function showItems(form) {
    var category = form.querySelector("input[name=category]:checked");
    var chosen = category ? category.value : null;
    form.querySelectorAll(".item-group").forEach(function (group) {
      group.hidden = group.dataset.category !== chosen;
    });
    var item = form.querySelector("input[name=checklist_item_id]:checked");
    if (item && item.dataset.category !== chosen) { item.checked = false; }
    showPhrases(form);
  }

  function chooseCategoryOf(item) {
    var form = item.form;
    form.querySelectorAll("input[name=category]").forEach(function (radio) {
      radio.checked = radio.value === item.dataset.category;
    });
    showPhrases(form);
  }

  function insertPhrase(textarea, phrase) {
    var text = textarea.value.trim();
    if (text.indexOf(phrase) !== -1) { return; }
    textarea.value = text ? text + "，" + phrase : phrase;
    textarea.focus();
  }

  function shrink(file) {
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) { resolve(file); return; }
      createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
        var scale = Math.min(1, LONG_EDGE / Math.max(bitmap.width, bitmap.height));
        if (scale === 1 && file.size < SMALL_ENOUGH) { resolve(file); return; }
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale);
        canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) {
          var name = file.name.replace(/\.[^.]*$/, "") + ".jpg";
          resolve(blob ? new File([blob], name, { type: "image/jpeg" }) : file);
        }, "image/jpeg", QUALITY);
      }).catch(function () { resolve(file); });  // not decodable here: the server gives the reason
    });
  }

  function preview(input, files) {
    var box = document.querySelector('[data-previews-for="' + input.id + '"]');
    if (!box) { return; }
    box.textContent = "";
    files.forEach(function (file) {
      if (!/^image\//.test(file.type)) { return; }
      var img = document.createElement("img");
      img.src = URL.createObjectURL(file);
      img.alt = file.name;
      box.appendChild(img);
    });
  }

  function onPhotos(input) {
    var files = Array.prototype.slice.call(input.files || []);
    var submit = input.form && input.form.querySelector("[type=submit]");
    if (!files.length || typeof DataTransfer === "undefined" || !submit) { preview(input, files); return; }
    var label = submit.textContent;
    submit.disabled = true;
    submit.textContent = submit.dataset.busyLabel || label;
    Promise.all(files.map(shrink)).then(function (shrunk) {
      try {
        var transfer = new DataTransfer();
        shrunk.forEach(function (file) { transfer.items.add(file); });
        input.files = transfer.files;
      } catch (e) { shrunk = files; }
      preview(input, shrunk);
    }).finally(function () {
      submit.disabled = false;
      submit.textContent = label;
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("input[type=file][data-downscale]")) { onPhotos(target); }
    if (!target.form || target.form !== logForm()) { return; }
    if (target.name === "category") { showItems(target.form); }
    if (target.name === "checklist_item_id") { chooseCategoryOf(target); }
  });

  function setDue(chip) {
    var input = document.getElementById(chip.dataset.dueTarget);
    if (!input) { return; }
    var day = new Date();
    day.setDate(day.getDate() + Number(chip.dataset.dueDays));
    var month = String(day.getMonth() + 1).padStart(2, "0"), date = String(day.getDate()).padStart(2, "0");
    input.value = day.getFullYear() + "-" + month + "-" + date;
  }

  function markRestPassed(form) {
    form.querySelectorAll(".verdict-row").forEach(function (row) {
      var picked = row.querySelector("input[type=radio]:checked");
      var measure = row.querySelector(".measure input");
      var pass = row.querySelector("input[type=radio][value=pass]");
      if (!picked && !measure && pass) { pass.checked = true; }
    });
  }

  document.addEventListener("click", function (event) {
    var due = event.target.closest("[data-due-days]");
    if (due) { setDue(due); return; }
    var rest = event.target.closest("[data-mark-rest]");
    if (rest) { markRestPassed(rest.form); return; }
    var chip = event.target.closest(".phrase-chip");
    if (!chip || !chip.form || !chip.dataset.phrase) { return; }
    insertPhrase(chip.form.querySelector("textarea[name=description]"), chip.dataset.phrase);
  });

  document.querySelectorAll(".due-chips[hidden], [data-mark-rest][hidden]").forEach(function (el) { el.hidden = false; });

  document.documentElement.classList.add("js-camera");  // big camera buttons replace the plain file inputs

  var form = logForm();
  if (form && form.querySelector("input[name=category]")) { showItems(form); }
}());

// Floor plan: a tap sets the pin (fractions of the image's width and height); a second tap moves it.
document.querySelectorAll("[data-pin-plan]").forEach((plan) => {
  const pin = plan.querySelector(".plan-pin");
  const x = document.getElementById("pin_x");
  const y = document.getElementById("pin_y");
  plan.addEventListener("click", (event) => {
    const box = plan.querySelector("img").getBoundingClientRect();
    const fx = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
    const fy = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
    x.value = fx.toFixed(4);
    y.value = fy.toFixed(4);
    pin.style.left = `${fx * 100}%`;
    pin.style.top = `${fy * 100}%`;
    pin.hidden = false;
  });
});
