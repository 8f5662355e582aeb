/* The form renderer's enhancements (app/portal/forms): conditional fields shown or hidden by their data-show-*
   attributes, repeatable groups' 添加/删除 in place, and autosave of a draft. Without this script every field is
   shown and the 添加/删除 buttons submit the form, which the server re-renders: nothing here is needed to finish. */
(function () {
  "use strict";

  function valueOf(form, name) {
    var field = form.elements.namedItem(name);
    if (!field) return null;
    if (field instanceof RadioNodeList) {
      var boxes = Array.prototype.slice.call(field);
      var ticked = boxes.filter(function (el) { return el.type === "checkbox"; });
      if (ticked.length) return ticked[ticked.length - 1].checked ? "true" : "false";
      return field.value;
    }
    if (field.type === "checkbox") return field.checked ? "true" : "false";
    return field.value;
  }

  function applyConditions(form) {
    form.querySelectorAll("[data-show-field]").forEach(function (el) {
      if (el.closest("template")) return;
      var values = JSON.parse(el.getAttribute("data-show-values") || "[]");
      var shown = values.indexOf(valueOf(form, el.getAttribute("data-show-field"))) >= 0;
      if (el.hasAttribute("data-show-negate")) shown = !shown;
      // A field with an error stays in view: its message must be readable whatever the condition says now.
      el.hidden = !shown && !el.querySelector(".field-error");
    });
  }

  function renumber(group) {
    var label = group.getAttribute("data-label");
    var items = group.querySelector(".items").children;
    Array.prototype.forEach.call(items, function (item, i) {
      item.querySelector("legend").textContent = label + " " + (i + 1);
      var remove = item.querySelector(":scope > [data-remove]");
      if (remove) remove.textContent = "删除" + label + " " + (i + 1);
    });
  }

  function addItem(group) {
    var template = group.querySelector(":scope > template");
    var index = Number(group.getAttribute("data-next-index"));
    var html = template.innerHTML.split(group.getAttribute("data-placeholder")).join(String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html;
    var item = holder.firstElementChild;
    group.querySelector(".items").appendChild(item);
    group.setAttribute("data-next-index", String(index + 1));
    renumber(group);
    var first = item.querySelector("input, select, textarea");
    if (first) first.focus();
  }

  function autosave(form, status) {
    var url = form.getAttribute("data-autosave-url");
    var dirty = false;
    var stopped = false;
    var inFlight = false;
    function save() {
      // One save at a time, in order: two in flight could arrive reversed and the older answers would win.
      if (!dirty || stopped || inFlight) return;
      dirty = false;
      inFlight = true;
      fetch(url, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) {
          return response.json().then(function (body) {
            status.textContent = body.message;
            status.classList.toggle("error", !response.ok);
            // A refused save (submitted elsewhere, deadline passed) is final: saving again would only repeat it.
            if (response.status === 409) stopped = true;
          });
        })
        .catch(function () { dirty = true; status.textContent = "自动保存失败，请检查网络后点击「保存草稿」"; })
        .then(function () { inFlight = false; if (dirty) save(); });
    }
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("focusout", save);
    window.setInterval(save, Number(form.getAttribute("data-autosave-seconds") || "20") * 1000);
  }

  document.querySelectorAll("form[data-rendered-form]").forEach(function (form) {
    applyConditions(form);
    form.addEventListener("change", function () { applyConditions(form); });
    form.addEventListener("click", function (event) {
      var button = event.target.closest("[data-add], [data-remove]");
      if (!button) return;
      event.preventDefault();
      if (button.hasAttribute("data-add")) {
        addItem(button.closest("[data-group]"));
      } else {
        var group = button.closest("[data-group]");
        button.closest("[data-item]").remove();
        renumber(group);
      }
      form.dispatchEvent(new Event("change"));
    });
    var status = form.querySelector("[data-autosave-status]");
    if (form.hasAttribute("data-autosave-url") && status) autosave(form, status);
  });
})();
