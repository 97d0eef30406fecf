// Keeps a copy of a long form in the phone's local storage while it is being typed,
// so a dropped connection or a failed upload never loses the secretary's text.
// The copy fills in only empty fields, and is forgotten once the server has saved.
(function () {
  "use strict";
  var form = document.querySelector("form[data-draft-key]");
  if (!form || !window.localStorage) { return; }
  var key = "jinhu-draft:" + form.getAttribute("data-draft-key");
  var fields = form.querySelectorAll("textarea, input[type=text], input[type=number], select");
  if (document.querySelector(".alert-success")) {
    localStorage.removeItem(key);
  } else {
    try {
      var saved = JSON.parse(localStorage.getItem(key) || "{}");
      fields.forEach(function (field) {
        if (field.name && saved[field.name] !== undefined && !field.value) {
          field.value = saved[field.name];
        }
      });
    } catch (e) { localStorage.removeItem(key); }
  }
  function store() {
    var values = {};
    fields.forEach(function (field) { if (field.name) { values[field.name] = field.value; } });
    try { localStorage.setItem(key, JSON.stringify(values)); } catch (e) { /* quota: ignore */ }
  }
  form.addEventListener("input", store);
  form.addEventListener("change", store);
})();
