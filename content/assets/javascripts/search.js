// The header search: results as you type, Enter opens the full search page.
// PortalSearchView (below) is also how the search page (search-page.js) reads
// an answer: what a result is, what the query was taken to mean.
(function () {
  "use strict";

  var TONES = ["open", "pending", "closed", "normal", "unknown"];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // A long list in one fact (a notice from ten issuers) keeps its first two:
  // 甲、乙等10个. The record page has them all.
  function short(fact) {
    var parts = fact.split("、");
    return parts.length > 3 ? parts.slice(0, 2).join("、") + "等" + parts.length + "个" : fact;
  }

  // One result's description: {kind, example, facts, badge}. Indexes built
  // before kind/facts/badge existed give meta (栏目, 文号, 日期) instead.
  function describe(item) {
    var meta = item.meta || {};
    var kind = item.kind || meta["栏目"] || "";
    var example = !!item.example;
    if (/（示例）$/.test(kind)) {
      kind = kind.replace(/（示例）$/, "");
      example = true;
    }
    var facts = item.facts || [meta["文号"], meta["日期"]];
    return {
      kind: kind,
      example: example,
      facts: facts.filter(function (f) { return typeof f === "string" && f.trim(); }).map(short),
      badge: item.badge && item.badge.label ? item.badge : null
    };
  }

  // <span class="portal-badge portal-badge--TONE">LABEL</span>, as the record pages show a status.
  function badge(b) {
    var tone = TONES.indexOf(b.tone) >= 0 ? b.tone : "unknown";
    return el("span", "portal-badge portal-badge--" + tone, b.label);
  }

  function exampleTag() {
    var tag = el("span", "portal-tag portal-tag--example", "示例");
    tag.title = "示例记录，内容仅作示意";
    return tag;
  }

  function quoted(list) {
    return list.map(function (w) { return "“" + w + "”"; }).join("");
  }

  // One short line on how the query was read, or "" when it was taken as typed.
  function understood(u) {
    if (!u) { return ""; }
    var parts = [];
    (u.pinyin || []).forEach(function (p) { parts.push("按拼音“" + p.from + "”查找：" + p.to); });
    (u.corrected || []).forEach(function (c) { parts.push("已按“" + c.to + "”查找（您输入的是“" + c.from + "”）"); });
    if ((u.dropped || []).length) {
      var terms = u.terms || [];
      parts.push("已略去" + quoted(u.dropped) + (terms.length ? "，按" + quoted(terms) + "查找" : ""));
    }
    if (u.date) { parts.push("只显示 " + u.date + " 发布的通知"); }
    return parts.length ? parts.join("；") + "。" : "";
  }

  // A listing page's root-relative URL (/policies/by/region/shan-xi/) from this page.
  function siteUrl(url) {
    var root = window.PORTAL_SEARCH ? window.PORTAL_SEARCH.siteRoot() : "/";
    var href = root + String(url).replace(/^\/+/, "");
    // From disk (the USB bundle) a folder opens as a file list: link its index.html.
    return /^file:/.test(root) && /\/$/.test(href) ? href + "index.html" : href;
  }

  // "您是不是要找：" with links, or null; href(query) gives each link's address.
  // What the query was already read as (understood) is not offered again.
  function suggestions(list, className, href, u) {
    var searched = [].concat((u && u.pinyin) || [], (u && u.corrected) || []).map(function (p) { return p.to; });
    list = (list || []).filter(function (s) { return searched.indexOf(s.query || s.text) < 0; });
    if (!list.length) { return null; }
    var p = el("p", className);
    p.appendChild(document.createTextNode("您是不是要找："));
    list.forEach(function (s) {
      var a = el("a", null, s.text || s.query);
      a.href = href(s.query || s.text);
      p.appendChild(a);
      p.appendChild(document.createTextNode(" "));
    });
    return p;
  }

  function facets(list, className) {
    if (!list || !list.length) { return null; }
    var p = el("p", className);
    p.appendChild(document.createTextNode("按分类浏览："));
    list.forEach(function (f) {
      var a = el("a", null, f.label);
      a.href = siteUrl(f.url);
      p.appendChild(a);
      p.appendChild(document.createTextNode(" "));
    });
    return p;
  }

  window.PortalSearchView = {
    describe: describe, badge: badge, exampleTag: exampleTag, understood: understood,
    suggestions: suggestions, facets: facets, siteUrl: siteUrl
  };

  var form = document.getElementById("portal-search");
  if (!form || !window.PortalSearch) {
    return;
  }
  var input = document.getElementById("portal-search-q");
  var panel = document.getElementById("portal-search-panel");
  var status = panel.querySelector(".portal-search__status");
  var list = panel.querySelector(".portal-search__results");
  var all = panel.querySelector(".portal-search__all");
  var searchPage = all.getAttribute("href");
  // Suggestions and listing links, between the results and the search page link.
  var more = el("div", "portal-search__more");
  panel.insertBefore(more, all);
  var SHOWN = 6;
  var runId = 0;
  var timer = null;

  function open(show) {
    panel.hidden = !show;
    input.setAttribute("aria-expanded", show ? "true" : "false");
  }

  function pageFor(query) {
    return searchPage + (query ? "?q=" + encodeURIComponent(query) : "");
  }

  // A result is one link: title, then kind, 示例 and status, the facts, the excerpt.
  function item(data) {
    var d = describe(data);
    var li = el("li");
    var a = el("a", "portal-search__link");
    a.href = data.url;
    a.appendChild(el("span", "portal-search__title", data.title));
    if (d.kind || d.example || d.badge) {
      var kind = el("span", "portal-search__kind");
      if (d.kind) { kind.appendChild(el("span", "portal-search__type", d.kind)); }
      if (d.example) { kind.appendChild(exampleTag()); }
      if (d.badge) { kind.appendChild(badge(d.badge)); }
      a.appendChild(kind);
    }
    if (d.facts.length) { a.appendChild(el("span", "portal-search__meta", d.facts.join(" · "))); }
    var excerpt = el("span", "portal-search__excerpt");
    excerpt.innerHTML = data.excerpt || ""; // escaped text with <mark> around the matched words
    a.appendChild(excerpt);
    li.appendChild(a);
    return li;
  }

  function run() {
    var query = input.value.trim();
    var id = ++runId;
    all.href = pageFor(query);
    if (!query) {
      open(false);
      return;
    }
    open(true);
    status.textContent = "正在搜索……";
    // Filter counts are not shown here: do not fetch records to count them.
    window.PortalSearch.search(query, { counts: false }).then(function (found) {
      if (id !== runId) { return; }
      return Promise.all(found.results.slice(0, SHOWN).map(function (r) { return r.data(); })).then(function (items) {
        if (id !== runId) { return; }
        var total = typeof found.total === "number" ? found.total : found.results.length;
        var line = understood(found.understood);
        list.textContent = "";
        items.forEach(function (data) { list.appendChild(item(data)); });
        status.textContent = total
          ? line + (found.partial ? "没有同时包含全部关键词的内容，以下为部分匹配。" : "") +
            "找到 " + total + " 条结果" + (total > SHOWN ? "，显示前 " + SHOWN + " 条" : "") + "。"
          : "没有找到与“" + query + "”相关的内容。可以换个说法、缩短关键词，或从栏目页按分类浏览。";
        more.textContent = "";
        [suggestions(found.suggestions, "portal-search__suggest", pageFor, found.understood),
         facets(found.facets, "portal-search__facets")].forEach(function (node) {
          if (node) { more.appendChild(node); }
        });
      });
    }).catch(function () {
      if (id === runId) { status.textContent = "搜索索引加载失败，请检查网络后重试。"; }
    });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, 150);
  });
  input.addEventListener("focus", function () {
    window.PortalSearch.load();
  });
  input.addEventListener("click", function () {
    if (input.value.trim()) { open(true); }
  });
  form.addEventListener("keydown", function (event) {
    var links = Array.prototype.slice.call(panel.querySelectorAll("a"));
    var index = links.indexOf(document.activeElement);
    if (event.key === "Escape") {
      open(false);
      input.focus();
    } else if (event.key === "ArrowDown" && !panel.hidden && links.length) {
      event.preventDefault();
      links[Math.min(index + 1, links.length - 1)].focus();
    } else if (event.key === "ArrowUp" && !panel.hidden) {
      event.preventDefault();
      if (index <= 0) { input.focus(); } else { links[index - 1].focus(); }
    }
  });
  // Text typed before this script ran (slow phones) is searched now.
  if (input.value.trim() && document.activeElement === input) {
    run();
  }
  form.addEventListener("focusout", function (event) {
    if (!form.contains(event.relatedTarget)) { open(false); }
  });
})();
