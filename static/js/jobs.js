// The job page: poll the job's status until it has finished or failed, then show the final page.
(function () {
  var box = document.getElementById("job");
  if (!box) { return; }
  function poll() {
    fetch(box.dataset.statusUrl, {headers: {"Accept": "application/json"}, credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (job) {
        document.getElementById("job-status").textContent = job.status_label;
        document.getElementById("job-progress").value = job.progress;
        document.getElementById("job-percent").textContent = job.progress + "%";
        document.getElementById("job-message").textContent = job.message || "";
        if (job.status === "finished" || job.status === "failed") {
          location.reload();  // the server renders the final state (download button or error)
        } else {
          setTimeout(poll, +box.dataset.pollMs);
        }
      })
      .catch(function () { setTimeout(poll, 3 * box.dataset.pollMs); });
  }
  setTimeout(poll, +box.dataset.pollMs);
})();
