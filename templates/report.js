/* linkguard report: filters and sorting. It only hides and reorders what is already on the
   page (with JavaScript off everything stays visible), and it never touches the network.
   A filter can be given in the address: #severity=error,warning&rule=ID&host=HOST&q=TEXT */
(function () {
  "use strict";
  var doc = document;
  var form = doc.getElementById("filters");
  var rows = Array.prototype.slice.call(doc.querySelectorAll("[data-filter-row]"));
  var sections = Array.prototype.slice.call(doc.querySelectorAll("[data-filter-section]"));
  var texts = [];
  var ALL = ["error", "warning", "info"];

  function tokens(value) { return value ? value.split(" ") : []; }

  function read() {
    var sev = [];
    Array.prototype.forEach.call(form.elements.severity, function (box) {
      if (box.checked) { sev.push(box.value); }
    });
    return {
      sev: sev,
      rule: form.elements.rule.value,
      host: form.elements.host.value,
      q: form.elements.q.value.trim().toLowerCase()
    };
  }

  function matches(index, st) {
    var row = rows[index];
    var sev = row.getAttribute("data-sev");
    if (sev !== null && st.sev.length < ALL.length) {
      var have = tokens(sev);
      if (!st.sev.some(function (s) { return have.indexOf(s) >= 0; })) { return false; }
    }
    var rule = row.getAttribute("data-rule");
    if (st.rule && rule !== null && tokens(rule).indexOf(st.rule) < 0) { return false; }
    var host = row.getAttribute("data-host");
    if (st.host && host !== null && tokens(host).indexOf(st.host) < 0) { return false; }
    if (st.q) {
      if (texts[index] === undefined) { texts[index] = row.textContent.toLowerCase(); }
      if (texts[index].indexOf(st.q) < 0) { return false; }
    }
    return true;
  }

  function apply(updateAddress) {
    var st = read();
    var shown = 0, total = 0;
    rows.forEach(function (row, index) {
      var ok = matches(index, st);
      row.hidden = !ok;
      if (row.closest("#findings")) { total += 1; shown += ok ? 1 : 0; }
    });
    sections.forEach(function (section) {
      section.hidden = !section.querySelector("[data-filter-row]:not([hidden])");
    });
    var active = st.sev.length < ALL.length || st.rule || st.host || st.q;
    form.elements.shown.value = active ? "showing " + shown + " of " + total + " finding groups" : "";
    doc.documentElement.setAttribute("data-lg-visible", String(shown));
    if (updateAddress) { remember(st, active); }
  }

  function remember(st, active) {
    var parts = [];
    if (st.sev.length < ALL.length) { parts.push("severity=" + encodeURIComponent(st.sev.join(","))); }
    if (st.rule) { parts.push("rule=" + encodeURIComponent(st.rule)); }
    if (st.host) { parts.push("host=" + encodeURIComponent(st.host)); }
    if (st.q) { parts.push("q=" + encodeURIComponent(st.q)); }
    try {
      history.replaceState(null, "", active ? "#" + parts.join("&") : location.pathname + location.search);
    } catch (e) { /* a file opened from a sandbox may refuse; the filter still applies */ }
  }

  function choose(select, value) {
    for (var i = 0; i < select.options.length; i += 1) {
      if (select.options[i].value === value) { select.value = value; return; }
    }
  }

  function fromAddress() {
    var hash = location.hash.slice(1);
    if (hash.indexOf("=") < 0) { return; }
    var params = new URLSearchParams(hash);
    if (params.has("severity")) {
      var wanted = params.get("severity").split(",");
      Array.prototype.forEach.call(form.elements.severity, function (box) {
        box.checked = wanted.indexOf(box.value) >= 0;
      });
    }
    if (params.has("rule")) { choose(form.elements.rule, params.get("rule")); }
    if (params.has("host")) { choose(form.elements.host, params.get("host")); }
    if (params.has("q")) { form.elements.q.value = params.get("q"); }
  }

  function sortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, column) {
      var kind = th.getAttribute("data-sort");
      if (!kind) { return; }
      var button = doc.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        sortBy(table.tBodies[0], column, kind, ascending);
      });
    });
  }

  function sortBy(body, column, kind, ascending) {
    var keyed = Array.prototype.map.call(body.rows, function (row, index) {
      var cell = row.cells[column];
      var raw = cell.getAttribute("data-v");
      if (raw === null) { raw = cell.textContent.trim(); }
      return { row: row, index: index, key: kind === "num" ? parseFloat(raw) || 0 : raw.toLowerCase() };
    });
    keyed.sort(function (a, b) {
      var order = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
      return (ascending ? order : -order) || a.index - b.index;
    });
    var fragment = doc.createDocumentFragment();
    keyed.forEach(function (item) { fragment.appendChild(item.row); });
    body.appendChild(fragment);
  }

  /* Printing shows everything: open every <details>, and close again afterwards. */
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(doc.querySelectorAll("details:not([open])"), function (d) {
      d.open = true;
      return true;
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });

  Array.prototype.forEach.call(doc.querySelectorAll("table[data-sortable]"), sortable);
  if (form) {
    form.hidden = false;
    fromAddress();
    form.addEventListener("input", function () { apply(true); });
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
    window.addEventListener("hashchange", function () {
      if (location.hash.indexOf("=") >= 0) { fromAddress(); apply(false); }
    });
    apply(false);
  }
  doc.documentElement.setAttribute("data-lg-ready", "1");
}());
