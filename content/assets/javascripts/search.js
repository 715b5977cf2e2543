// Mounts Pagefind's UI in the header in place of Material's search.
(function () {
  "use strict";

  var TRANSLATIONS = {
    placeholder: "搜索技术、传承人、政策通知",
    clear_search: "清除",
    load_more: "加载更多结果",
    search_label: "站内搜索",
    filters_label: "筛选",
    zero_results: "没有找到与“[SEARCH_TERM]”相关的内容。可以换个说法、缩短关键词，或从栏目页按分类浏览。",
    many_results: "找到 [COUNT] 条与“[SEARCH_TERM]”相关的结果",
    one_result: "找到 1 条与“[SEARCH_TERM]”相关的结果",
    alt_search: "没有找到与“[SEARCH_TERM]”相关的内容，以下是“[DIFFERENT_TERM]”的结果",
    search_suggestion: "没有找到与“[SEARCH_TERM]”相关的内容，请尝试以下搜索：",
    searching: "正在搜索“[SEARCH_TERM]”……"
  };

  function mount() {
    var element = document.getElementById("portal-search");
    if (!element || typeof window.PagefindUI !== "function") {
      return;
    }
    var config = window.PORTAL_SEARCH;
    new window.PagefindUI(Object.assign({
      element: "#portal-search",
      baseUrl: config.siteRoot(),
      showImages: false,
      showSubResults: true,
      resetStyles: false,
      pageSize: 8,
      translations: TRANSLATIONS
    }, config.options));
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mount);
  } else {
    mount();
  }
})();
