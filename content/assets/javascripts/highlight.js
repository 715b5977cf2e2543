// On a page opened from a search result (…?highlight=term), mark the terms and
// scroll to the first one.
const params = new URLSearchParams(window.location.search);
if (params.has("highlight")) {
  import(new URL("../../pagefind/pagefind-highlight.js", import.meta.url).href).then(() => {
    new window.PagefindHighlight({ highlightParam: "highlight", addStyles: false });
    const first = document.querySelector("mark.pagefind-highlight");
    if (first) {
      first.scrollIntoView({ block: "center" });
    }
  });
}
