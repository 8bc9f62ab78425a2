//! Dotted field paths (`userIdentity.arn`, `requestParameters.bucketName`, `resources.0.ARN`)
//! and the cells they extract from a raw event.

use std::borrow::Cow;

use cwl_filter::json;

/// A field path as the user typed it, pre-split into segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    name: String,
    segments: Vec<String>,
}

/// A path that cannot name a field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bad field path {0:?}: use dotted names such as userIdentity.arn or resources.0.ARN")]
pub struct FieldError(pub String);

impl FieldPath {
    /// Parses `a.b.c`; a leading `$.` (filter-pattern style) is accepted. Numeric segments
    /// also index arrays.
    pub fn parse(text: &str) -> Result<FieldPath, FieldError> {
        let trimmed = text.trim();
        let body = trimmed.strip_prefix("$.").unwrap_or(trimmed);
        let segments: Vec<String> = body.split('.').map(str::to_string).collect();
        if body.is_empty() || segments.iter().any(String::is_empty) {
            return Err(FieldError(text.to_string()));
        }
        Ok(FieldPath { name: body.to_string(), segments })
    }

    /// The path as written (without `$.`), used as the column name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The raw JSON value at this path in `event`, if present.
    pub fn get<'a>(&self, event: &'a [u8]) -> Option<&'a [u8]> {
        crate::record::lookup(event, &self.segments)
    }

    /// The cell for this path in `event`.
    pub fn cell<'a>(&self, event: &'a [u8]) -> Cell<'a> {
        Cell::from_json(self.get(event))
    }
}

/// One value of an output row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell<'a> {
    /// Absent or `null`.
    Missing,
    /// A string value, decoded.
    Text(Cow<'a, str>),
    /// Another JSON value (number, boolean, object, array), as compact JSON text.
    Json(Cow<'a, [u8]>),
    /// A count computed by ctl.
    Count(u64),
}

impl<'a> Cell<'a> {
    /// The cell for a raw JSON value.
    pub fn from_json(raw: Option<&'a [u8]>) -> Cell<'a> {
        match raw {
            None | Some(b"null") => Cell::Missing,
            Some(raw) => match json::str_value(raw) {
                Some(text) => Cell::Text(text),
                None => Cell::Json(crate::record::event_text(raw)),
            },
        }
    }

    /// The cell as plain text (CSV, tables, grouping keys): `None` when missing.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Cell::Missing => None,
            Cell::Text(t) => Some(Cow::Borrowed(t)),
            Cell::Json(j) => Some(String::from_utf8_lossy(j)),
            Cell::Count(n) => Some(Cow::Owned(n.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_extract_cells() {
        let ev =
            br#"{"userIdentity":{"arn":"arn:x"},"resources":[{"ARN":"r0"},{"ARN":"r1"}],"n":3,"z":null,"o":{"a": 1}}"#;
        let cell = |p: &str| FieldPath::parse(p).unwrap().cell(ev);
        assert_eq!(cell("userIdentity.arn"), Cell::Text("arn:x".into()));
        assert_eq!(cell("$.resources.1.ARN"), Cell::Text("r1".into()));
        assert_eq!(cell("n").text().unwrap(), "3");
        assert_eq!(cell("o").text().unwrap(), "{\"a\":1}");
        assert_eq!(cell("z"), Cell::Missing);
        assert_eq!(cell("nope.x"), Cell::Missing);
        assert!(FieldPath::parse("a..b").is_err());
        assert!(FieldPath::parse("").is_err());
    }
}
