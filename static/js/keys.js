/* Key pages: the signature pad, the QR scanner, the pre-handover check's in-place buttons.
   Everything works without this file (forms post normally); it only makes the tablet quicker. */
(function () {
  "use strict";

  /* --- Signature pad: draw with a finger (pointer events), a PNG data URL in a hidden field. --- */
  function SignaturePad(root) {
    var canvas = root.querySelector("canvas");
    var field = root.querySelector("input[type=hidden]");
    var ctx = canvas.getContext("2d");
    var drawing = false, inked = false, last = null, pointer = null;

    function fit() {
      var box = canvas.getBoundingClientRect();
      if (!box.width) return;
      var ratio = Math.min(window.devicePixelRatio || 1, 2);
      var width = Math.round(box.width * ratio), height = Math.round(box.height * ratio);
      if (canvas.width === width && canvas.height === height) return;
      var previous = inked ? field.value : null;
      canvas.width = width;
      canvas.height = height;
      ctx.lineCap = ctx.lineJoin = "round";
      ctx.strokeStyle = "#0b1a33";
      ctx.lineWidth = 2.6 * ratio;
      if (previous) {  // keep the signature when the tablet is turned
        var image = new Image();
        image.onload = function () { ctx.drawImage(image, 0, 0, width, height); };
        image.src = previous;
      }
    }

    function at(event) {
      var box = canvas.getBoundingClientRect();
      return { x: (event.clientX - box.left) * canvas.width / box.width,
               y: (event.clientY - box.top) * canvas.height / box.height };
    }

    canvas.addEventListener("pointerdown", function (event) {
      if (pointer !== null) return;  // a palm resting on the pad does not draw
      fit();
      pointer = event.pointerId;
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      last = at(event);
      ctx.beginPath();
      ctx.arc(last.x, last.y, ctx.lineWidth / 2, 0, Math.PI * 2);
      ctx.fillStyle = ctx.strokeStyle;
      ctx.fill();
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing || event.pointerId !== pointer) return;
      var points = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
      points.forEach(function (p) {
        var next = at(p);
        ctx.beginPath();
        ctx.moveTo(last.x, last.y);
        ctx.lineTo(next.x, next.y);
        ctx.stroke();
        last = next;
      });
      inked = true;
      event.preventDefault();
    });
    function finish(event) {
      if (event.pointerId !== pointer) return;
      drawing = false;
      pointer = null;
      inked = true;
      field.value = canvas.toDataURL("image/png");
      root.classList.add("is-signed");
      root.querySelector(".signature-missing").hidden = true;
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);

    root.querySelector("[data-clear]").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      inked = false;
      field.value = "";
      root.classList.remove("is-signed");
    });

    if (window.ResizeObserver) new ResizeObserver(fit).observe(canvas);
    fit();

    var form = root.closest("form");
    if (form && root.hasAttribute("data-required")) {
      form.addEventListener("submit", function (event) {
        if (field.value) return;
        event.preventDefault();
        var missing = root.querySelector(".signature-missing");
        missing.hidden = false;
        root.scrollIntoView({ block: "center" });
      });
    }
  }

  document.querySelectorAll("[data-signature-pad]").forEach(SignaturePad);

  /* --- Key page: the action panels open by their #anchor; an error panel gives way to a new choice. --- */
  function showPanel() {
    var panel = location.hash.indexOf("#do-") === 0 ? document.getElementById(location.hash.slice(1)) : null;
    if (!panel) return;
    document.querySelectorAll(".event-panel.is-open").forEach(function (open) {
      if (open !== panel) open.classList.remove("is-open");
    });
    document.querySelectorAll(".key-actions .btn").forEach(function (button) {
      button.classList.toggle("is-current", button.getAttribute("href") === location.hash);
    });
    var first = panel.querySelector("input:not([type=hidden]), textarea");
    if (first && !first.value) first.focus({ preventScroll: true });
  }
  window.addEventListener("hashchange", showPanel);
  showPanel();

  /* --- Open a key by its QR tag: BarcodeDetector where the browser has it, else the vendored jsQR. --- */
  function Scanner(root) {
    var start = root.querySelector("[data-scan-start]");
    var view = root.querySelector("[data-scan-view]");
    var video = root.querySelector("[data-scan-video]");
    var status = root.querySelector("[data-scan-status]");
    var input = root.querySelector("input[name=code]");
    var stream = null, timer = null, detect = null;
    var canScan = window.isSecureContext && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
    if (!canScan) {
      root.querySelector("[data-scan-unavailable]").hidden = false;
      return;
    }
    start.hidden = false;

    function stop() {
      clearTimeout(timer);
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      view.hidden = true;
      start.hidden = false;
    }

    function found(text) {
      stop();
      input.value = text.trim();
      input.form.submit();
    }

    function nativeDetector() {
      if (!("BarcodeDetector" in window)) return Promise.resolve(null);
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") < 0) return null;
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function () {
          return detector.detect(video).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
        };
      }).catch(function () { return null; });
    }

    function jsqrDetector() {
      var script = document.querySelector("script[data-jsqr]");
      return new Promise(function (resolve, reject) {
        if (window.jsQR) return resolve();
        var tag = document.createElement("script");
        tag.src = script.getAttribute("data-jsqr");
        tag.onload = resolve;
        tag.onerror = reject;
        document.head.appendChild(tag);
      }).then(function () {
        var frame = document.createElement("canvas");
        var ctx = frame.getContext("2d", { willReadFrequently: true });
        return function () {
          var scale = Math.min(1, 640 / (video.videoWidth || 640));
          frame.width = Math.round(video.videoWidth * scale);
          frame.height = Math.round(video.videoHeight * scale);
          if (!frame.width) return Promise.resolve(null);
          ctx.drawImage(video, 0, 0, frame.width, frame.height);
          var pixels = ctx.getImageData(0, 0, frame.width, frame.height);
          var code = window.jsQR(pixels.data, pixels.width, pixels.height, { inversionAttempts: "dontInvert" });
          return Promise.resolve(code ? code.data : null);
        };
      });
    }

    function tick() {
      detect().then(function (text) {
        if (text) return found(text);
        if (stream) timer = setTimeout(tick, 200);
      }).catch(function () { if (stream) timer = setTimeout(tick, 400); });
    }

    start.addEventListener("click", function () {
      start.hidden = true;
      view.hidden = false;
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          return video.play();
        })
        .then(function () { return detect || nativeDetector().then(function (d) { return d || jsqrDetector(); }); })
        .then(function (detector) { detect = detector; tick(); })
        .catch(function () {
          stop();
          status.textContent = "";
          root.querySelector("[data-scan-unavailable]").hidden = false;
          start.hidden = true;
          input.focus();
        });
    });
    root.querySelector("[data-scan-stop]").addEventListener("click", stop);
    window.addEventListener("pagehide", stop);
  }

  document.querySelectorAll("[data-scanner]").forEach(Scanner);

  /* --- Pre-handover check: record ok / fails without leaving the page. --- */
  var labels = document.getElementById("check-labels");
  document.querySelectorAll("form[data-fetch]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !window.fetch) return;
      event.preventDefault();
      var body = new FormData(form);
      body.set(button.name, button.value);
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      fetch(form.action, { method: "POST", body: body, credentials: "same-origin",
                           headers: { "X-Requested-With": "fetch", "Accept": "application/json" } })
        .then(function (response) {
          return response.json().then(function (data) { return { ok: response.ok, data: data }; });
        })
        .then(function (answer) {
          var row = form.closest(".check-row");
          var result = row.querySelector(".check-result");
          if (!answer.ok) {
            result.textContent = answer.data.message;
            result.setAttribute("data-result", "error");
            return;
          }
          var mark = labels.content.querySelector(answer.data.result === "ok" ? "[data-ok]" : "[data-fails]");
          result.textContent = mark.textContent + " · " + labels.content.querySelector("[data-now]").textContent;
          result.setAttribute("data-result", answer.data.result);
        })
        .catch(function () {  // no JSON back (an expired form, say): post it the ordinary way
          var chosen = document.createElement("input");
          chosen.type = "hidden";
          chosen.name = button.name;
          chosen.value = button.value;
          form.appendChild(chosen);
          form.submit();
        })
        .finally(function () { form.querySelectorAll("button").forEach(function (b) { b.disabled = false; }); });
    });
  });
})();
