// Charts from a Vega-Lite specification the server builds (vendored Vega, no CDN).
// Expressions run in Vega's interpreter, so the page needs no 'unsafe-eval'. The
// table next to each chart carries the same numbers for screen readers and print.
(function () {
  "use strict";
  function draw(element) {
    fetch(element.getAttribute("data-spec"), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (spec) {
        return vegaEmbed(element, spec, {
          actions: false,
          renderer: "svg",
          defaultStyle: false,
          tooltip: { disableDefaultStyle: true },
          ast: true,
          expr: vegaInterpreter.expressionInterpreter,
        });
      })
      .catch(function () {
        element.textContent = element.getAttribute("data-error") || "";
      });
  }
  function init() {
    document.querySelectorAll("[data-spec]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
