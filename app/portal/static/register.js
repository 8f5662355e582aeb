/* The registration page's enhancements (the page works without them; the server's check is the API's):
   - the credit code checked as it is typed, by GB 32100's algorithm exactly as app/organisations/credit_code.py
     computes it, with the alphabet, weights and messages the server put in #register-data;
   - the street list refilled when the district changes, the custodian list from the public GET /service-centres;
   - the credit code shown for registered types only, the custodian for filed community groups only. */
(function () {
  "use strict";
  var source = document.getElementById("register-data");
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  var rules = data.creditCode;
  var VALUE = {};
  Array.from(rules.alphabet).forEach(function (char, index) { VALUE[char] = index; });

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }
  function found(code, values) { return { code: code, message: fill(rules.messages[code], values || {}) }; }

  // credit_code.normalise: NFKC (full-width to ASCII), surrounding spaces dropped, upper case.
  function normalise(raw) { return raw.normalize("NFKC").trim().toUpperCase(); }

  function checkCharacter(first17) {
    var total = 0;
    Array.from(first17).forEach(function (char, i) { total += VALUE[char] * rules.weights[i]; });
    return rules.alphabet[(31 - total % 31) % 31];
  }

  // credit_code.problem_with, then credit_code.type_problem for a registered type: null when the code is valid.
  function problem(raw, orgType) {
    var chars = Array.from(normalise(raw));
    if (chars.length !== 18) { return found("credit_code_length"); }
    var bad = Array.from(new Set(chars.filter(function (c) { return !(c in VALUE); }))).sort();
    if (bad.length) { return found("credit_code_charset", { chars: bad.join("") }); }
    if (checkCharacter(chars.slice(0, 17).join("")) !== chars[17]) { return found("credit_code_check"); }
    var wanted = rules.typeCharacters[orgType];
    if (wanted === undefined) { return null; }
    if (chars[0] !== rules.authority) { return found("credit_code_authority_mismatch"); }
    if (chars[1] !== wanted) {
      return found("credit_code_type_mismatch", {
        wanted: wanted, wanted_name: rules.typeNames[wanted], held: rules.typeNames[chars[1]] || rules.otherType
      });
    }
    return null;
  }
  window.seedbedCreditCode = { normalise: normalise, checkCharacter: checkCharacter, problem: problem };

  var type = document.getElementById("org_type");
  var code = document.getElementById("credit_code");
  var live = document.getElementById("credit_code-live");
  var district = document.getElementById("district");
  var street = document.getElementById("street");
  var custodian = document.getElementById("custodian_id");
  var centres = data.centres;
  var refresh = document.getElementById("refresh-lists");
  if (refresh) { refresh.remove(); }  // the lists now follow the choices by themselves

  function liveCheck() {
    var text = code.value;
    var typed = Array.from(normalise(text));
    var result = problem(text, type.value);
    var bad = result && result.code === "credit_code_charset";
    live.className = "live-check";
    if (!typed.length) {
      live.textContent = "";
      code.removeAttribute("aria-invalid");
    } else if (typed.length < 18 && !bad) {
      live.textContent = "已输入 " + typed.length + " 位，还差 " + (18 - typed.length) + " 位";
      code.removeAttribute("aria-invalid");
    } else if (result) {
      live.textContent = result.message;
      live.className = "live-check wrong";
      code.setAttribute("aria-invalid", "true");
    } else {
      live.textContent = "代码格式和校验位正确";
      live.className = "live-check right";
      code.removeAttribute("aria-invalid");
    }
  }

  function show(groupId, visible) {
    var group = document.getElementById(groupId);
    group.hidden = !visible;
    // A hidden control is not sent: the API refuses a credit code for a filed group, a custodian for others.
    Array.from(group.querySelectorAll("input, select")).forEach(function (control) { control.disabled = !visible; });
  }

  function options(select, placeholder, pairs, selected) {
    select.textContent = "";
    select.add(new Option(placeholder, ""));
    pairs.forEach(function (pair) { select.add(new Option(pair[1], pair[0], false, pair[0] === selected)); });
  }

  function fillStreets() {
    var chosen = street.value;
    var names = (data.streets[district.value] || []).slice();
    centres.forEach(function (c) { if (names.indexOf(c.street) < 0) { names.push(c.street); } });
    options(street, district.value ? "请选择街镇" : "请先选择所在区",
      names.map(function (n) { return [n, n]; }), chosen);
  }

  function fillCentres() {
    var chosen = custodian.value;
    var fitting = centres.filter(function (c) { return !street.value || c.street === street.value; });
    options(custodian, fitting.length ? "请选择服务中心" : "所选区、街镇暂无服务中心",
      fitting.map(function (c) { return [String(c.id), c.name + "（" + c.street + "）"]; }), chosen);
  }

  function loadCentres() {
    centres = [];
    fillStreets();
    fillCentres();
    if (!district.value) { return; }
    var asked = district.value;
    fetch("/service-centres?limit=200&district=" + encodeURIComponent(asked), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (list) {
        if (district.value !== asked) { return; }  // a later choice is loading
        centres = list;
        fillStreets();
        fillCentres();
      })
      .catch(function () { /* the server checks the choice anyway; the list stays empty */ });
  }

  function typeChanged() {
    var filed = type.value === data.filedGroup;
    show("credit-code-group", !filed);
    show("custodian-group", filed);
    liveCheck();
  }

  code.addEventListener("input", liveCheck);
  type.addEventListener("change", typeChanged);
  district.addEventListener("change", loadCentres);
  street.addEventListener("change", fillCentres);
  custodian.addEventListener("change", function () {
    var centre = centres.filter(function (c) { return String(c.id) === custodian.value; })[0];
    if (centre && !street.value) { street.value = centre.street; fillCentres(); }
  });
  typeChanged();
}());
