// 自上次联网以来: after the site was rebuilt, what changed in what the reader saved
// (离线保存, offline.js) or follows (我的机构: province, level, topics; facility.js),
// from the build's change file (offline/changes.json, outputs/changes.py).
//
// The device remembers the build day it last saw ("portal-seen": day, the one
// before it, and the day whose changes were read). A page of a newer build moves
// them on; while the changes since the previous build are unread, every page
// says how many there are, and the 自上次联网以来 page lists them. Nothing is sent.
(function () {
  "use strict";

  var SEEN = "portal-seen";
  var SOON = 14;  // days: deadlines this close are listed
  var dates = window.PortalDates;
  var buildDay = window.PORTAL_BUILD_DAY;
  var paths = window.PORTAL_PATHS;
  var script = document.currentScript;
  var root = script ? new URL("../../", script.src) : null;

  function load(key, fallback) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null") || fallback; } catch (e) { return fallback; }
  }

  function store(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage off: no digest */ }
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // The build days this device saw: moved on when a page of a newer build opens.
  function seen() {
    if (!buildDay) { return null; }
    var value = load(SEEN, null);
    if (!value || typeof value.day !== "string") {
      value = { day: buildDay, before: buildDay, read: buildDay };  // a first visit: nothing is "since"
    } else if (buildDay > value.day) {
      value = { day: buildDay, before: value.day, read: value.read || value.day };
    } else {
      return value;
    }
    store(SEEN, value);
    return value;
  }

  function interests() {
    var facility = window.PortalFacility ? window.PortalFacility.read() : null;
    var saved = window.PortalOffline ? window.PortalOffline.saved() : {};
    if (!facility && !Object.keys(saved).length) { return null; }
    return { facility: facility, saved: saved };
  }

  // What of the change file concerns this reader, from `since` (a build day) on.
  function digest(data, who, since) {
    var facility = who.facility;
    var topics = facility ? facility.topics : [];
    function saved(item) { return !!(item.g && who.saved[item.g]); }
    function follows(item) {
      if (saved(item) || (facility && item.r === facility.region)) { return true; }
      return (item.p || []).some(function (topic) { return topics.indexOf(topic) >= 0; });
    }
    function suits(item) {  // a technology: saved, or one the facility's level may use
      return saved(item) || (!!facility && (item.lv || []).indexOf(facility.level) >= 0);
    }
    var found = { notices: [], withdrawn: [], reviewed: [], deadlines: [] };
    (data.notices || []).forEach(function (item) {
      if (item.d >= since && follows(item)) { found.notices.push(item); }
    });
    (data.technologies || []).forEach(function (item) {
      if (item.d >= since && suits(item)) { (item.k === "withdrawn" ? found.withdrawn : found.reviewed).push(item); }
    });
    (data.deadlines || []).forEach(function (item) {
      var days = dates.daysUntil(item.d);
      var mine = item.c === "technologies" ? suits(item) : follows(item);
      if (days >= 0 && days <= SOON && mine) { found.deadlines.push(item); }
    });
    found.total = found.notices.length + found.withdrawn.length + found.reviewed.length + found.deadlines.length;
    return found;
  }

  function changes() {
    return fetch(new URL(paths.changes, root).href).then(function (response) {
      if (!response.ok) { throw new Error("no change file"); }
      return response.json();
    });
  }

  // ------------------------------------------------------------ every page: a note

  function note(state, who) {
    var main = document.querySelector(".md-content__inner");
    if (!main || document.getElementById("portal-digest") || state.read >= state.day) { return; }
    changes().then(function (data) {
      var found = digest(data, who, state.before);
      if (!found.total) { return; }
      var box = el("p", { "class": "portal-digest-note", role: "status" });
      box.appendChild(document.createTextNode("网站已更新：自上次联网以来，您保存和关注的内容有 " + found.total + " 项变化。"));
      box.appendChild(el("a", { href: new URL(paths.updates, root).href }, "查看变化"));
      main.insertBefore(box, main.firstChild);
    }).catch(function () { /* offline, or no change file: nothing to say */ });
  }

  // ------------------------------------------------------------ the 自上次联网以来 page

  function item(entry, extra) {
    var li = el("li", { "class": "portal-item" });
    li.appendChild(el("a", { "class": "portal-item__title", href: new URL(entry.u, root).href }, entry.t));
    if (entry.e) {
      li.appendChild(document.createTextNode(" "));
      li.appendChild(el("span", { "class": "portal-tag portal-tag--example" }, "示例"));
    }
    var meta = el("span", { "class": "portal-item__meta" });
    (extra || []).forEach(function (part) { meta.appendChild(typeof part === "string" ? document.createTextNode(part) : part); });
    li.appendChild(document.createTextNode(" "));
    li.appendChild(meta);
    return li;
  }

  function fill(section, entries, render) {
    var box = document.getElementById(section);
    var list = box.querySelector("ul");
    entries.forEach(function (entry) { list.appendChild(render(entry)); });
    box.hidden = !entries.length;
  }

  function page(state, who) {
    var box = document.getElementById("portal-digest");
    if (!box) { return; }
    var nojs = document.getElementById("portal-digest-nojs");
    if (nojs) { nojs.hidden = true; }
    box.hidden = false;
    var summary = document.getElementById("portal-digest-summary");
    if (!who) {
      document.getElementById("portal-digest-none").hidden = false;
      return;
    }
    if (!state || !paths) { return; }
    summary.textContent = "正在读取网站的更新……";
    changes().then(function (data) {
      var since = state.before;
      var found = digest(data, who, since);
      var from = "自" + dates.cnDate(since) + "以来";
      var older = since < data.since ? "上次联网已超过 30 天，只能列出" + dates.cnDate(data.since) + "以来的变化。" : "";
      summary.textContent = older + (found.total
        ? from + "，您保存和关注的内容有 " + found.total + " 项变化（网站版本：" + dates.cnDate(data.generated) + "）。"
        : from + "，您保存和关注的内容没有变化（网站版本：" + dates.cnDate(data.generated) + "）。");
      fill("digest-notices", found.notices, function (n) {
        return item(n, [[n.n, n.r, "收录于" + dates.cnDate(n.d)].filter(Boolean).join(" · ")]);
      });
      box.querySelector("[data-digest-more]").hidden = !(data.notices_more && found.notices.length);
      fill("digest-withdrawn", found.withdrawn, function (t) {
        var parts = ["退出推广（" + dates.cnDate(t.d) + "）" + (t.x ? "：" + t.x : "")];
        if (t.s) {
          parts.push("。请改用迭代技术：");
          parts.push(el("a", { href: new URL(t.s.u, root).href }, t.s.t));
        }
        return item(t, parts);
      });
      fill("digest-reviewed", found.reviewed, function (t) {
        return item(t, ["评估有结论（" + dates.cnDate(t.d) + "），继续推广，下次评估在" + dates.cnDate(t.next)]);
      });
      fill("digest-deadlines", found.deadlines, function (x) {
        var days = dates.daysUntil(x.d);
        return item(x, [x.l + "：" + dates.cnDate(x.d) + "（" + dates.words(days) + "）"]);
      });
      var basis = [];
      if (who.facility) {
        basis.push("我的机构（" + who.facility.region + " · " + who.facility.level +
          (who.facility.topics.length ? "，关注" + who.facility.topics.join("、") : "") + "）");
      }
      var groups = Object.keys(who.saved).map(function (key) { return who.saved[key].label; }).filter(Boolean);
      if (groups.length) { basis.push("离线保存的" + groups.join("、")); }
      document.getElementById("portal-digest-basis").textContent = "按您在本机的设置列出：" + basis.join("；") + "。";
      // Read: the other pages stop pointing here until the next build.
      store(SEEN, { day: state.day, before: state.before, read: state.day });
    }).catch(function () {
      summary.textContent = "暂时无法读取网站的更新，请联网后再打开本页。";
    });
  }

  function start() {
    if (!root || !paths || !dates) { return; }
    var state = seen();
    var who = interests();
    if (document.getElementById("portal-digest")) {
      page(state, who);
    } else if (state && who && navigator.onLine) {
      note(state, who);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
