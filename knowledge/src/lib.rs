//! Waymark knowledge: what the product knows from resolved tickets and articles.
