// Chinese search on Pagefind's JS API, shared by the header, the search page and the tests.
//
// The index holds every Chinese character as a word (portal/search_docs.py), so
// each word of a query is searched as an exact phrase of characters: 医共体 finds
// 县域医共体 whatever a word segmenter would make of either. A word that never
// occurs as typed (高血压随访) is split where the index itself has phrases
// (高血压 + 随访). Results must match every word of the query.
//
// Those single characters are costly to fetch: each index word keeps all its
// positions together, so a common character fills index chunks of 100 KB and
// more at national scale. A query's first results are therefore looked up by
// the character pairs of the weighted fields (titles, doc numbers, aliases,
// keywords, summaries; portal/search_docs.py: pairs), which sort together in
// small chunks: 基层医疗 costs the chunks of 基层 and 医疗. When the pairs
// find at least FIRST records those are the answer, marked incomplete; the
// phrases above are searched when the reader asks (options.fullText) or when
// the pairs find fewer.
(function () {
  "use strict";

  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  // Characters that count as Chinese text when tidying excerpts (Han and CJK punctuation).
  var CJK_TEXT = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’—…·]/;
  var MAX_SPLIT = 16;
  // Filter counts of an intersection are counted from at most this many records.
  var COUNT_LIMIT = 200;
  // Pair matches enough for a first answer (the search page shows them first);
  // PORTAL_SEARCH.firstResults overrides it (the relevance tests try 1).
  var FIRST = 5;
  // A first answer looks up at most this many pairs (each costs an index chunk
  // per shard): those spread over a long query, which all must match.
  var MAX_PAIRS = 3;

  var config = window.PORTAL_SEARCH;
  var loading = null;

  function load() {
    if (!loading) {
      var root = config.siteRoot();
      // Opened from disk (USB bundle), a script-file index stands in for Pagefind.
      var backend = window.PORTAL_SEARCH_BACKEND;
      loading = (backend ? Promise.resolve(backend) : import(root + "pagefind/pagefind.js")).then(function (pagefind) {
        return pagefind.options(Object.assign({ baseUrl: root }, config.options))
          .then(function () { return backend ? [] : shards(root); })
          .then(function (extra) {
            // A large catalogue is indexed in shards (portal/search_index.py): merge the others in.
            return Promise.all(extra.map(function (dir) {
              return pagefind.mergeIndex(root + "pagefind/" + dir, { baseUrl: root });
            }));
          })
          .then(function () { return pagefind.init(); })
          .then(function () { return pagefind; });
      });
    }
    return loading;
  }

  function shards(root) {
    return fetch(root + "pagefind/portal-shards.json")
      .then(function (response) { return response.ok ? response.json() : []; })
      .catch(function () { return []; });
  }

  // The words of a query: split on spaces and punctuation, full-width forms folded.
  function words(query) {
    return (query || "").normalize("NFKC").toLowerCase()
      .split(/[\s,，、;；。.!！?？"“”'‘’()（）\[\]【】〔〕《》<>:：]+/)
      .filter(function (w) { return w.length > 0; });
  }

  // 沪卫医2024 → 沪 卫 医 2024: one token per Chinese character, ASCII runs kept whole.
  function tokens(word) {
    var out = [];
    var run = "";
    Array.from(word).forEach(function (ch) {
      if (HAN.test(ch)) {
        if (run) { out.push(run); run = ""; }
        out.push(ch);
      } else if (/[\p{L}\p{N}]/u.test(ch)) {
        run += ch;
      } else if (run) {
        out.push(run);
        run = "";
      }
    });
    if (run) { out.push(run); }
    return out;
  }

  // Pair words (portal/search_docs.py: pairs): a Chinese pair or single
  // character written as zq + four letters a-p per code point, because
  // Pagefind takes Chinese query words apart into characters; letters and
  // digits as zz + themselves. Excerpts drop them.
  var PAIR_WORD = /(^|\s)(<mark>)?(?:zq(?:[a-p]{4})+|zz[^\s<]+?)(<\/mark>)?\.?(?=\s|$)/g;

  function code(chars) {
    return "zq" + chars.map(function (ch) {
      return ("000" + ch.charCodeAt(0).toString(16)).slice(-4).replace(/[0-9a-f]/g, function (d) {
        return String.fromCharCode(97 + parseInt(d, 16));
      });
    }).join("");
  }

  // 基层医疗卫生 → 基层 医疗 卫生: the pairs covering every character of each
  // Chinese run (an odd one ends on an overlapping pair), as index words.
  function pairs(word) {
    var out = [];
    var run = [];
    function flush() {
      if (run.length === 1) { out.push(code(run)); }
      for (var i = 0; i + 1 < run.length; i += 2) { out.push(code(run.slice(i, i + 2))); }
      if (run.length > 1 && run.length % 2) { out.push(code(run.slice(-2))); }
      run = [];
    }
    tokens(word).forEach(function (t) {
      if (HAN.test(t)) { run.push(t); return; }
      flush();
      out.push("zz" + t);
    });
    flush();
    return out;
  }

  // How much a pair word narrows a search: a number (not a year) most, then a
  // pair, a year, a lone character.
  function selectivity(term) {
    if (/^zz/.test(term)) { return /^zz(19|20)\d\d$/.test(term) ? 1 : 3; }
    return term.length > 6 ? 2 : 0;
  }

  // The words a first answer looks up: all of them, or the MAX_PAIRS that
  // narrow most, spread over the query.
  function pairTerms(ws) {
    var all = [].concat.apply([], ws.map(pairs));
    if (all.length <= MAX_PAIRS) { return all; }
    var spread = {};
    for (var i = 0; i < MAX_PAIRS; i += 1) { spread[Math.round(i * (all.length - 1) / (MAX_PAIRS - 1))] = true; }
    return all.map(function (term, n) { return { term: term, n: n }; }).sort(function (a, b) {
      return selectivity(b.term) - selectivity(a.term) || (spread[b.n] ? 1 : 0) - (spread[a.n] ? 1 : 0) || a.n - b.n;
    }).slice(0, MAX_PAIRS).map(function (t) { return t.term; });
  }

  // A first answer's excerpt: the record's own text around the first query word
  // (Pagefind's excerpt would centre on the pair words).
  function firstExcerpt(content, title, ws) {
    var text = tidy(content || "");
    var plainTitle = tidy(title || "");
    if (plainTitle && text.indexOf(plainTitle) === 0) { text = text.slice(plainTitle.length).replace(/^[.。\s]+/, ""); }
    var at = -1;
    ws.forEach(function (w) {
      var i = text.indexOf(w);
      if (i >= 0 && (at < 0 || i < at)) { at = i; }
    });
    var start = Math.max(0, at - 20);
    var excerpt = (start > 0 ? "…" : "") + text.slice(start, start + 60) + (start + 60 < text.length ? "…" : "");
    return markWords(excerpt.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"), ws);
  }

  function phrase(text) {
    var t = tokens(text);
    return t.length > 1 ? "\"" + t.join(" ") + "\"" : t.join("");
  }

  // Longest pieces of `word` that occur as phrases, left to right.
  function split(pagefind, word, options) {
    var chars = Array.from(word);
    if (chars.length < 3 || chars.length > MAX_SPLIT) {
      return Promise.resolve(null);
    }
    function from(start) {
      if (start >= chars.length) { return Promise.resolve([]); }
      function tryLength(len) {
        if (len < 1) { return Promise.resolve(null); }
        var piece = chars.slice(start, start + len).join("");
        return pagefind.search(phrase(piece), options).then(function (found) {
          if (found.results.length === 0) { return tryLength(len - 1); }
          return from(start + len).then(function (rest) {
            return rest ? [{ text: piece, search: found }].concat(rest) : tryLength(len - 1);
          });
        });
      }
      // The whole word already failed; pieces are at most one character shorter.
      var longest = Math.min(chars.length - start, start === 0 ? chars.length - 1 : chars.length - start);
      return tryLength(longest);
    }
    return from(0);
  }

  function searchWord(pagefind, word, options) {
    return pagefind.search(phrase(word), options).then(function (found) {
      if (found.results.length > 0 || !HAN.test(word)) {
        return [{ text: word, search: found }];
      }
      return split(pagefind, word, options).then(function (pieces) {
        return pieces || [{ text: word, search: found }];
      });
    });
  }

  // Exact phrases decide what matches; the same characters searched as separate
  // words decide the order, because only that search weighs titles, doc numbers
  // and aliases above body text.
  function rank(pagefind, part, options) {
    var t = tokens(part.text);
    if (t.length < 2) {
      part.scores = null;
      return Promise.resolve(part);
    }
    return pagefind.search(t.join(" "), options).then(function (loose) {
      part.scores = {};
      loose.results.forEach(function (r) { part.scores[r.id] = r.score; });
      return part;
    });
  }

  // Tidy a Pagefind excerpt of the character-spaced index back into normal Chinese text.
  function tidy(excerpt) {
    var parts = (excerpt || "").replace(PAIR_WORD, "$1").split(/(<\/?mark>)/);
    var text = [];
    parts.forEach(function (part) {
      if (/^<\/?mark>$/.test(part)) { text.push({ tag: part }); }
      else { Array.from(part).forEach(function (ch) { text.push({ ch: ch }); }); }
    });
    function neighbour(i, step) {
      for (var j = i + step; j >= 0 && j < text.length; j += step) {
        if (text[j].ch !== undefined && !/\s/.test(text[j].ch)) { return text[j].ch; }
      }
      return "";
    }
    var out = "";
    text.forEach(function (item, i) {
      if (item.tag) { out += item.tag; return; }
      if (/\s/.test(item.ch) && (CJK_TEXT.test(neighbour(i, -1)) || CJK_TEXT.test(neighbour(i, 1)))) { return; }
      out += item.ch;
    });
    return out.replace(/<\/mark>(\s*)<mark>/g, "$1");
  }

  // Mark the query's words in a tidied excerpt (a first answer's marks were on pair words).
  function markWords(text, ws) {
    var han = ws.filter(function (w) { return HAN.test(w); });
    if (!han.length) { return text; }
    var pattern = new RegExp("(" + han.map(function (w) {
      return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join("|") + ")", "g");
    return text.split(/(<[^>]+>)/).map(function (part) {
      return part.charAt(0) === "<" ? part : part.replace(pattern, "<mark>$1</mark>");
    }).join("").replace(/<mark><mark>(.*?)<\/mark><\/mark>/g, "<mark>$1</mark>");
  }

  function withHighlight(url, terms) {
    var target = new URL(url, window.location.href);
    target.searchParams.delete("highlight");
    terms.forEach(function (t) { target.searchParams.append("highlight", t); });
    return target.pathname + target.search + target.hash;
  }

  // search(query, {filters, sort, fullText, counts}) → {words, results: [{id, score, data()}],
  // filters, total, partial, complete}; complete is false when the results are a
  // first answer from the weighted fields' pairs and the full text may hold more.
  // counts: false spares counting an intersection per filter (the header shows no counts).
  function search(query, options) {
    var own = options || {};
    var ws = words(query);
    // Pagefind gets only its own options.
    options = {};
    if (own.filters) { options.filters = own.filters; }
    if (own.sort) { options.sort = own.sort; }
    var counts = own.counts !== false;
    return load().then(function (pagefind) {
      if (ws.length === 0) {
        if (!Object.keys(options.filters || {}).length) {
          return { words: [], results: [], total: 0, filters: {}, partial: false, complete: true };
        }
        return pagefind.search(null, options).then(function (found) {
          return finish(found.results, found.filters, [], counts);
        });
      }
      if (own.fullText || window.PORTAL_SEARCH_BACKEND) {
        return searchText(pagefind, ws, options, counts);
      }
      return pagefind.search(pairTerms(ws).join(" "), options).then(function (found) {
        if (found.results.length < (config.firstResults || FIRST)) {
          return searchText(pagefind, ws, options, counts);
        }
        return finish(found.results, found.filters, ws, counts, false, true);
      });
    });
  }

  // Every word of the query as an exact phrase of characters, anywhere in the text.
  function searchText(pagefind, ws, options, counts) {
    return Promise.all(ws.map(function (w) { return searchWord(pagefind, w, options); })).then(function (perWord) {
      var parts = [].concat.apply([], perWord);
      return Promise.all(parts.map(function (p) { return rank(pagefind, p, options); }));
    }).then(function (parts) {
      var terms = parts.map(function (p) { return p.text; });
      // Every part must match: intersect, adding up the scores.
      var byId = {};
      parts.forEach(function (p, n) {
        p.search.results.forEach(function (r, position) {
          var entry = byId[r.id] || (byId[r.id] = { result: r, hits: 0, score: 0, order: Infinity });
          entry.hits += 1;
          entry.score += p.scores && p.scores[r.id] !== undefined ? p.scores[r.id] : r.score;
          if (n === 0) { entry.order = position; }
        });
      });
      var entries = Object.keys(byId).map(function (id) { return byId[id]; });
      var keep = entries.filter(function (e) { return e.hits === parts.length; });
      var partial = false;
      if (keep.length === 0 && parts.length > 1) {
        // Nothing has every word (计生 is not written in a notice that says 计划生育):
        // offer what has all words but one, best matches first, and say so.
        keep = entries.filter(function (e) { return e.hits === parts.length - 1; });
        partial = keep.length > 0;
      }
      keep.sort(options.sort
        ? function (a, b) { return a.order - b.order; }
        : function (a, b) { return b.hits - a.hits || b.score - a.score; });
      var filters = null;
      if (parts.length === 1) {
        filters = parts[0].search.filters;
      } else if (keep.length > COUNT_LIMIT) {
        // Too many to count one by one: the most selective word's counts bound them.
        filters = parts.slice().sort(function (a, b) {
          return a.search.results.length - b.search.results.length;
        })[0].search.filters;
      }
      return finish(keep.map(function (e) { return e.result; }), filters, terms, counts, partial);
    });
  }

  // first: a first answer from the pairs (its excerpts are marked here).
  function finish(results, filters, terms, counts, partial, first) {
    var wrapped = results.map(function (r) {
      return {
        id: r.id,
        score: r.score,
        data: function () {
          return r.data().then(function (d) {
            return {
              url: terms.length ? withHighlight(d.url, terms) : d.url,
              plainUrl: d.url.split("?")[0],
              title: (d.meta && d.meta.title) || d.url,
              meta: d.meta || {},
              filters: d.filters || {},
              excerpt: first ? firstExcerpt(d.content, d.meta && d.meta.title, terms) : tidy(d.excerpt)
            };
          });
        }
      };
    });
    var answer = { words: terms, results: wrapped, total: wrapped.length, filters: filters, partial: !!partial,
                   complete: !first };
    if ((filters && Object.keys(filters).length) || !counts) { return answer; }
    // Counts for an intersection come from the matching records themselves.
    return Promise.all(wrapped.slice(0, COUNT_LIMIT).map(function (r) { return r.data(); })).then(function (all) {
      var counts = {};
      all.forEach(function (d) {
        Object.keys(d.filters).forEach(function (name) {
          var group = counts[name] || (counts[name] = {});
          d.filters[name].forEach(function (v) { group[v] = (group[v] || 0) + 1; });
        });
      });
      answer.filters = counts;
      return answer;
    });
  }

  // All filter values with their counts. Loading them also lets every later
  // search report counts per filter (Pagefind only counts loaded filters).
  function allFilters() {
    return load().then(function (pagefind) { return pagefind.filters(); });
  }

  window.PortalSearch = { search: search, filters: allFilters, words: words, tidy: tidy, load: load };
})();
