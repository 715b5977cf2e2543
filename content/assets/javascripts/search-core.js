// Chinese search on Pagefind's JS API, shared by the header, the search page and the tests.
//
// The index holds every Chinese character as a word (portal/search_docs.py), so
// each word of a query is searched as an exact phrase of characters: 医共体 finds
// 县域医共体 whatever a word segmenter would make of either. A word that never
// occurs as typed (高血压随访) is split where the index itself has phrases
// (高血压 + 随访). Results must match every word of the query.
//
// That full-text index is large: every character of every body, so a common
// character alone fills index chunks of 100 KB and more. A query is therefore
// answered first from the headline index (titles, doc numbers, aliases,
// keywords, summaries; pagefind/headline/), whose words are overlapping
// character pairs: 基层医疗 costs the chunks of 基层 and 医疗. When that finds
// at least FIRST results they are the answer, marked incomplete; the full
// text is searched when the reader asks (options.fullText) or when the
// headlines find fewer.
(function () {
  "use strict";

  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  // Characters that count as Chinese text when tidying excerpts (Han and CJK punctuation).
  var CJK_TEXT = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’—…·]/;
  var MAX_SPLIT = 16;
  // Filter counts of an intersection are counted from at most this many records.
  var COUNT_LIMIT = 200;
  // Headline results enough for a first answer (the search page shows them first).
  var FIRST = 5;
  var FULL_TEXT = "pagefind/";
  var HEADLINES = "pagefind/headline/";

  var config = window.PORTAL_SEARCH;
  var bundles = {};
  var filtersLoaded = {};

  // Opened from disk (USB bundle), a script-file index stands in for Pagefind,
  // and it alone answers every search.
  function backend() {
    return window.PORTAL_SEARCH_BACKEND;
  }

  // The Pagefind instance of one bundle: each bundle's own pagefind.js is a
  // module of its own, so the two indexes never mix.
  function bundle(dir) {
    if (!bundles[dir]) {
      var root = config.siteRoot();
      var own = backend();
      bundles[dir] = (own ? Promise.resolve(own) : import(root + dir + "pagefind.js")).then(function (pagefind) {
        return pagefind.options(Object.assign({ baseUrl: root }, config.options))
          .then(function () { return own ? [] : shards(root + dir); })
          .then(function (extra) {
            // A large catalogue is indexed in shards (portal/search_index.py): merge the others in.
            return Promise.all(extra.map(function (shard) {
              return pagefind.mergeIndex(root + dir + shard, { baseUrl: root });
            }));
          })
          .then(function () { return pagefind.init(); })
          .then(function () { return pagefind; });
      });
    }
    return bundles[dir];
  }

  // The index the search starts with (the headline index; the backend from disk).
  function load() {
    return bundle(backend() ? FULL_TEXT : HEADLINES);
  }

  // The full-text index, with its filters loaded so that its searches count per filter.
  function loadFullText() {
    return bundle(FULL_TEXT).then(function (pagefind) { return withFilters(FULL_TEXT, pagefind); });
  }

  function withFilters(dir, pagefind) {
    if (!filtersLoaded[dir]) {
      filtersLoaded[dir] = pagefind.filters();
    }
    return filtersLoaded[dir].then(function () { return pagefind; });
  }

  function shards(dir) {
    return fetch(dir + "portal-shards.json")
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

  // The headline index's words (portal/search_docs.py: pairs): a Chinese pair
  // or single character written as zq + four letters a-p per code point,
  // because Pagefind takes Chinese query words apart into characters.
  var PAIR = /^zq((?:[a-p]{4})+)/;

  function code(chars) {
    return "zq" + chars.map(function (ch) {
      return ("000" + ch.charCodeAt(0).toString(16)).slice(-4).replace(/[0-9a-f]/g, function (d) {
        return String.fromCharCode(97 + parseInt(d, 16));
      });
    }).join("");
  }

  function decode(letters) {
    var out = [];
    for (var i = 0; i < letters.length; i += 4) {
      var hex = letters.slice(i, i + 4).replace(/[a-p]/g, function (l) { return (l.charCodeAt(0) - 97).toString(16); });
      out.push(String.fromCharCode(parseInt(hex, 16)));
    }
    return out;
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
      out.push(t);
    });
    flush();
    return out;
  }

  // A headline excerpt in pairs (医疗 疗卫 卫生 生) back into characters
  // (医疗卫生), a mark on a pair marking both its characters.
  function unpair(excerpt) {
    var chars = [];
    var tail = null;  // the last character of the run being read
    (excerpt || "").split(" ").forEach(function (token) {
      // <mark>word</mark>, word. (Pagefind ends a block with a full stop): the word, then the rest.
      var parts = /^(<mark>)?([^<]*)(<\/mark>)?(.*)$/.exec(token);
      var marked = !!parts[1];
      var pair = PAIR.exec(parts[2]);
      var word = pair ? decode(pair[1]) : Array.from(parts[2]);
      var rest = (pair ? parts[2].slice(pair[0].length) : "") + parts[4];
      if (pair && tail !== null && word[0] === tail && word.length <= 2) {
        // The next pair of the run, or (one character) the run's closing single.
        if (marked) { chars[chars.length - 1].marked = true; }
        if (word.length === 2) {
          chars.push({ ch: word[1], marked: marked });
          tail = word[1];
        } else {
          tail = null;
        }
      } else {
        if (chars.length) { chars.push({ ch: " " }); }
        word.forEach(function (ch) { chars.push({ ch: ch, marked: marked }); });
        tail = pair && word.length === 2 ? word[1] : null;
      }
      Array.from(rest).forEach(function (ch) { chars.push({ ch: ch }); tail = null; });
    });
    var out = "";
    var open = false;
    chars.forEach(function (c) {
      if (c.marked && !open) { out += "<mark>"; open = true; }
      if (!c.marked && open) { out += "</mark>"; open = false; }
      out += c.ch;
    });
    return out + (open ? "</mark>" : "");
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
    var parts = (excerpt || "").split(/(<\/?mark>)/);
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

  function withHighlight(url, terms) {
    var target = new URL(url, window.location.href);
    target.searchParams.delete("highlight");
    terms.forEach(function (t) { target.searchParams.append("highlight", t); });
    return target.pathname + target.search + target.hash;
  }

  // search(query, {filters, sort, fullText}) → {words, results: [{id, score, data()}],
  // filters, total, partial, complete}; complete is false when the results come
  // from the headline index only and the full text may hold more.
  function search(query, options) {
    options = options || {};
    var ws = words(query);
    var own = options;
    // Pagefind gets only its own options.
    options = {};
    if (own.filters) { options.filters = own.filters; }
    if (own.sort) { options.sort = own.sort; }
    var counts = own.counts !== false;
    if (ws.length === 0 && !Object.keys(options.filters || {}).length) {
      return load().then(function () {
        return { words: [], results: [], total: 0, filters: {}, partial: false, complete: true };
      });
    }
    if (backend() || (own.fullText && ws.length)) {
      return searchFullText(ws, options, counts);
    }
    return load().then(function (pagefind) {
      // Every page is in the headline index: browsing by filters needs nothing else.
      var terms = [].concat.apply([], ws.map(pairs));
      return pagefind.search(terms.length ? terms.join(" ") : null, options).then(function (found) {
        if (ws.length && found.results.length < FIRST) {
          return searchFullText(ws, options, counts);
        }
        return finish(found.results, found.filters, ws, counts, false, ws.length > 0);
      });
    });
  }

  function searchFullText(ws, options, counts) {
    return (backend() ? load() : loadFullText()).then(function (pagefind) {
      if (ws.length === 0) {
        return pagefind.search(null, options).then(function (found) {
          return finish(found.results, found.filters, [], counts);
        });
      }
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
    });
  }

  // headline: the results come from the headline index (excerpts in pairs; the full text may hold more).
  // counts: whether to count an intersection's results per filter (the header's search does not show them).
  function finish(results, filters, terms, counts, partial, headline) {
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
              excerpt: tidy(headline ? unpair(d.excerpt) : d.excerpt)
            };
          });
        }
      };
    });
    var answer = { words: terms, results: wrapped, total: wrapped.length, filters: filters, partial: !!partial,
                   complete: !headline };
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
    return load().then(function (pagefind) {
      return withFilters(backend() ? FULL_TEXT : HEADLINES, pagefind).then(function () { return pagefind.filters(); });
    });
  }

  window.PortalSearch = { search: search, filters: allFilters, words: words, tidy: tidy, unpair: unpair, load: load };
})();
