// Dates relative to the reader's today (还有 3 天, 今天, 已过) beside the absolute
// date the page was built with (<time datetime=… data-portal-relative>): worked
// out here, not at build time, so a page saved offline or built days ago never
// counts from a day that has passed. Days are counted in China's time zone,
// the zone the site's dates are written in.
(function () {
  "use strict";
  var DAY = 24 * 60 * 60 * 1000;
  var CHINA = 8 * 60 * 60 * 1000;  // UTC+8, no daylight saving

  function chinaToday() {
    var now = new Date(Date.now() + CHINA);
    return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  }

  function words(days) {
    if (days === 0) { return "今天"; }
    return days > 0 ? "还有 " + days + " 天" : "已过";
  }

  // Days from China's today to an ISO date (negative: past); null for anything else.
  function daysUntil(iso, today) {
    var parts = (iso || "").split("-");
    if (parts.length !== 3) { return null; }
    return Math.round((Date.UTC(+parts[0], +parts[1] - 1, +parts[2]) - (today || chinaToday())) / DAY);
  }

  // 2024年3月2日, as the site writes dates (portal/dates.py cn_date).
  function cnDate(iso) {
    var parts = iso.split("-");
    return +parts[0] + "年" + +parts[1] + "月" + +parts[2] + "日";
  }

  function mark() {
    var today = chinaToday();
    Array.prototype.forEach.call(document.querySelectorAll("time[data-portal-relative]"), function (time) {
      var days = daysUntil(time.getAttribute("datetime"), today);
      if (days === null) { return; }
      var note = time.nextElementSibling;
      if (!note || !note.hasAttribute("data-portal-relative-note")) {
        note = document.createElement("span");
        note.className = "portal-muted";
        note.setAttribute("data-portal-relative-note", "");
        time.parentNode.insertBefore(note, time.nextSibling);
      }
      note.textContent = "（" + words(days) + "）";
      var item = time.closest(".portal-timeline li");
      if (item) {
        item.classList.toggle("portal-past", days < 0);
        item.classList.toggle("portal-upcoming", days >= 0);
      }
    });
  }

  // Dates a script adds later (the home page's 我的机构, facility.js) are marked on request.
  window.PortalDates = { mark: mark, daysUntil: daysUntil, cnDate: cnDate, words: words };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
  // Material's instant navigation swaps the content without a new page load.
  if (window.document$ && window.document$.subscribe) { window.document$.subscribe(mark); }
})();
