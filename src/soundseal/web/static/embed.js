/*
 * soundseal verify widget. Every
 *   <div class="soundseal-verify" data-certificate="SS-2026-XXXXXXXX" data-theme="dark|light"
 *        data-compact data-hide-fingerprint data-width="100%" data-height="auto"></div>
 * becomes a sandboxed iframe of REGISTRY/embed/verify/<number>. Defaults: dark theme, width
 * 100%, height 340px (160px compact). The iframe cannot script or reach the host page.
 * Call window.SoundsealEmbed.mount() after adding widgets.
 */
(function (w, d) {
  "use strict";
  if (w.SoundsealEmbed) return;
  var NUMBER = /^SS-\d{4}-[0-9A-HJKMNP-TV-Z]{8}$/;
  var s = d.currentScript;
  if (!s || !s.src) s = d.querySelector('script[src$="/embed.js"]');
  var base = s ? new URL(s.src, w.location.href).origin : "";
  var done = new WeakSet();

  function flag(el, name) {
    var v = el.getAttribute(name);
    return v !== null && v !== "false" && v !== "0";
  }

  function dimension(el, name, fallback) {
    var v = (el.getAttribute(name) || "").trim();
    return v && v !== "auto" ? v : fallback;
  }

  function mount() {
    var els = d.querySelectorAll("div.soundseal-verify[data-certificate]");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      var number = (el.getAttribute("data-certificate") || "").trim().toUpperCase();
      if (done.has(el) || !NUMBER.test(number)) continue;
      var compact = flag(el, "data-compact");
      var query = "?theme=" + (el.getAttribute("data-theme") === "light" ? "light" : "dark");
      if (compact) query += "&compact=true";
      if (flag(el, "data-hide-fingerprint")) query += "&hide_fingerprint=true";
      var f = d.createElement("iframe");
      f.src = base + "/embed/verify/" + number + query;
      f.title = "soundseal certificate verification";
      f.loading = "lazy";
      f.referrerPolicy = "no-referrer";
      // Links open in a new tab; no scripts, forms or access to the host page.
      f.setAttribute("sandbox", "allow-popups allow-popups-to-escape-sandbox");
      var st = f.style;
      st.border = "none";
      st.borderRadius = "8px";
      st.display = "block";
      st.width = dimension(el, "data-width", "100%");
      st.height = dimension(el, "data-height", compact ? "160px" : "340px");
      el.appendChild(f);
      done.add(el);
    }
  }

  w.SoundsealEmbed = { mount: mount };
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", mount);
  else mount();
})(window, document);
