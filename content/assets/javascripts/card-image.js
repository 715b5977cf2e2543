// 保存为图片: a technology's bedside card as a PNG to share in chat groups,
// drawn here in the browser from the page itself (record_technologies.html
// marks what it shows with data-portal-card…): the site's name, the technology,
// its tags, the notes in boxes (备案, 临床研究), its key facts, indications,
// contraindications and equipment (shortened), the QR code of the page's address
// (the inline SVG's path, render/qr.py), the address and the card's dates.
// Without JavaScript there is no button: the print card is the page itself.
(function () {
  "use strict";

  var WIDTH = 1080;            // px: a phone screen's width in chat apps
  var PAD = 64;
  var QR_PX = 260;             // the code's side at most, quiet zone included
  var INK = "#1a1a1a", MUTED = "#555", ACCENT = "#00695c", WARN = "#b71c1c", EXAMPLE = "#8a4b00";
  // A line never starts with these (closing punctuation): the character before comes along.
  var NO_START = "，。、；：？！）》」』”’〉】…,.;:?!)]}%/";
  var LIST_ITEMS = 5;          // items of each list on the card; the rest are counted

  function text(el) {
    return el ? (el.textContent || "").replace(/\s+/g, " ").trim() : "";
  }

  function chars(s) {
    return Array.from ? Array.from(s) : s.split("");
  }

  // Lines of `s` within `width`, measured a character at a time (Chinese has no
  // spaces to break at); at most `max` lines, the last one cut with "…".
  function wrap(ctx, s, width, max) {
    var lines = [], line = [];
    chars(s).forEach(function (ch) {
      if (line.length && ctx.measureText(line.join("") + ch).width > width) {
        var carried = [];
        if (NO_START.indexOf(ch) >= 0 && line.length > 1) carried = [line.pop()];
        lines.push(line.join(""));
        line = carried;
        if (ch === " " && !line.length) return;
      }
      line.push(ch);
    });
    if (line.length) lines.push(line.join(""));
    if (max && lines.length > max) {
      lines = lines.slice(0, max);
      var last = chars(lines[max - 1]);
      while (last.length && ctx.measureText(last.join("") + "…").width > width) last.pop();
      lines[max - 1] = last.join("") + "…";
    }
    return lines;
  }

  // What the card shows, read from the page.
  function facts(card) {
    var found = {
      site: (document.querySelector('meta[property="og:site_name"]') || {}).content || "",
      title: text(card.querySelector("h1")),
      example: card.getAttribute("data-portal-card-example") || "",
      tags: [], notes: [], rows: [], lists: [], lines: [],
      address: text(card.querySelector("[data-portal-print-url]")),
      qr: card.querySelector("svg.portal-qr")
    };
    if (!found.address) {
      var canonical = document.querySelector('link[rel="canonical"]');
      found.address = canonical ? canonical.href : window.location.href.split(/[?#]/)[0];
    }
    found.summary = text(card.querySelector(".portal-lede"));
    Array.prototype.forEach.call(card.querySelectorAll(":scope > .admonition"), function (box) {
      var note = { title: text(box.querySelector(".admonition-title")), rows: [] };
      var dts = box.querySelectorAll("dl > dt");
      Array.prototype.forEach.call(dts, function (dt) {
        var dd = dt.nextElementSibling;
        if (note.rows.length < 3 && dd && !dd.querySelector("ol, ul")) note.rows.push(text(dt) + "：" + text(dd));
      });
      if (!dts.length) {
        var first = box.querySelector("p:not(.admonition-title)");
        if (first) note.rows.push(text(first));
      }
      found.notes.push(note);
    });
    var dl = card.querySelector("[data-portal-card-facts]");
    Array.prototype.forEach.call(dl ? dl.querySelectorAll("dt") : [], function (dt) {
      found.rows.push([text(dt), text(dt.nextElementSibling)]);
    });
    // The status; a tag the card says elsewhere (示例 above, 管理类别 and 医学体系 below) is not said twice.
    var named = found.rows.map(function (row) { return row[1]; }).concat(found.example ? ["示例"] : []);
    Array.prototype.forEach.call(card.querySelectorAll(".portal-badges > span"), function (tag) {
      if (named.indexOf(text(tag)) < 0) found.tags.push(text(tag));
    });
    ["indications", "contraindications", "equipment"].forEach(function (id) {
      var heading = document.getElementById(id);
      var list = heading && heading.nextElementSibling;
      if (!heading || !list || list.tagName !== "UL") return;
      found.lists.push({ title: text(heading), items: Array.prototype.map.call(list.children, text) });
    });
    Array.prototype.forEach.call(card.querySelectorAll("[data-portal-card-line]"), function (line) {
      found.lines.push(text(line));
    });
    return found;
  }

  // Draws the card; with `measure` only works out its height (returned).
  function draw(ctx, card, family, measure) {
    var y = PAD, left = PAD, width = WIDTH - 2 * PAD;

    function font(size, bold) {
      ctx.font = (bold ? "bold " : "") + size + "px " + family;
    }
    // A paragraph wrapped to the card's width, at most `max` lines.
    function para(s, size, options) {
      options = options || {};
      font(size, options.bold);
      var indent = options.indent || 0;
      wrap(ctx, s, width - indent, options.max).forEach(function (line) {
        if (!measure) {
          ctx.fillStyle = options.color || INK;
          ctx.fillText(line, left + indent, y + size);
        }
        y += Math.round(size * 1.45);
      });
    }
    function gap(px) { y += px; }
    function rule() {
      if (!measure) {
        ctx.fillStyle = "#bbb";
        ctx.fillRect(left, y, width, 2);
      }
      y += 2;
    }

    para(card.site, 28, { color: MUTED });
    gap(8); rule(); gap(28);
    if (card.example) {
      font(28, true);
      var tag = ctx.measureText("示例").width + 24;
      if (!measure) {
        ctx.fillStyle = EXAMPLE;
        ctx.fillRect(left, y, tag, 44);
        ctx.fillStyle = "#fff";
        ctx.fillText("示例", left + 12, y + 32);
      }
      gap(54);
      para(card.example, 28, { color: EXAMPLE, bold: true, max: 2 });
      gap(16);
    }
    para(card.title, 56, { bold: true, max: 3 });
    gap(4);
    if (card.tags.length) para(card.tags.join(" · "), 30, { color: ACCENT, bold: true, max: 2 });
    gap(12);
    if (card.summary) para(card.summary, 30, { max: 4 });
    card.notes.forEach(function (note) {
      gap(18);
      var top = y;
      para(note.title, 30, { bold: true, color: WARN, indent: 24, max: 2 });
      note.rows.forEach(function (row) { para(row, 26, { indent: 24, max: 2 }); });
      if (!measure) {
        ctx.fillStyle = WARN;
        ctx.fillRect(left, top + 4, 6, y - top - 8);
      }
    });
    gap(18);
    card.rows.forEach(function (row) {
      para(row[0] + "：" + row[1], 30, { max: 3 });
      gap(4);
    });
    card.lists.forEach(function (list) {
      gap(18);
      para(list.title, 34, { bold: true });
      list.items.slice(0, LIST_ITEMS).forEach(function (item) { para("· " + item, 28, { max: 2 }); });
      if (list.items.length > LIST_ITEMS) {
        para("另有 " + (list.items.length - LIST_ITEMS) + " 项，见本页网址", 26, { color: MUTED });
      }
    });
    gap(28); rule(); gap(28);

    // The foot: the QR code, then the address and the dates beside it.
    var top = y, side = 0;
    if (card.qr) {
      var modules = card.qr.viewBox.baseVal.width || 1;
      var scale = Math.max(1, Math.floor(QR_PX / modules));  // whole pixels per module: sharp edges
      side = modules * scale;
      if (!measure) {
        ctx.fillStyle = "#fff";
        ctx.fillRect(left, y, side, side);
        ctx.save();
        ctx.translate(left, y);
        ctx.scale(scale, scale);
        ctx.strokeStyle = "#000";
        ctx.lineWidth = 1;
        ctx.stroke(new Path2D(card.qr.querySelector("path").getAttribute("d")));
        ctx.restore();
      }
      left += side + 24;
      width -= side + 24;
      y += 16;
    }
    para("本页地址：", 26, { color: MUTED, bold: true });
    para(card.address, 26, { max: 3 });
    gap(10);
    card.lines.forEach(function (line) { para(line, 26, { color: MUTED, max: 2 }); });
    return Math.max(y, top + side) + PAD;
  }

  function fileName(title) {
    var name = title.replace(/[\\/:*?"<>|\u0000-\u001f]/g, "_").trim().slice(0, 60);
    return (name || "技术资料") + ".png";
  }

  function save(root, button) {
    var card = facts(root);
    var family = window.getComputedStyle(root).fontFamily || "sans-serif";
    var canvas = document.createElement("canvas");
    canvas.width = WIDTH;
    canvas.height = 10;
    var height = draw(canvas.getContext("2d"), card, family, true);
    canvas.height = Math.ceil(height);
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    draw(ctx, card, family, false);
    button.disabled = true;
    canvas.toBlob(function (blob) {
      button.disabled = false;
      if (!blob) return;
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = fileName(card.title);
      link.hidden = true;
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(function () { URL.revokeObjectURL(link.href); }, 60000);
    }, "image/png");
  }

  function start() {
    var root = document.querySelector("[data-portal-card]");
    var box = document.querySelector("[data-portal-card-image]");
    if (!root || !box || typeof Path2D === "undefined" || !HTMLCanvasElement.prototype.toBlob) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-button";
    button.textContent = "保存为图片";
    button.addEventListener("click", function () { save(root, button); });
    box.appendChild(button);
    box.hidden = false;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
