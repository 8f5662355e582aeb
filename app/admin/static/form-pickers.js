// Seedbed: dropdowns in Piccolo Admin 1.14's form pages (docs/adr/0018-admin-form-pickers.md).
// Piccolo's form view renders every field as a text or number box and ignores the schema's choices. For each field
// whose schema (/api/forms/<slug>/schema/, filled per officer by app.admin.picks) carries extra.choices, this puts a
// <select> of the Chinese labels in front of Piccolo's own input, hides that input and copies the chosen code into
// it: Piccolo still reads, converts and posts the form exactly as before. No framework, no network but that schema.
(() => {
  "use strict";
  const PLACEHOLDER = "请选择…";
  const TYPE_IT = "__type__";
  const schemas = new Map();

  function formSlug() {
    const match = /^#\/forms\/([^/]+)\/?/.exec(window.location.hash);
    return match ? match[1] : null;
  }

  function schemaOf(slug) {
    if (!schemas.has(slug)) {
      const url = `./api/forms/${slug}/schema/`;
      schemas.set(slug, fetch(url, { credentials: "same-origin" }).then((r) => (r.ok ? r.json() : null)));
    }
    return schemas.get(slug);
  }

  // Labelled choices first; a bare enum (a Literal of Chinese words) is its own label. Optional fields hide
  // theirs in anyOf.
  function optionsOf(prop) {
    const choices = prop && prop.extra && prop.extra.choices;
    if (choices) {
      return Object.values(choices).map((c) => [c.value === null ? "" : String(c.value), String(c.display_name)]);
    }
    const withEnum = prop && (prop.enum ? prop : (prop.anyOf || []).find((p) => p.enum));
    return withEnum ? withEnum.enum.map((v) => [String(v), String(v)]) : null;
  }

  // Piccolo's form puts each field's <label> before its input without linking them: link the visible control, so
  // screen readers (and axe) name every field by its Chinese title.
  function linkLabel(control, name) {
    let box = control.parentElement;
    while (box && box.tagName !== "FORM" && !(box.previousElementSibling && box.previousElementSibling.tagName === "LABEL")) {
      box = box.parentElement;
    }
    const label = box && box.tagName !== "FORM" ? box.previousElementSibling : null;
    if (!label || label.htmlFor) return;
    control.id = control.id || `pick-${name}`;
    label.htmlFor = control.id;
  }

  function upgrade(form, schema) {
    for (const [name, prop] of Object.entries(schema.properties || {})) {
      const options = optionsOf(prop);
      const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
      if (input && !options && input.type !== "hidden") linkLabel(input, name);
      if (!options || !input || input.tagName === "SELECT" || input.dataset.picked) continue;
      input.dataset.picked = "1";
      const select = document.createElement("select");
      select.setAttribute("aria-label", prop.title || name);
      select.dataset.pickFor = name;
      const current = input.value || (prop.default === undefined || prop.default === null ? "" : String(prop.default));
      const known = options.some(([value]) => value === current);
      if (!known || current === "") options.unshift(["", options.length ? PLACEHOLDER : "（暂无可选项）"]);
      for (const [value, label] of options) {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = label;
        select.appendChild(option);
      }
      // A picked object's list is bounded (newest 200): an older one can still be given by its number.
      if (prop["x-pick"]) {
        const typed = document.createElement("option");
        typed.value = TYPE_IT;
        typed.textContent = "输入编号…";
        select.appendChild(typed);
      }
      select.value = known ? current : "";
      const copy = () => {
        const typing = select.value === TYPE_IT;
        input.style.display = typing ? "" : "none";
        input.value = typing ? "" : select.value;
        input.dispatchEvent(new Event("input", { bubbles: true }));
        input.dispatchEvent(new Event("change", { bubbles: true }));
        if (typing) input.focus();
      };
      select.addEventListener("change", copy);
      input.setAttribute("aria-label", `${prop.title || name}（编号）`);
      input.insertAdjacentElement("beforebegin", select);
      linkLabel(select, name);
      copy();
    }
  }

  // Piccolo's submit button is white on #3889ce (contrast 3.7:1, under WCAG AA's 4.5:1): a darker blue of the same
  // hue on the form pages only.
  const style = document.createElement("style");
  style.textContent =
    "#app [data-uitest=submit_custom_form_button]{background-color:#1f6fb2 !important;border-color:#1f6fb2 !important}";
  document.head.appendChild(style);

  let pending = false;
  async function scan() {
    pending = false;
    const slug = formSlug();
    const form = slug && document.querySelector("#app form");
    if (!form) return;
    const schema = await schemaOf(slug);
    if (schema && formSlug() === slug) upgrade(form, schema);
  }

  // Piccolo renders (and re-renders, e.g. 「再次使用」) its form asynchronously: watch the page, fill when it appears.
  new MutationObserver(() => {
    if (!pending) {
      pending = true;
      window.requestAnimationFrame(scan);
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
  // A new visit to a form asks again: choices change as rounds and batches are created.
  window.addEventListener("hashchange", () => schemas.clear());
})();
