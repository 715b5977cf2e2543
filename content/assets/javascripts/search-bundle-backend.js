// Search for the USB bundle, opened from disk (file://), where Pagefind cannot
// load its index. It answers the same calls search-core.js makes of Pagefind,
// over the documents in search-bundle.js, with the same meaning: an exact
// phrase ("医 共 体") matches where its characters stand together, separate
// words must all occur, and a match weighs what its field weighs.
(function () {
  "use strict";

  var docs = window.PORTAL_BUNDLE_INDEX;
  if (!docs || window.location.protocol !== "file:") {
    return;
  }
  // Letters, digits and Chinese characters only: punctuation never breaks a phrase.
  function squash(text) {
    return (text || "").normalize("NFKC").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
  }
  docs.forEach(function (d) {
    d.squashed = d.fields.map(function (f) { return [f[0], squash(f[1])]; });
  });

  function count(haystack, needle) {
    var n = 0;
    var at = haystack.indexOf(needle);
    while (at !== -1) { n += 1; at = haystack.indexOf(needle, at + needle.length); }
    return n;
  }

  function score(doc, needles) {
    var total = 0;
    for (var i = 0; i < needles.length; i++) {
      var found = 0;
      doc.squashed.forEach(function (f) {
        var n = count(f[1], needles[i]);
        // Like a saturating term frequency: the first matches count most.
        if (n) { found += f[0] * (1 + Math.log(n)); }
      });
      if (!found) { return 0; }
      total += found;
    }
    return total;
  }

  function excerpt(doc, needles) {
    var body = (doc.fields[doc.fields.length - 1] || [0, ""])[1];
    var plain = body.normalize("NFKC").toLowerCase();
    var at = -1;
    needles.some(function (n) { at = plain.indexOf(n); return at !== -1; });
    var start = Math.max(0, at - 20);
    var text = body.slice(start, start + 60);
    var escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
    needles.forEach(function (n) {
      if (n) { escaped = escaped.split(n).join("<mark>" + n + "</mark>"); }
    });
    return escaped;
  }

  function matchesFilters(doc, filters) {
    return Object.keys(filters || {}).every(function (name) {
      var wanted = (filters[name] && filters[name].any) || [];
      var have = doc.filters[name] || [];
      return wanted.length === 0 || wanted.some(function (v) { return have.indexOf(String(v)) !== -1; });
    });
  }

  function counts(list) {
    var out = {};
    list.forEach(function (doc) {
      Object.keys(doc.filters).forEach(function (name) {
        var group = out[name] || (out[name] = {});
        doc.filters[name].forEach(function (v) { group[v] = (group[v] || 0) + 1; });
      });
    });
    return out;
  }

  var root = "";

  function result(doc, value, needles) {
    return {
      id: doc.url,
      score: value,
      data: function () {
        var meta = Object.assign({ title: doc.title }, doc.meta);
        return Promise.resolve({
          url: root + doc.url.replace(/^\//, "") + "index.html",
          meta: meta,
          filters: doc.filters,
          excerpt: excerpt(doc, needles)
        });
      }
    };
  }

  var backend = {
    options: function (opts) {
      root = (opts && opts.baseUrl) || "";
      return Promise.resolve();
    },
    init: function () { return Promise.resolve(); },
    filters: function () { return Promise.resolve(counts(docs)); },
    search: function (term, options) {
      options = options || {};
      var pool = docs.filter(function (d) { return matchesFilters(d, options.filters); });
      var needles;
      if (term === null) {
        needles = [];
      } else if (/^\s*".+"\s*$/.test(term)) {
        needles = [squash(term)];
      } else {
        needles = term.split(/\s+/).map(squash).filter(Boolean);
      }
      var hits = [];
      pool.forEach(function (doc) {
        var value = needles.length ? score(doc, needles) : 1;
        if (value > 0) { hits.push(result(doc, value, needles)); }
      });
      var sortKey = options.sort && Object.keys(options.sort)[0];
      if (sortKey) {
        var byUrl = {};
        pool.forEach(function (d) { byUrl[d.url] = d; });
        hits.sort(function (a, b) {
          var x = (byUrl[a.id].sort || {})[sortKey] || "";
          var y = (byUrl[b.id].sort || {})[sortKey] || "";
          return x < y ? 1 : x > y ? -1 : 0;
        });
      } else {
        hits.sort(function (a, b) { return b.score - a.score; });
      }
      var matched = {};
      hits.forEach(function (h) { matched[h.id] = true; });
      var filters = counts(pool.filter(function (d) { return matched[d.url]; }));
      return Promise.resolve({ results: hits, filters: filters });
    }
  };

  window.PORTAL_SEARCH_BACKEND = backend;
})();
