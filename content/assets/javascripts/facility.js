// 我的机构: the reader's facility level and province, kept on this device only
// (localStorage), never sent anywhere. With one set:
// - a technology page shows the verdict for that level (written into the page at
//   build time for every level, facility.py; here only the right one is shown);
// - a technology listing offers its own 适用机构 link for the level as one tap;
// - the home page puts the province's newest notices and open calls for comments
//   first (home/provinces.json);
// - the search page offers the same one tap (search-page.js, PortalFacility.read).
// Without JavaScript, or before a facility is set, pages read as they are built.
(function () {
  "use strict";

  var KEY = "portal-facility";

  function read() {
    try {
      var value = JSON.parse(window.localStorage.getItem(KEY) || "null");
      if (value && typeof value.level === "string" && value.level &&
          typeof value.region === "string" && value.region) {
        var topics = Array.isArray(value.topics) ? value.topics.filter(function (t) { return typeof t === "string"; }) : [];
        return { level: value.level, region: value.region, topics: topics };
      }
    } catch (e) { /* storage off or not ours: no facility */ }
    return null;
  }

  function write(level, region, topics) {
    window.localStorage.setItem(KEY, JSON.stringify({ level: level, region: region, topics: topics || [] }));
  }

  function clear() {
    window.localStorage.removeItem(KEY);
  }

  window.PortalFacility = { read: read, write: write, clear: clear, KEY: KEY };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  function name(facility) {
    return facility.region + " · " + facility.level;
  }

  // ------------------------------------------------------------ 设置 (my-facility/)

  function settings(facility) {
    var form = document.getElementById("portal-facility-form");
    if (!form) { return; }
    var region = document.getElementById("portal-facility-region");
    var status = document.getElementById("portal-facility-status");
    var clearButton = document.getElementById("portal-facility-clear");
    var nojs = document.getElementById("portal-facility-nojs");
    form.hidden = false;
    if (nojs) { nojs.hidden = true; }

    function levelBox(level) {
      return Array.prototype.filter.call(form.querySelectorAll('input[name="level"]'),
        function (box) { return box.value === level; })[0];
    }

    function saved(current, justNow) {
      status.textContent = "";
      clearButton.hidden = !current;
      if (!current) { return; }
      status.appendChild(document.createTextNode((justNow ? "已保存：" : "当前：") + name(current) +
        (current.topics.length ? "；关注" + current.topics.join("、") : "") + "。"));
      var box = levelBox(current.level);
      if (box && box.getAttribute("data-listing")) {
        status.appendChild(el("a", { href: box.getAttribute("data-listing") }, "查看适合" + current.level + "的技术"));
      }
    }

    if (facility) {
      var box = levelBox(facility.level);
      if (box) { box.checked = true; }
      region.value = facility.region;
      Array.prototype.forEach.call(form.querySelectorAll('input[name="topics"]'), function (topic) {
        topic.checked = facility.topics.indexOf(topic.value) >= 0;
      });
    }
    saved(facility, false);

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = form.querySelector('input[name="level"]:checked');
      if (!chosen || !region.value) { return; }
      try {
        var topics = Array.prototype.map.call(form.querySelectorAll('input[name="topics"]:checked'),
          function (topic) { return topic.value; });
        write(chosen.value, region.value, topics);
      } catch (e) {
        status.textContent = "无法保存：这个浏览器不允许网页在本机保存设置（例如无痕模式）。";
        return;
      }
      saved(read(), true);
    });
    clearButton.addEventListener("click", function () {
      clear();
      form.reset();
      saved(null, false);
      status.textContent = "已清除，本机不再保存您的机构。";
    });
  }

  // ------------------------------------------------------------ technology page

  function verdicts(facility) {
    var box = document.querySelector("[data-portal-verdicts]");
    if (!box) { return; }
    var answer = Array.prototype.filter.call(box.querySelectorAll("[data-level]"), function (node) {
      return node.getAttribute("data-level") === facility.level;
    })[0];
    if (!answer) { return; }  // a level this build does not know: as if none were set
    answer.hidden = false;
    each("[data-portal-facility-name]", function (node) { node.textContent = name(facility); });
    box.hidden = false;
  }

  // ------------------------------------------------------------ technology listings

  // The listing's own 适用机构 link for the level (listing_facets.html) keeps the
  // filters already chosen and counts what it leads to: shown as the one tap.
  function listingShortcut(facility) {
    var slot = document.querySelector("[data-portal-mine-filter]");
    if (!slot) { return; }
    var link = Array.prototype.filter.call(document.querySelectorAll('.portal-facets a[data-facet="level"]'),
      function (a) { return a.getAttribute("data-value") === facility.level; })[0];
    slot.textContent = "";
    if (link && link.getAttribute("aria-current") === "true") {
      slot.textContent = "已只看适合我的机构（" + facility.level + "）的技术。";
    } else if (link) {
      var count = link.querySelector(".portal-facet__count");
      slot.appendChild(el("a", { "class": "md-button portal-mine-filter__link", href: link.getAttribute("href") },
        "只看适合我的机构（" + facility.level + "）" + (count ? "，" + count.textContent.trim() + " 项" : "")));
    } else {
      slot.textContent = "当前条件下，没有适用于" + facility.level + "的技术。";
    }
    slot.hidden = false;
  }

  // ------------------------------------------------------------ home page

  function home(facility) {
    var box = document.querySelector("[data-portal-mine-home]");
    if (!box) { return; }
    var source = new URL(box.getAttribute("data-news"), window.location.href);
    var root = new URL("../", source);
    var heading = box.querySelector("h2");
    heading.textContent = "我的机构：" + name(facility);

    var line = el("p", { "class": "portal-mine__links" });
    var levelLink = Array.prototype.filter.call(document.querySelectorAll('a[data-facet="level"]'),
      function (a) { return a.getAttribute("data-value") === facility.level; })[0];
    if (levelLink) {
      line.appendChild(el("a", { href: levelLink.getAttribute("href") }, "适合" + facility.level + "的技术"));
      line.appendChild(document.createTextNode(" · "));
    }
    line.appendChild(el("a", { href: box.getAttribute("data-setting") }, "更改我的机构"));
    box.appendChild(line);
    box.hidden = false;

    function list(items, dateLabel) {
      var ul = el("ul", { "class": "portal-items" });
      items.forEach(function (item) {
        var li = el("li", { "class": "portal-item" });
        li.appendChild(el("a", { "class": "portal-item__title", href: new URL(item.url, root).href }, item.title));
        if (item.status) {
          li.appendChild(document.createTextNode(" "));
          li.appendChild(el("span", { "class": "portal-badge portal-badge--" + (item.tone || "normal") }, item.status));
        }
        var meta = el("span", { "class": "portal-item__meta" });
        if (item.doc_number) { meta.appendChild(document.createTextNode(item.doc_number + " · ")); }
        if (dateLabel) { meta.appendChild(document.createTextNode(dateLabel)); }
        // A deadline counts down (dates.js); a publication date is just a date.
        var time = el("time", { datetime: item.date }, item.date_text);
        if (dateLabel) { time.setAttribute("data-portal-relative", ""); }
        meta.appendChild(time);
        li.appendChild(el("span", {}, " "));
        li.appendChild(meta);
        ul.appendChild(li);
      });
      return ul;
    }

    // Opened from disk (the U 盘 package) the browser fetches no file: links only.
    if (window.location.protocol === "file:") { return; }
    fetch(source.href).then(function (response) {
      if (!response.ok) { throw new Error("no province file"); }
      return response.json();
    }).then(function (data) {
      var news = (data.provinces || {})[facility.region];
      if (!news) { return; }
      var part = document.createDocumentFragment();
      if (news.consulting.length) {
        part.appendChild(el("h3", { id: "mine-consulting" }, facility.region + "正在征求意见"));
        part.appendChild(list(news.consulting, "意见反馈截止 "));
      }
      part.appendChild(el("h3", { id: "mine-latest" }, facility.region + "的最新政策通知"));
      if (news.latest.length) {
        part.appendChild(list(news.latest, ""));
        var more = el("p", { "class": "portal-mine__links" });
        more.appendChild(el("a", { href: new URL(news.listing, root).href }, facility.region + "的全部政策通知 →"));
        part.appendChild(more);
      } else {
        part.appendChild(el("p", { "class": "portal-muted" }, "本站暂未收录" + facility.region + "的政策通知。"));
      }
      box.insertBefore(part, line);
      if (window.PortalDates) { window.PortalDates.mark(); }
    }).catch(function () {
      // Offline and never fetched: the rest of the home page stands as built.
      box.insertBefore(el("p", { "class": "portal-muted" }, "联网后这里会列出" + facility.region + "的最新政策通知。"), line);
    });
  }

  function start() {
    var facility = read();
    settings(facility);
    if (!facility) { return; }
    verdicts(facility);
    listingShortcut(facility);
    home(facility);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
