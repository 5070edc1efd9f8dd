/*! Waymark widget loader. Starts capturing page context at once, keeps calls made
 * before the widget loads, and loads the WebAssembly widget without blocking the page.
 * Embed: <script src="https://YOUR-WAYMARK/widget/loader.js" data-site="pk_..." async></script>
 * (or through waymark.mjs, which sets __waymarkBoot and imports this file).
 */
(function (w, d) {
  "use strict";
  if (w.__waymark) return;
  var script = d.currentScript, opt = w.__waymarkBoot || {};
  var base = script ? script.src.replace(/\/loader\.js(\?.*)?$/, "") : opt.base || "";
  var site = script ? script.getAttribute("data-site") : opt.site || null;
  var api = script && script.getAttribute("data-api") || opt.api || base.replace(/\/widget$/, "");
  var nonce = script && (script.nonce || script.getAttribute("nonce")) || opt.nonce || "";
  // Routing: "auto" (the fragment when it holds a path: #/pets/42, #!/x), "hash" or "path".
  var routing = script && script.getAttribute("data-routing") || opt.routing || "auto";
  var rand = function () { return Math.random().toString(36).slice(2, 10); };
  // The tab's session, when the widget kept it (consent mode `functional`, or after consent).
  var kept = null;
  try { kept = w.sessionStorage.getItem("waymark.session"); } catch (e) { /* storage blocked */ }
  var state = {
    site: site, api: api, base: base, nonce: nonce,
    session: /^s_[a-z0-9]{6,40}$/.test(kept || "") ? kept : "s_" + Date.now().toString(36) + rand(),
    seq: 0, buffer: [], sink: null, commands: [], requests: 0
  };
  w.__waymark = state;

  // The command queue: Waymark('identify', {...}) before the widget loads is kept.
  var queued = (w.Waymark && w.Waymark.q) || [];
  var api_fn = function () { state.commands.push([].slice.call(arguments)); if (state.onCommand) state.onCommand(); };
  api_fn.q = queued;
  for (var i = 0; i < queued.length; i++) state.commands.push([].slice.call(queued[i]));
  w.Waymark = api_fn;

  // Scrubbing before anything leaves the page (the server scrubs again).
  function scrub(text) {
    return String(text)
      .replace(/[^\s@\/:]+@[^\s@\/]+\.[a-z]{2,}/gi, "[email]")
      .replace(/\/\/[^\/\s@]+@/g, "//")
      .replace(/\b(?:\d[ -]?){12,18}\d\b/g, "[number]")
      .replace(/\b(eyJ[\w-]+\.[\w-]+\.[\w-]+|[A-Za-z0-9_-]{32,})\b/g, "[token]");
  }
  function strip(url) {
    try { var u = new URL(url, w.location.href); return scrub(u.origin + u.pathname); } catch (e) { return ""; }
  }
  // The route: the path, or in a hash-routed app the fragment's path (its query dropped).
  function path() {
    var l = w.location, h = l.hash;
    if (routing === "path" || (routing !== "hash" && !/^#!?\//.test(h))) return l.pathname;
    var p = h.replace(/^#!?/, "").split(/[?#]/)[0];
    return p.charAt(0) === "/" ? p : "/" + p;
  }
  function page(first) {
    var l = w.location;
    var p = { url: strip(l.href), route: scrub(path()), title: scrub(d.title) };
    if (first) {
      if (d.referrer) p.referrer = strip(d.referrer);
      p.viewport = { width: w.innerWidth, height: w.innerHeight };
      p.locale = navigator.language || null;
    }
    return p;
  }
  state.scrub = scrub;
  state.page = function () { return page(false); };
  // Waymark('shutdown'): nothing is captured any more.
  state.stop = function () { state.stopped = true; state.buffer = []; };
  function emit(type, fields) {
    if (state.stopped) return;
    var event = { id: state.session + "." + (++state.seq), at_ms: Date.now(), type: type };
    for (var k in fields) event[k] = fields[k];
    var json = JSON.stringify(event);
    if (state.sink) state.sink(json); else state.buffer.push(json);
  }
  state.emit = emit;

  // Pages the host marks as error pages: <meta name="waymark:error-page"> or data-waymark-error-page.
  var marks = 'meta[name="waymark:error-page"],[data-waymark-error-page]';
  function markedError() { return !!d.querySelector(marks); }
  state.markedError = markedError;
  // The error code the host marked the page with (content="E500"), as context for answers.
  state.errorCode = function () {
    var el = d.querySelector(marks);
    return el ? scrub(el.getAttribute("content") || el.getAttribute("data-waymark-error-page") || "") : "";
  };
  var last = path(), entered = Date.now();
  function viewed(type) {
    emit(type, page(type === "page_view"));
    if (d.readyState !== "loading" && markedError()) emit("error_page", page());
  }
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", function () { if (markedError()) emit("error_page", page()); });
  viewed("page_view");
  function navigated() {
    var now = path();
    if (now === last) return;
    var dwell = Date.now() - entered;
    if (dwell >= 1000) emit("dwell", { route: scrub(last), duration_ms: dwell });
    last = now; entered = Date.now();
    // Let the app update the title and content first.
    setTimeout(function () { viewed("navigation"); }, 0);
  }
  ["pushState", "replaceState"].forEach(function (name) {
    var original = history[name];
    history[name] = function () {
      var result = original.apply(this, arguments);
      navigated();
      return result;
    };
  });
  w.addEventListener("popstate", navigated);
  w.addEventListener("hashchange", navigated);
  w.addEventListener("error", function (e) {
    if (!e.message || (e.filename && e.filename.indexOf(base) === 0)) return;
    emit("js_error", { message: scrub(e.message), source: e.filename ? strip(e.filename) : null, route: scrub(path()) });
  });
  w.addEventListener("unhandledrejection", function (e) {
    var reason = e.reason;
    var message = reason && reason.message ? reason.message : String(reason);
    emit("js_error", { message: scrub("Unhandled rejection: " + message), source: null, route: scrub(path()) });
  });

  // Failed requests (status >= 400 or network failure): method, URL without query, status, duration.
  // Never headers or bodies. The widget's own calls are left out.
  function own(url) {
    var u = strip(url);
    return !u || (api && u.indexOf(api) === 0 && u.indexOf("/api/widget/") > 0);
  }
  function failed(method, url, status, started) {
    if (own(url)) return;
    var u = strip(url);
    emit("failed_request", { method: String(method || "GET").toUpperCase(), url: u, status: status || null,
      duration_ms: Math.round(Date.now() - started), route: scrub(path()) });
  }
  var originalFetch = w.fetch;
  if (originalFetch) {
    w.fetch = function (input, init) {
      var started = Date.now();
      var method = (init && init.method) || (input && input.method) || "GET";
      var url = typeof input === "string" ? input : (input && input.url) || String(input);
      if (!own(url)) state.requests++;
      return originalFetch.apply(this, arguments).then(function (r) {
        if (r.status >= 400) failed(method, url, r.status, started);
        return r;
      }, function (err) { failed(method, url, 0, started); throw err; });
    };
  }
  var XHR = w.XMLHttpRequest && w.XMLHttpRequest.prototype;
  if (XHR) {
    var open = XHR.open, send = XHR.send;
    XHR.open = function (method, url) { this.__wm = [method, url]; return open.apply(this, arguments); };
    XHR.send = function () {
      var xhr = this, started = Date.now();
      if (xhr.__wm && !own(xhr.__wm[1])) state.requests++;
      if (xhr.__wm) xhr.addEventListener("loadend", function () {
        if (xhr.status === 0 || xhr.status >= 400) failed(xhr.__wm[0], xhr.__wm[1], xhr.status, started);
      });
      return send.apply(this, arguments);
    };
  }

  // Rage clicks (more than 3 clicks within 1 s on one target) and dead clicks
  // (a click on something that looks clickable but is not, after which the page did not change).
  // The target is a short selector, never its text.
  function selector(el) {
    var s = el.tagName ? el.tagName.toLowerCase() : "?";
    if (el.id) return s + "#" + el.id;
    var c = typeof el.className === "string" && el.className.trim().split(/\s+/)[0];
    return c ? s + "." + c : s;
  }
  var burst = { target: "", count: 0, at: 0 };
  d.addEventListener("click", function (e) {
    var el = e.target;
    if (!el || !el.tagName || (el.closest && el.closest("#waymark-widget"))) return;
    var target = selector(el), now = Date.now();
    if (burst.target === target && now - burst.at < 1000) burst.count++; else burst = { target: target, count: 1, at: now };
    if (burst.count === 4) emit("rage_click", { target: target, route: scrub(path()), clicks: 4 });
    var active = el.closest && el.closest("a,button,input,select,textarea,label,summary,[role=button],[onclick],[tabindex]");
    if (!active && w.getComputedStyle(el).cursor === "pointer" && w.MutationObserver) {
      // Dead: within 1 s no DOM change, no navigation and no request followed the click.
      var changed = false, href = w.location.href, requests = state.requests;
      var watch = new MutationObserver(function () { changed = true; });
      watch.observe(d.documentElement, { childList: true, subtree: true, attributes: true, characterData: true });
      setTimeout(function () {
        watch.disconnect();
        if (!changed && w.location.href === href && state.requests === requests)
          emit("dead_click", { target: target, route: scrub(path()) });
      }, 1000);
    }
  }, true);

  // The widget starts once the host page has loaded (or the browser is idle, if
  // that comes first), so it never delays the host's own load event.
  var started = false;
  function start() {
    if (started || state.stopped) return;
    started = true;
    import(base + "/waymark_widget.js").then(function (m) {
      return m.default({ module_or_path: base + "/waymark_widget_bg.wasm" }).then(function () {
        if (!state.stopped) m.boot(state);
      });
    }).catch(function (err) {
      if (w.console) console.warn("Waymark widget failed to load:", err);
    });
  }
  if (d.readyState === "complete") start();
  else {
    w.addEventListener("load", function () { setTimeout(start, 0); });
    if (w.requestIdleCallback) d.addEventListener("DOMContentLoaded", function () { w.requestIdleCallback(start, { timeout: 2000 }); });
  }
})(window, document);
