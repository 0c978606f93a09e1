//! Line and column numbers for byte offsets, found in time linear in the source overall.

use std::cell::{Cell, OnceCell};

use super::error::Location;
use crate::document::Span;

/// Turns byte offsets into [`Location`]s.
///
/// The line starts are found once, and only when a first location is asked for (a valid
/// manifest never pays for them); a line is then found by binary search. Columns count
/// characters from the line start, or from the previous offset asked for when it is on the same
/// line and before, so asking for offsets in ascending order reads each line at most once, even
/// a 16 MiB line holding every error.
pub(crate) struct Locator<'s> {
    source: Option<&'s str>,
    line_starts: OnceCell<Vec<usize>>,
    previous: Cell<Option<(usize, Location)>>,
}

impl<'s> Locator<'s> {
    /// A locator for `source`; without a source (JSON input) it finds no location.
    pub(crate) fn new(source: Option<&'s str>) -> Self {
        Self {
            source,
            line_starts: OnceCell::new(),
            previous: Cell::new(None),
        }
    }

    /// The location of the start of `span`, if there is a span and it is inside the source.
    pub(crate) fn locate(&self, span: Option<&Span>) -> Option<Location> {
        self.offset(span?.start)
    }

    /// The location of byte `offset`, if it is inside the source at a character boundary.
    pub(crate) fn offset(&self, offset: usize) -> Option<Location> {
        let source = self.source?;
        if !source.is_char_boundary(offset) {
            return None;
        }
        let starts = self.line_starts.get_or_init(|| line_starts(source));
        // `starts[0]` is 0, so at least one start is at or before any offset.
        let line = starts.partition_point(|&start| start <= offset);
        let line_start = starts.get(line.checked_sub(1)?).copied()?;
        let (from, column) = match self.previous.get() {
            Some((previous, location))
                if location.line == line && previous >= line_start && previous <= offset =>
            {
                (previous, location.column)
            }
            _ => (line_start, 1),
        };
        let location = Location {
            line,
            column: column + source.get(from..offset)?.chars().count(),
        };
        self.previous.set(Some((offset, location)));
        Some(location)
    }
}

fn line_starts(source: &str) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        source
            .bytes()
            .enumerate()
            .filter(|&(_, byte)| byte == b'\n')
            .map(|(index, _)| index + 1),
    );
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_character_columns_in_any_order() {
        let source = "a = 1\nbé = \"x\"\n\nlast";
        let locator = Locator::new(Some(source));
        let at = |line, column| Some(Location { line, column });
        let equals = source.rfind('=').expect("=");
        assert_eq!(locator.offset(equals), at(2, 4));
        assert_eq!(locator.offset(0), at(1, 1));
        assert_eq!(locator.offset(equals), at(2, 4));
        assert_eq!(locator.offset(equals + 2), at(2, 6));
        assert_eq!(locator.offset(equals - 1), at(2, 3));
        assert_eq!(locator.offset(source.len() - 4), at(4, 1));
        assert_eq!(locator.offset(source.len()), at(4, 5));
        assert_eq!(locator.offset(source.len() - 5), at(3, 1));
        // Inside a multi-byte character, or past the end: not a position in the text.
        assert_eq!(locator.offset("a = 1\nb".len() + 1), None);
        assert_eq!(locator.offset(source.len() + 1), None);
        assert_eq!(Locator::new(None).offset(0), None);
    }
}
