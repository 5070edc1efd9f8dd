/*! Waymark widget, ES-module entry (bundlers, <script type="module">).
 *   import { Waymark } from "https://YOUR-WAYMARK/widget/waymark.mjs";
 *   Waymark("identify", { id: "u_42" });      // kept until the widget runs
 *   Waymark("boot", { site: "pk_..." });      // optional: api, nonce, routing
 * "boot" loads loader.js from next to this file (capture starts then) and
 * resolves once it runs; every other command is the classic Waymark(...) queue.
 */
const w = window;
const base = new URL(".", import.meta.url).href.replace(/\/$/, "");
let booted = null;

w.Waymark = w.Waymark || function () { (w.Waymark.q = w.Waymark.q || []).push(arguments); };

export function Waymark(name, options) {
  if (name !== "boot") return w.Waymark.apply(null, arguments);
  if (!booted) {
    const o = options || {};
    w.__waymarkBoot = { site: o.site || null, api: o.api || "", nonce: o.nonce || "", routing: o.routing || "", base: base };
    booted = import(base + "/loader.js").then(function () { return w.Waymark; });
  }
  return booted;
}

export default Waymark;
