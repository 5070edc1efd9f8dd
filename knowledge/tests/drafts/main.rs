//! Integration tests of the drafts half of knowledge: clustering, drafts, flags,
//! review, rewrite and stability, on hand-made and generated tickets.

mod fixture;
mod known_problems;
mod review;
mod stability;
mod worth_reviewing;
