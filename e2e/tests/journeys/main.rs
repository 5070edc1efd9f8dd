//! Browser journeys: real Chromium on the sample product page against a real
//! `waymark` server. Run through `cargo xtask test`, which builds the server and
//! the widget first and installs Chromium when missing.

mod alerts;
mod console;
mod knowledge;
mod reports;
mod skeleton;
mod widget;
mod widget_identity;
mod widget_memory;
