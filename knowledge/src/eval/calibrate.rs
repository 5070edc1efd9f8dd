//! Fitting the confidence model: a logistic regression of "the top answer is right" on the
//! features of [`crate::suggest::explain::features`], fitted on one half of the queries of
//! several datasets (even positions) and checked on the other half (odd positions), and the
//! lowest confidence whose answers were right often enough to be called a likely fix.

use crate::suggest::explain::FEATURES;

/// Whether the query at `position` of a dataset belongs to the half the model is fitted on.
/// The other half is held out: calibration is reported on it.
pub fn is_fit_half(position: usize) -> bool {
    position.is_multiple_of(2)
}

/// One top answer: its features and whether it was right.
pub type Sample = ([f32; FEATURES], bool);

/// Fits `P(right) = σ(w · x)` by Newton's method with a small ridge penalty (`l2`, not applied
/// to the intercept), each sample weighted (datasets of different sizes count alike when the
/// caller weights them so).
#[allow(clippy::needless_range_loop)] // Index arithmetic over rows and columns reads best.
pub fn fit_logistic(samples: &[(Sample, f64)], l2: f64) -> [f32; FEATURES] {
    let mut weights = [0.0f64; FEATURES];
    for _ in 0..50 {
        let mut gradient = [0.0f64; FEATURES];
        let mut hessian = [[0.0f64; FEATURES]; FEATURES];
        for ((features, right), sample_weight) in samples {
            let x: Vec<f64> = features.iter().map(|value| f64::from(*value)).collect();
            let logit: f64 = weights.iter().zip(&x).map(|(w, v)| w * v).sum();
            let p = 1.0 / (1.0 + (-logit).exp());
            let y = if *right { 1.0 } else { 0.0 };
            for i in 0..FEATURES {
                gradient[i] += sample_weight * (p - y) * x[i];
                for j in 0..FEATURES {
                    hessian[i][j] += sample_weight * p * (1.0 - p) * x[i] * x[j];
                }
            }
        }
        for i in 1..FEATURES {
            gradient[i] += l2 * weights[i];
            hessian[i][i] += l2;
        }
        hessian[0][0] += 1e-9;
        let Some(step) = solve(hessian, gradient) else {
            break;
        };
        let mut largest: f64 = 0.0;
        for i in 0..FEATURES {
            weights[i] -= step[i];
            largest = largest.max(step[i].abs());
        }
        if largest < 1e-7 {
            break;
        }
    }
    weights.map(|weight| weight as f32)
}

/// Solves `a · x = b` by Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)] // Index arithmetic over rows and columns reads best.
fn solve(mut a: [[f64; FEATURES]; FEATURES], mut b: [f64; FEATURES]) -> Option<[f64; FEATURES]> {
    for column in 0..FEATURES {
        let pivot = (column..FEATURES)
            .max_by(|left, right| a[*left][column].abs().total_cmp(&a[*right][column].abs()))?;
        if a[pivot][column].abs() < 1e-12 {
            return None;
        }
        a.swap(column, pivot);
        b.swap(column, pivot);
        for row in column + 1..FEATURES {
            let factor = a[row][column] / a[column][column];
            for k in column..FEATURES {
                a[row][k] -= factor * a[column][k];
            }
            b[row] -= factor * b[column];
        }
    }
    let mut x = [0.0; FEATURES];
    for row in (0..FEATURES).rev() {
        let mut sum = b[row];
        for k in row + 1..FEATURES {
            sum -= a[row][k] * x[k];
        }
        x[row] = sum / a[row][row];
    }
    Some(x)
}

/// The lowest confidence `t` such that, in every group of `(confidence, right)` pairs, the
/// answers with confidence ≥ `t` are right at least `precision` of the time (a group with no
/// answer that high passes). `None` when no threshold below 1 does.
pub fn likely_fix_threshold(groups: &[Vec<(f32, bool)>], precision: f64) -> Option<f32> {
    let mut candidates: Vec<f32> = groups
        .iter()
        .flatten()
        .map(|(confidence, _)| *confidence)
        .collect();
    candidates.sort_by(f32::total_cmp);
    candidates.dedup();
    candidates.into_iter().find(|threshold| {
        groups.iter().all(|group| {
            let above: Vec<bool> = group
                .iter()
                .filter(|(confidence, _)| confidence >= threshold)
                .map(|(_, right)| *right)
                .collect();
            above.is_empty()
                || above.iter().filter(|right| **right).count() as f64 / above.len() as f64
                    >= precision
        })
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_fit_recovers_a_known_model() {
        // P(right) = σ(−2 + 4·x1): generate exact proportions on a grid.
        let mut samples = Vec::new();
        for step in 0..=20 {
            let x1 = step as f32 / 20.0;
            let p = 1.0 / (1.0 + (-(-2.0 + 4.0 * x1)).exp());
            let mut features = [0.0; FEATURES];
            features[0] = 1.0;
            features[1] = x1;
            samples.push(((features, true), f64::from(p) * 100.0));
            samples.push(((features, false), f64::from(1.0 - p) * 100.0));
        }
        let weights = fit_logistic(&samples, 1e-6);
        assert!((weights[0] + 2.0).abs() < 0.05, "{weights:?}");
        assert!((weights[1] - 4.0).abs() < 0.05, "{weights:?}");
    }

    #[test]
    fn the_threshold_holds_precision_in_every_group() {
        let first = vec![
            (0.9, true),
            (0.8, true),
            (0.7, false),
            (0.6, true),
            (0.2, false),
        ];
        let second = vec![(0.85, true), (0.75, false), (0.1, false)];
        assert_eq!(
            likely_fix_threshold(std::slice::from_ref(&first), 0.8),
            Some(0.8)
        );
        assert_eq!(likely_fix_threshold(&[first, second], 0.8), Some(0.8));
        assert_eq!(likely_fix_threshold(&[vec![(0.5, false)]], 0.8), None);
    }
}
