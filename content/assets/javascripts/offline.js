// Offline use: registers the service worker, says when the reader is offline and
// whether this page is saved, saves or removes whole collections (离线保存),
// and announces a switch to a new build.
(function () {
  "use strict";

  var script = document.currentScript;
  var root = script ? new URL("../../", script.src).pathname : "/";
  var supported = window.location.protocol !== "file:" && "serviceWorker" in navigator && "caches" in window;
  var CACHE = "portal-" + (window.PORTAL_BUILD || "dev");
  var SAVED_KEY = "portal-offline-saved";
  var UPDATED_KEY = "portal-updated";

  function ready(fn) {
    if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", fn); } else { fn(); }
  }

  function size(bytes) {
    return bytes >= 1048576 ? (bytes / 1048576).toFixed(1) + " MB" : Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function saved() {
    try { return JSON.parse(window.localStorage.getItem(SAVED_KEY) || "{}"); } catch (e) { return {}; }
  }

  // What is saved, for the 自上次联网以来 digest (digest.js): {group key: {label, …}}.
  window.PortalOffline = { saved: saved };

  function setSaved(value) {
    window.localStorage.setItem(SAVED_KEY, JSON.stringify(value));
  }

  function pageKey(href) {
    var url = new URL(href, window.location.href);
    return url.origin + url.pathname;
  }

  var manifest = null;
  function offlineManifest() {
    if (!manifest) {
      manifest = fetch(root + "offline/collections.json").then(function (r) {
        if (!r.ok) { throw new Error("no offline manifest"); }
        return r.json();
      });
    }
    return manifest;
  }

  // ------------------------------------------------------------------ status

  function status(message, quiet) {
    var box = document.getElementById("portal-status");
    if (!box) { return; }
    box.textContent = message || "";
    box.hidden = !message;
    // Online, “saved” is a small note in a corner; offline and updates get the full bar.
    box.classList.toggle("portal-status--quiet", !!quiet);
  }

  function updateStatus() {
    var notice = window.sessionStorage.getItem(UPDATED_KEY);
    caches.open(CACHE).then(function (cache) {
      return cache.match(pageKey(window.location.href));
    }).then(function (hit) {
      var parts = [];
      if (notice) { parts.push("网站已更新到最新版本，旧版本的离线数据已清除。"); }
      if (!navigator.onLine) { parts.push("当前处于离线状态。"); }
      // Sent here in place of a page that is not saved (sw.js adds ?from=): the
      // bar speaks of that page, as the note on this one does, not of this one.
      var missing = new URLSearchParams(window.location.search).get("from") &&
        document.getElementById("portal-offline-missing");
      if (missing) {
        parts.push("您要打开的页面尚未保存。");
      } else if (hit) {
        parts.push("本页已保存，可离线阅读。");
      } else if (!navigator.onLine) {
        parts.push("本页尚未保存。");
      }
      status(parts.join(""), navigator.onLine && !notice);
      if (notice) { window.sessionStorage.removeItem(UPDATED_KEY); }
    });
  }

  // ------------------------------------------------------------------ saving collections

  // A group's pages: its own, those of the groups it includes (全部政策通知: every
  // region's notices, listed once in the offline list), and the search index.
  function collectionUrls(collection, data) {
    var own = collection.urls.slice();
    (collection.includes || []).forEach(function (key) {
      data.collections.forEach(function (c) { if (c.key === key) { own = own.concat(c.urls); } });
    });
    return own.map(function (u) { return root + u; }).concat(
      data.search.urls.map(function (u) { return root + u; }));
  }

  function save(box, collection, data) {
    var urls = collectionUrls(collection, data);
    var done = 0;
    box.textContent = "";
    var label = document.createElement("p");
    var bar = document.createElement("progress");
    bar.max = urls.length;
    bar.value = 0;
    bar.setAttribute("aria-label", "离线保存进度");
    box.appendChild(label);
    box.appendChild(bar);
    function tick() {
      bar.value = done;
      label.textContent = "正在保存" + collection.label + "：" + done + " / " + urls.length;
    }
    tick();
    return caches.open(CACHE).then(function (cache) {
      var queue = urls.slice();
      function worker() {
        var url = queue.shift();
        if (!url) { return Promise.resolve(); }
        return cache.match(url).then(function (hit) {
          if (hit) { return; }
          return fetch(url, { cache: "no-cache" }).then(function (response) {
            if (!response.ok) { throw new Error(url + " " + response.status); }
            return cache.put(url, response);
          });
        }).then(function () { done += 1; tick(); return worker(); });
      }
      return Promise.all([worker(), worker(), worker(), worker()]);
    }).then(function () {
      var all = saved();
      all[collection.key] = { label: collection.label, url: collection.url, pages: collection.pages,
        bytes: collection.bytes + data.search.bytes, at: new Date().toISOString().slice(0, 10) };
      setSaved(all);
      render(box, collection, data);
      updateStatus();
    }).catch(function () {
      label.textContent = "保存中断（网络不可用？）。已保存 " + done + " / " + urls.length + " 项，稍后可以继续保存。";
      var retry = button("继续保存", function () { save(box, collection, data); });
      box.appendChild(retry);
    });
  }

  function remove(box, collection, data) {
    var all = saved();
    delete all[collection.key];
    var keep = {};
    data.collections.forEach(function (c) {
      if (all[c.key]) { collectionUrls(c, data).forEach(function (u) { keep[u] = true; }); }
    });
    return caches.open(CACHE).then(function (cache) {
      return Promise.all(collectionUrls(collection, data).filter(function (u) { return !keep[u]; })
        .map(function (u) { return cache.delete(u); }));
    }).then(function () {
      setSaved(all);
      render(box, collection, data);
      updateStatus();
    });
  }

  function button(text, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "md-button";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function render(box, collection, data) {
    box.textContent = "";
    var record = saved()[collection.key];
    var text = document.createElement("p");
    if (record) {
      text.textContent = "已离线保存：" + collection.label + "（" + collection.pages + " 页及全站搜索索引，约 " +
        size(record.bytes) + "，保存于 " + record.at + "）。断网时也能浏览和搜索。";
      box.appendChild(text);
      box.appendChild(button("删除离线保存的" + collection.label, function () { remove(box, collection, data); }));
    } else {
      text.textContent = "离线保存：把" + collection.label + "（" + collection.pages + " 页）和全站搜索索引保存到本机，共约 " +
        size(collection.bytes + data.search.bytes) + "，保存后断网也能浏览和搜索。";
      box.appendChild(text);
      box.appendChild(button("离线保存" + collection.label + "（约 " + size(collection.bytes + data.search.bytes) + "）",
        function () { save(box, collection, data); }));
    }
    box.hidden = false;
  }

  function saveBoxes() {
    var boxes = document.querySelectorAll("[data-offline-key]");
    if (!boxes.length) { return; }
    offlineManifest().then(function (data) {
      Array.prototype.forEach.call(boxes, function (box) {
        var collection = data.collections.filter(function (c) { return c.key === box.dataset.offlineKey; })[0];
        if (collection) { render(box, collection, data); }
      });
    }).catch(function () { /* offline and not saved: no button */ });
  }

  // ------------------------------------------------------------------ saving one page

  // A record page offers to save itself (保存本页). Pages opened once the
  // service worker runs are saved as they are read; the first page of a visit
  // is not, and this is how a reader keeps it.
  function savePageBox() {
    var box = document.querySelector("[data-portal-save-page]");
    if (!box) { return; }
    var key = pageKey(window.location.href);
    function show(saved) {
      box.textContent = "";
      if (saved) {
        box.appendChild(document.createTextNode("本页已保存在本机，断网时也能打开。"));
      } else {
        box.appendChild(button("保存本页，断网时也能打开", function () {
          caches.open(CACHE).then(function (cache) {
            return fetch(key, { cache: "no-cache" }).then(function (response) {
              if (!response.ok) { throw new Error(key + " " + response.status); }
              return cache.put(key, response);
            });
          }).then(function () { show(true); updateStatus(); }).catch(function () {
            box.textContent = "保存没有成功（网络不可用？），联网后可以再试。";
          });
        }));
      }
      box.hidden = false;
    }
    caches.open(CACHE).then(function (cache) { return cache.match(key); }).then(function (hit) {
      // Offline and not saved, the page would not be here: nothing to offer.
      if (hit || navigator.onLine) { show(!!hit); }
    });
  }

  // ------------------------------------------------------------------ the offline page

  function offlinePage() {
    var list = document.getElementById("portal-offline-saved");
    if (!list) { return; }
    var from = new URLSearchParams(window.location.search).get("from");
    if (from) {
      // The service worker sent the reader here from a page that is not saved.
      var note = document.getElementById("portal-offline-missing");
      if (note) { note.hidden = false; }
    }
    var all = saved();
    var keys = Object.keys(all);
    list.textContent = "";
    if (!keys.length) {
      var none = document.createElement("li");
      none.textContent = "还没有离线保存任何栏目。联网时可以在“技术资料”“传承人”栏目页或各地区的政策通知页点击“离线保存”。";
      list.appendChild(none);
    }
    keys.forEach(function (key) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      // The group's page, as the build's list named it (older saves lack it: the offline page then).
      link.href = root + (all[key].url || "offline/");
      link.textContent = all[key].label;
      item.appendChild(link);
      item.appendChild(document.createTextNode("（" + all[key].pages + " 页，约 " + size(all[key].bytes) + "）"));
      list.appendChild(item);
    });
    var visited = document.getElementById("portal-offline-visited");
    if (!visited) { return; }
    // Pages are titled "<page> - <site name>", as this one is: the list shows the first part.
    var cut = document.title.lastIndexOf(" - ");
    var siteSuffix = cut >= 0 ? document.title.slice(cut) : "";
    caches.open(CACHE).then(function (cache) { return cache.keys(); }).then(function (requests) {
      var pages = requests.map(function (r) { return new URL(r.url); }).filter(function (u) {
        return /^(technologies|mentors|policies)\/[^/]+\/$/.test(u.pathname.slice(root.length));
      }).slice(0, 200);
      visited.textContent = "";
      pages.forEach(function (u) {
        caches.match(u.href).then(function (response) { return response.text(); }).then(function (html) {
          var title = (html.match(/<title>([^<]*)<\/title>/) || [])[1] || u.pathname;
          var item = document.createElement("li");
          var link = document.createElement("a");
          link.href = u.pathname;
          if (siteSuffix && title.slice(-siteSuffix.length) === siteSuffix) { title = title.slice(0, -siteSuffix.length); }
          link.textContent = title.replace(/&amp;/g, "&");
          item.appendChild(link);
          visited.appendChild(item);
        });
      });
    });
  }

  // ------------------------------------------------------------------ start

  if (!supported) {
    return;
  }
  var hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener("controllerchange", function () {
    // A new build took over: reload so the whole page comes from it.
    if (hadController) {
      window.sessionStorage.setItem(UPDATED_KEY, "1");
      window.location.reload();
    }
  });
  navigator.serviceWorker.register(root + "sw.js", { scope: root }).catch(function () { /* no offline support */ });
  window.addEventListener("online", updateStatus);
  window.addEventListener("offline", updateStatus);
  ready(function () {
    updateStatus();
    saveBoxes();
    savePageBox();
    offlinePage();
  });
})();
