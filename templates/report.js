/* linkguard report: lists a screen at a time, search, filters and sorting. The HTML holds
   the first screen of every list; this script renders every list from the data block
   (the JSON element #lg-data), so only the rows on screen are in the document however
   large the site. It never touches the network, and it puts crawled text
   only into textContent (in a <bdi>); a page becomes a link only through the "href" the
   report computed (http or https).
   A filter can be given in the address: #severity=error,warning&rule=ID&host=HOST&q=TEXT
   (and, in browser mode, &browser=confirmed|not-loaded|noticed) */
(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;
  var SEV = ["error", "warning", "info"];
  var PRINT_MAX = 2000;
  var MORE = 100; /* places or findings listed at a time */
  var FEW = 5; /* places listed at first in a group opened by a search */
  var main = doc.getElementById("main");
  var form = doc.getElementById("filters");
  var block = doc.getElementById("lg-data");
  var D = block ? JSON.parse(block.textContent) : { str: [], pages: [], rules: [], groups: [], occ: [] };
  var S = D.str, P = D.pages, R = D.rules, G = D.groups, O = D.occ;
  /* browser mode: [code, words] of each verdict on the markup's evidence (a place's x[7]);
     a group's x[12] is its [[verdict, words], ...], x[13] (and a place's x[8]) the day it
     has been open since (history). Rows without them are shorter. */
  var RT = D.rt || [];
  var size = {
    groups: +main.getAttribute("data-groups") || 25,
    pages: +main.getAttribute("data-pages") || 50,
    rows: +main.getAttribute("data-rows") || 50
  };
  var printing = false;

  /* -- the data, indexed ---------------------------------------------------------------- */
  var gFirst = new Int32Array(G.length + 1);
  var pageOcc = P.map(function () { return []; });
  var pageSev = new Int32Array(P.length * 3);
  (function () {
    var g = 0;
    for (var o = 0; o < O.length; o += 1) {
      while (g <= O[o][0]) { gFirst[g] = o; g += 1; }
      if (R[G[O[o][0]][0]][3] === "findings") {
        pageOcc[O[o][1]].push(o);
        pageSev[O[o][1] * 3 + O[o][3]] += 1;
      }
    }
    while (g <= G.length) { gFirst[g] = O.length; g += 1; }
    pageOcc.forEach(function (list) {
      list.sort(function (a, b) { return O[a][3] - O[b][3] || O[a][2] - O[b][2] || a - b; });
    });
  }());
  function str(i) { return i >= 0 ? S[i] : ""; }
  function verdict(o) { var v = O[o][7]; return v && RT[v] ? RT[v] : null; }
  function since(x, at) { return x.length > at ? str(x[at]) : ""; }
  function low(text) { return text.toLowerCase(); }
  var gText = [], oText = [], pText = [];
  function groupText(g) {
    if (gText[g] === undefined) {
      var x = G[g], rule = R[x[0]];
      gText[g] = low([str(x[2]), str(x[3]), str(x[4]), str(x[5]), rule[0], rule[1]]
        .concat(x[11].map(str), (x[12] || []).map(function (t) { return str(t[1]); }))
        .join("\n"));
    }
    return gText[g];
  }
  function occText(o) {
    if (oText[o] === undefined) {
      var x = O[o];
      var v = verdict(o);
      oText[o] = low(P[x[1]][0] + "\n" + str(x[5]) + "\n" + str(x[6]) + (v ? "\n" + v[1] : ""));
    }
    return oText[o];
  }
  function pageText(p) {
    if (pText[p] === undefined) {
      var x = P[p];
      pText[p] = low(x[0] + "\n" + str(x[4]) + "\n" + str(x[3]));
    }
    return pText[p];
  }
  /* Everything a search may find in a group (its places too) or a page (its findings too),
     in one string each: a keystroke is one indexOf a group and one a page. */
  var gHay = [], pHay = [];
  function groupHay(g) {
    if (gHay[g] === undefined) {
      var parts = [groupText(g)];
      for (var o = gFirst[g]; o < gFirst[g + 1]; o += 1) { parts.push(occText(o)); }
      gHay[g] = parts.join("\n");
    }
    return gHay[g];
  }
  function occRule(o) { return R[G[O[o][0]][0]][0]; }
  function findingText(o) {
    var v = verdict(o);
    return occRule(o) + " " + low(str(O[o][5])) + (v ? " " + v[1] : "");
  }
  function pageHay(p) {
    if (pHay[p] === undefined) {
      var parts = [pageText(p)];
      pageOcc[p].forEach(function (o) { parts.push(findingText(o)); });
      pHay[p] = parts.join("\n");
    }
    return pHay[p];
  }

  /* -- the filter state ------------------------------------------------------------------ */
  function read() {
    var st = { sev: [], rule: "", host: "", q: "", rt: "" };
    if (!form) { return st; }
    Array.prototype.forEach.call(form.elements.severity, function (box) {
      if (box.checked) { st.sev.push(box.value); }
    });
    st.rule = form.elements.rule.value;
    st.host = low(form.elements.host.value.trim()).replace(/^\.+/, "");
    st.q = low(form.elements.q.value.trim());
    st.rt = form.elements.rt ? form.elements.rt.value : ""; /* browser mode's verdict */
    return st;
  }
  function sevOk(st, rank) { return st.sev.length === SEV.length || st.sev.indexOf(SEV[rank]) >= 0; }
  function hostOk(st, host) {
    if (!st.host) { return true; }
    host = low(host);
    return host === st.host || host.slice(-st.host.length - 1) === "." + st.host;
  }
  function occOk(st, o) {
    var x = O[o];
    var g = G[x[0]];
    return sevOk(st, x[3]) && (!st.rule || R[g[0]][0] === st.rule) && hostOk(st, str(g[3])) &&
      rtOk(st, o);
  }
  function rtOk(st, o) {
    if (!st.rt) { return true; }
    var v = verdict(o);
    return !!v && v[0] === st.rt;
  }

  /* -- building rows (crawled text only through textContent, inside <bdi>) ---------------- */
  function el(tag, cls, text) {
    var node = doc.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }
  function bdi(text) { return el("bdi", "", text); }
  function put(parent) {
    for (var i = 1; i < arguments.length; i += 1) {
      var child = arguments[i];
      if (child === null || child === undefined) { continue; }
      parent.appendChild(typeof child === "string" ? doc.createTextNode(child) : child);
    }
    return parent;
  }
  function num(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ","); } /* 12,345 */
  function plural(n, noun) { return num(n) + " " + (n === 1 ? noun : noun + "s"); }
  function addr(text) { return put(el("span", "url"), bdi(text)); }
  function pageLink(p) {
    var href = P[p][1];
    if (!href) { return addr(P[p][0]); }
    var a = put(el("a", "url"), bdi(P[p][0]));
    a.href = href;
    a.rel = "noreferrer noopener";
    return a;
  }
  function tag(cls, text) { return el("span", "tag " + cls, text); }
  function rtTag(code, words) { return tag("tag-rt tag-rt-" + code, words); }
  function sevBadge(rank) { return el("b", "s s-" + SEV[rank], SEV[rank]); }
  function cell(tag2, cls, label) {
    var td = el(tag2, cls);
    if (label) { td.setAttribute("data-label", label); }
    return td;
  }
  function where(o) {
    var x = O[o];
    var file = str(x[6]);
    if (file) { return put(el("span", "file"), " ", bdi(x[2] > 0 ? file + ":" + x[2] : file)); }
    return x[2] > 0 ? put(el("span", "ln", "line " + x[2])) : null;
  }
  function place(o, subject, holder) {
    var x = O[o];
    var target = str(x[5]);
    var at = where(o);
    var v = holder ? null : verdict(o); /* a single place: its group's row says it */
    return put(holder || el("li"), pageLink(x[1]), at ? " " : null, at,
      x[4] ? " " : null, x[4] ? tag("tag-known", "known") : null,
      v ? " " : null, v ? rtTag(v[0], v[1]) : null,
      target !== subject ? " " : null, target !== subject ? addr(target) : null);
  }

  /* A list of places shown MORE at a time, rendered when first opened. */
  function placeList(list, subject, open, label) {
    var details = el("details", "locs");
    var shown = 0;
    var ol = el("ol");
    var more = el("button", "more-button");
    more.type = "button";
    function next() {
      var end = Math.min(list.length, shown + (open && !shown ? FEW : MORE));
      for (; shown < end; shown += 1) { ol.appendChild(place(list[shown], subject)); }
      more.hidden = shown >= list.length;
      more.textContent = "Show " + num(Math.min(MORE, list.length - shown)) + " more of " + num(list.length);
    }
    more.addEventListener("click", next);
    put(details, put(el("summary"), label), ol, more);
    details.addEventListener("toggle", function () { if (details.open && !shown) { next(); } });
    if (open) { details.open = true; next(); }
    return details;
  }

  function groupRow(g, st) {
    var matches = groupPlaces(g, st);
    var x = G[g], rule = R[x[0]], subject = str(x[2]);
    var tr = el("tr");
    tr.setAttribute("data-filter-row", "");
    tr.setAttribute("data-sev", SEV[x[1]]);
    tr.setAttribute("data-rule", rule[0]);
    tr.setAttribute("data-host", str(x[3]));
    var count = gFirst[g + 1] - gFirst[g];
    var target = put(cell("td", "target", "Target"), addr(subject));
    if (x[9]) { put(target, " ", tag("tag-known", x[9] === count ? "known" : num(x[9]) + " known")); }
    if (x[7] > 1) { put(target, " ", tag("", plural(x[7], "URL"))); }
    (x[12] || []).forEach(function (t) { put(target, " ", rtTag(RT[t[0]][0], str(t[1]))); });
    put(target, put(el("div", "msg"), bdi(str(x[4]))));
    if (since(x, 13)) { put(target, el("div", "since", "open since " + since(x, 13))); }
    var element = cell("td", "element", "Element");
    if (x[5] >= 0 && str(x[5])) {
      put(element, put(el("code", "el"), bdi(str(x[5]))));
      if (x[6] > 1) { put(element, el("div", "muted", "and " + num(x[6] - 1) + " other " + (x[6] === 2 ? "variant" : "variants"))); }
    } else { put(element, el("span", "muted", "none")); }
    var pages = put(cell("td", "num", "Pages"), num(x[8]));
    if (count > x[8]) { put(pages, el("div", "muted", plural(count, "finding"))); }
    var suppressed = rule[3] === "suppressed";
    var at = cell("td", "where", suppressed ? "Reason" : "Where");
    if (suppressed) {
      var reasons = el("ul", "reasons");
      x[11].forEach(function (r) { put(reasons, put(el("li"), bdi(str(r)))); });
      put(at, reasons);
    }
    var all = [];
    for (var o = gFirst[g]; o < gFirst[g + 1]; o += 1) { all.push(o); }
    var list = matches || all;
    if (all.length === 1) {
      put(at, place(all[0], subject, el("div", "loc")));
    } else {
      var first = O[list[0]];
      var label = matches
        ? plural(list.length, "place") + " of " + num(all.length) + " match"
        : P[first[1]][0] + (first[2] > 0 ? ", line " + first[2] : "") + " and " + num(all.length - 1) + " more";
      put(at, placeList(list, subject, !!matches && list.length * 2 < all.length, label));
    }
    put(tr, target, element, pages, at);
    return tr;
  }

  function pageRow(p, st) {
    var matches = pagePlaces(p, st);
    var x = P[p];
    var tr = el("tr");
    tr.setAttribute("data-filter-row", "");
    var all = pageOcc[p];
    var sevs = [], rules = {}, hosts = {};
    for (var k = 0; k < 3; k += 1) { if (pageSev[p * 3 + k]) { sevs.push(SEV[k]); } }
    all.forEach(function (o) {
      var g = G[O[o][0]];
      rules[R[g[0]][0]] = 1;
      if (str(g[3])) { hosts[str(g[3])] = 1; }
    });
    tr.setAttribute("data-sev", sevs.join(" "));
    tr.setAttribute("data-rule", Object.keys(rules).sort().join(" "));
    tr.setAttribute("data-host", Object.keys(hosts).sort().join(" "));
    var th = put(el("th"), pageLink(p));
    th.scope = "row";
    if (x[4] >= 0) { put(th, put(el("div", "file"), bdi(str(x[4])))); }
    var status = cell("td", "num", "Status");
    put(status, x[2] ? String(x[2]) : el("span", "muted", "none"));
    if (x[3] >= 0) { put(status, put(el("div", "err"), bdi(str(x[3])))); }
    var counts = SEV.map(function (s, k) {
      var n = pageSev[p * 3 + k];
      return put(cell("td", "num" + (k === 0 && n ? " hot" : ""), ["Errors", "Warnings", "Info"][k]), num(n));
    });
    var notices = cell("td", "num", "Exit notices");
    var out = x[5], exempt = x[6], noticed = x[7];
    if (out > exempt) {
      put(notices, num(noticed) + " of " + num(out - exempt));
      if (exempt) { put(notices, el("div", "muted", "+ " + num(exempt) + " exempt")); }
    } else { put(notices, el("span", "muted", out ? num(exempt) + " exempt" : "none")); }
    var list = cell("td", "", "Findings");
    var shown = matches || all;
    if (all.length) {
      var label = matches && matches.length < all.length
        ? plural(matches.length, "finding") + " of " + num(all.length) + " match"
        : plural(all.length, "finding");
      var details = el("details", "plist");
      var ul = el("ul");
      var done = 0;
      var more = el("button", "more-button");
      more.type = "button";
      var opened = matches && matches.length < all.length;
      var next = function () {
        var end = Math.min(shown.length, done + (opened && !done ? FEW : MORE));
        for (; done < end; done += 1) {
          var o = shown[done], y = O[o], rid = R[G[y[0]][0]][0];
          var a = el("a", "rid", rid);
          a.href = "#rule-" + rid;
          var v = verdict(o), day = since(y, 8);
          put(ul, put(el("li"), sevBadge(y[3]), " ", a, y[2] > 0 ? " " : null,
            y[2] > 0 ? el("span", "ln", "line " + y[2]) : null,
            y[4] ? " " : null, y[4] ? tag("tag-known", "known") : null,
            v ? " " : null, v ? rtTag(v[0], v[1]) : null, " ", addr(str(y[5])),
            day ? " " : null, day ? el("span", "since", "open since " + day) : null));
        }
        more.hidden = done >= shown.length;
        more.textContent = "Show " + num(Math.min(MORE, shown.length - done)) + " more";
      };
      more.addEventListener("click", next);
      put(details, put(el("summary"), label), ul, more);
      details.addEventListener("toggle", function () { if (details.open && !done) { next(); } });
      if (opened) { details.open = true; next(); }
      put(list, details);
    } else { put(list, el("span", "muted", "none")); }
    put(tr, th, status, counts[0], counts[1], counts[2], notices, list);
    return tr;
  }

  /* -- paged lists ------------------------------------------------------------------------ */
  function Pager(list, where, noun) {
    var nav = el("nav", "pager");
    nav.setAttribute("aria-label", "More " + noun + "s");
    var prev = el("button", "", "Previous");
    var next = el("button", "", "Next");
    prev.type = next.type = "button";
    var text = el("span", "pager-text");
    text.setAttribute("aria-live", "polite");
    put(nav, prev, " ", text, " ", next);
    prev.addEventListener("click", function () { list.go(list.page - 1); });
    next.addEventListener("click", function () { list.go(list.page + 1); });
    var note = el("p", "print-note");
    where.parentNode.insertBefore(nav, where.nextSibling);
    where.parentNode.insertBefore(note, nav);
    this.update = function (page, per, total) {
      note.textContent = printing && total > PRINT_MAX
        ? "The first " + num(PRINT_MAX) + " of " + plural(total, noun) + " are printed: filter the report to print the others."
        : "";
      nav.hidden = printing || total <= per;
      var first = page * per;
      text.textContent = num(first + 1) + "\u2013" + num(Math.min(total, first + per)) + " of " + plural(total, noun);
      prev.disabled = page === 0;
      next.disabled = first + per >= total;
    };
  }

  function List(body, per, noun, items, matcher, row) {
    var self = this;
    self.body = body;
    self.items = items; /* in display order */
    self.matched = items;
    self.page = 0;
    self.pager = new Pager(self, body.closest(".scroll") || body.closest("table"), noun);
    self.drawn = null;
    self.filter = function (st) {
      self.st = st;
      self.matched = self.items.filter(function (item) { return matcher(item, st); });
      self.page = 0;
      return self.matched.length;
    };
    self.go = function (page) {
      var last = Math.max(0, Math.ceil(self.matched.length / per) - 1);
      self.page = Math.max(0, Math.min(page, last));
      self.draw();
      if (!printing) { body.closest("section").scrollIntoView({ block: "start" }); }
    };
    self.draw = function (hidden) {
      var slice = printing
        ? self.matched.slice(0, PRINT_MAX)
        : self.matched.slice(self.page * per, self.page * per + per);
      /* the same rows for the same search: nothing to do (a hidden list waits) */
      if (hidden) { slice = []; } /* a hidden section keeps no rows */
      var key = self.st.q + "\u0000" + slice.length + "\u0000" + (printing ? "p" : "");
      if (key === self.drawn && same(slice, self.slice)) { return; }
      self.drawn = key;
      self.slice = slice;
      var fragment = doc.createDocumentFragment();
      slice.forEach(function (item) { fragment.appendChild(row(item, self.st)); });
      var keep = body.querySelector("template");
      while (body.firstChild) { body.removeChild(body.firstChild); }
      body.appendChild(fragment);
      if (keep) { body.appendChild(keep); }
      self.pager.update(self.page, per, self.matched.length);
    };
  }

  function same(a, b) {
    if (!b || a.length !== b.length) { return false; }
    for (var i = 0; i < a.length; i += 1) { if (a[i] !== b[i]) { return false; } }
    return true;
  }

  function groupMatch(g, st) {
    var x = G[g];
    if (!sevOk(st, x[1]) || (st.rule && R[x[0]][0] !== st.rule) || !hostOk(st, str(x[3]))) { return false; }
    if (st.rt && !(x[12] || []).some(function (t) { return RT[t[0]][0] === st.rt; })) { return false; }
    if (!st.q) { return true; }
    if (!st.rt) { return groupHay(g).indexOf(st.q) >= 0; }
    return groupText(g).indexOf(st.q) >= 0 || groupPlaces(g, st).length > 0;
  }
  /* The places of a shown group that the search and the verdict found (null: all of them). */
  function groupPlaces(g, st) {
    var text = !st.q || groupText(g).indexOf(st.q) >= 0;
    if (text && !st.rt) { return null; }
    var found = [];
    for (var o = gFirst[g]; o < gFirst[g + 1]; o += 1) {
      if ((text || occText(o).indexOf(st.q) >= 0) && rtOk(st, o)) { found.push(o); }
    }
    return found;
  }

  function narrowed(st) { return st.sev.length < SEV.length || st.rule || st.host || st.rt; }
  function pageFindings(p, st) {
    var all = pageOcc[p];
    var kept = narrowed(st) ? all.filter(function (o) { return occOk(st, o); }) : all;
    if (st.q && pageText(p).indexOf(st.q) < 0) {
      kept = kept.filter(function (o) { return findingText(o).indexOf(st.q) >= 0; });
    }
    return kept;
  }
  function pageMatch(p, st) {
    if (!narrowed(st)) { return !st.q || pageHay(p).indexOf(st.q) >= 0; }
    if (!st.rule && !st.host && !st.q && !st.rt) { /* severity alone: the page's counts say it */
      return st.sev.some(function (s) { return pageSev[p * 3 + SEV.indexOf(s)] > 0; });
    }
    if (st.q && pageHay(p).indexOf(st.q) < 0) { return false; }
    return pageFindings(p, st).length > 0;
  }
  /* The findings of a shown page that the filters kept (null: all of them). */
  function pagePlaces(p, st) {
    if (!narrowed(st) && (!st.q || pageText(p).indexOf(st.q) >= 0)) { return null; }
    var kept = pageFindings(p, st);
    return kept.length < pageOcc[p].length ? kept : null;
  }

  /* Rows whose first screen is in the table and the rest in a <template>. */
  function rowMatch(tr, st) {
    var sev = tr.getAttribute("data-sev");
    if (sev !== null && st.sev.length < SEV.length) {
      var have = sev ? sev.split(" ") : [];
      if (!st.sev.some(function (s) { return have.indexOf(s) >= 0; })) { return false; }
    }
    var rule = tr.getAttribute("data-rule");
    if (st.rule && rule !== null && rule.split(" ").indexOf(st.rule) < 0) { return false; }
    var host = tr.getAttribute("data-host");
    if (st.host && host !== null && !host.split(" ").some(function (h) { return hostOk(st, h); })) { return false; }
    if (st.q) {
      if (tr.lgText === undefined) { tr.lgText = low(tr.textContent); }
      if (tr.lgText.indexOf(st.q) < 0) { return false; }
    }
    return true;
  }

  var lists = [], groupLists = [];
  Array.prototype.forEach.call(doc.querySelectorAll("tbody[data-list]"), function (body) {
    var kind = body.getAttribute("data-list");
    var list;
    if (kind === "groups") {
      var rule = +body.getAttribute("data-rule");
      var items = [];
      G.forEach(function (x, g) { if (x[0] === rule) { items.push(g); } });
      list = new List(body, size.groups, "problem", items, groupMatch, groupRow);
      list.section = body.closest("section[data-filter-section]");
      list.counted = R[rule] && R[rule][3] === "findings";
      list.sorts = {
        subject: function (g) { return low(str(G[g][2])); },
        pages: function (g) { return G[g][8]; }
      };
      groupLists.push(list);
    } else if (kind === "pages") {
      list = new List(body, size.pages, "page", P.map(function (x, p) { return p; }), pageMatch, pageRow);
      list.sorts = {
        page: function (p) { return low(P[p][0]); },
        status: function (p) { return P[p][2]; },
        error: function (p) { return pageSev[p * 3]; },
        warning: function (p) { return pageSev[p * 3 + 1]; },
        info: function (p) { return pageSev[p * 3 + 2]; },
        notices: function (p) { return P[p][5] - P[p][6] - P[p][7]; }
      };
    } else {
      var rows = Array.prototype.slice.call(body.querySelectorAll(":scope > tr"));
      var rest = body.querySelector(":scope > template");
      if (rest) { rows = rows.concat(Array.prototype.slice.call(rest.content.querySelectorAll("tr"))); }
      list = new List(body, size.rows, "row", rows, rowMatch, function (tr) { return tr; });
      list.sorts = null;
      list.rows = true;
    }
    lists.push(list);
    sortable(body.closest("table"), list);
  });

  function sortable(table, list) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, column) {
      var key = th.getAttribute("data-sort");
      if (!key) { return; }
      var button = el("button", "sort", th.textContent);
      button.type = "button";
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var keyOf = list.sorts ? list.sorts[key] : function (tr) {
          var c = tr.cells[column], raw = c.getAttribute("data-v");
          if (raw === null) { raw = c.textContent.trim(); }
          return key === "num" ? parseFloat(raw) || 0 : low(raw);
        };
        var keyed = list.items.map(function (item, index) { return { item: item, index: index, key: keyOf(item) }; });
        keyed.sort(function (a, b) {
          var order = a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
          return (ascending ? order : -order) || a.index - b.index;
        });
        list.items = keyed.map(function (k) { return k.item; });
        apply(false, true);
      });
    });
  }

  /* -- applying the filters ---------------------------------------------------------------- */
  var last = null;
  function apply(updateAddress, again) {
    var st = read();
    var key = JSON.stringify(st);
    if (key === last && !again) { return; } /* a change also fires input: filter once */
    last = key;
    var shown = 0, total = 0;
    lists.forEach(function (list) {
      var n = list.filter(st);
      if (list.section) { list.section.hidden = n === 0; }
      list.draw(n === 0);
      if (list.counted) { shown += n; total += list.items.length; }
    });
    var active = st.sev.length < SEV.length || st.rule || st.host || st.q || st.rt;
    if (form) { form.elements.shown.value = active ? "showing " + num(shown) + " of " + plural(total, "problem") : ""; }
    root.setAttribute("data-lg-visible", String(shown));
    if (updateAddress) { /* once typing pauses: replacing the address costs a few ms */
      clearTimeout(remember.timer);
      remember.timer = setTimeout(function () { remember(st, active); }, 250);
    }
  }

  function remember(st, active) {
    var parts = [];
    if (st.sev.length < SEV.length) { parts.push("severity=" + encodeURIComponent(st.sev.join(","))); }
    if (st.rule) { parts.push("rule=" + encodeURIComponent(st.rule)); }
    if (st.host) { parts.push("host=" + encodeURIComponent(st.host)); }
    if (st.q) { parts.push("q=" + encodeURIComponent(st.q)); }
    if (st.rt) { parts.push("browser=" + encodeURIComponent(st.rt)); }
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
    if (params.has("host")) { form.elements.host.value = params.get("host"); }
    if (params.has("q")) { form.elements.q.value = params.get("q"); }
    if (params.has("browser") && form.elements.rt) { choose(form.elements.rt, params.get("browser")); }
  }

  /* The host field suggests every host, filled in when first used. */
  function suggestHosts() {
    var box = doc.getElementById("host-list");
    if (!box || box.childNodes.length) { return; }
    var seen = {};
    G.forEach(function (x) { if (str(x[3])) { seen[str(x[3])] = 1; } });
    Object.keys(seen).sort().forEach(function (host) {
      var option = doc.createElement("option");
      option.value = host;
      box.appendChild(option);
    });
  }

  function toggle(button, target, cls) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = !target.classList.contains(cls);
      target.classList.toggle(cls, open);
      button.setAttribute("aria-expanded", String(open));
    });
  }

  /* Printing: every matching row (up to PRINT_MAX a list), no pagers; paged again after. */
  window.addEventListener("beforeprint", function () {
    printing = true;
    lists.forEach(function (list) { list.draw(); });
  });
  window.addEventListener("afterprint", function () {
    printing = false;
    lists.forEach(function (list) { list.draw(); });
  });

  if (form) {
    form.hidden = false;
    root.classList.add("lg-js");
    toggle(doc.getElementById("filters-button"), form, "open");
    toggle(doc.getElementById("menu-button"), doc.getElementById("sections"), "open");
    fromAddress();
    form.addEventListener("input", function () { apply(true); });
    form.addEventListener("change", function () { apply(true); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () { setTimeout(function () { apply(true); }, 0); });
    form.elements.host.addEventListener("focus", suggestHosts);
    window.addEventListener("hashchange", function () {
      if (location.hash.indexOf("=") >= 0) { fromAddress(); apply(false, true); }
    });
  }
  apply(false);
  root.setAttribute("data-lg-ready", "1");

  /* Build the search strings while the reader looks at the first screen, a slice a task,
     so the first keystroke costs what every other one does. */
  (function warm(step) {
    var end = Math.min(step + 2000, G.length + P.length);
    for (var i = step; i < end; i += 1) {
      if (i < G.length) { groupHay(i); } else { pageHay(i - G.length); }
    }
    if (end < G.length + P.length) { setTimeout(function () { warm(end); }, 0); return; }
    lists.forEach(function (list) {
      if (list.rows) { list.items.forEach(function (tr) { tr.lgText = low(tr.textContent); }); }
    });
  }(0));
}());
