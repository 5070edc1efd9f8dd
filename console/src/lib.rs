//! The agents' console.
