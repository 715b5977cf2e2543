// A printed record carries its own address and the day it was printed
// (_macros.html print_foot): filled in here, when the page loads and again
// just before printing, so a page printed days after it was opened says so.
(function () {
  "use strict";
  var CHINA = 8 * 60 * 60 * 1000;  // the site's dates are China's (UTC+8)

  function fill() {
    var canonical = document.querySelector('link[rel="canonical"]');
    var address = canonical ? canonical.href : window.location.href.split(/[?#]/)[0];
    Array.prototype.forEach.call(document.querySelectorAll("[data-portal-print-url]"), function (el) {
      el.textContent = address;
    });
    var now = new Date(Date.now() + CHINA);
    var day = now.getUTCFullYear() + "年" + (now.getUTCMonth() + 1) + "月" + now.getUTCDate() + "日";
    Array.prototype.forEach.call(document.querySelectorAll("[data-portal-print-date]"), function (el) {
      el.textContent = day;
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fill);
  } else {
    fill();
  }
  window.addEventListener("beforeprint", fill);
})();
