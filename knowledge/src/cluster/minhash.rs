//! MinHash signatures over word shingles and locality-sensitive hashing by bands:
//! finds near-duplicate tickets (templated errors, copy-pasted problems) in linear
//! time, before the finer TF-IDF refinement.

use std::collections::HashMap;

use super::text::{mix, stable_hash};

/// How near-duplicates are found.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MinHashConfig {
    /// Number of hash functions in a signature; a multiple of `bands`.
    pub hashes: usize,
    /// Number of LSH bands; rows per band = `hashes / bands`.
    pub bands: usize,
    /// Estimated Jaccard similarity from which two tickets are near-duplicates.
    pub min_jaccard: f32,
}

impl Default for MinHashConfig {
    fn default() -> Self {
        MinHashConfig {
            hashes: 64,
            bands: 16,
            min_jaccard: 0.6,
        }
    }
}

/// The word shingles of a term sequence: hashes of consecutive term pairs, or of the
/// single term when there is only one.
pub fn shingles(terms: &[String]) -> Vec<u64> {
    if terms.len() == 1 {
        return vec![stable_hash(terms[0].as_bytes())];
    }
    let mut shingles: Vec<u64> = terms
        .windows(2)
        .map(|pair| stable_hash(format!("{} {}", pair[0], pair[1]).as_bytes()))
        .collect();
    shingles.sort_unstable();
    shingles.dedup();
    shingles
}

/// The MinHash signature of a shingle set; empty when there are no shingles.
pub fn signature(shingles: &[u64], config: &MinHashConfig) -> Vec<u64> {
    if shingles.is_empty() {
        return Vec::new();
    }
    (0..config.hashes as u64)
        .map(|seed| {
            let salt = mix(seed.wrapping_add(0x9e37_79b9_7f4a_7c15));
            shingles
                .iter()
                .map(|shingle| mix(shingle ^ salt))
                .min()
                .unwrap_or(u64::MAX)
        })
        .collect()
}

/// The share of equal positions in two signatures: an estimate of Jaccard similarity.
pub fn estimated_jaccard(left: &[u64], right: &[u64]) -> f32 {
    if left.is_empty() || left.len() != right.len() {
        return 0.0;
    }
    let equal = left.iter().zip(right).filter(|(a, b)| a == b).count();
    equal as f32 / left.len() as f32
}

/// Pairs of near-duplicate documents `(i, j)` with `i < j`, only within the same
/// partition (`partition[i] == partition[j]`), each pair once, sorted.
pub fn near_duplicate_pairs(
    signatures: &[Vec<u64>],
    partition: &[u32],
    config: &MinHashConfig,
) -> Vec<(usize, usize)> {
    let rows = (config.hashes / config.bands.max(1)).max(1);
    let mut pairs = Vec::new();
    for band in 0..config.bands {
        let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
        for (index, signature) in signatures.iter().enumerate() {
            let Some(rows_of_band) = signature.get(band * rows..(band + 1) * rows) else {
                continue;
            };
            let mut key = mix(band as u64 ^ (u64::from(partition[index]) << 32));
            for value in rows_of_band {
                key = mix(key ^ value);
            }
            buckets.entry(key).or_default().push(index);
        }
        for members in buckets.values() {
            let Some((&anchor, rest)) = members.split_first() else {
                continue;
            };
            for &member in rest {
                let similar = estimated_jaccard(&signatures[anchor], &signatures[member])
                    >= config.min_jaccard;
                if similar && partition[anchor] == partition[member] {
                    pairs.push((anchor.min(member), anchor.max(member)));
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn near_duplicates_are_paired_and_different_texts_are_not() {
        let config = MinHashConfig::default();
        let texts = [
            "export fails with err_timeout when the report has many rows today",
            "export fails with err_timeout when the report has many rows again",
            "password reset email never arrives in the inbox for new users",
        ];
        let signatures: Vec<Vec<u64>> = texts
            .iter()
            .map(|text| signature(&shingles(&terms(text)), &config))
            .collect();
        let pairs = near_duplicate_pairs(&signatures, &[0, 0, 0], &config);
        assert_eq!(pairs, vec![(0, 1)]);
    }

    #[test]
    fn near_duplicates_in_different_partitions_are_not_paired() {
        let config = MinHashConfig::default();
        let signature_of = |text: &str| signature(&shingles(&terms(text)), &config);
        let signatures = vec![
            signature_of("same words here"),
            signature_of("same words here"),
        ];
        assert!(near_duplicate_pairs(&signatures, &[0, 1], &config).is_empty());
        assert_eq!(
            near_duplicate_pairs(&signatures, &[2, 2], &config),
            vec![(0, 1)]
        );
    }
}
