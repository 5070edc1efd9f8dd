//! The lexicon-and-rules sentiment scorer (VADER's rules): valence per word, boosted
//! by intensifiers and capitals, flipped by negations, re-weighted around "but", and
//! amplified by exclamation marks, normalised to −1 … +1.

use super::escalation::escalation_kinds;
use super::lexicon::{CAPS_INCREMENT, NEGATION_SCALAR, booster, is_negation, valence};

/// How far back (in words) boosters and negations reach.
const LOOKBACK: usize = 3;
/// Normalisation constant of VADER's compound score.
const NORMALISATION_ALPHA: f32 = 15.0;
/// Valence added for each family of escalation language in the text.
const ESCALATION_VALENCE: f32 = -1.5;
/// Emphasis each exclamation mark adds (at most four count).
const EXCLAMATION_INCREMENT: f32 = 0.292;
/// Emphasis each question mark adds when there are two or three.
const QUESTION_INCREMENT: f32 = 0.18;

/// The compound sentiment of a text, from −1 (most negative) to +1 (most positive);
/// 0 for neutral or empty text.
pub fn score(text: &str) -> f32 {
    let tokens = tokenize(text);
    if tokens.is_empty() {
        return 0.0;
    }
    let caps_differential = has_caps_differential(&tokens);
    let lowered: Vec<String> = tokens.iter().map(|token| token.to_lowercase()).collect();

    let mut valences: Vec<f32> = (0..tokens.len())
        .map(|index| word_valence(&tokens, &lowered, index, caps_differential))
        .collect();
    apply_but_clause(&lowered, &mut valences);

    let mut sum: f32 = valences.iter().sum();
    // Escalation language is a support idiom the word lexicon cannot see ("third
    // time", "refund"): each family found counts like a strongly negative word.
    sum += ESCALATION_VALENCE * escalation_kinds(text).len() as f32;
    if sum != 0.0 {
        sum += sum.signum() * punctuation_emphasis(text);
    }
    normalise(sum)
}

fn word_valence(tokens: &[&str], lowered: &[String], index: usize, caps: bool) -> f32 {
    let word = lowered[index].as_str();
    if booster(word).is_some() {
        return 0.0;
    }
    let Some(mut value) = valence(word) else {
        return 0.0;
    };
    if caps && is_all_caps(tokens[index]) {
        value += value.signum() * CAPS_INCREMENT;
    }
    for distance in 1..=LOOKBACK.min(index) {
        let previous = index - distance;
        let previous_word = lowered[previous].as_str();
        if valence(previous_word).is_none()
            && let Some(increment) = booster(previous_word)
        {
            let mut scalar = if value < 0.0 { -increment } else { increment };
            if caps && is_all_caps(tokens[previous]) {
                scalar += value.signum() * CAPS_INCREMENT;
            }
            let decay = match distance {
                1 => 1.0,
                2 => 0.95,
                _ => 0.9,
            };
            value += scalar * decay;
        }
        if is_negation(previous_word) {
            value *= NEGATION_SCALAR;
        }
    }
    value
}

/// Words before "but" count half, words after it one and a half times.
fn apply_but_clause(lowered: &[String], valences: &mut [f32]) {
    let Some(but_index) = lowered.iter().position(|word| word == "but") else {
        return;
    };
    for (index, value) in valences.iter_mut().enumerate() {
        if index < but_index {
            *value *= 0.5;
        } else if index > but_index {
            *value *= 1.5;
        }
    }
}

fn punctuation_emphasis(text: &str) -> f32 {
    let exclamations = text.matches('!').count().min(4) as f32;
    let questions = text.matches('?').count();
    let question_emphasis = match questions {
        0 | 1 => 0.0,
        2 | 3 => questions as f32 * QUESTION_INCREMENT,
        _ => 0.96,
    };
    exclamations * EXCLAMATION_INCREMENT + question_emphasis
}

fn normalise(sum: f32) -> f32 {
    (sum / (sum * sum + NORMALISATION_ALPHA).sqrt()).clamp(-1.0, 1.0)
}

/// Words with surrounding punctuation stripped; short tokens such as ":)" are kept
/// whole because the lexicon scores emoticons.
fn tokenize(text: &str) -> Vec<&str> {
    text.split_whitespace()
        .map(|raw| {
            let stripped = raw.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'');
            if stripped.chars().count() <= 1 && raw.chars().count() <= 3 {
                raw
            } else {
                stripped.trim_matches('\'')
            }
        })
        .filter(|token| !token.is_empty())
        .collect()
}

fn is_all_caps(token: &str) -> bool {
    token.chars().any(char::is_alphabetic)
        && token
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
}

/// Capitals only emphasise when some, not all, words are in capitals.
fn has_caps_differential(tokens: &[&str]) -> bool {
    let caps = tokens.iter().filter(|token| is_all_caps(token)).count();
    caps > 0 && caps < tokens.len()
}

#[cfg(test)]
mod tests {
    use super::score;

    #[test]
    fn positive_and_negative_texts_get_the_matching_sign() {
        assert!(score("Thanks, that fixed it, great support") > 0.5);
        assert!(score("This is broken and useless") < -0.5);
        assert_eq!(score(""), 0.0);
        assert_eq!(score("The export button is on the settings page"), 0.0);
    }

    #[test]
    fn negation_flips_the_sentiment() {
        assert!(score("I am happy") > 0.3);
        assert!(score("I am not happy") < -0.2);
        assert!(score("I am not happy with this at all") < 0.0);
        assert!(score("It is still not working") < 0.0);
        assert!(score("This isn't great") < 0.0);
    }

    #[test]
    fn intensifiers_strengthen_and_dampeners_soften() {
        let plain = score("I am frustrated");
        let very = score("I am very frustrated");
        let extremely = score("I am extremely frustrated");
        let slightly = score("I am slightly frustrated");
        assert!(very < plain, "{very} < {plain}");
        assert!(extremely < plain);
        assert!(slightly > plain, "{slightly} > {plain}");
    }

    #[test]
    fn capitals_and_exclamation_marks_add_emphasis() {
        assert!(score("this is BROKEN") < score("this is broken"));
        assert!(score("this is broken!!!") < score("this is broken"));
        assert!(score("great!!") > score("great"));
    }

    #[test]
    fn the_clause_after_but_dominates() {
        assert!(score("The agent was nice but the product is terrible") < 0.0);
        assert!(score("The product is terrible but the agent was wonderful") > 0.0);
    }

    #[test]
    fn escalation_language_makes_a_message_negative() {
        assert!(score("This is the third time, I want a refund") < -0.5);
        assert!(score("Still not working.") < score("The export fails"));
    }

    #[test]
    fn scores_stay_within_bounds() {
        let rant = "HORRIBLE TERRIBLE awful awful worst disaster!!!!! ".repeat(20);
        let value = score(&rant);
        assert!((-1.0..=-0.9).contains(&value), "{value}");
    }
}
