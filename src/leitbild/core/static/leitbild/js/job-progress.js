// A background job's page (a register run, a monitoring report): poll the job's state
// and move the progress bar until it ends, then reload once to show the result (or the
// error). The page marks its box with data-job-status-url and the stage text with
// data-job-stage. Without JavaScript the page has a reload link.
(function () {
  "use strict";
  function init() {
    var box = document.querySelector("[data-job-status-url]");
    if (!box) return;
    var bar = box.querySelector("progress");
    var stage = box.querySelector("[data-job-stage]");
    function poll() {
      fetch(box.getAttribute("data-job-status-url"), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (state) {
          if (!state) {
            window.setTimeout(poll, 5000);
            return;
          }
          bar.value = state.progress;
          bar.textContent = state.progress + " %";
          if (state.stage) stage.textContent = state.stage;
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
