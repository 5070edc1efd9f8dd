// Acme Ledger booting Waymark from its ES-module entry, as an app built with a
// bundler would. Commands sent before "boot" are kept.
import { Waymark } from "/widget/waymark.mjs";

Waymark("identify", { id: "demo-user-7", plan: "growth" });
Waymark("boot", { site: "pk_demo" });
