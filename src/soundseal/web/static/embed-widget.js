/*
 * soundseal seal widget. Load once per page:
 *   <span data-soundseal-cert="cer_…" data-variant="mini|full" data-size="16"></span>
 *   <script src="https://REGISTRY/static/embed-widget.js" async></script>
 * Shows the seal Disc, linked to the certificate's proof page, while the certificate is
 * active; nothing when it is revoked, unknown or malformed. The statuses of all seals on the
 * page are fetched in one request and kept for five minutes. Call
 * window.Soundseal.mountAll() after adding rows. No key, no cookies, no referrer: the only
 * thing read from the page is the data attributes of its own elements, and the DOM is built
 * from elements and text nodes, never from HTML strings.
 */
(function (w, d) {
  "use strict";
  if (w.Soundseal && w.Soundseal.mountAll) return;

  var ATTR = "data-soundseal-cert";
  var TTL = 300000; // five minutes, as the status endpoint's max-age
  var RETRY = 30000; // after a failed lookup: show nothing, ask again in 30 s
  var MAX = 100; // IDs per request, the endpoint's limit
  var SVG = "http://www.w3.org/2000/svg";
  var ID = /^cer_(?:(?:test_)?[0-9A-HJKMNP-TV-Z]{26}|test_synthetic)$/;
  var cache = {}; // id -> {s: status or null, at: ms}
  var inflight = {}; // id -> promise of its lookup
  var shown = []; // [element, seal node, id] for every seal this script added

  function origin() {
    var s = d.currentScript;
    if (!s || !s.src) s = d.querySelector('script[src*="/static/embed-widget.js"]');
    return s ? new URL(s.src, w.location.href).origin : "";
  }
  var base = origin();

  function idOf(el) {
    return (el.getAttribute(ATTR) || "").trim();
  }

  function fresh(id, now) {
    var c = cache[id];
    return c && now - c.at < TTL;
  }

  function lookup(ids, now) {
    // The time bucket makes the URL change every five minutes, so the browser's HTTP cache
    // and this cache expire together, and pages in the same window share the response.
    var url = base + "/api/v1/public/status?ids=" + ids.join(",") + "&t=" + Math.floor(now / TTL);
    var p = fetch(url, { credentials: "omit", mode: "cors", referrerPolicy: "no-referrer" })
      .then(function (r) {
        if (!r.ok) throw new Error("status " + r.status);
        return r.json();
      })
      .then(
        function (body) {
          var found = {};
          (body.data || []).forEach(function (c) {
            found[c.id] = c.status;
          });
          ids.forEach(function (id) {
            cache[id] = { s: found[id] || null, at: now };
          });
        },
        function () {
          ids.forEach(function (id) {
            cache[id] = { s: null, at: now - TTL + RETRY };
          });
        }
      )
      .then(function () {
        ids.forEach(function (id) {
          delete inflight[id];
        });
      });
    ids.forEach(function (id) {
      inflight[id] = p;
    });
    return p;
  }

  function set(el, attrs) {
    for (var k in attrs) el.setAttribute(k, attrs[k]);
    return el;
  }

  function disc(size) {
    var svg = set(d.createElementNS(SVG, "svg"), {
      width: size, height: size, viewBox: "0 0 32 32", "aria-hidden": "true", focusable: "false"
    });
    [
      ["circle", { cx: 16, cy: 16, r: 15.5, fill: "#0f766e" }],
      ["circle", { cx: 16, cy: 16, r: 12, fill: "none", stroke: "#fff", "stroke-opacity": ".45" }],
      ["path", {
        d: "M10.5 16.5l3.7 3.7 7.5-8", fill: "none", stroke: "#fff", "stroke-width": 3,
        "stroke-linecap": "round", "stroke-linejoin": "round"
      }]
    ].forEach(function (p) {
      svg.appendChild(set(d.createElementNS(SVG, p[0]), p[1]));
    });
    return svg;
  }

  function seal(el, id) {
    var full = el.getAttribute("data-variant") === "full";
    var size = parseInt(el.getAttribute("data-size"), 10);
    if (!(size >= 8 && size <= 128)) size = full ? 20 : 16;
    var a = d.createElement("a");
    a.href = base + "/cert/" + id; // id matched ID above: nothing else reaches the URL
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.className = "soundseal-seal";
    a.title = "Verified by soundseal: certificate " + id;
    a.setAttribute("aria-label", a.title);
    // Style properties, not a style attribute: allowed under the host page's CSP.
    var s = a.style;
    s.display = "inline-flex";
    s.alignItems = "center";
    s.gap = "4px";
    s.verticalAlign = "middle";
    s.textDecoration = "none";
    s.lineHeight = "1";
    a.appendChild(disc(size));
    if (full) {
      var t = d.createElement("span");
      t.appendChild(d.createTextNode("Verified \u00b7 soundseal"));
      t.style.font = "600 " + Math.max(11, Math.round(size * 0.6)) + "px/1 system-ui,sans-serif";
      t.style.color = "#0f766e";
      a.appendChild(t);
    }
    return a;
  }

  function render(el) {
    var id = idOf(el);
    var c = ID.test(id) ? cache[id] : null;
    var active = !!(c && c.s === "active");
    for (var i = shown.length - 1; i >= 0; i--) {
      if (shown[i][0] !== el) continue;
      if (active && shown[i][2] === id && shown[i][1].parentNode === el) return;
      if (shown[i][1].parentNode === el) el.removeChild(shown[i][1]);
      shown.splice(i, 1);
    }
    if (active) {
      var node = seal(el, id);
      el.appendChild(node);
      shown.push([el, node, id]);
    }
  }

  function mountAll() {
    var els = d.querySelectorAll("[" + ATTR + "]");
    var now = Date.now(), want = [], waits = [], seen = {}, i;
    for (i = 0; i < els.length; i++) {
      var id = idOf(els[i]);
      if (!ID.test(id) || seen[id] || fresh(id, now)) continue;
      seen[id] = 1;
      if (inflight[id]) waits.push(inflight[id]);
      else want.push(id);
    }
    for (i = 0; i < want.length; i += MAX) waits.push(lookup(want.slice(i, i + MAX), now));
    return Promise.all(waits).then(function () {
      // Seals whose element lost its attribute or left the page go too.
      for (var j = shown.length - 1; j >= 0; j--) {
        if (!shown[j][0].hasAttribute(ATTR) || !d.contains(shown[j][0])) {
          if (shown[j][1].parentNode) shown[j][1].parentNode.removeChild(shown[j][1]);
          shown.splice(j, 1);
        }
      }
      for (var k = 0; k < els.length; k++) render(els[k]);
    });
  }

  w.Soundseal = { mountAll: mountAll, version: 1 };
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})(window, document);
