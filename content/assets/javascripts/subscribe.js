// 订阅: the reader's own province first. When the reader's facility is stored
// in this browser (我的机构, facility.js), the feeds
// block (block_feeds.html) gets a box at its top with that province's feed and
// calendar. The links are the page's own (data-portal-feed-region,
// data-portal-calendar-region): no address is made here. Without a stored
// facility, with one outside the provinces (全国) or with storage that cannot
// be read, the page stays as it is.
(function () {
  "use strict";
  // The facility as 我的机构 keeps it (facility.js, loaded before this file).
  function storedRegion() {
    var facility = window.PortalFacility ? window.PortalFacility.read() : null;
    return facility ? facility.region : null;
  }

  function marked(block, name, value) {
    var found = block.querySelectorAll("[" + name + "]");
    for (var i = 0; i < found.length; i++) {
      if (found[i].getAttribute(name) === value) { return found[i]; }
    }
    return null;
  }

  function link(box, slot, source) {
    var item = box.querySelector('[data-portal-slot="' + slot + '"]');
    if (!item) { return; }
    if (!source) {
      item.parentNode.removeChild(item);
      return;
    }
    item.querySelector("a").setAttribute("href", source.getAttribute("href"));
  }

  function offer() {
    var block = document.querySelector("[data-portal-subscriptions]");
    var template = block && block.querySelector("template[data-portal-own-region]");
    if (!template || block.querySelector("[data-portal-own-region-box]")) { return; }
    var region = storedRegion();
    var calendar = region && marked(block, "data-portal-calendar-region", region);
    if (!calendar) { return; }  // no facility, or not one of the provinces
    var box = template.content.firstElementChild.cloneNode(true);
    box.setAttribute("data-portal-own-region-box", region);
    Array.prototype.forEach.call(box.querySelectorAll('span[data-portal-slot="region"]'), function (span) {
      span.textContent = region;
    });
    link(box, "feed", marked(block, "data-portal-feed-region", region));
    link(box, "calendar", calendar);
    block.insertBefore(box, block.firstChild);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", offer);
  } else {
    offer();
  }
  // Material's instant navigation swaps the content without a new page load.
  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(offer); }
})();
