//! One event's JSON record into a row of the table ([`crate::schema`]): the columns it fills,
//! its timestamp, and `_extra` for what the columns do not reproduce exactly.
//!
//! The record is walked once, member by member, over borrowed slices; strings are decoded
//! straight into the column builders and JSON-text members are copied as written.

use std::sync::Arc;

use arrow_array::builder::TimestampMillisecondBuilder;
use arrow_array::cast::AsArray;
use arrow_array::{ArrayRef, ListArray, MapArray, RecordBatch, StructArray};
use arrow_buffer::{NullBufferBuilder, OffsetBuffer};
use cloudtrail::record::skip_lenient;
use cwl_filter::json::{self, SyntaxError};

use crate::schema::{self, Kind, Member, EVENT};
use crate::text::TextBuilder;

/// The most members a struct of the schema has (slots are kept on the stack).
const MAX_MEMBERS: usize = 32;

/// The rows built so far, column by column; [`Rows::finish`] turns them into a batch, and
/// [`Rows::reuse`] takes its memory back once it is written.
pub struct Rows {
    columns: Vec<Column>,
    timestamp: TimestampMillisecondBuilder,
    extra: TextBuilder,
    /// The `_extra` object being written for the current row.
    extra_text: Vec<u8>,
}

impl Default for Rows {
    fn default() -> Rows {
        Rows::new()
    }
}

impl Rows {
    pub fn new() -> Rows {
        Rows {
            columns: EVENT.iter().map(|m| Column::new(m.kind)).collect(),
            timestamp: TimestampMillisecondBuilder::new(),
            extra: TextBuilder::default(),
            extra_text: Vec::new(),
        }
    }

    /// Adds one event, whose `eventTime` in milliseconds is `time` (the `eventtimestamp`
    /// column). `raw` must be a record that passed [`cloudtrail::record::admit`] (a JSON
    /// object, valid UTF-8); an error (only on a record that is not a JSON object) leaves the
    /// rows as they were.
    pub fn push(&mut self, raw: &[u8], time: Option<i64>) -> Result<(), SyntaxError> {
        let mut slots: [Option<&[u8]>; MAX_MEMBERS] = [None; MAX_MEMBERS];
        self.extra_text.clear();
        let extra = &mut self.extra_text;
        // Members mostly come in CloudTrail's order, the columns' order: the next column is
        // tried first.
        let mut next = 0;
        json::for_each_member(raw, 0, |key, start| -> Result<usize, SyntaxError> {
            let end = skip_lenient(raw, start)?;
            let found = match EVENT.get(next) {
                Some(m) if key == m.json.as_bytes() => Some(next),
                _ => position(EVENT, key),
            };
            match found {
                Some(i) => {
                    slots[i] = Some(&raw[start..end]);
                    next = i + 1;
                }
                None => add_extra(extra, key, &raw[start..end]),
            }
            Ok(end)
        })?;
        for (i, (column, member)) in self.columns.iter_mut().zip(EVENT).enumerate() {
            if !column.append(slots[i]) {
                if let Some(value) = slots[i] {
                    add_extra(&mut self.extra_text, member.json.as_bytes(), value);
                }
            }
        }
        self.timestamp.append_option(time);
        if self.extra_text.is_empty() {
            self.extra.append_null();
        } else {
            self.extra_text.push(b'}');
            // Keys and values are slices of a record checked as UTF-8.
            // A chunk's text is far below the 2 GiB a column holds (see `group::CHUNK_BYTES`):
            // only a single record of over 2 GiB could leave it null.
            self.extra.append_value(&String::from_utf8_lossy(&self.extra_text));
        }
        Ok(())
    }

    /// The memory held by the text columns' builders.
    pub fn memory(&self) -> usize {
        self.extra.memory() + self.columns.iter().map(Column::memory).sum::<usize>()
    }

    /// Takes back the memory of `batch`, made by [`Rows::finish`] and written, for the next
    /// rows (what is still held elsewhere is left). The rows must be empty.
    pub fn reuse(&mut self, batch: RecordBatch) {
        let (_, mut arrays, _) = batch.into_parts();
        if let Some(extra) = arrays.pop() {
            self.extra.reuse(extra);
        }
        for (column, array) in self.columns.iter_mut().zip(arrays) {
            column.reuse(array);
        }
    }

    /// The rows as a batch of [`schema::arrow_schema`]; the builders start over empty.
    pub fn finish(&mut self) -> RecordBatch {
        let mut arrays: Vec<ArrayRef> = self.columns.iter_mut().map(Column::finish).collect();
        arrays.push(Arc::new(self.timestamp.finish()));
        arrays.push(Arc::new(self.extra.finish()));
        // The arrays are built for this schema, column by column: a mismatch is a bug.
        RecordBatch::try_new(schema::arrow_schema(), arrays).expect("rows match the schema")
    }
}

/// The index of the member named by the raw key `key` in `members`.
fn position(members: &[Member], key: &[u8]) -> Option<usize> {
    // Keys are compared as written unless they hold an escape (rare): one look for a
    // backslash per key, not one per member.
    if memchr::memchr(b'\\', key).is_none() {
        members.iter().position(|m| m.json.as_bytes() == key)
    } else {
        let key = json::decode(key);
        members.iter().position(|m| m.json.as_bytes() == &*key)
    }
}

/// Appends `"key":value` to the `_extra` object being written.
fn add_extra(text: &mut Vec<u8>, key: &[u8], value: &[u8]) {
    text.push(if text.is_empty() { b'{' } else { b',' });
    text.push(b'"');
    text.extend_from_slice(key);
    text.extend_from_slice(b"\":");
    text.extend_from_slice(value);
}

/// The builder of one column.
enum Column {
    Text { kind: Kind, values: TextBuilder },
    Struct { members: &'static [Member], children: Vec<Column>, nulls: NullBufferBuilder },
    List { members: &'static [Member], offsets: Vec<i32>, nulls: NullBufferBuilder, item: Box<Column> },
    Map { offsets: Vec<i32>, nulls: NullBufferBuilder, keys: TextBuilder, values: TextBuilder },
}

impl Column {
    fn new(kind: Kind) -> Column {
        match kind {
            Kind::Str | Kind::BoolText | Kind::Json => Column::Text { kind, values: TextBuilder::default() },
            Kind::Struct(members) => Column::Struct {
                members,
                children: members.iter().map(|m| Column::new(m.kind)).collect(),
                nulls: NullBufferBuilder::new(0),
            },
            Kind::List(members) => Column::List {
                members,
                offsets: vec![0],
                nulls: NullBufferBuilder::new(0),
                item: Box::new(Column::new(Kind::Struct(members))),
            },
            Kind::Map => Column::Map {
                offsets: vec![0],
                nulls: NullBufferBuilder::new(0),
                keys: TextBuilder::default(),
                values: TextBuilder::default(),
            },
        }
    }

    /// Appends a member's raw value (`None`: absent) and says whether the column reproduces it
    /// exactly; when it does not, the column holds what it can (or null) and the caller keeps
    /// the value in `_extra`.
    fn append(&mut self, value: Option<&[u8]>) -> bool {
        match self {
            Column::Text { kind, values } => {
                let Some(raw) = value else {
                    values.append_null();
                    return true;
                };
                match kind {
                    Kind::Str => match raw.first() {
                        Some(b'"') => values.append_option(json::str_value(raw)),
                        _ => {
                            values.append_null();
                            false
                        }
                    },
                    Kind::BoolText => match raw {
                        b"true" | b"false" => values.append_value(std::str::from_utf8(raw).unwrap_or_default()),
                        // Written as a string by some tools: queryable, and kept exactly in `_extra`.
                        b"\"true\"" | b"\"false\"" => {
                            values.append_value(&std::str::from_utf8(raw).unwrap_or_default()[1..raw.len() - 1]);
                            false
                        }
                        _ => {
                            values.append_null();
                            false
                        }
                    },
                    _ => match std::str::from_utf8(raw) {
                        Ok(text) if raw != b"null" => values.append_value(text),
                        _ => {
                            values.append_null();
                            false
                        }
                    },
                }
            }
            Column::Struct { members, children, nulls } => {
                let mut slots: [Option<&[u8]>; MAX_MEMBERS] = [None; MAX_MEMBERS];
                let mut exact = true;
                let object = value.filter(|raw| raw.first() == Some(&b'{')).and_then(|raw| {
                    json::for_each_member(raw, 0, |key, start| -> Result<usize, SyntaxError> {
                        let end = skip_lenient(raw, start)?;
                        match position(members, key) {
                            Some(i) => slots[i] = Some(&raw[start..end]),
                            None => exact = false,
                        }
                        Ok(end)
                    })
                    .ok()
                });
                if object.is_some() {
                    nulls.append_non_null();
                    for (child, slot) in children.iter_mut().zip(slots) {
                        exact &= child.append(slot);
                    }
                    exact
                } else {
                    nulls.append_null();
                    for child in children.iter_mut() {
                        child.append(None);
                    }
                    value.is_none()
                }
            }
            Column::List { offsets, nulls, item, .. } => {
                let mut exact = true;
                let mut count = 0;
                let array = value.filter(|raw| raw.first() == Some(&b'[')).and_then(|raw| {
                    json::for_each_element(raw, 0, |_, start| -> Result<usize, SyntaxError> {
                        let end = skip_lenient(raw, start)?;
                        exact &= item.append(Some(&raw[start..end]));
                        count += 1;
                        Ok(end)
                    })
                    .ok()
                });
                let last = offsets.last().copied().unwrap_or(0);
                offsets.push(last + count);
                if array.is_some() {
                    nulls.append_non_null();
                    exact
                } else {
                    nulls.append_null();
                    value.is_none()
                }
            }
            Column::Map { offsets, nulls, keys, values } => {
                let mut exact = true;
                let mut count = 0;
                let object = value.filter(|raw| raw.first() == Some(&b'{')).and_then(|raw| {
                    json::for_each_member(raw, 0, |key, start| -> Result<usize, SyntaxError> {
                        let end = skip_lenient(raw, start)?;
                        match json::str_value(&raw[start..end]) {
                            Some(v) => {
                                let key = String::from_utf8_lossy(&json::decode(key)).into_owned();
                                if keys.has_room(key.len()) && values.has_room(v.len()) {
                                    keys.append_value(&key);
                                    values.append_value(&v);
                                    count += 1;
                                } else {
                                    exact = false;
                                }
                            }
                            None => exact = false,
                        }
                        Ok(end)
                    })
                    .ok()
                });
                let last = offsets.last().copied().unwrap_or(0);
                offsets.push(last + count);
                if object.is_some() {
                    nulls.append_non_null();
                    exact
                } else {
                    nulls.append_null();
                    value.is_none()
                }
            }
        }
    }

    /// The memory held by the builders of text.
    fn memory(&self) -> usize {
        match self {
            Column::Text { values, .. } => values.memory(),
            Column::Struct { children, .. } => children.iter().map(Column::memory).sum(),
            Column::List { item, .. } => item.memory(),
            Column::Map { keys, values, .. } => keys.memory() + values.memory(),
        }
    }

    /// Takes back the memory of `array`, made by [`Column::finish`] (see [`Rows::reuse`]).
    fn reuse(&mut self, array: ArrayRef) {
        match self {
            Column::Text { values, .. } => values.reuse(array),
            Column::Struct { children, .. } => {
                let Some(object) = array.as_struct_opt().cloned() else { return };
                drop(array);
                for (child, array) in children.iter_mut().zip(object.into_parts().1) {
                    child.reuse(array);
                }
            }
            Column::List { item, .. } => {
                let Some(list) = array.as_list_opt::<i32>().cloned() else { return };
                drop(array);
                item.reuse(list.into_parts().2);
            }
            Column::Map { keys, values, .. } => {
                let Some(map) = array.as_map_opt().cloned() else { return };
                drop(array);
                let (_, mut entries, _) = map.into_parts().2.into_parts();
                if let (Some(v), Some(k)) = (entries.pop(), entries.pop()) {
                    keys.reuse(k);
                    values.reuse(v);
                }
            }
        }
    }

    /// The column's array; the builder starts over empty.
    fn finish(&mut self) -> ArrayRef {
        match self {
            Column::Text { values, .. } => Arc::new(values.finish()),
            Column::Struct { members, children, nulls } => {
                let arrays = children.iter_mut().map(Column::finish).collect();
                Arc::new(StructArray::new(schema::fields(members), arrays, nulls.finish()))
            }
            Column::List { members, offsets, nulls, item } => {
                let offsets = OffsetBuffer::new(std::mem::replace(offsets, vec![0]).into());
                let element = match schema::data_type(Kind::List(members)) {
                    arrow_schema::DataType::List(field) => field,
                    _ => unreachable!("a list kind has a list type"),
                };
                Arc::new(ListArray::new(element, offsets, item.finish(), nulls.finish()))
            }
            Column::Map { offsets, nulls, keys, values } => {
                let offsets = OffsetBuffer::new(std::mem::replace(offsets, vec![0]).into());
                let entries = schema::map_entries();
                let arrow_schema::DataType::Struct(fields) = entries.data_type().clone() else {
                    unreachable!("map entries are a struct")
                };
                let entries_array =
                    StructArray::new(fields, vec![Arc::new(keys.finish()), Arc::new(values.finish())], None);
                Arc::new(MapArray::new(Arc::new(entries), offsets, entries_array, nulls.finish(), false))
            }
        }
    }
}
