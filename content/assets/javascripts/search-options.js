// Options shared by every search on the site (header, search page, relevance tests).
window.PORTAL_SEARCH = {
  // Pagefind core options: a result link carries ?highlight=… so the record page marks the terms.
  options: {
    excerptLength: 40,
    // Scores follow the field weights (a name weighs 10, the body 1; search_docs.py),
    // whatever a page's length: the body is indexed as its distinct pairs.
    ranking: { pageLength: 0, termSaturation: 2 },
    // Pagefind's entry file is fetched as …?ts=<build>, so caches can keep it until the next build.
    metaCacheTag: window.PORTAL_BUILD || null
  },
  // Filter names in the index (Chinese) ↔ names in the search page URL.
  filterParams: {
    "栏目": "collection",
    "地区": "region",
    "主题": "topic",
    "年份": "year",
    "推广状态": "promotion",
    "效力状态": "validity",
    "招收状态": "enrolment",
    "层级": "tier",
    "管理类别": "class",
    "技术范围": "category",
    "适用机构": "level",
    "传承类别": "track"
  },
  siteRoot: function () {
    // Pagefind stores root-relative URLs; the site may live under a sub-path.
    var script = document.querySelector('script[src$="assets/javascripts/search-options.js"]');
    if (!script) { return "/"; }
    var root = new URL("../../", script.src);
    // From disk the whole file: URL is needed to build links.
    return root.protocol === "file:" ? root.href : root.pathname;
  }
};
