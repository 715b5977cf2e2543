// The search page (/search/): Pagefind's JS API (search-core.js) with filters
// and their counts, sorting, and the whole state in the URL so a search can be
// shared or bookmarked. Phone first: the results come straight after the search
// box; the filters open from the 筛选 button (a sidebar on wide screens, CSS).
(function () {
  "use strict";

  var form = document.getElementById("portal-sp-form");
  if (!form) {
    return;
  }
  var config = window.PORTAL_SEARCH;
  var view = window.PortalSearchView;
  var input = document.getElementById("portal-sp-q");
  var sortSelect = document.getElementById("portal-sp-sort");
  var layout = document.getElementById("portal-sp");
  var toggle = document.getElementById("portal-sp-toggle");
  var filtersPanel = document.getElementById("portal-sp-filters");
  var groupsBox = document.getElementById("portal-sp-groups");
  var clearButton = document.getElementById("portal-sp-clear");
  var doneButton = document.getElementById("portal-sp-done");
  var statusBox = document.getElementById("portal-sp-status");
  var understoodBox = document.getElementById("portal-sp-understood");
  var suggestBox = document.getElementById("portal-sp-suggest");
  var list = document.getElementById("portal-sp-results");
  var moreButton = document.getElementById("portal-sp-more");
  var facetsBox = document.getElementById("portal-sp-facets");
  var relaxedBox = document.getElementById("portal-sp-relaxed");
  var emptyBox = document.getElementById("portal-sp-empty");
  var filterTip = document.getElementById("portal-sp-tip-filters");

  var PAGE_SIZE = 10;
  var OPEN = "portal-sp-filters--open";
  var FILTER_ORDER = Object.keys(config.filterParams);
  var PARAM_TO_FILTER = {};
  FILTER_ORDER.forEach(function (name) { PARAM_TO_FILTER[config.filterParams[name]] = name; });

  var state = { q: "", sort: "", filters: {} };
  var results = [];
  var shown = 0;
  var runId = 0;

  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    state.q = (params.get("q") || "").trim();
    state.sort = params.get("sort") === "date" ? "date" : "";
    state.filters = {};
    params.forEach(function (value, key) {
      var name = PARAM_TO_FILTER[key];
      if (name && value) {
        (state.filters[name] = state.filters[name] || []).push(value);
      }
    });
  }

  function writeUrl() {
    var params = new URLSearchParams();
    if (state.q) { params.set("q", state.q); }
    if (state.sort) { params.set("sort", state.sort); }
    FILTER_ORDER.forEach(function (name) {
      (state.filters[name] || []).forEach(function (value) { params.append(config.filterParams[name], value); });
    });
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  function activeFilters() {
    return FILTER_ORDER.reduce(function (n, name) { return n + (state.filters[name] || []).length; }, 0);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // 我的机构 (facility.js): one tap narrows the results to what suits the reader's
  // facility level (the 适用机构 filter, which technologies have), a second tap widens them.
  var mineButton = document.getElementById("portal-sp-mine");
  var LEVEL_FILTER = "适用机构";
  var facility = window.PortalFacility ? window.PortalFacility.read() : null;
  function mineOn() {
    var chosen = state.filters[LEVEL_FILTER] || [];
    return !!facility && chosen.length === 1 && chosen[0] === facility.level;
  }

  // The 筛选 button says how many filters are on: 筛选（2）.
  function showFilterCount() {
    if (facility && mineButton) { mineButton.setAttribute("aria-pressed", mineOn() ? "true" : "false"); }
    var n = activeFilters();
    toggle.textContent = n ? "筛选（" + n + "）" : "筛选";
    clearButton.hidden = n === 0;
  }

  function openFilters(show) {
    filtersPanel.classList.toggle(OPEN, show);
    toggle.setAttribute("aria-expanded", show ? "true" : "false");
  }

  // approximate: the counts stand in for an answer put together from several
  // lookups (search-core.js); the values are offered without numbers.
  function renderFilters(counts, approximate) {
    groupsBox.textContent = "";
    FILTER_ORDER.forEach(function (name, groupIndex) {
      var values = counts[name] || {};
      var selected = state.filters[name] || [];
      var keys = Object.keys(values).filter(function (v) { return values[v] > 0 || selected.indexOf(v) >= 0; });
      selected.forEach(function (v) { if (keys.indexOf(v) < 0) { keys.push(v); } });
      if (keys.length === 0) {
        return;
      }
      keys.sort(name === "年份"
        ? function (a, b) { return b.localeCompare(a); }
        : function (a, b) { return (values[b] || 0) - (values[a] || 0) || a.localeCompare(b, "zh"); });
      var fieldset = el("fieldset", { "class": "portal-sp-group" });
      fieldset.appendChild(el("legend", {}, name));
      var options = el("div", { "class": "portal-sp-options" });
      keys.forEach(function (value, i) {
        // The whole label is the tap target: the box, the value and its count.
        var label = el("label", { "class": "portal-sp-option" });
        var box = el("input", { type: "checkbox", id: "portal-sp-f" + groupIndex + "-" + i,
                                name: config.filterParams[name], value: value });
        box.checked = selected.indexOf(value) >= 0;
        box.addEventListener("change", function () {
          var current = state.filters[name] || [];
          state.filters[name] = box.checked
            ? current.concat([value])
            : current.filter(function (v) { return v !== value; });
          update();
        });
        var text = el("span", {}, value + " ");
        if (!approximate) {
          text.appendChild(el("span", { "class": "portal-sp-count" }, "(" + (values[value] || 0) + ")"));
        }
        label.appendChild(box);
        label.appendChild(text);
        options.appendChild(label);
      });
      fieldset.appendChild(options);
      groupsBox.appendChild(fieldset);
    });
    showFilterCount();
    // Nothing to filter by and nothing filtered: no button to an empty panel.
    toggle.hidden = !groupsBox.firstChild && activeFilters() === 0;
  }

  // Title (the link); kind, 示例 and status; the facts; the excerpt.
  function renderResult(data) {
    var d = view.describe(data);
    var item = el("li", { "class": "portal-sp-result" });
    item.appendChild(el("a", { href: data.url, "class": "portal-sp-title" }, data.title));
    if (d.kind || d.example || d.badge) {
      var kind = el("p", { "class": "portal-sp-kind" });
      if (d.kind) { kind.appendChild(el("span", { "class": "portal-sp-type" }, d.kind)); }
      if (d.example) { kind.appendChild(view.exampleTag()); }
      if (d.badge) { kind.appendChild(view.badge(d.badge)); }
      item.appendChild(kind);
    }
    if (d.facts.length) { item.appendChild(el("p", { "class": "portal-sp-meta" }, d.facts.join(" · "))); }
    var excerpt = el("p", { "class": "portal-sp-excerpt" });
    // The excerpt is escaped text with <mark> around the matched words.
    excerpt.innerHTML = data.excerpt || "";
    item.appendChild(excerpt);
    return item;
  }

  function showMore(id) {
    var batch = results.slice(shown, shown + PAGE_SIZE);
    shown += batch.length;
    return Promise.all(batch.map(function (r) { return r.data(); })).then(function (items) {
      if (id !== runId) { return; }
      items.forEach(function (data) { list.appendChild(renderResult(data)); });
      moreButton.hidden = shown >= results.length;
    });
  }

  function fill(box, node) {
    box.textContent = "";
    if (node) {
      while (node.firstChild) { box.appendChild(node.firstChild); }
    }
    box.hidden = !node;
  }

  // How the query was read, what else to try, listing pages it named.
  function explain(search) {
    var line = view.understood(search.understood);
    understoodBox.textContent = line;
    understoodBox.hidden = !line;
    fill(suggestBox, view.suggestions(search.suggestions, "", function (q) { return "?q=" + encodeURIComponent(q); },
                                      search.understood));
    fill(facetsBox, view.facets(search.facets, ""));
    fill(relaxedBox, relaxed(search.relaxed));
  }

  // Nothing found as asked: the nearest wider search that finds something.
  function relaxed(wider) {
    if (!wider) { return null; }
    var p = document.createElement("p");
    var a = document.createElement("a");
    var params = new URLSearchParams();
    params.set("q", wider.query);
    if (wider.filters) {
      FILTER_ORDER.forEach(function (name) {
        (state.filters[name] || []).forEach(function (value) { params.append(config.filterParams[name], value); });
      });
    }
    a.href = "?" + params.toString();
    a.textContent = wider.filters ? "不限日期，搜索“" + wider.query + "”" : "不限筛选条件，搜索“" + wider.query + "”";
    p.appendChild(a);
    p.appendChild(document.createTextNode("：有 " + wider.total + " 条结果。"));
    return p;
  }

  function clearAnswer() {
    list.textContent = "";
    moreButton.hidden = true;
    emptyBox.hidden = true;
    understoodBox.hidden = true;
    suggestBox.hidden = true;
    facetsBox.hidden = true;
    relaxedBox.hidden = true;
    doneButton.textContent = "查看结果";
  }

  function noResults() {
    statusBox.textContent = state.q ? "没有找到与“" + state.q + "”相关的内容。" : "没有符合所选条件的内容。";
    filterTip.hidden = activeFilters() === 0;
    emptyBox.hidden = false;
  }

  // The list is marked busy from the moment the reader changes the search until
  // its answer is drawn (screen readers wait; so do the tests).
  function run() {
    var id = ++runId;
    list.setAttribute("aria-busy", "true");
    return Promise.resolve(answer(id)).then(function () {
      if (id === runId) { list.removeAttribute("aria-busy"); }
    });
  }

  function answer(id) {
    clearAnswer();
    if (!state.q && !activeFilters()) {
      statusBox.textContent = "输入关键词开始搜索，或按筛选条件浏览。";
      return window.PortalSearch.filters().then(function (all) { if (id === runId) { renderFilters(all); } });
    }
    statusBox.textContent = "正在搜索……";
    var filters = {};
    FILTER_ORDER.forEach(function (name) {
      if ((state.filters[name] || []).length) { filters[name] = { any: state.filters[name] }; }
    });
    var options = { filters: filters };
    if (state.sort === "date") { options.sort = { date: "desc" }; }
    return window.PortalSearch.search(state.q, options).then(function (search) {
      if (id !== runId) { return; }
      results = search.results;
      shown = 0;
      renderFilters(search.filters || {}, search.approximate);
      explain(search);
      if (results.length === 0) {
        noResults();
        return;
      }
      var total = typeof search.total === "number" ? search.total : results.length;
      doneButton.textContent = "查看 " + total + " 条结果";
      statusBox.textContent = (search.partial ? "没有同时包含全部关键词的内容，以下为部分匹配。" : "") +
        "找到 " + total + " 条结果" + (state.q ? "（关键词：" + state.q + "）" : "") + "。";
      return showMore(id);
    });
  }

  var timer = null;
  function update() {
    writeUrl();
    showFilterCount();
    list.setAttribute("aria-busy", "true");
    window.clearTimeout(timer);
    timer = window.setTimeout(run, 150);
  }

  function newQuery() {
    state.q = input.value.trim();
    update();
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    newQuery();
  });
  input.addEventListener("input", newQuery);
  sortSelect.addEventListener("change", function () {
    state.sort = sortSelect.value;
    update();
  });
  if (facility && mineButton && config.filterParams[LEVEL_FILTER]) {
    mineButton.textContent = "只看适合我的机构（" + facility.level + "）";
    mineButton.hidden = false;
    mineButton.addEventListener("click", function () {
      if (mineOn()) { delete state.filters[LEVEL_FILTER]; } else { state.filters[LEVEL_FILTER] = [facility.level]; }
      update();
    });
  }
  toggle.addEventListener("click", function () {
    openFilters(toggle.getAttribute("aria-expanded") !== "true");
  });
  // Focus to the 筛选 button, or (wide screens, no button) to the search box.
  function focusControls() {
    if (toggle.offsetParent) { toggle.focus(); } else { input.focus(); }
  }
  clearButton.addEventListener("click", function () {
    state.filters = {};
    Array.prototype.forEach.call(groupsBox.querySelectorAll("input"), function (box) { box.checked = false; });
    update();
    focusControls();
  });
  doneButton.addEventListener("click", function () {
    // Back to the results, which follow the closed panel.
    openFilters(false);
    toggle.focus();
  });
  moreButton.addEventListener("click", function () {
    var next = list.children.length;
    showMore(runId).then(function () {
      // Keyboard users continue from the first new result.
      var link = list.children[next] && list.children[next].querySelector("a");
      if (link) { link.focus(); }
    });
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA");
    if (event.key === "/" && !typing) {
      event.preventDefault();
      input.focus();
    } else if (event.key === "Escape" && filtersPanel.contains(target) && filtersPanel.classList.contains(OPEN)) {
      openFilters(false);
      toggle.focus();
    }
  });

  readUrl();
  // Links made before there was one answer carried full=1: the address drops it.
  writeUrl();
  input.value = state.q;
  sortSelect.value = state.sort;
  showFilterCount();
  toggle.hidden = false;
  layout.hidden = false;
  window.PortalSearch.filters().then(run).catch(function () {
    statusBox.textContent = "搜索索引加载失败，请检查网络后刷新页面，或从栏目页按分类浏览。";
    emptyBox.hidden = false;
  });
})();
