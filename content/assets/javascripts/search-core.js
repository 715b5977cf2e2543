// Chinese search on Pagefind's JS API, shared by the header, the search page and the tests.
//
// The index holds each text as character pairs written in letters
// (portal/search_docs.py: pairs), so a query is read here into concepts and
// each concept is looked up by its pairs:
//   * dates (2024年3月, 2024-03, 3月份) become date words that every result must have;
//   * question words and particles (怎么, 如何, 吗 …) are dropped;
//   * synonyms (孩子 → 儿童), facet words (陕西, 中医药, 村卫生室) and plain text are
//     found by longest match against the terms file (portal/search_terms.py);
//   * plain text of three characters or more counts pair by pair, so words that
//     stand apart in a record (高血压 … 管理) still find it;
//   * letters alone (zhenjiu, zj) are read as pinyin against the lexicon;
//   * a pair that matches nothing is compared with the lexicon's words of the
//     same reading (偏保 → 骗保), and the correction searched too.
// A record's score adds up each concept's best match (a concept counts at most
// 1, relative to its best record), scaled by how much of the query the record
// covers, so a name or title (weight 10) beats a mention in the body (weight 1)
// and records that cover more of the query come first. Illustrative records,
// records no longer in force and help pages rank lower (TRUST). Every word is
// checked to be in the index (holding): Pagefind would answer a missing word
// with its nearest ones.
(function () {
  "use strict";

  var HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/;
  var HAN_RUNS = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;
  // How much a mark (portal/search_docs.py: MARKS, values of MARK_FILTER)
  // leaves of a record's score.
  var MARK_FILTER = "mark";
  var TRUST = { example: 0.8, ended: 0.6, help: 0.2 };
  // The word every document holds (portal/search_docs.py: EVERY).
  var EVERY = "zrall";
  // An answer of several lookups with at most this many records is counted
  // from their fragments (the first page of results fetches them anyway).
  var COUNTED = 10;
  // Distinct index words a query is looked up by (withinBudget).
  var WORD_BUDGET = 3;
  // A synonym or facet word is looked up in at most this many of its forms.
  var MAX_VARIANTS = 3;
  // Pinyin and corrections offer at most this many words each.
  var ALTERNATIVES = 3;
  var EXCERPT_CHARS = 90;

  var config = window.PORTAL_SEARCH;
  var loading = null;
  var lexiconLoading = null;

  function root() { return config.siteRoot(); }

  function fetchJson(path, fallback) {
    return fetch(root() + path)
      .then(function (response) { return response.ok ? response.json() : fallback; })
      .catch(function () { return fallback; });
  }

  function load() {
    if (!loading) {
      // Opened from disk (USB bundle), a script-file index stands in for Pagefind.
      var backend = window.PORTAL_SEARCH_BACKEND;
      loading = (backend ? Promise.resolve(backend) : import(root() + "pagefind/pagefind.js")).then(function (pagefind) {
        var options = Object.assign({ baseUrl: root() }, config.options);
        return pagefind.options(options)
          .then(function () { return backend ? [] : fetchJson("pagefind/portal-shards.json", []); })
          .then(function (extra) {
            // A large catalogue is indexed in shards (portal/search_index.py): merge the others in.
            return Promise.all(extra.map(function (dir) {
              return pagefind.mergeIndex(root() + "pagefind/" + dir, { baseUrl: root() });
            }));
          })
          .then(function () { return pagefind.init(); })
          .then(function () {
            return backend ? window.PORTAL_BUNDLE_TERMS || {} : fetchJson("pagefind/portal-terms.json", {});
          })
          .then(function (terms) { return { pagefind: pagefind, terms: prepareTerms(terms) }; });
      });
    }
    return loading;
  }

  function loadLexicon() {
    if (!lexiconLoading) {
      lexiconLoading = (window.PORTAL_SEARCH_BACKEND
        ? Promise.resolve(window.PORTAL_BUNDLE_LEXICON || {})
        : fetchJson("pagefind/portal-lexicon.json", {})).then(prepareLexicon);
    }
    return lexiconLoading;
  }

  // ---- the words the site knows -------------------------------------------

  function prepareTerms(raw) {
    var known = {};  // word → {kind: "question"|"keep"|"synonym"|"facet", …}
    function add(word, entry) {
      word = fold(word);
      if (word && !known[word]) { known[word] = entry; }
    }
    (raw.keep || []).forEach(function (w) { add(w, { kind: "keep" }); });
    (raw.question || []).forEach(function (w) { add(w, { kind: "question" }); });
    (raw.synonyms || []).forEach(function (group) {
      group.forEach(function (w) { add(w, { kind: "synonym", group: group.map(fold) }); });
    });
    var facets = {};
    (raw.facets || []).forEach(function (f) {
      var word = fold(f[0]);
      (facets[word] = facets[word] || []).push({ filter: f[1], value: f[2], label: f[3], url: f[4] });
    });
    Object.keys(facets).forEach(function (w) {
      var entry = known[w];
      if (!entry) { known[w] = { kind: "facet", facets: facets[w] }; }
      else if (entry.kind === "synonym") { entry.facets = facets[w]; }
    });
    var longest = Object.keys(known).reduce(function (n, w) { return Math.max(n, w.length); }, 0);
    return { known: known, longest: longest, months: raw.months || [] };
  }

  function prepareLexicon(raw) {
    var readings = {};  // character → [its usual syllable, then others]
    [raw.pinyin || {}, raw.more || {}].forEach(function (table) {
      Object.keys(table).forEach(function (syllable) {
        Array.from(table[syllable]).forEach(function (ch) {
          (readings[ch] = readings[ch] || []).push(syllable);
        });
      });
    });
    var words = (raw.words || "").split(" ").filter(Boolean);
    var rank = {};
    words.forEach(function (w, i) { rank[w] = i; });
    return { words: words, rank: rank, readings: readings };
  }

  // ---- reading a query --------------------------------------------------------

  function fold(text) {
    return (text || "").normalize("NFKC").toLowerCase().trim();
  }

  var SEPARATORS = /[\s,，、;；。.!！?？"“”'‘’()（）\[\]【】《》<>:：]+/;

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  // Dates in a query: {label, words (any of them), text without the date}.
  function readDate(text, terms) {
    var patterns = [
      [/(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]/, function (m) {
        return { label: m[1] + "年" + +m[2] + "月" + +m[3] + "日", words: ["zd" + m[1] + pad(+m[2]) + pad(+m[3])] };
      }],
      [/(\d{4})\s*年\s*(\d{1,2})\s*月份?/, function (m) {
        return { label: m[1] + "年" + +m[2] + "月", words: ["zd" + m[1] + pad(+m[2])] };
      }],
      [/(?:^|[^\d〔\[（(])(\d{4})[-./](\d{1,2})(?:[-./](\d{1,2}))?(?![\d号])/, function (m) {
        return m[3]
          ? { label: m[1] + "年" + +m[2] + "月" + +m[3] + "日", words: ["zd" + m[1] + pad(+m[2]) + pad(+m[3])] }
          : { label: m[1] + "年" + +m[2] + "月", words: ["zd" + m[1] + pad(+m[2])] };
      }],
      [/(?:^|[^\d])(\d{1,2})\s*月份/, function (m) {
        var month = pad(+m[1]);
        var words = terms.months.filter(function (ym) { return ym.slice(5) === month; })
          .map(function (ym) { return "zd" + ym.replace("-", ""); });
        return { label: +m[1] + "月", words: words.length ? words : ["zd0000" + month] };
      }],
      [/(?:^|[^\d〔\[（(])(\d{4})\s*年(?![\d度])/, function (m) {
        return { label: m[1] + "年", words: ["zd" + m[1]] };
      }]
    ];
    for (var i = 0; i < patterns.length; i += 1) {
      var m = patterns[i][0].exec(text);
      if (m) {
        var date = patterns[i][1](m);
        var start = m.index + m[0].indexOf(m[1]);
        date.rest = text.slice(0, start) + " " + text.slice(m.index + m[0].length);
        return date;
      }
    }
    return null;
  }

  // A concept: what one part of the query asks for, and how it may be matched.
  //   variants: [{text, words}] — any of them (words: index words, all needed)
  // A variant is looked up by the pairs that tile it (参加基本医疗保险 → 参加
  // 基本 医疗 保险): each costs an index chunk per shard, and records that hold
  // them all hold the words nearly always.
  function textVariant(text) {
    return { text: text, words: tiling(pairs(text)) };
  }

  // Every other pair of each run, and its last (pairs() lists a run's
  // overlapping pairs in order; a lone character stands alone).
  function tiling(words) {
    var out = [];
    var run = [];
    function flush() {
      run.forEach(function (w, i) { if (i % 2 === 0 || i === run.length - 1) { out.push(w); } });
      run = [];
    }
    words.forEach(function (w, i) {
      var follows = run.length && w.length === 10 && run[run.length - 1].slice(6) === w.slice(2, 6);
      if (!follows) { flush(); }
      if (w.length === 10) { run.push(w); } else { flush(); out.push(w); }
    });
    flush();
    return out;
  }

  function understand(query, terms) {
    var understood = { terms: [], dropped: [], date: null, pinyin: [], corrected: [], facets: [] };
    var concepts = [];
    var text = fold(query);
    var date = readDate(text, terms);
    if (date) {
      understood.date = date.label;
      text = date.rest;
    }
    text.split(SEPARATORS).filter(Boolean).forEach(function (chunk) {
      if (/^[a-z]+$/.test(chunk)) {
        concepts.push({ text: chunk, pinyin: chunk, variants: [{ text: chunk, words: ["zz" + chunk] }] });
        return;
      }
      readChunk(chunk, terms, concepts, understood);
    });
    concepts.forEach(function (c) {
      var shown = c.piece || c.text;  // a longer text looked up pair by pair reads as itself
      if (understood.terms.indexOf(shown) < 0) { understood.terms.push(shown); }
    });
    return { concepts: withinBudget(concepts), date: date, understood: understood };
  }

  // Each word looked up costs an index chunk per shard, tens of kilobytes for a
  // common pair in a national catalogue. A long query is looked up by at most
  // WORD_BUDGET words: first fewer forms of a synonym, then long forms by their
  // first and last pair, then the pairs of long text spread over it.
  function wordsOf(concepts) {
    var seen = {};
    concepts.forEach(function (c) { c.variants.forEach(function (v) { v.words.forEach(function (w) { seen[w] = true; }); }); });
    return Object.keys(seen).length;
  }

  function withinBudget(concepts) {
    if (wordsOf(concepts) <= WORD_BUDGET) { return concepts; }
    concepts.forEach(function (c) { c.variants = c.variants.slice(0, 2); });
    if (wordsOf(concepts) <= WORD_BUDGET) { return concepts; }
    concepts.forEach(function (c) {
      c.variants.forEach(function (v) { if (v.words.length > 2) { v.words = [v.words[0], v.words[v.words.length - 1]]; } });
    });
    var pieces = concepts.filter(function (c) { return c.piece; });
    var keep = Math.max(2, pieces.length - (wordsOf(concepts) - WORD_BUDGET));
    if (pieces.length > keep) {
      var kept = {};
      for (var i = 0; i < keep; i += 1) { kept[Math.round(i * (pieces.length - 1) / (keep - 1))] = true; }
      var n = -1;
      concepts = concepts.filter(function (c) { return !c.piece || kept[(n += 1)]; });
    }
    return concepts;
  }

  // Longest match of the known words, left to right; text between them is plain.
  function readChunk(chunk, terms, concepts, understood) {
    var chars = Array.from(chunk);
    var plain = "";
    function flush() {
      if (plain) { plainConcepts(plain, concepts); plain = ""; }
    }
    for (var i = 0; i < chars.length;) {
      var found = null;
      for (var len = Math.min(terms.longest, chars.length - i); len >= 1 && !found; len -= 1) {
        var word = chars.slice(i, i + len).join("");
        if (terms.known[word]) { found = { word: word, entry: terms.known[word], len: len }; }
      }
      if (!found || found.entry.kind === "keep") {
        plain += found ? found.word : chars[i];
        i += found ? found.len : 1;
        continue;
      }
      flush();
      var entry = found.entry;
      if (entry.kind === "question") {
        understood.dropped.push(found.word);
      } else {
        // A facet word is also looked up as the facet's value (陕西省 → 陕西), which
        // records name in a weighted field (search_docs.record_document).
        // The word as typed, the records' word, then the others: at most MAX_VARIANTS.
        var group = [found.word].concat(entry.kind === "synonym" ? entry.group : []).filter(function (w, i, all) {
          return all.indexOf(w) === i;
        }).slice(0, MAX_VARIANTS);
        (entry.facets || []).forEach(function (f) {
          if (group.indexOf(f.value) < 0) { group.push(f.value); }
          if (!understood.facets.some(function (g) { return g.url === f.url; })) {
            understood.facets.push({ label: f.label, url: f.url });
          }
        });
        concepts.push({ text: found.word, variants: group.map(textVariant) });
      }
      i += found.len;
    }
    flush();
  }

  // Plain text: two characters or fewer as one concept, longer text pair by pair.
  function plainConcepts(text, concepts) {
    var han = Array.from(text);
    if (han.length <= 2 || !HAN.test(text)) {
      concepts.push({ text: text, variants: [textVariant(text)] });
      return;
    }
    var runs = text.match(HAN_RUNS) || [];
    var rest = text.replace(HAN_RUNS, " ").split(/\s+/).filter(Boolean);
    runs.forEach(function (run) {
      var cs = Array.from(run);
      if (cs.length <= 2) {
        concepts.push({ text: run, variants: [textVariant(run)] });
        return;
      }
      // Up to five characters every pair counts; a longer run by the pairs that tile it.
      var step = cs.length > 5 ? 2 : 1;
      for (var i = 0; i + 1 < cs.length; i += step) {
        var at = Math.min(i, cs.length - 2);
        concepts.push({ text: cs[at] + cs[at + 1], piece: run, at: at, variants: [textVariant(cs[at] + cs[at + 1])] });
      }
    });
    rest.forEach(function (t) { concepts.push({ text: t, variants: [textVariant(t)] }); });
  }

  // ---- index words (portal/search_docs.py: pairs) ------------------------------

  function code(chars) {
    return "zq" + chars.map(function (ch) {
      return ("000" + ch.charCodeAt(0).toString(16)).slice(-4).replace(/[0-9a-f]/g, function (d) {
        return String.fromCharCode(97 + parseInt(d, 16));
      });
    }).join("");
  }

  // 高血压 → 高血 血压: the overlapping pairs of each Chinese run (one
  // character alone stands as itself), letters and digits as zz + themselves.
  function pairs(text) {
    var out = [];
    var run = [];
    function flush() {
      if (run.length === 1) { out.push(code(run)); }
      for (var i = 0; i + 1 < run.length; i += 1) { out.push(code(run.slice(i, i + 2))); }
      run = [];
    }
    var other = "";
    Array.from(fold(text)).forEach(function (ch) {
      if (HAN.test(ch)) {
        if (other) { out.push("zz" + other); other = ""; }
        run.push(ch);
      } else if (/[\p{L}\p{N}]/u.test(ch)) {
        flush();
        other += ch;
      } else {
        flush();
        if (other) { out.push("zz" + other); other = ""; }
      }
    });
    flush();
    if (other) { out.push("zz" + other); }
    return out;
  }

  // ---- pinyin and corrections (lexicon) -----------------------------------

  // Readings of `letters`, each a list of words: the letters in full (zhenjiu)
  // or as initials (zj; any letters without a vowel, tnbgl) read as one whole
  // word of the lexicon; else as two whole words typed together (tnbgl → 糖尿病,
  // 管理); else as a word inside a longer one (针灸 in 针灸科). Most used first.
  function pinyinWords(letters, lexicon) {
    var found = readAs(letters, lexicon);
    if (found.whole.length) { return found.whole.slice(0, ALTERNATIVES).map(function (w) { return [w]; }); }
    var two = twoWords(letters, lexicon);
    if (two) { return [two]; }
    return found.inside.slice(0, ALTERNATIVES).map(function (w) { return [w]; });
  }

  // Two whole words that `letters` read as, the first as long as it can be.
  // Short initials read as many words (gl: 管理, 桂林 …): two words that stand
  // together in a word of the lexicon (糖尿病 … 管理 in 糖尿病规范化管理) win.
  function twoWords(letters, lexicon) {
    var fallback = null;
    for (var k = letters.length - 2; k >= 2; k -= 1) {
      var firsts = readAs(letters.slice(0, k), lexicon).whole;
      var seconds = firsts.length ? readAs(letters.slice(k), lexicon).whole : [];
      for (var i = 0; i < firsts.length; i += 1) {
        for (var j = 0; j < seconds.length; j += 1) {
          if (together(firsts[i], seconds[j], lexicon)) { return [firsts[i], seconds[j]]; }
        }
      }
      if (!fallback && seconds.length) { fallback = [firsts[0], seconds[0]]; }
    }
    return fallback;
  }

  function together(a, b, lexicon) {
    return lexicon.words.some(function (w) { return w.indexOf(a) >= 0 && w.indexOf(b) >= 0; });
  }

  function byInitials(letters) {
    return letters.length <= 4 || !/[aeiouv]/.test(letters);
  }

  // {whole, inside}: words of the lexicon that `letters` read as, whole or in part.
  function readAs(letters, lexicon) {
    var initials = byInitials(letters);
    function reads(word, i, j) {
      if (j === letters.length) { return i; }
      if (i === word.length) { return -1; }
      var options = lexicon.readings[word[i]] || [];
      // Initials follow the usual reading only.
      if (initials) { options = options.slice(0, 1); }
      for (var k = 0; k < options.length; k += 1) {
        var syllable = options[k];
        var next = initials ? (letters[j] === syllable[0] ? j + 1 : -1)
          : (letters.substr(j, syllable.length) === syllable ? j + syllable.length : -1);
        if (next > 0) {
          var end = reads(word, i + 1, next);
          if (end > 0) { return end; }
        }
      }
      return -1;
    }
    var whole = [];
    var inside = [];
    for (var n = 0; n < lexicon.words.length && whole.length < ALTERNATIVES; n += 1) {
      var word = Array.from(lexicon.words[n]);
      for (var start = 0; start < word.length; start += 1) {
        var end = reads(word, start, 0);
        if (end > start + 1) {
          var found = word.slice(start, end).join("");
          var list = start === 0 && end === word.length ? whole : inside;
          if (list.indexOf(found) < 0) { list.push(found); }
          break;
        }
      }
    }
    return { whole: whole, inside: inside };
  }

  function sameReading(a, b, lexicon) {
    var ra = lexicon.readings[a] || [];
    var rb = lexicon.readings[b] || [];
    return ra.some(function (r) { return rb.indexOf(r) >= 0; });
  }

  // Words of the lexicon that read like `text` with one character told apart (偏保 → 骗保).
  function soundAlikes(text, lexicon) {
    var chars = Array.from(text);
    var out = [];
    for (var n = 0; n < lexicon.words.length && out.length < ALTERNATIVES; n += 1) {
      var word = Array.from(lexicon.words[n]);
      if (word.length !== chars.length || lexicon.words[n] === text) { continue; }
      var differ = 0;
      var alike = true;
      for (var i = 0; i < word.length && alike; i += 1) {
        if (word[i] !== chars[i]) {
          differ += 1;
          alike = sameReading(word[i], chars[i], lexicon);
        }
      }
      if (alike && differ === 1) { out.push(lexicon.words[n]); }
    }
    return out;
  }

  // ---- searching ----------------------------------------------------------------

  // Pagefind answers a word it does not hold with the words of its longest
  // prefix that it does (zzqwxk → every zz… word), in each shard of a merged
  // index on its own, and leaves such a word out of a search of several words.
  // So a pair (always whole) is looked up exactly as well ("…" finds only the
  // word itself, in every shard), and the records found must hold every pair;
  // a word that may be a prefix (one character, a number, a date) is checked
  // once: where its first result matched, does a word begin with it?
  var EXACT = /^(zq[a-p]{8}|zr[a-z]+)$/;
  var held = {};
  function holding(pagefind, word) {
    if (window.PORTAL_SEARCH_BACKEND) { return Promise.resolve(null); }  // the USB bundle's search never guesses
    if (!held[word]) {
      held[word] = EXACT.test(word)
        ? pagefind.search("\"" + word + "\"").then(function (found) {
          var ids = {};
          found.results.forEach(function (r) { ids[r.id] = true; });
          return ids;
        })
        : pagefind.search(word).then(function (found) {
          if (!found.results.length) { return {}; }
          var first = found.results[0];
          // The result's own word positions: a fragment's `locations` are shared
          // by every search that fetched it, and the last one writes them.
          return first.data().then(function (d) {
            var words = (d.content || "").split(/\s+/);
            var begins = (first.words || []).some(function (at) {
              return (words[at] || "").replace(/[^0-9a-z]+$/, "").lastIndexOf(word, 0) === 0;
            });
            return begins ? null : {};  // null: any record Pagefind finds
          });
        });
    }
    return held[word];
  }

  // Pagefind's results for one variant: records holding every word of it.
  function lookUp(pagefind, words, options, cache) {
    var key = words.join(" ") + "\u0000" + JSON.stringify(options);
    if (!cache[key]) {
      cache[key] = Promise.all(words.map(function (w) { return holding(pagefind, w); })).then(function (sets) {
        if (sets.some(function (ids) { return ids && !Object.keys(ids).length; })) { return { results: [], filters: {} }; }
        return Promise.all([pagefind.search(words.join(" "), options), marking(pagefind, words)]).then(function (both) {
          var found = both[0];
          var results = found.results.filter(function (r) {
            return sets.every(function (ids) { return !ids || ids[r.id]; });
          });
          return { results: results, filters: results.length === found.results.length ? found.filters : null };
        });
      });
    }
    return cache[key];
  }

  // The marked records among those holding `words`: the same search once per
  // mark, from the index chunks it needs anyway (only the small filter file is
  // new). A record's marks are the same in every lookup, so they are kept by
  // id, and the same words are marked once (lookups differ by the reader's filters).
  var marksOf = {};
  var markedWords = {};
  function marking(pagefind, words) {
    var key = words.join(" ");
    if (!markedWords[key]) {
      markedWords[key] = Promise.all(Object.keys(TRUST).map(function (mark) {
        var filters = {};
        filters[MARK_FILTER] = mark;
        return pagefind.search(key, { filters: filters }).then(function (found) {
          found.results.forEach(function (r) { (marksOf[r.id] || (marksOf[r.id] = {}))[mark] = true; });
        });
      }));
    }
    return markedWords[key];
  }

  // {id → share of the concept's best score} for one concept.
  function matchConcept(pagefind, concept, options, cache) {
    var looked = concept.variants.filter(function (v) { return v.words.length; });
    var lookups = looked.map(function (v) { return lookUp(pagefind, v.words, options, cache); });
    return Promise.all(lookups).then(function (all) {
      // Scores per word of the variant (Pagefind adds up its words' scores: a
      // long variant's many words would otherwise outscore a short one's match
      // in a title), against the concept's best record.
      var perWord = [];
      var top = 0;
      all.forEach(function (found, n) {
        var size = Math.max(1, looked[n].words.length);
        perWord.push(found.results.map(function (r) {
          top = Math.max(top, r.score / size);
          return [r, r.score / size];
        }));
      });
      var shares = {};
      perWord.forEach(function (list) {
        list.forEach(function (pair) {
          var share = top ? pair[1] / top : 1;
          if (!shares[pair[0].id] || share > shares[pair[0].id].share) {
            shares[pair[0].id] = { result: pair[0], share: share };
          }
        });
      });
      concept.hits = Object.keys(shares).length;
      // Pagefind's own counts are this concept's when one lookup found it all.
      concept.counts = all.length === 1 ? all[0].filters : null;
      concept.widest = all.reduce(function (a, b) { return !a || b.results.length > a.results.length ? b : a; }, null);
      return shares;
    });
  }

  // Pinyin and corrections: concepts rewritten with the lexicon, when needed.
  function consult(read, lexicon, terms) {
    read.concepts.forEach(function (c) {
      if (c.consulted) { return; }
      if (c.pinyin) {
        c.consulted = true;
        var readings = pinyinWords(c.pinyin, lexicon);
        // Read as pinyin, the letters are not searched as such (Pagefind would
        // answer an unknown word with its nearest words).
        if (readings.length) { c.variants = []; }
        var spelled = function (word) {
          var entry = terms.known[word];
          return (entry && entry.group ? entry.group : [word]).map(textVariant);
        };
        readings.forEach(function (words) {
          c.variants = c.variants.concat(spelled(words[0]));
          // Two words typed together: each is wanted, as its own concept.
          words.slice(1).forEach(function (w) {
            read.concepts.push({ text: w, variants: spelled(w), consulted: true });
          });
          read.understood.pinyin.push({ from: c.pinyin, to: words.join("") });
        });
      } else if (c.hits === 0 && HAN.test(c.text)) {
        c.consulted = true;
        soundAlikes(c.text, lexicon).filter(function (word) {
          // In a longer piece the correction must fit its neighbours (高血鸭 → 高血压).
          return !c.piece || fits(c, word, lexicon);
        }).forEach(function (word, n) {
          c.variants.push(textVariant(word));
          if (n === 0) { read.understood.corrected.push({ from: c.text, to: word }); }
        });
        if (c.variants.length === 1 && c.piece) {
          // Nothing reads like it: its characters each (传承人（乙） has no pair 人乙).
          Array.from(c.text).forEach(function (ch) { c.variants.push({ text: ch, words: [code([ch])] }); });
        }
      }
    });
  }

  function fits(concept, word, lexicon) {
    var piece = Array.from(concept.piece);
    var fixed = piece.slice();
    fixed[concept.at] = word[0];
    fixed[concept.at + 1] = word[1];
    var ok = true;
    [concept.at - 1, concept.at + 1].forEach(function (i) {
      if (i >= 0 && i + 1 < fixed.length && (fixed[i] !== piece[i] || fixed[i + 1] !== piece[i + 1])) {
        var pair = fixed[i] + fixed[i + 1];
        ok = ok && lexicon.rank[pair] !== undefined;
      }
    });
    return ok;
  }

  function corrected(query, understood) {
    var text = query;
    understood.corrected.forEach(function (c) { text = text.split(c.from).join(c.to); });
    understood.pinyin.slice(0, 1).forEach(function (p) { text = text.split(p.from).join(p.to); });
    return text;
  }

  // search(query, {filters, sort, counts}) → the answer (see search-page.js).
  // Nothing found with the reader's filters or a date in the query: the answer
  // names the nearest wider search that finds something (relaxed: {query,
  // total, filters: false when it drops the filters}).
  function search(query, own) {
    return answerFor(query, own).then(function (answer) {
      if (answer.total || (own && own.relaxing)) { return answer; }
      var hasFilters = own && own.filters && Object.keys(own.filters).length;
      var date = answer.understood && answer.understood.date;
      var wider = hasFilters ? { query: query, filters: false }
        : date && answer.rest ? { query: answer.rest, filters: true } : null;
      if (!wider) { return answer; }
      return answerFor(wider.query, { filters: wider.filters ? own.filters : null, counts: false, relaxing: true })
        .then(function (other) {
          if (other.total) { answer.relaxed = { query: wider.query, total: other.total, filters: wider.filters }; }
          return answer;
        });
    });
  }

  function answerFor(query, own) {
    own = own || {};
    var options = {};
    if (own.filters && Object.keys(own.filters).length) { options.filters = own.filters; }
    var counts = own.counts !== false;
    return load().then(function (loaded) {
      var pagefind = loaded.pagefind;
      var read = understand(query, loaded.terms);
      var empty = { words: [], results: [], total: 0, filters: {}, partial: false, complete: true,
                    understood: read.understood, suggestions: [], facets: read.understood.facets };
      var rest = read.date ? read.date.rest.replace(/\s+/g, " ").trim() : "";
      if (!read.concepts.length && !read.date) {
        if (!options.filters) { return empty; }
        // Filters alone: the word every document holds (a search without words
        // would fetch every index chunk).
        return pagefind.search(EVERY, Object.assign(own.sort ? { sort: own.sort } : {}, options)).then(function (found) {
          return finish(found.results, found.filters, read, counts, false, []);
        });
      }
      var cache = {};
      var needsLexicon = read.concepts.some(function (c) { return c.pinyin; });
      return (needsLexicon ? loadLexicon() : Promise.resolve(null)).then(function (lexicon) {
        if (lexicon) { consult(read, lexicon, loaded.terms); }
        return run(pagefind, read, options, cache);
      }).then(function (answer) {
        var missing = read.concepts.some(function (c) { return c.hits === 0 && !c.consulted && HAN.test(c.text); });
        if (!missing) { return answer; }
        return loadLexicon().then(function (lexicon) {
          var before = read.understood.corrected.length;
          consult(read, lexicon, loaded.terms);
          var widened = read.concepts.some(function (c) { return c.consulted && c.variants.length > 1 && !c.pinyin; });
          return read.understood.corrected.length > before || widened ? run(pagefind, read, options, cache) : answer;
        });
      }).then(function (answer) {
        var suggestions = [];
        if (read.understood.corrected.length || read.understood.pinyin.length) {
          var better = corrected(query, read.understood);
          if (better !== query) { suggestions.push({ text: better, query: better }); }
        }
        return finish(answer.results, answer.filters, read, counts, answer.partial, suggestions, own.sort, pagefind,
                      options, answer.widest);
      }).then(function (answer) {
        answer.rest = rest;
        return answer;
      });
    });
  }

  // Every concept looked up; records ranked by how much of the query they cover.
  function run(pagefind, read, options, cache) {
    var lookups = read.concepts.map(function (c) { return matchConcept(pagefind, c, options, cache); });
    var dateLookup = read.date
      ? Promise.all(read.date.words.map(function (w) { return lookUp(pagefind, [w], options, cache); }))
      : Promise.resolve(null);
    return Promise.all([Promise.all(lookups), dateLookup]).then(function (all) {
      var perConcept = all[0];
      var dated = null;
      if (all[1]) {
        dated = {};
        all[1].forEach(function (found) { found.results.forEach(function (r) { dated[r.id] = r; }); });
      }
      var entries = {};
      var live = 0;  // concepts that match anything at all
      perConcept.forEach(function (shares) {
        var ids = Object.keys(shares);
        if (ids.length) { live += 1; }
        ids.forEach(function (id) {
          if (dated && !dated[id]) { return; }
          var e = entries[id] || (entries[id] = { result: shares[id].result, covered: 0, score: 0 });
          e.covered += 1;
          e.score += shares[id].share;
        });
      });
      if (!read.concepts.length && dated) {
        Object.keys(dated).forEach(function (id) { entries[id] = { result: dated[id], covered: 0, score: 1 }; });
      }
      var list = Object.keys(entries).map(function (id) { return entries[id]; });
      var most = list.reduce(function (n, e) { return Math.max(n, e.covered); }, 0);
      list.forEach(function (e) {
        // How much of the query a record covers counts beside how well each part matched.
        if (most) { e.score *= 0.5 + 0.5 * e.covered / most; }
        Object.keys(marksOf[e.result.id] || {}).forEach(function (mark) { e.score *= TRUST[mark]; });
      });
      // Records that cover at least half as much of the query as the best one.
      list = list.filter(function (e) { return e.covered * 2 >= most; });
      list.sort(function (a, b) { return b.score - a.score || b.covered - a.covered; });
      var only = read.concepts.length === 1 && !dated ? read.concepts[0] : null;
      // Put together from several lookups, an answer has no counts of its own
      // (Pagefind counts one search): the widest lookup's stand in, marked approximate.
      var widest = null;
      read.concepts.forEach(function (c) {
        if (c.widest && c.widest.filters && (!widest || c.widest.results.length > widest.results.length)) {
          widest = c.widest;
        }
      });
      return {
        results: list.map(function (e) { return e.result; }),
        partial: live > 0 && most < live,
        filters: only && only.counts ? only.counts : null,
        widest: widest ? widest.filters : null
      };
    });
  }

  // ---- results ------------------------------------------------------------------

  function escapeHtml(text) {
    return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  // The strings a result's text may hold for the query (every variant's text).
  function needles(read) {
    var out = [];
    read.concepts.forEach(function (c) {
      c.variants.forEach(function (v) { if (HAN.test(v.text) && out.indexOf(v.text) < 0) { out.push(v.text); } });
    });
    // Pairs of a longer piece are marked as the piece where it stands whole.
    read.concepts.forEach(function (c) { if (c.piece && out.indexOf(c.piece) < 0) { out.unshift(c.piece); } });
    return out.sort(function (a, b) { return b.length - a.length; });
  }

  // One sentence of the summary or text, the one holding most of the query, terms marked.
  function excerpt(meta, marks) {
    var sentences = [];
    [meta.summary, meta.text].forEach(function (text) {
      (text || "").split(/(?<=[。！？；])|\n/).forEach(function (s) {
        s = s.trim();
        if (s) { sentences.push(s); }
      });
    });
    if (!sentences.length) { return ""; }
    var best = sentences[0];
    var bestHits = -1;
    sentences.forEach(function (s) {
      var hits = marks.filter(function (m) { return s.indexOf(m) >= 0; }).length;
      if (hits > bestHits) { best = s; bestHits = hits; }
    });
    var at = marks.reduce(function (n, m) {
      var i = best.indexOf(m);
      return i >= 0 && (n < 0 || i < n) ? i : n;
    }, -1);
    var start = at > EXCERPT_CHARS / 2 ? at - 20 : 0;
    var text = (start ? "…" : "") + best.slice(start, start + EXCERPT_CHARS) +
      (start + EXCERPT_CHARS < best.length ? "…" : "");
    var html = escapeHtml(text);
    if (!marks.length) { return html; }
    var pattern = new RegExp("(" + marks.map(function (m) {
      return escapeHtml(m).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }).join("|") + ")", "g");
    return html.replace(pattern, "<mark>$1</mark>");
  }

  function withHighlight(url, terms) {
    var target = new URL(url, window.location.href);
    target.searchParams.delete("highlight");
    terms.forEach(function (t) { target.searchParams.append("highlight", t); });
    return target.pathname + target.search + target.hash;
  }

  // A meta value as written for Pagefind (portal/search_docs.py: hidden): "~",
  // then four of HIDDEN_DIGITS per UTF-16 code unit. The USB bundle's are plain.
  var HIDDEN_DIGITS = "!#$%()*+-./;=?@[";
  var HIDDEN = /^~(?:[!#$%()*+\-./;=?@[]{4})*$/;
  function shown(value) {
    if (typeof value !== "string" || !HIDDEN.test(value)) { return value; }
    var out = "";
    for (var i = 1; i < value.length; i += 4) {
      var unit = 0;
      for (var k = 0; k < 4; k += 1) { unit = unit * 16 + HIDDEN_DIGITS.indexOf(value[i + k]); }
      out += String.fromCharCode(unit);
    }
    return out;
  }

  function item(r, marks) {
    return r.data().then(function (d) {
      var meta = {};
      Object.keys(d.meta || {}).forEach(function (key) { meta[key] = shown(d.meta[key]); });
      return {
        url: marks.length ? withHighlight(d.url, marks.slice(0, 5)) : d.url,
        plainUrl: d.url.split("?")[0],
        title: meta.title || d.url,
        kind: meta["栏目"] || "",
        example: meta["示例"] === "1",
        facts: (meta.facts || "").split("｜").filter(Boolean),
        badge: meta.badge ? { label: meta.badge, tone: meta.tone || "unknown" } : null,
        meta: meta,
        filters: d.filters || {},
        excerpt: excerpt(meta, marks)
      };
    });
  }

  function finish(results, filters, read, counts, partial, suggestions, sort, pagefind, options, widest) {
    var marks = needles(read);
    var ordered = Promise.resolve(results);
    if (sort && pagefind && results.length > 1) {
      // Newest first: every notice's place in the index's own date order, from
      // its date word (zd…); records without one follow in the order found.
      ordered = datePlaces(pagefind, sort).then(function (position) {
        var last = Object.keys(position).length;
        var place = function (r, i) { return position[r.id] !== undefined ? position[r.id] : last + i; };
        var order = {};
        results.forEach(function (r, i) { order[r.id] = place(r, i); });
        return results.slice().sort(function (a, b) { return order[a.id] - order[b.id]; });
      });
    }
    return ordered.then(function (list) {
      var wrapped = list.map(function (r) {
        return { id: r.id, score: r.score, data: function () { return item(r, marks); } };
      });
      var answer = {
        words: marks, results: wrapped, total: wrapped.length, filters: filters, partial: !!partial,
        complete: true, understood: read.understood, suggestions: suggestions || [],
        facets: read.understood.facets
      };
      if (!wrapped.length) { return withLexiconSuggestions(answer, read); }
      if ((filters && Object.keys(filters).length) || !counts) { return answer; }
      if (wrapped.length > COUNTED) {
        answer.filters = widest || {};
        answer.approximate = true;
        return answer;
      }
      // A short answer is counted from its own records (the fragments it shows).
      return Promise.all(wrapped.map(function (r) { return r.data(); })).then(function (all) {
        var found = {};
        all.forEach(function (d) {
          Object.keys(d.filters).forEach(function (name) {
            var group = found[name] || (found[name] = {});
            d.filters[name].forEach(function (v) { group[v] = (group[v] || 0) + 1; });
          });
        });
        answer.filters = found;
        return answer;
      });
    });
  }

  var places = null;
  function datePlaces(pagefind, sort) {
    if (!places) {
      places = pagefind.search("zd", { sort: sort }).then(function (found) {
        var position = {};
        found.results.forEach(function (r, i) { position[r.id] = i; });
        return position;
      });
    }
    return places;
  }

  // Nothing found: words of the index that share the query's characters.
  function withLexiconSuggestions(answer, read) {
    return loadLexicon().then(function (lexicon) {
      var chars = {};
      read.concepts.forEach(function (c) { Array.from(c.text).forEach(function (ch) { if (HAN.test(ch)) { chars[ch] = true; } }); });
      var seen = {};
      answer.suggestions.forEach(function (s) { seen[s.query] = true; });
      for (var n = 0; n < lexicon.words.length && answer.suggestions.length < 5; n += 1) {
        var word = lexicon.words[n];
        if (word.length >= 2 && !seen[word] && Array.from(word).some(function (ch) { return chars[ch]; })) {
          answer.suggestions.push({ text: word, query: word });
          seen[word] = true;
        }
      }
      return answer;
    });
  }

  // All filter values with their counts. Loading them also lets every later
  // search report counts per filter (Pagefind only counts loaded filters).
  function allFilters() {
    return load().then(function (loaded) { return loaded.pagefind.filters(); });
  }

  window.PortalSearch = { search: search, filters: allFilters, load: load, understand: function (q) {
    return load().then(function (loaded) { return understand(q, loaded.terms).understood; });
  } };
})();
