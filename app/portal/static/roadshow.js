"use strict";
// Progressive enhancement: without it the 「手动刷新」 link does the same. The page reloads itself when the stage
// changes, unless the judge has started scoring — then it only says so, and nothing typed is lost.
(function () {
  var live = document.getElementById("live"), dirty = false;
  var form = live.querySelector("form");
  if (form) { form.addEventListener("change", function () { dirty = true; }); form.addEventListener("input", function () { dirty = true; }); }
  function check() {
    fetch(live.dataset.poll, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body || body.stage === live.dataset.stage) { return; }
        if (dirty) { document.getElementById("stage-changed").hidden = false; } else { window.location.assign(live.dataset.page); }
      })
      .catch(function () {});
  }
  window.setInterval(check, Number(live.dataset.seconds) * 1000);
})();
