// Seedbed (issue 16, task 8): the button 「导出 xlsx（当前筛选）」 on Piccolo Admin's table lists.
//
// Piccolo Admin's Vue bundle cannot be extended, so this script (served by app/admin/list_export_button.py, no CDN)
// remembers the query of the list's latest request to /api/tables/<table>/ (filters, order) and keeps the link's
// address at tables/<table>/export.xlsx with that same query. The server (app/admin/list_export.py) reads every
// page of it through the same list API, with the same scope. See docs/adr/0019-admin-list-export.md.
(function () {
  "use strict";
  var LIST_REQUEST = /(?:^|\/)api\/tables\/([a-z_]+)\/\?([^#]*)$/; // the list itself, not count/, schema/ or a row
  var LIST_PAGE = /^#\/([a-z_]+)\/?(?:\?.*)?$/; // #/<table>/ is a list; #/<table>/<id>/ a row, #/forms/… a form
  var LINK_ID = "seedbed-list-export";
  var lastQuery = {}; // table → query string of the list's latest request

  var open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url) {
    var match = String(method).toUpperCase() === "GET" && String(url).match(LIST_REQUEST);
    if (match) {
      lastQuery[match[1]] = match[2];
      window.setTimeout(place, 0);
    }
    return open.apply(this, arguments);
  };

  function exportUrl(table) {
    var kept = new URLSearchParams(lastQuery[table] || "");
    ["__page", "__page_size", "__readable"].forEach(function (name) {
      kept.delete(name);
    });
    var query = kept.toString();
    return "./tables/" + table + "/export.xlsx" + (query ? "?" + query : "");
  }

  function place() {
    var page = window.location.hash.match(LIST_PAGE);
    var link = document.getElementById(LINK_ID);
    var buttons = document.querySelector(".title_bar .buttons");
    if (!page || page[1] === "forms" || !buttons) {
      if (link) link.remove();
      return;
    }
    if (!link || link.parentNode !== buttons) {
      if (link) link.remove();
      link = document.createElement("a");
      link.id = LINK_ID;
      link.className = "button";
      // Piccolo's own button blue is too light for white text (WCAG AA); ours uses the admin pages' header blue.
      link.style.backgroundColor = "#1f3a5f";
      link.style.color = "#ffffff";
      link.textContent = "导出 xlsx（当前筛选）";
      link.title = "按当前的筛选和排序导出全部行（不只本页），最多 50,000 行";
      buttons.appendChild(link);
    }
    var href = exportUrl(page[1]);
    if (link.getAttribute("href") !== href) link.setAttribute("href", href);
  }

  window.addEventListener("hashchange", place);
  document.addEventListener("DOMContentLoaded", function () {
    new MutationObserver(place).observe(document.body, { childList: true, subtree: true });
    place();
  });
})();
