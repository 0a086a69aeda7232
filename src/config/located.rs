//! Source locations: which file, line and column every value of the config came from.
//!
//! [`Loc<T>`] wraps a value with its [`Pos`]. It deserializes through serde-saphyr's `Spanned`,
//! and compares, hashes and borrows as the bare value, so a map keyed by `Loc<String>` is looked
//! up with a plain `&str`. The file a value came from is set by the loader around each parse
//! ([`with_file`]), so a config merged from several files still points at the right one.

use std::borrow::{Borrow, Cow};
use std::cell::Cell;
use std::fmt;
use std::hash::{Hash, Hasher};

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer};

/// Index of a loaded file in the [`Sources`](super::Sources) it was read into.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// Where a value stands: file, 1-based line and column, and the byte range of its text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pos {
    pub file: FileId,
    pub line: u32,
    pub col: u32,
    /// Byte offset of the value's first character in its file, when known.
    pub offset: Option<u32>,
    /// Byte length of the value's text (0 when unknown or for an empty node).
    pub len: u32,
}

impl Pos {
    /// The position of a serde-saphyr location in the file being parsed now.
    pub(crate) fn from_saphyr(location: &serde_saphyr::Location) -> Pos {
        let span = location.span();
        Pos {
            file: current_file(),
            line: location.line().try_into().unwrap_or(u32::MAX),
            col: location.column().try_into().unwrap_or(u32::MAX),
            offset: span.byte_offset().and_then(|o| o.try_into().ok()),
            len: span.byte_len().and_then(|l| l.try_into().ok()).unwrap_or(0),
        }
    }

    /// True for a position that was never set (a value built in code, not read from a file).
    pub fn is_unknown(&self) -> bool {
        self.line == 0
    }
}

thread_local! {
    static CURRENT_FILE: Cell<FileId> = const { Cell::new(FileId(0)) };
}

fn current_file() -> FileId {
    CURRENT_FILE.with(Cell::get)
}

/// Runs `parse` with every [`Loc`] it creates pointing into `file`.
pub(crate) fn with_file<R>(file: FileId, parse: impl FnOnce() -> R) -> R {
    let previous = CURRENT_FILE.with(|c| c.replace(file));
    let result = parse();
    CURRENT_FILE.with(|c| c.set(previous));
    result
}

/// A value and where it was written.
#[derive(Clone)]
pub struct Loc<T> {
    pub value: T,
    pub at: Pos,
}

impl<T> Loc<T> {
    pub fn new(value: T, at: Pos) -> Self {
        Loc { value, at }
    }

    /// A value with no source position (built in code, e.g. a default).
    pub fn unplaced(value: T) -> Self {
        Loc {
            value,
            at: Pos::default(),
        }
    }
}

/// Where an optional value was written, if it was.
pub fn position<T>(value: &Option<Loc<T>>) -> Option<Pos> {
    value.as_ref().map(|l| l.at)
}

impl<T> std::ops::Deref for Loc<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: fmt::Debug> fmt::Debug for Loc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: fmt::Display> fmt::Display for Loc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: PartialEq> PartialEq for Loc<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl<T: Eq> Eq for Loc<T> {}

impl<T: Hash> Hash for Loc<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.value.hash(state);
    }
}

impl Borrow<str> for Loc<String> {
    fn borrow(&self) -> &str {
        &self.value
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Loc<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = serde_saphyr::Spanned::<T>::deserialize(deserializer)?;
        let at = Pos::from_saphyr(&spanned.referenced);
        Ok(Loc {
            value: spanned.value,
            at,
        })
    }
}

/// In the JSON Schema a located value is just the value.
impl<T: JsonSchema> JsonSchema for Loc<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }
    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }
    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }
    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Doc {
        name: Loc<String>,
    }

    #[test]
    fn records_line_column_and_file() {
        let doc: Doc = with_file(FileId(3), || serde_saphyr::from_str("\nname: luciq\n")).unwrap();
        assert_eq!(doc.name.value, "luciq");
        assert_eq!(
            (doc.name.at.file, doc.name.at.line, doc.name.at.col),
            (FileId(3), 2, 7)
        );
        assert_eq!(doc.name.at.offset, Some(7));
        assert_eq!(doc.name.at.len, 5);
    }

    #[test]
    fn compares_and_hashes_as_the_value() {
        let mut map = indexmap::IndexMap::new();
        map.insert(Loc::unplaced("a".to_string()), 1);
        assert_eq!(map.get("a"), Some(&1));
        assert_eq!(
            Loc::unplaced(1),
            Loc::new(
                1,
                Pos {
                    line: 9,
                    ..Pos::default()
                }
            )
        );
    }
}
