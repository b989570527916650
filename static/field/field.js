/* The offline field client: a tablet keeps working without a signal and syncs later.
   Storage: Dexie (IndexedDB). meta: the API token and who it belongs to; packages: a batch's
   offline copy; outbox: every record made here (defects, photos as blobs, checklist results, key
   checks) with its client id, its time `at`, and its sync state (pending / synced / failed + why).
   Sync sends the outbox in order; a photo waits for its defect; resending never duplicates
   (the server finds the client id / Idempotency-Key). Nothing is dropped unless the user discards it. */
(function () {
  "use strict";
  var T = JSON.parse(document.body.dataset.strings);
  var LONG_EDGE = 2048, QUALITY = 0.85, SMALL_ENOUGH = 1500000;  // as static/js/defects.js
  var db = new Dexie("handover-field");
  db.version(1).stores({ meta: "key", packages: "batch_id", outbox: "++seq, cid, status, parent, unit_id" });

  var $ = function (id) { return document.getElementById(id); };
  var state = { pkg: null, unit: null, room: "", category: "", severity: "minor", pin: null, photos: [], syncing: false };

  function uuid() { return crypto.randomUUID ? crypto.randomUUID() : "10000000-1000-4000-8000-100000000000".replace(/[018]/g, function (c) {
    return (c ^ crypto.getRandomValues(new Uint8Array(1))[0] & 15 >> c / 4).toString(16); }); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { if (k === "class") node.className = attrs[k]; else node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function kb(bytes) { return bytes > 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.ceil(bytes / 1024) + " KB"; }

  /* ---- auth: a token for the signed-in user, kept for offline days ---- */
  function getMeta(key) { return db.meta.get(key).then(function (row) { return row ? row.value : null; }); }
  function setMeta(key, value) { return db.meta.put({ key: key, value: value }); }

  function refreshSession() {
    return fetch("/field/session", { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok || r.redirected || (r.headers.get("Content-Type") || "").indexOf("json") < 0) { needSignIn(); return null; }
      return r.json().then(function (info) {
        $("auth-alert").hidden = true;
        setMeta("batches", info.batches);
        return getMeta("auth").then(function (auth) {
          if (auth && auth.user_id === info.user.id) { state.auth = auth; return info; }
          return fetch("/field/token", { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": info.csrf } })
            .then(function (t) { return t.json(); })
            .then(function (tok) { return setMeta("auth", { token: tok.token, user_id: info.user.id, name: info.user.name }); })
            .then(loadAuth)
            .then(function () { return info; });
        });
      });
    }).catch(function () { return null; });
  }
  function loadAuth() { return getMeta("auth").then(function (auth) { state.auth = auth; return auth; }); }
  /* who makes a record: it is sent only with that person's token (another sign-in on the tablet waits) */
  function maker() { return state.auth ? { by: state.auth.user_id, by_name: state.auth.name } : { by: null, by_name: "" }; }
  function needSignIn() { var a = $("auth-alert"); a.hidden = false; a.querySelector("span").textContent = T.signin; }

  function api(method, path, body, key) {
    return getMeta("auth").then(function (auth) {
      if (!auth) return Promise.reject({ auth: true });
      var headers = { Authorization: "Bearer " + auth.token, Accept: "application/json",
                      "Accept-Language": document.documentElement.lang || "zh-CN" };  // labels in the page's language
      if (key) headers["Idempotency-Key"] = key;
      if (body && !(body instanceof FormData)) { headers["Content-Type"] = "application/json"; body = JSON.stringify(body); }
      return fetch("/api/v1" + path, { method: method, headers: headers, body: body || undefined });
    });
  }

  /* ---- take a batch's buildings offline ---- */
  function renderBatches() {
    return getMeta("batches").then(function (batches) {
      var select = $("batch-select"); select.textContent = "";
      (batches || []).forEach(function (b) { select.appendChild(el("option", { value: b.id }, b.project + " · " + b.name)); });
      renderBuildings(batches || []);
      select.onchange = function () { renderBuildings(batches || []); };
    });
  }
  function renderBuildings(batches) {
    var box = $("building-choices"); box.textContent = "";
    var batch = batches.filter(function (b) { return String(b.id) === $("batch-select").value; })[0];
    (batch ? batch.buildings : []).forEach(function (b) {
      var label = el("label", { class: "btn chip" }); var box2 = el("input", { type: "checkbox", value: b.id });
      box2.checked = true; label.appendChild(box2); label.appendChild(document.createTextNode(" " + b.name)); box.appendChild(label);
    });
  }
  function takeOffline() {
    var batchId = $("batch-select").value; if (!batchId) return Promise.resolve();
    var ids = Array.prototype.map.call(document.querySelectorAll("#building-choices input:checked"), function (i) { return "building_id=" + i.value; });
    return download(batchId, ids);
  }
  /* back online: the offline copy is fetched again (new defects, changed statuses, keys moved) */
  function refreshPackage() {
    if (!state.pkg || !navigator.onLine) return Promise.resolve();
    return download(state.pkg.batch_id, state.pkg.building_ids || []);
  }
  function download(batchId, ids) {
    var bar = $("download-progress"); bar.hidden = false; bar.value = 0; $("package-info").textContent = T.downloading;
    return api("GET", "/batches/" + batchId + "/offline-package?" + ids.join("&")).then(function (r) {
      if (r.status === 401) { needSignIn(); throw new Error("auth"); }
      if (!r.ok) throw new Error(String(r.status));
      var total = Number(r.headers.get("Content-Length")) || 0, got = 0, chunks = [], reader = r.body.getReader();
      function pump() {
        return reader.read().then(function (step) {
          if (step.done) return new Blob(chunks).text();
          chunks.push(step.value); got += step.value.length;
          bar.value = total ? Math.round(100 * got / total) : Math.min(95, bar.value + 5);
          $("package-info").textContent = T.downloading + " " + kb(got);
          return pump();
        });
      }
      return pump().then(function (text) {
        var pkg = JSON.parse(text); pkg.batch_id = pkg.batch.id; pkg.size = got; pkg.building_ids = ids;
        return db.packages.put(pkg).then(function () { bar.value = 100; bar.hidden = true; return setMeta("current", pkg.batch_id); });
      });
    }).then(loadPackage).catch(function () { bar.hidden = true; });
  }
  function loadPackage() {
    return getMeta("current").then(function (id) { return id ? db.packages.get(id) : null; }).then(function (pkg) {
      state.pkg = pkg;
      $("package-info").textContent = pkg ? T.downloaded + " · " + pkg.batch.project + " " + pkg.batch.name + " · " +
        pkg.units.length + " " + T.units + " · " + pkg.defects.length + " " + T.defects_open + " · " + T.size + " " + kb(pkg.size) +
        " · " + T.updated + " " + new Date(pkg.generated_at).toLocaleString(document.documentElement.lang || "zh-CN") : T.no_package;
      renderUnits();
    });
  }
  function renderUnits() {
    var list = $("unit-list"); list.textContent = ""; if (!state.pkg) return;
    var q = $("unit-filter").value.trim();
    state.pkg.units.filter(function (u) { return !q || u.room_no.indexOf(q) >= 0; }).forEach(function (u) {
      var b = el("button", { type: "button", class: "btn field-unit", "data-unit": u.id }, u.label);
      b.onclick = function () { openUnit(u.id); }; list.appendChild(b);
    });
  }

  /* ---- one unit: defects, checklist, keys ---- */
  function openUnit(id) {
    var u = state.pkg.units.filter(function (x) { return x.id === id; })[0]; state.unit = u;
    $("view-home").hidden = true; $("view-unit").hidden = false;
    $("unit-title").textContent = state.pkg.batch.project + " · " + u.label;
    resetDefectForm(); renderChecklist(); renderKeys(); renderUnitDefects(); showTab("defect");
  }
  function showTab(name) {
    document.querySelectorAll(".field-tab").forEach(function (t) { t.setAttribute("aria-selected", String(t.dataset.tab === name)); });
    document.querySelectorAll(".field-pane").forEach(function (p) { p.hidden = p.dataset.pane !== name; });
  }
  function chips(boxId, values, current, pick) {
    var box = $(boxId); box.textContent = "";
    values.forEach(function (v) {
      var b = el("button", { type: "button", class: "btn chip", "aria-pressed": String(v === current) }, v);
      b.onclick = function () { pick(v); }; box.appendChild(b);
    });
  }
  function resetDefectForm() {
    var pkg = state.pkg, u = state.unit;
    state.room = pkg.rooms[0]; state.category = ""; state.severity = "minor"; state.pin = null; state.photos = [];
    var stage = $("stage-select"); stage.textContent = "";
    pkg.stages.forEach(function (s) { stage.appendChild(el("option", { value: s.value }, s.label)); });
    $("defect-description").value = ""; $("defect-error").hidden = true; $("photo-thumbs").textContent = "";
    drawChoices();
    var plan = u.plan && pkg.plans[u.plan];
    $("plan-box").hidden = !(plan && plan.data); $("plan-pin").hidden = true;
    if (plan && plan.data) $("plan-image").src = plan.data;
    document.querySelectorAll("#severity-choices .chip").forEach(function (c) { c.setAttribute("aria-pressed", String(c.dataset.severity === "minor")); });
  }
  function items() {
    var u = state.unit;
    return state.pkg.checklist.filter(function (i) { return !i.fitout_type || i.fitout_type === u.fitout_type; });
  }
  function drawChoices() {
    var cats = []; items().forEach(function (i) { if (cats.indexOf(i.category) < 0) cats.push(i.category); });
    if (!state.category) state.category = cats[0] || "";
    chips("room-choices", state.pkg.rooms, state.room, function (v) { state.room = v; drawChoices(); });
    chips("category-choices", cats, state.category, function (v) { state.category = v; drawChoices(); });
    var phrases = []; items().forEach(function (i) { if (i.category === state.category) phrases = phrases.concat(i.phrases); });
    chips("phrase-choices", phrases.slice(0, 8), null, function (v) {
      var t = $("defect-description"); t.value = t.value.trim() ? t.value.trim() + "，" + v : v;
    });
  }
  function shrink(file) {
    return new Promise(function (resolve) {
      if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) { resolve(file); return; }
      createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
        var scale = Math.min(1, LONG_EDGE / Math.max(bitmap.width, bitmap.height));
        if (scale === 1 && file.size < SMALL_ENOUGH) { resolve(file); return; }
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(bitmap.width * scale); canvas.height = Math.round(bitmap.height * scale);
        canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", QUALITY);
      }).catch(function () { resolve(file); });
    });
  }
  function addPhotos(files) {
    Promise.all(Array.prototype.map.call(files, shrink)).then(function (blobs) {
      blobs.forEach(function (blob) {
        state.photos.push(blob);
        var img = el("img", { class: "field-thumb", alt: T.photo }); img.src = URL.createObjectURL(blob); $("photo-thumbs").appendChild(img);
      });
      $("photo-input").value = "";
    });
  }
  function saveDefect(event) {
    event.preventDefault();
    var description = $("defect-description").value.trim();
    if (!description) { var e = $("defect-error"); e.hidden = false; e.textContent = T.need_description; return; }
    var cid = uuid(), at = new Date().toISOString(), u = state.unit;
    var records = [{ cid: cid, kind: "defect", status: "pending", by: maker().by, by_name: maker().by_name, unit_id: u.id, at: at, parent: "",
      label: u.room_no + " · " + state.room + " · " + state.category + " · " + description,
      payload: { id: cid, stage: $("stage-select").value, room: state.room, category: state.category, description: description,
        severity: state.severity, pin_x: state.pin ? state.pin[0] : null, pin_y: state.pin ? state.pin[1] : null, at: at } }];
    state.photos.forEach(function (blob, n) {
      records.push({ cid: uuid(), kind: "photo", status: "pending", by: maker().by, by_name: maker().by_name, unit_id: u.id, at: at, parent: cid, blob: blob,
        label: u.room_no + " · " + T.photo + " " + (n + 1), payload: { defect_id: cid } });
    });
    db.outbox.bulkAdd(records).then(function () { resetDefectForm(); renderUnitDefects(); refreshOutbox(); sync(); });
  }
  function renderUnitDefects() {
    var list = $("unit-defects"); list.textContent = ""; var u = state.unit;
    db.outbox.where("unit_id").equals(u.id).toArray().then(function (rows) {
      rows.filter(function (r) { return r.kind === "defect"; }).forEach(function (r) {
        var photos = rows.filter(function (p) { return p.parent === r.cid; }).length;
        var li = el("li", { class: "field-item", "data-status": r.status }, r.payload.room + " · " + r.payload.category + " · " + r.payload.description + " (" + photos + " " + T.photos + ") ");
        li.appendChild(el("span", { class: "field-state" }, T[r.status])); list.appendChild(li);
      });
      state.pkg.defects.filter(function (d) { return d.unit_id === u.id; }).forEach(function (d) {
        list.appendChild(el("li", { class: "field-item" }, d.room + " · " + d.category + " · " + d.description + " · " + d.status_label));
      });
    });
  }
  function renderChecklist() {
    var list = $("checklist"); list.textContent = "";
    items().forEach(function (i) {
      var li = el("li", { class: "field-item field-check" }); li.appendChild(el("span", { class: "field-check-name" }, i.category + " · " + i.name));
      if (i.limit_min !== null || i.limit_max !== null) {
        var input = el("input", { type: "number", step: "0.001", inputmode: "decimal", class: "field-input field-measure", placeholder: T.measured + " " + i.limit_unit });
        var go = el("button", { type: "button", class: "btn" }, "✓"); go.onclick = function () { if (input.value) recordResult(i, null, input.value, li); };
        li.appendChild(input); li.appendChild(go);
      }
      [["pass", true], ["fail", false]].forEach(function (pair) {
        var b = el("button", { type: "button", class: "btn chip", "data-result": pair[0] }, T[pair[0]]);
        b.onclick = function () { recordResult(i, pair[1], null, li); }; li.appendChild(b);
      });
      list.appendChild(li);
    });
  }
  function recordResult(item, passed, measured, li) {
    var cid = uuid(), at = new Date().toISOString(), u = state.unit;
    db.outbox.add({ cid: cid, kind: "result", status: "pending", by: maker().by, by_name: maker().by_name, unit_id: u.id, at: at, parent: "",
      label: u.room_no + " · " + item.name + " · " + (measured !== null ? T.measured + " " + measured : T[passed ? "pass" : "fail"]),
      payload: { id: cid, stage: $("stage-select").value || state.pkg.stages[0].value, item_id: item.id, passed: passed,
        measured_value: measured, at: at } }).then(function () { li.dataset.done = "1"; refreshOutbox(); sync(); });
  }
  function renderKeys() {
    var list = $("key-list"); list.textContent = "";
    state.pkg.keys.filter(function (k) { return k.unit_id === state.unit.id; }).forEach(function (k) {
      var li = el("li", { class: "field-item" }, k.kind_label + " · " + k.label + " · " + k.status_label + " ");
      ["ok", "fails"].forEach(function (result) {
        var b = el("button", { type: "button", class: "btn chip", "data-key-result": result }, T[result]);
        b.onclick = function () {
          var cid = uuid(), at = new Date().toISOString();
          db.outbox.add({ cid: cid, kind: "keycheck", status: "pending", by: maker().by, by_name: maker().by_name, unit_id: state.unit.id, at: at, parent: "",
            label: state.unit.room_no + " · " + k.label + " · " + T[result], payload: { key_id: k.id, type: "checked", result: result, at: at } })
            .then(function () { li.dataset.done = result; refreshOutbox(); sync(); });
        };
        li.appendChild(b);
      });
      list.appendChild(li);
    });
  }

  /* ---- the outbox: what waits, what failed and why ---- */
  function refreshOutbox() {
    return db.outbox.orderBy("seq").toArray().then(function (rows) {
      var waiting = rows.filter(function (r) { return r.status !== "synced"; });
      var synced = {}; rows.forEach(function (r) { if (r.status === "synced") synced[r.cid] = true; });
      $("pending-badge").textContent = String(waiting.length);
      $("pending-badge").dataset.count = String(waiting.length);
      var list = $("outbox"); list.textContent = "";
      if (!waiting.length) list.appendChild(el("li", { class: "field-muted" }, T.nothing));
      waiting.forEach(function (r) {
        var li = el("li", { class: "field-item", "data-status": r.status, "data-kind": r.kind });
        li.appendChild(el("span", { class: "field-state" }, T[r.status])); li.appendChild(el("span", {}, " " + T[r.kind] + " · " + r.label));
        if (r.error) li.appendChild(el("p", { class: "field-error" }, r.error));
        else if (r.by && state.auth && r.by !== state.auth.user_id) li.appendChild(el("p", { class: "field-muted" }, T.waiting_maker + " " + r.by_name));
        else if (r.parent && !synced[r.parent]) li.appendChild(el("p", { class: "field-muted" }, T.waiting_parent));
        if (r.status === "failed") {
          var retry = el("button", { type: "button", class: "btn" }, T.retry);
          retry.onclick = function () { db.outbox.update(r.seq, { status: "pending", error: "" }).then(refreshOutbox).then(sync); };
          var discard = el("button", { type: "button", class: "btn btn-danger" }, T.discard);
          // discarding a defect discards its photos too (they could never reach the server without it)
          discard.onclick = function () {
            if (!window.confirm(T.confirm_discard)) return;
            db.transaction("rw", db.outbox, function () {
              return db.outbox.where("parent").equals(r.cid).delete().then(function () { return db.outbox.delete(r.seq); });
            }).then(refreshOutbox);
          };
          li.appendChild(retry); li.appendChild(discard);
        }
        list.appendChild(li);
      });
    });
  }
  function send(r) {
    var p = r.payload;
    if (r.kind === "defect") return api("POST", "/units/" + r.unit_id + "/defects", p);
    if (r.kind === "result") return api("POST", "/units/" + r.unit_id + "/inspection-results", p);
    if (r.kind === "keycheck") return api("POST", "/keys/" + p.key_id + "/events", { type: p.type, result: p.result, at: p.at }, r.cid);
    var form = new FormData(); form.append("file", r.blob, r.cid + ".jpg"); form.append("at", r.at);
    return api("POST", "/defects/" + p.defect_id + "/photos", form, r.cid);
  }
  function reason(response) {
    return response.json().then(function (body) {
      var parts = [body.message || response.statusText];
      (body.details || []).forEach(function (d) { if (d.message && parts.indexOf(d.message) < 0) parts.push(d.message); });
      return (response.status === 409 ? T.conflict + ": " : "") + parts.join(" ");
    }, function () { return String(response.status); });
  }
  function sync() {
    if (state.syncing || !navigator.onLine) return Promise.resolve();
    state.syncing = true;
    return db.outbox.orderBy("seq").toArray().then(function (rows) {
      var done = {}; rows.forEach(function (r) { if (r.status === "synced") done[r.cid] = true; });
      var queue = rows.filter(function (r) { return r.status === "pending"; });
      function next() {
        var r = queue.shift(); if (!r) return null;
        if (r.parent && !done[r.parent]) return next();  // a photo waits for its defect
        if (r.by && state.auth && r.by !== state.auth.user_id) return next();  // waits for its maker's sign-in
        return send(r).then(function (response) {
          if (response.ok) {  // a synced photo's blob is on the server now: the tablet's copy is let go
            done[r.cid] = true;
            return db.outbox.update(r.seq, { status: "synced", error: "", blob: null, synced_at: new Date().toISOString() }).then(next);
          }
          if (response.status === 401) { needSignIn(); state.auth = null; return db.meta.delete("auth"); }
          if (response.status >= 500) return null;
          return reason(response).then(function (why) { return db.outbox.update(r.seq, { status: "failed", error: why }); }).then(next);
        });
      }
      return next();
    }).catch(function (e) { if (e && e.auth) needSignIn(); }).then(function () { state.syncing = false; return refreshOutbox(); });
  }

  function netState() {
    var s = $("net-state"); s.dataset.state = navigator.onLine ? "online" : "offline";
    s.textContent = navigator.onLine ? T.online : T.offline;
  }

  document.addEventListener("DOMContentLoaded", function () {
    netState();
    window.addEventListener("online", function () { netState(); refreshSession().then(sync).then(refreshPackage); });
    setInterval(function () { if (navigator.onLine) sync(); }, 60000);  // a signal that came back quietly
    window.addEventListener("offline", netState);
    $("take-offline").onclick = takeOffline;
    $("unit-filter").oninput = renderUnits;
    $("back-home").onclick = function () { $("view-unit").hidden = true; $("view-home").hidden = false; refreshOutbox(); };
    $("sync-now").onclick = function () { refreshSession().then(sync); };
    $("defect-form").onsubmit = saveDefect;
    $("photo-input").onchange = function () { addPhotos(this.files); };
    document.querySelectorAll(".field-tab").forEach(function (t) { t.onclick = function () { showTab(t.dataset.tab); }; });
    document.querySelectorAll("#severity-choices .chip").forEach(function (c) {
      c.onclick = function () { state.severity = c.dataset.severity;
        document.querySelectorAll("#severity-choices .chip").forEach(function (o) { o.setAttribute("aria-pressed", String(o === c)); }); };
    });
    $("plan-frame").onclick = function (event) {
      var box = $("plan-image").getBoundingClientRect();
      var x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width)), y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
      state.pin = [x.toFixed(4), y.toFixed(4)]; var pin = $("plan-pin"); pin.hidden = false;
      pin.style.left = (x * 100) + "%"; pin.style.top = (y * 100) + "%";
    };
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    // synced records are kept a week (the unit's list shows them), then let go
    var weekAgo = new Date(Date.now() - 7 * 86400000).toISOString();
    db.outbox.where("status").equals("synced").filter(function (r) { return r.synced_at < weekAgo; }).delete();
    // keep this page for offline use: the service worker answers /field/ from this copy without a network
    if (window.caches && navigator.onLine) caches.open("field-shell").then(function (c) { return c.add("/field/"); }).catch(function () {});
    if ("serviceWorker" in navigator && window.workbox) new window.workbox.Workbox("/field/sw.js", { scope: "/field/" }).register();
    loadAuth().then(function () { return navigator.onLine ? refreshSession() : null; }).then(renderBatches).then(loadPackage).then(refreshOutbox).then(sync);
  });
})();
