// Search for the USB bundle, opened from disk (file://), where Pagefind cannot
// load its index. It answers the same calls search-core.js makes of Pagefind,
// over the documents in search-bundle.js and their index words
// (portal/search_docs.py: words), with the same meaning: every word of a
// search must begin a word of the document, and a match weighs what its field
// weighs.
(function () {
  "use strict";

  var docs = window.PORTAL_BUNDLE_INDEX;
  if (!docs || window.location.protocol !== "file:") {
    return;
  }
  docs.forEach(function (d) {
    d.fieldWords = d.words.map(function (f) { return [f[0], f[1].split(" ")]; });
  });

  function score(doc, terms) {
    var total = 0;
    for (var i = 0; i < terms.length; i++) {
      var found = 0;
      doc.fieldWords.forEach(function (f) {
        var n = 0;
        f[1].forEach(function (w) { if (w.lastIndexOf(terms[i], 0) === 0) { n += 1; } });
        // Like a saturating term frequency: the first matches count most.
        if (n) { found += f[0] * (1 + Math.log(n)); }
      });
      if (!found) { return 0; }
      total += found;
    }
    return total;
  }

  function matchesFilters(doc, filters) {
    return Object.keys(filters || {}).every(function (name) {
      var given = filters[name];
      var wanted = typeof given === "string" ? [given] : (given && given.any) || [];
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

  function result(doc, value) {
    return {
      id: doc.url,
      score: value,
      data: function () {
        var meta = Object.assign({ title: doc.title }, doc.meta);
        return Promise.resolve({
          url: root + doc.url.replace(/^\//, "") + "index.html",
          meta: meta,
          filters: doc.filters
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
      var terms = term === null ? [] : term.toLowerCase().split(/\s+/).filter(Boolean);
      var hits = [];
      pool.forEach(function (doc) {
        var value = terms.length ? score(doc, terms) : 1;
        if (value > 0) { hits.push(result(doc, value)); }
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
