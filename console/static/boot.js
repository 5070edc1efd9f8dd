// Starts the console: loads the wasm-bindgen glue and the wasm (the names carry
// content hashes, filled in by `cargo xtask dist`). No inline script: the page's
// policy allows scripts from the server only.
import init from "/console/{{GLUE}}";

init({ module_or_path: "/console/{{WASM}}" });
