// Selecting words of a goal text copies them into the "passage" field of the
// comment form below it. Without JavaScript, people paste the passage themselves.
(function () {
  "use strict";
  function init() {
    document.querySelectorAll("[data-quote-target]").forEach(function (source) {
      var field = document.getElementById(source.getAttribute("data-quote-target"));
      if (!field) return;
      function take() {
        var selection = window.getSelection();
        if (!selection || selection.isCollapsed) return;
        var range = selection.getRangeAt(0);
        if (!source.contains(range.commonAncestorContainer)) return;
        var text = selection.toString().replace(/\s+/g, " ").trim();
        if (text) field.value = text;
      }
      source.addEventListener("mouseup", take);
      source.addEventListener("keyup", take);
      source.addEventListener("touchend", take);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
