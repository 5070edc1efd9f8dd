//! The word lists the scorer reads: the VADER valence lexicon (see `README.md` in
//! this folder for its source and licence), support-specific adjustments, boosters
//! and negations.

use std::collections::HashMap;
use std::sync::OnceLock;

/// The VADER lexicon, columns word and mean valence (−4 … +4).
const VADER_LEXICON: &str = include_str!("vader_lexicon.tsv");

/// Support-desk adjustments applied over VADER: words that are neutral in general
/// English but carry sentiment in a support conversation, and words VADER scores too
/// harshly for a ticket that merely describes an error.
const SUPPORT_ADJUSTMENTS: &[(&str, f32)] = &[
    ("error", -0.6),
    ("errors", -0.6),
    ("bug", -0.8),
    ("bugs", -0.8),
    ("work", 0.9),
    ("works", 0.9),
    ("working", 0.9),
    ("worked", 0.9),
    ("fixed", 1.2),
    ("solved", 1.5),
    ("resolved", 1.2),
    ("fail", -1.2),
    ("fails", -1.0),
    ("failed", -1.0),
    ("failing", -1.0),
    ("unusable", -2.5),
    ("outage", -2.0),
    ("downtime", -1.5),
    ("broke", -1.8),
    ("crashes", -1.7),
    ("crashing", -1.7),
    ("nightmare", -2.8),
    ("joke", -1.0),
];

/// Scalar added (or subtracted) by an intensifier or a dampener before a word.
pub(crate) const BOOST_INCREMENT: f32 = 0.293;
/// Scalar added when a sentiment word is in capitals and the rest of the text is not.
pub(crate) const CAPS_INCREMENT: f32 = 0.733;
/// Factor a negation applies to the valence of a word within three words after it.
pub(crate) const NEGATION_SCALAR: f32 = -0.74;

/// Intensifiers raise the valence of the next words, dampeners lower it.
const BOOSTERS_UP: &[&str] = &[
    "absolutely",
    "amazingly",
    "awfully",
    "completely",
    "considerably",
    "decidedly",
    "deeply",
    "enormously",
    "entirely",
    "especially",
    "exceptionally",
    "extremely",
    "fully",
    "greatly",
    "highly",
    "hugely",
    "incredibly",
    "intensely",
    "majorly",
    "more",
    "most",
    "particularly",
    "purely",
    "quite",
    "really",
    "remarkably",
    "so",
    "substantially",
    "thoroughly",
    "totally",
    "tremendously",
    "unbelievably",
    "unusually",
    "utterly",
    "very",
    "super",
    "seriously",
    "ridiculously",
];
const BOOSTERS_DOWN: &[&str] = &[
    "almost",
    "barely",
    "hardly",
    "kinda",
    "less",
    "little",
    "marginally",
    "occasionally",
    "partly",
    "scarcely",
    "slightly",
    "somewhat",
    "sorta",
];

/// Words that negate the sentiment that follows them.
const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "none",
    "nobody",
    "nothing",
    "neither",
    "nor",
    "nowhere",
    "cannot",
    "cant",
    "can't",
    "dont",
    "don't",
    "doesnt",
    "doesn't",
    "didnt",
    "didn't",
    "isnt",
    "isn't",
    "arent",
    "aren't",
    "wasnt",
    "wasn't",
    "werent",
    "weren't",
    "wont",
    "won't",
    "wouldnt",
    "wouldn't",
    "shouldnt",
    "shouldn't",
    "couldnt",
    "couldn't",
    "havent",
    "haven't",
    "hasnt",
    "hasn't",
    "hadnt",
    "hadn't",
    "aint",
    "ain't",
    "without",
    "rarely",
    "seldom",
    "despite",
    "n't",
];

/// The valence of a lower-cased word, if the lexicon knows it.
pub(crate) fn valence(word: &str) -> Option<f32> {
    lexicon().get(word).copied()
}

/// The booster increment of a lower-cased word (positive for intensifiers).
pub(crate) fn booster(word: &str) -> Option<f32> {
    if BOOSTERS_UP.contains(&word) {
        Some(BOOST_INCREMENT)
    } else if BOOSTERS_DOWN.contains(&word) {
        Some(-BOOST_INCREMENT)
    } else {
        None
    }
}

/// Whether a lower-cased word negates what follows.
pub(crate) fn is_negation(word: &str) -> bool {
    NEGATIONS.contains(&word) || word.ends_with("n't")
}

fn lexicon() -> &'static HashMap<&'static str, f32> {
    static LEXICON: OnceLock<HashMap<&'static str, f32>> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut map: HashMap<&'static str, f32> = VADER_LEXICON
            .lines()
            .filter(|line| !line.starts_with('#') && !line.is_empty())
            .filter_map(|line| {
                let (word, value) = line.split_once('\t')?;
                Some((word, value.trim().parse::<f32>().ok()?))
            })
            .collect();
        map.extend(SUPPORT_ADJUSTMENTS.iter().copied());
        map
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_lexicon_loads_every_entry() {
        assert!(lexicon().len() > 7000);
        assert_eq!(valence("great"), Some(3.1));
        assert_eq!(valence("working"), Some(0.9));
    }
}
