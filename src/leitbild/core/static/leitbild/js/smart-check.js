// The action-goal editor's SMART check, re-run on the server as staff type.
// Without JavaScript the same check is shown after saving.
(function () {
  "use strict";
  function init() {
    var form = document.querySelector("form[data-smart-url]");
    if (!form) return;
    var target = document.getElementById(form.getAttribute("data-smart-target"));
    var timer = null;
    function render(result) {
      target.textContent = "";
      if (result.ok) {
        var p = document.createElement("p");
        p.className = "smart-ok";
        p.textContent = "✔ " + form.getAttribute("data-ok-text");
        target.appendChild(p);
        return;
      }
      var list = document.createElement("ul");
      list.className = "smart-problems";
      result.problems.forEach(function (problem) {
        var item = document.createElement("li");
        item.textContent = "✖ " + problem.message;
        list.appendChild(item);
      });
      target.appendChild(list);
    }
    function check() {
      fetch(form.getAttribute("data-smart-url"), {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (result) { if (result) render(result); })
        .catch(function () {});
    }
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(check, 300);
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
