//! `cargo xtask`: build chores written in Rust.
fn main() {}
