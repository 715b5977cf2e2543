// The header search: results as you type, Enter opens the full search page.
(function () {
  "use strict";

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
  var SHOWN = 6;
  var runId = 0;
  var timer = null;

  function open(show) {
    panel.hidden = !show;
    input.setAttribute("aria-expanded", show ? "true" : "false");
  }

  function item(data) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.className = "portal-search__link";
    a.href = data.url;
    var title = document.createElement("span");
    title.className = "portal-search__title";
    title.textContent = data.title;
    a.appendChild(title);
    var meta = [data.meta["栏目"], data.meta["文号"], data.meta["日期"]].filter(Boolean).join(" · ");
    if (meta) {
      var m = document.createElement("span");
      m.className = "portal-search__meta";
      m.textContent = meta;
      a.appendChild(m);
    }
    var excerpt = document.createElement("span");
    excerpt.className = "portal-search__excerpt";
    excerpt.innerHTML = data.excerpt; // escaped text with <mark> from Pagefind
    a.appendChild(excerpt);
    li.appendChild(a);
    return li;
  }

  function run() {
    var query = input.value.trim();
    var id = ++runId;
    all.href = searchPage + (query ? "?q=" + encodeURIComponent(query) : "");
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
        list.textContent = "";
        items.forEach(function (d) { list.appendChild(item(d)); });
        status.textContent = found.total
          ? (found.partial ? "没有同时包含全部关键词的内容，以下为部分匹配：" : "") +
            (found.complete ? "" : "在标题、文号、关键词和摘要中") +
            "找到 " + found.total + " 条结果" + (found.total > SHOWN ? "，显示前 " + SHOWN + " 条" : "")
          : "没有找到与“" + query + "”相关的内容。可以换个说法、缩短关键词，或从栏目页按分类浏览。";
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
