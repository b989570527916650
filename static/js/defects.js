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

  /* Photos add up: every shot (or pick) joins the ones chosen before, instead of replacing them.
     The file input always carries the whole list (rebuilt with a DataTransfer); each thumbnail has a
     remove button and the count shows. Photos held on the server after a failed save are figures
     with a hidden "held_photos" input: removing one removes that input. */
  var chosen = {};  // input id → the File objects chosen so far, in order

  function previewBox(input) { return document.querySelector('[data-previews-for="' + input.id + '"]'); }

  function updateCount(input) {
    var box = previewBox(input);
    var label = document.querySelector('[data-photo-count-for="' + input.id + '"]');
    if (!box || !label) { return; }
    var count = box.querySelectorAll(".photo-thumb").length;
    label.textContent = label.dataset.template.replace("{n}", String(count));
    label.hidden = count === 0;
  }

  function removeLabel(input) {
    var held = previewBox(input).querySelector("[data-remove-photo]");
    return (held && held.getAttribute("aria-label")) || input.dataset.removeLabel || "×";
  }

  function render(input) {
    var box = previewBox(input);
    if (!box) { return; }
    box.querySelectorAll(".photo-thumb[data-new]").forEach(function (figure) {
      if (figure.dataset.url) { URL.revokeObjectURL(figure.dataset.url); }
      figure.remove();
    });
    (chosen[input.id] || []).forEach(function (file, index) {
      var figure = document.createElement("figure");
      figure.className = "photo-thumb";
      figure.dataset.new = "1";
      figure.dataset.index = String(index);
      if (/^image\//.test(file.type)) {
        var img = document.createElement("img");
        figure.dataset.url = img.src = URL.createObjectURL(file);
        img.alt = file.name;
        figure.appendChild(img);
      } else {
        var name = document.createElement("span");
        name.className = "photo-name";
        name.textContent = file.name;
        figure.appendChild(name);
      }
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "photo-remove";
      remove.setAttribute("data-remove-photo", "");
      remove.setAttribute("aria-label", removeLabel(input));
      remove.textContent = "×";
      figure.appendChild(remove);
      box.appendChild(figure);
    });
    updateCount(input);
  }

  function sync(input) {
    if (typeof DataTransfer === "undefined") { return false; }
    try {
      var transfer = new DataTransfer();
      (chosen[input.id] || []).forEach(function (file) { transfer.items.add(file); });
      input.files = transfer.files;
      return true;
    } catch (e) { return false; }
  }

  function onPhotos(input) {
    var files = Array.prototype.slice.call(input.files || []);
    if (!files.length) { sync(input); render(input); return; }  // camera cancelled: keep what was chosen
    var submit = input.form && input.form.querySelector("[type=submit]");
    var label = submit && submit.textContent;
    if (submit) {
      submit.disabled = true;
      submit.textContent = submit.dataset.busyLabel || label;
    }
    input.dataset.busy = "1";
    Promise.all(files.map(shrink)).then(function (shrunk) {
      var before = chosen[input.id] || [];
      chosen[input.id] = before.concat(shrunk);
      if (!sync(input)) { chosen[input.id] = files; }  // no DataTransfer: the browser's own choice stands
      render(input);
    }).finally(function () {
      delete input.dataset.busy;
      if (submit) {
        submit.disabled = false;
        submit.textContent = label;
      }
    });
  }

  function removePhoto(button) {
    var figure = button.closest(".photo-thumb");
    var box = figure && figure.closest("[data-previews-for]");
    var input = box && document.getElementById(box.dataset.previewsFor);
    if (!input) { return; }
    if (figure.dataset.new) {
      (chosen[input.id] || []).splice(Number(figure.dataset.index), 1);
      sync(input);
      render(input);
    } else {
      figure.remove();
      updateCount(input);
    }
    var next = box.querySelector("[data-remove-photo]");
    (next || document.querySelector('label[for="' + input.id + '"].camera-btn') || input).focus();
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
    var remove = event.target.closest("[data-remove-photo]");
    if (remove) { removePhoto(remove); return; }
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
