//! The `waymark` subcommands that are not the server itself: each file is one
//! command family and stays thin over the library crates.

pub mod audit;
pub mod eval;
pub mod import;
pub mod knowledge;
pub mod rules;
pub mod site;
pub mod user;
