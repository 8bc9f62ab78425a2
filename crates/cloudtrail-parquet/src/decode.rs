//! A row of the table back into the event's JSON text: the columns, then `_extra`, whose members
//! win (see [`crate::schema`]). Works on any projection of the columns: a member whose column
//! was not read is left out.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, ListArray, MapArray, RecordBatch, StringArray, StructArray};
use cwl_filter::json;

use crate::schema::{self, Kind, Member, EVENT};

/// The columns of one batch, downcast once.
pub struct Decoder<'b> {
    columns: Vec<Option<(&'static Member, Col<'b>)>>,
    extra: Option<&'b StringArray>,
    /// `_extra`'s members of the row being written: raw key and value slices.
    extras: Vec<(usize, usize, usize, usize)>,
}

enum Col<'b> {
    Text(&'b StringArray),
    Struct(&'b StructArray, Vec<Col<'b>>),
    List(&'b ListArray, Box<Col<'b>>),
    Map(&'b MapArray),
}

impl<'b> Col<'b> {
    fn new(array: &'b ArrayRef, kind: Kind) -> Option<Col<'b>> {
        Some(match kind {
            Kind::Str | Kind::BoolText | Kind::Json => Col::Text(array.as_string_opt::<i32>()?),
            Kind::Struct(members) => {
                let s = array.as_struct_opt()?;
                let children =
                    members.iter().zip(s.columns()).map(|(m, c)| Col::new(c, m.kind)).collect::<Option<Vec<_>>>()?;
                Col::Struct(s, children)
            }
            Kind::List(members) => {
                let l = array.as_list_opt::<i32>()?;
                Col::List(l, Box::new(Col::new(l.values(), Kind::Struct(members))?))
            }
            Kind::Map => Col::Map(array.as_map_opt()?),
        })
    }

    fn is_null(&self, row: usize) -> bool {
        match self {
            Col::Text(a) => a.is_null(row),
            Col::Struct(a, _) => a.is_null(row),
            Col::List(a, _) => a.is_null(row),
            Col::Map(a) => a.is_null(row),
        }
    }

    /// Writes the value at `row` (not null) as JSON.
    fn write(&self, kind: Kind, row: usize, out: &mut Vec<u8>) {
        match (self, kind) {
            (Col::Text(a), Kind::Str) => write_str(a.value(row), out),
            (Col::Text(a), _) => out.extend_from_slice(a.value(row).as_bytes()),
            (Col::Struct(_, children), Kind::Struct(members)) => write_object(members, children, row, out),
            (Col::List(a, item), Kind::List(members)) => {
                let Col::Struct(_, children) = item.as_ref() else { return };
                out.push(b'[');
                let offsets = a.value_offsets();
                for (n, i) in (offsets[row] as usize..offsets[row + 1] as usize).enumerate() {
                    if n > 0 {
                        out.push(b',');
                    }
                    write_object(members, children, i, out);
                }
                out.push(b']');
            }
            (Col::Map(a), Kind::Map) => {
                let offsets = a.value_offsets();
                let (keys, values) = (a.keys().as_string::<i32>(), a.values().as_string::<i32>());
                out.push(b'{');
                for (n, i) in (offsets[row] as usize..offsets[row + 1] as usize).enumerate() {
                    if n > 0 {
                        out.push(b',');
                    }
                    write_str(keys.value(i), out);
                    out.push(b':');
                    write_str(values.value(i), out);
                }
                out.push(b'}');
            }
            _ => out.extend_from_slice(b"null"),
        }
    }
}

/// Writes the members of a struct that are not null, as an object.
fn write_object(members: &[Member], children: &[Col<'_>], row: usize, out: &mut Vec<u8>) {
    out.push(b'{');
    let mut first = true;
    for (member, child) in members.iter().zip(children) {
        if child.is_null(row) {
            continue;
        }
        open_member(member.json, &mut first, out);
        child.write(member.kind, row, out);
    }
    out.push(b'}');
}

/// Writes the separator (unless `first`) and `"name":` of an object's member.
fn open_member(name: &str, first: &mut bool, out: &mut Vec<u8>) {
    if !std::mem::take(first) {
        out.push(b',');
    }
    write_str(name, out);
    out.push(b':');
}

/// Writes `text` as a JSON string.
fn write_str(text: &str, out: &mut Vec<u8>) {
    // Writing into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, text);
}

impl<'b> Decoder<'b> {
    /// The decoder of `batch`, whose columns are any subset of the table's, by name.
    pub fn new(batch: &'b RecordBatch) -> Decoder<'b> {
        let columns = EVENT
            .iter()
            .map(|member| {
                let array = batch.column_by_name(&schema::column_name(member))?;
                Some((member, Col::new(array, member.kind)?))
            })
            .collect();
        let extra = batch.column_by_name(schema::EXTRA).and_then(|a| a.as_string_opt::<i32>());
        Decoder { columns, extra, extras: Vec::new() }
    }

    /// Writes the event of `row` as one line of compact JSON (no newline) into `out`.
    pub fn write_event(&mut self, row: usize, out: &mut Vec<u8>) {
        let extra = self.extra.filter(|a| !a.is_null(row)).map(|a| a.value(row).as_bytes()).unwrap_or_default();
        self.extras.clear();
        if !extra.is_empty() {
            let extras = &mut self.extras;
            let _ = json::for_each_member(extra, 0, |key, start| -> Result<usize, json::SyntaxError> {
                let end = json::skip_value(extra, start)?;
                let key_start = key.as_ptr() as usize - extra.as_ptr() as usize;
                extras.push((key_start, key_start + key.len(), start, end));
                Ok(end)
            });
        }
        out.push(b'{');
        let mut first = true;
        for (member, col) in self.columns.iter().flatten() {
            if col.is_null(row)
                || self.extras.iter().any(|&(ks, ke, _, _)| json::key_eq(&extra[ks..ke], member.json.as_bytes()))
            {
                continue;
            }
            open_member(member.json, &mut first, out);
            col.write(member.kind, row, out);
        }
        for &(ks, ke, vs, ve) in &self.extras {
            if !first {
                out.push(b',');
            }
            first = false;
            out.push(b'"');
            out.extend_from_slice(&extra[ks..ke]);
            out.extend_from_slice(b"\":");
            out.extend_from_slice(&extra[vs..ve]);
        }
        out.push(b'}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::Rows;

    fn round_trip(text: &str) -> serde_json::Value {
        let mut rows = Rows::new();
        let time = cloudtrail::record::EventView::parse(text.as_bytes()).ok().and_then(|v| v.event_time_ms());
        rows.push(text.as_bytes(), time).unwrap();
        let batch = rows.finish();
        let mut out = Vec::new();
        Decoder::new(&batch).write_event(0, &mut out);
        serde_json::from_slice(&out).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out)))
    }

    #[test]
    fn events_read_back_json_equal() {
        let cases = [
            r#"{"eventVersion":"1.08","eventTime":"2026-01-05T10:00:00Z","eventName":"X","readOnly":true,
                "userIdentity":{"type":"AssumedRole","arn":"a","sessionContext":{"sessionIssuer":{"arn":"r"},
                "webIdFederationData":{"attributes":{"k":"v"}}}},"requestParameters":{"b":[1,2.50,{"c":null}]},
                "responseElements":null,"resources":[{"ARN":"x","type":"t"},{"accountId":"1"}]}"#,
            r#"{"eventName":{"odd":1},"readOnly":"false","userIdentity":{"type":"Root","newThing":3},
                "unknownMember":[1],"errorCode":null,"resources":[],"tlsDetails":{"tlsVersion":"TLSv1.3"}}"#,
            r#"{"resources":[1,"x"],"userIdentity":"AWS Internal","eventCategory":"Management","a\"b":1,
                "userAgent":"caf\u00e9 \"q\"","managementEvent":false}"#,
            r#"{}"#,
        ];
        for case in cases {
            let want: serde_json::Value = serde_json::from_str(case).unwrap();
            assert_eq!(round_trip(case), want, "{case}");
        }
    }
}
