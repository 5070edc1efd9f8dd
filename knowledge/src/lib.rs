//! Waymark knowledge: what the product knows from resolved tickets and articles.

pub mod sentiment;
pub mod ticket;
