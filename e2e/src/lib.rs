//! Helpers for Waymark's browser journeys.
