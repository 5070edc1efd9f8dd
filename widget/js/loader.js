/*! Waymark widget loader. Starts capturing page context at once, keeps calls made
 * before the widget loads, and loads the WebAssembly widget without blocking the page.
 * Embed: <script src="https://YOUR-WAYMARK/widget/loader.js" data-site="pk_..." async></script>
 */
(function (w, d) {
  "use strict";
  if (w.__waymark) return;
  var script = d.currentScript;
  var base = script ? script.src.replace(/\/loader\.js(\?.*)?$/, "") : "";
  var site = script ? script.getAttribute("data-site") : null;
  var api = script && script.getAttribute("data-api") || base.replace(/\/widget$/, "");
  var nonce = script && (script.nonce || script.getAttribute("nonce")) || "";
  var rand = function () { return Math.random().toString(36).slice(2, 10); };
  var state = {
    site: site, api: api, base: base, nonce: nonce,
    session: "s_" + Date.now().toString(36) + rand(),
    seq: 0, buffer: [], sink: null, commands: []
  };
  w.__waymark = state;

  // The command queue: Waymark('identify', {...}) before the widget loads is kept.
  var queued = (w.Waymark && w.Waymark.q) || [];
  var api_fn = function () { state.commands.push([].slice.call(arguments)); if (state.onCommand) state.onCommand(); };
  api_fn.q = queued;
  for (var i = 0; i < queued.length; i++) state.commands.push([].slice.call(queued[i]));
  w.Waymark = api_fn;

  function page() {
    var l = w.location;
    return { url: l.origin + l.pathname, route: l.pathname, title: d.title };
  }
  function emit(type, fields) {
    var event = { id: state.session + "." + (++state.seq), at_ms: Date.now(), type: type };
    for (var k in fields) event[k] = fields[k];
    var json = JSON.stringify(event);
    if (state.sink) state.sink(json); else state.buffer.push(json);
  }
  state.emit = emit;

  emit("page_view", page());
  var last = w.location.pathname;
  function navigated() {
    var now = w.location.pathname;
    if (now === last) return;
    last = now;
    // Let the app update the title first.
    setTimeout(function () { emit("navigation", page()); }, 0);
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
    if (!e.message) return;
    emit("js_error", { message: String(e.message), source: e.filename || null, route: w.location.pathname });
  });
  w.addEventListener("unhandledrejection", function (e) {
    var reason = e.reason;
    var message = reason && reason.message ? reason.message : String(reason);
    emit("js_error", { message: "Unhandled rejection: " + message, source: null, route: w.location.pathname });
  });

  function start() {
    import(base + "/waymark_widget.js").then(function (m) {
      return m.default({ module_or_path: base + "/waymark_widget_bg.wasm" }).then(function () {
        m.boot(state);
      });
    }).catch(function (err) {
      if (w.console) console.warn("Waymark widget failed to load:", err);
    });
  }
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start); else start();
})(window, document);
