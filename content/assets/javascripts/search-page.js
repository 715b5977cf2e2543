// The search page (/search/): Pagefind's JS API with filters and their counts,
// sorting, and the whole state in the URL so a search can be shared or bookmarked.
// A query is first answered from titles, doc numbers, keywords and summaries
// (search-core.js); 在正文中继续查找 searches the full text too (full=1).
(function () {
  "use strict";

  var form = document.getElementById("portal-sp-form");
  if (!form) {
    return;
  }
  var config = window.PORTAL_SEARCH;
  var input = document.getElementById("portal-sp-q");
  var sortSelect = document.getElementById("portal-sp-sort");
  var layout = document.getElementById("portal-sp");
  var filtersBox = document.getElementById("portal-sp-filters");
  var statusBox = document.getElementById("portal-sp-status");
  var list = document.getElementById("portal-sp-results");
  var moreButton = document.getElementById("portal-sp-more");
  var fullTextButton = document.getElementById("portal-sp-fulltext");

  var PAGE_SIZE = 10;
  var FILTER_ORDER = Object.keys(config.filterParams);
  var PARAM_TO_FILTER = {};
  FILTER_ORDER.forEach(function (name) { PARAM_TO_FILTER[config.filterParams[name]] = name; });

  var state = { q: "", sort: "", full: false, filters: {} };
  var results = [];
  var shown = 0;
  var runId = 0;

  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    state.q = (params.get("q") || "").trim();
    state.sort = params.get("sort") === "date" ? "date" : "";
    state.full = params.get("full") === "1";
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
    if (state.full && state.q) { params.set("full", "1"); }
    FILTER_ORDER.forEach(function (name) {
      (state.filters[name] || []).forEach(function (value) { params.append(config.filterParams[name], value); });
    });
    var query = params.toString();
    window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : ""));
  }

  function hasFilters() {
    return FILTER_ORDER.some(function (name) { return (state.filters[name] || []).length > 0; });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function renderFilters(counts) {
    filtersBox.textContent = "";
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
      keys.forEach(function (value, i) {
        var id = "portal-sp-f" + groupIndex + "-" + i;
        var row = el("div", { "class": "portal-sp-option" });
        var box = el("input", { type: "checkbox", id: id, name: config.filterParams[name], value: value });
        box.checked = selected.indexOf(value) >= 0;
        box.addEventListener("change", function () {
          var current = state.filters[name] || [];
          state.filters[name] = box.checked
            ? current.concat([value])
            : current.filter(function (v) { return v !== value; });
          update();
        });
        var label = el("label", { "for": id });
        label.appendChild(document.createTextNode(value + " "));
        label.appendChild(el("span", { "class": "portal-sp-count" }, "(" + (values[value] || 0) + ")"));
        row.appendChild(box);
        row.appendChild(label);
        fieldset.appendChild(row);
      });
      filtersBox.appendChild(fieldset);
    });
  }

  function renderResult(data) {
    var item = el("li", { "class": "portal-sp-result" });
    item.appendChild(el("a", { href: data.url, "class": "portal-sp-title" }, data.title));
    var meta = [data.meta["栏目"], data.meta["文号"], data.meta["日期"]].filter(Boolean);
    if (meta.length) { item.appendChild(el("span", { "class": "portal-sp-meta" }, meta.join(" · "))); }
    var excerpt = el("p", { "class": "portal-sp-excerpt" });
    // Pagefind's excerpt is escaped text with <mark> around the matched words.
    excerpt.innerHTML = data.excerpt;
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

  function noResults() {
    statusBox.textContent = "";
    statusBox.appendChild(document.createTextNode(
      state.q ? "没有找到与“" + state.q + "”相关的内容。" : "没有符合所选条件的内容。"));
    var tips = el("span", { "class": "portal-sp-tips" },
      " 可以试试：换一个说法或更短的词（如“医共体”“艾灸”）；只输入发文字号的一部分（如“国卫办医政函”）；" +
      (hasFilters() ? "取消部分筛选条件；" : "") + "或从栏目页按分类浏览。");
    statusBox.appendChild(tips);
  }

  function run() {
    var id = ++runId;
    list.textContent = "";
    moreButton.hidden = true;
    fullTextButton.hidden = true;
    if (!state.q && !hasFilters()) {
      statusBox.textContent = "输入关键词开始搜索，或在左侧选择筛选条件。";
      return window.PortalSearch.filters().then(function (all) { if (id === runId) { renderFilters(all); } });
    }
    statusBox.textContent = "正在搜索……";
    var filters = {};
    FILTER_ORDER.forEach(function (name) {
      if ((state.filters[name] || []).length) { filters[name] = { any: state.filters[name] }; }
    });
    var options = { filters: filters, fullText: state.full };
    if (state.sort === "date") { options.sort = { date: "desc" }; }
    return window.PortalSearch.search(state.q, options).then(function (search) {
      if (id !== runId) { return; }
      results = search.results;
      shown = 0;
      renderFilters(search.filters || {});
      if (results.length === 0) {
        noResults();
        return;
      }
      statusBox.textContent = (search.partial ? "没有同时包含全部关键词的内容，以下为部分匹配。" : "") +
        (search.complete ? "" : "在标题、文号、关键词和摘要中") +
        "找到 " + results.length + " 条结果" + (state.q ? "（关键词：" + state.q + "）" : "") + "。" +
        (search.complete ? "" : "正文中可能还有更多。");
      // Searching the full text loads a much larger index: only when asked.
      fullTextButton.hidden = search.complete;
      return showMore(id);
    });
  }

  var timer = null;
  function update() {
    writeUrl();
    window.clearTimeout(timer);
    timer = window.setTimeout(run, 150);
  }

  function newQuery() {
    var q = input.value.trim();
    if (q !== state.q) { state.full = false; }
    state.q = q;
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
  fullTextButton.addEventListener("click", function () {
    state.full = true;
    writeUrl();
    run().then(function () {
      var link = list.querySelector("a");
      if (link) { link.focus(); }
    });
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
    }
  });

  readUrl();
  input.value = state.q;
  sortSelect.value = state.sort;
  layout.hidden = false;
  window.PortalSearch.filters().then(run).catch(function () {
    statusBox.textContent = "搜索索引加载失败，请检查网络后刷新页面，或从栏目页按分类浏览。";
  });
})();
