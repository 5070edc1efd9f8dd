//! Splits an export file into records with their positions: a JSON array, an object whose
//! container key holds the array (side-loaded lists kept aside), or one JSON object a line.

use std::collections::HashMap;
use std::fmt;

use serde_json::Value;

/// Where a record sits in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordPosition {
    /// Line number (1-based) in a JSON-lines file.
    Line(usize),
    /// Position (1-based) in the file's array of records.
    Element(usize),
}

impl fmt::Display for RecordPosition {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Line(line) => write!(formatter, "line {line}"),
            Self::Element(element) => write!(formatter, "record {element}"),
        }
    }
}

/// One record: its position and its JSON, or why the JSON could not be read.
#[derive(Debug)]
pub struct RawRecord {
    /// Where it is.
    pub position: RecordPosition,
    /// The parsed value, or the parse error.
    pub value: Result<Value, String>,
}

/// The records of a file and the lists side-loaded next to them (e.g. Zendesk `users`).
#[derive(Debug, Default)]
pub struct RecordFile {
    /// The records, in file order.
    pub records: Vec<RawRecord>,
    /// Other top-level arrays of a JSON document.
    pub side_load: HashMap<String, Value>,
}

/// Splits `text` into records. Fails only when the file is one JSON document that is broken
/// (nothing can be trusted then); the error names line and column.
pub fn split(text: &str, container_key: &str) -> Result<RecordFile, String> {
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() {
        return Ok(RecordFile::default());
    }
    let first_line = trimmed.lines().next().unwrap_or_default();
    let json_lines = trimmed.starts_with('{')
        && serde_json::from_str::<Value>(first_line).is_ok()
        && trimmed
            .lines()
            .filter(|line| !line.trim().is_empty())
            .count()
            > 1;
    if json_lines {
        return Ok(split_lines(text));
    }
    let document: Value = serde_json::from_str(trimmed).map_err(|error| {
        format!(
            "not valid JSON at line {}, column {}: {error}",
            error.line(),
            error.column()
        )
    })?;
    let mut file = RecordFile::default();
    let elements = match document {
        Value::Array(elements) => elements,
        Value::Object(mut object) => match object.remove(container_key) {
            Some(Value::Array(elements)) => {
                for (key, value) in object {
                    if value.is_array() {
                        file.side_load.insert(key, value);
                    }
                }
                elements
            }
            Some(other) => {
                return Err(format!(
                    "`{container_key}` should be an array, found {}",
                    kind(&other)
                ));
            }
            None => vec![Value::Object(object)],
        },
        other => {
            return Err(format!(
                "expected an array or an object, found {}",
                kind(&other)
            ));
        }
    };
    file.records = elements
        .into_iter()
        .enumerate()
        .map(|(index, value)| RawRecord {
            position: RecordPosition::Element(index + 1),
            value: Ok(value),
        })
        .collect();
    Ok(file)
}

fn split_lines(text: &str) -> RecordFile {
    let records = text
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(index, line)| RawRecord {
            position: RecordPosition::Line(index + 1),
            value: serde_json::from_str(line.trim_start_matches('\u{feff}'))
                .map_err(|error| format!("malformed JSON at column {}: {error}", error.column())),
        })
        .collect();
    RecordFile {
        records,
        side_load: HashMap::new(),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_keep_line_numbers_and_bad_lines() {
        let file = split("{\"id\": 1}\n\n{broken\n{\"id\": 3}\n", "tickets").unwrap();
        let positions: Vec<_> = file.records.iter().map(|record| record.position).collect();
        assert_eq!(
            positions,
            [
                RecordPosition::Line(1),
                RecordPosition::Line(3),
                RecordPosition::Line(4)
            ]
        );
        assert!(file.records[1].value.is_err());
    }

    #[test]
    fn a_container_object_side_loads_other_lists() {
        let file = split(
            r#"{"tickets": [{"id": 1}], "users": [{"id": 9}]}"#,
            "tickets",
        )
        .unwrap();
        assert_eq!(file.records.len(), 1);
        assert!(file.side_load.contains_key("users"));
    }

    #[test]
    fn a_broken_document_names_line_and_column() {
        let error = split("[\n  {\"id\": 1},\n  {\"id\": \n]", "tickets").unwrap_err();
        assert!(error.contains("line 4"), "{error}");
    }
}
