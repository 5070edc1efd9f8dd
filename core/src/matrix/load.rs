//! Reading a matrix from TOML (feature `matrix-toml`): parse with the key path of any
//! mismatch, then validate.

use super::model::EscalationMatrix;
use super::validate::MatrixError;

/// Parses and validates a TOML escalation matrix.
///
/// Unknown keys are rejected; errors name the key path (`rules[1].then.priorty`) and,
/// for syntax errors, the line.
pub fn load_toml(text: &str) -> Result<EscalationMatrix, MatrixError> {
    let deserializer =
        toml::de::Deserializer::parse(text).map_err(|error| syntax(".".into(), &error, text))?;
    let matrix: EscalationMatrix =
        serde_path_to_error::deserialize(deserializer).map_err(|error| {
            let path = error.path().to_string();
            syntax(path, error.inner(), text)
        })?;
    matrix.validate()?;
    Ok(matrix)
}

fn syntax(path: String, error: &toml::de::Error, text: &str) -> MatrixError {
    let line = error
        .span()
        .and_then(|span| text.get(..span.start))
        .map(|before| before.matches('\n').count() + 1);
    MatrixError::Syntax {
        path,
        message: error.message().trim().to_owned(),
        line,
    }
}
