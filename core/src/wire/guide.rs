//! Page-aware guidance: the steps an article or fix points at on the customer's
//! product ("press this button on the Billing page"). Stored with the knowledge
//! document, sent with the suggestion, followed by the widget ("Show me").

use serde::{Deserialize, Serialize};

/// Most steps one answer may carry.
pub const MAX_GUIDE_STEPS: usize = 10;
/// Longest route, selector or caption, in characters.
pub const MAX_GUIDE_FIELD_CHARS: usize = 300;

/// One step of a guide: an element of the product, where it is and what to say.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GuideStep {
    /// The route of the page the element is on, as the widget reports routes
    /// (`/billing`, or the fragment's path in a hash-routed app).
    pub route: String,
    /// A CSS selector for the element (`#pay-now`, `nav a[href="/invoices"]`).
    pub selector: String,
    /// A short caption shown next to the element.
    pub caption: String,
}

/// Why a guide was refused; each names the step (from 1) and the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GuideError {
    /// More than [`MAX_GUIDE_STEPS`] steps.
    #[error("a guide has at most {MAX_GUIDE_STEPS} steps, this one has {0}")]
    TooManySteps(usize),
    /// A field is empty.
    #[error("guide step {step}: `{field}` is empty")]
    Empty {
        /// The step, counted from 1.
        step: usize,
        /// `route`, `selector` or `caption`.
        field: &'static str,
    },
    /// A field is longer than [`MAX_GUIDE_FIELD_CHARS`].
    #[error("guide step {step}: `{field}` is longer than {MAX_GUIDE_FIELD_CHARS} characters")]
    TooLong {
        /// The step, counted from 1.
        step: usize,
        /// `route`, `selector` or `caption`.
        field: &'static str,
    },
    /// The route is not a path of the product.
    #[error("guide step {step}: `route` must be a path starting with `/`, got `{route}`")]
    NotAPath {
        /// The step, counted from 1.
        step: usize,
        /// What was given.
        route: String,
    },
}

impl GuideStep {
    /// Checks one step (`step` counts from 1, for the message).
    pub fn validate(&self, step: usize) -> Result<(), GuideError> {
        for (field, value) in [
            ("route", &self.route),
            ("selector", &self.selector),
            ("caption", &self.caption),
        ] {
            if value.trim().is_empty() {
                return Err(GuideError::Empty { step, field });
            }
            if value.chars().count() > MAX_GUIDE_FIELD_CHARS {
                return Err(GuideError::TooLong { step, field });
            }
        }
        if !self.route.starts_with('/') || self.route.starts_with("//") {
            return Err(GuideError::NotAPath {
                step,
                route: self.route.clone(),
            });
        }
        Ok(())
    }
}

/// Checks a whole guide: its length and every step.
pub fn validate_guide(steps: &[GuideStep]) -> Result<(), GuideError> {
    if steps.len() > MAX_GUIDE_STEPS {
        return Err(GuideError::TooManySteps(steps.len()));
    }
    steps
        .iter()
        .enumerate()
        .try_for_each(|(index, step)| step.validate(index + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(route: &str, selector: &str, caption: &str) -> GuideStep {
        GuideStep {
            route: route.into(),
            selector: selector.into(),
            caption: caption.into(),
        }
    }

    #[test]
    fn a_guide_names_the_step_and_field_it_refuses() {
        let fine = step("/billing", "#pay-now", "Press this");
        assert_eq!(validate_guide(std::slice::from_ref(&fine)), Ok(()));
        let cases = [
            (
                step("/billing", " ", "x"),
                "guide step 2: `selector` is empty",
            ),
            (
                step("billing", "#a", "x"),
                "guide step 2: `route` must be a path starting with `/`, got `billing`",
            ),
            (
                step("//evil.test/x", "#a", "x"),
                "guide step 2: `route` must be a path starting with `/`, got `//evil.test/x`",
            ),
            (
                step("/b", "#a", &"x".repeat(301)),
                "guide step 2: `caption` is longer than 300 characters",
            ),
        ];
        for (bad, message) in cases {
            let error = validate_guide(&[fine.clone(), bad])
                .err()
                .map(|e| e.to_string());
            assert_eq!(error.as_deref(), Some(message));
        }
        let long = vec![fine; MAX_GUIDE_STEPS + 1];
        assert_eq!(
            validate_guide(&long),
            Err(GuideError::TooManySteps(MAX_GUIDE_STEPS + 1))
        );
    }
}
