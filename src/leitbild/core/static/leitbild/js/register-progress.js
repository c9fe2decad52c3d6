// The register run page: poll the run's state and move the progress bar until it ends,
// then reload once to show the report. Without JavaScript the page has a reload link.
(function () {
  "use strict";
  function init() {
    var box = document.querySelector("[data-run-status-url]");
    if (!box) return;
    var bar = box.querySelector("progress");
    var stage = box.querySelector("[data-run-stage]");
    function poll() {
      fetch(box.getAttribute("data-run-status-url"), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (state) {
          if (!state) return;
          bar.value = state.progress;
          bar.textContent = state.progress + " %";
          stage.textContent = state.stage;
          if (state.finished) {
            window.location.reload();
          } else {
            window.setTimeout(poll, 1500);
          }
        })
        .catch(function () {
          window.setTimeout(poll, 5000);
        });
    }
    window.setTimeout(poll, 1000);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
