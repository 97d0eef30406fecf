// Tables become cards on a phone: each cell is labelled with its column's header, and
// below Bootstrap's small breakpoint (576 px) the rows stack as label: value cards
// (static/css/app.css, .table-cards). A table that must stay a grid (a calendar, a
// heat map) carries data-keep-table. No inline script: CSP.
(function () {
  "use strict";
  function headers(table) {
    var row = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!row) { return null; }
    var labels = [];
    Array.prototype.forEach.call(row.cells, function (th) {
      var span = th.colSpan || 1;
      for (var i = 0; i < span; i += 1) { labels.push(th.textContent.trim()); }
    });
    return labels;
  }
  function label(table) {
    if (table.hasAttribute("data-keep-table")) { return; }
    var names = headers(table);
    if (!names) { return; }
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (tr) {
        var column = 0;
        Array.prototype.forEach.call(tr.cells, function (cell) {
          if (!cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", cell.colSpan > 1 ? "" : (names[column] || ""));
          }
          column += cell.colSpan || 1;
        });
      });
    });
    table.classList.add("table-cards");
  }
  function all() { Array.prototype.forEach.call(document.querySelectorAll("table.table"), label); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", all);
  } else {
    all();
  }
})();
