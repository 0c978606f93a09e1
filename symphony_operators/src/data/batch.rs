//! Record batches and the pool their buffers return to.

use std::sync::{Arc, Mutex, PoisonError};

use csv::ByteRecord;

use super::{DataError, Headers};

/// Spare record buffers, shared by a producer and the batches it sent.
///
/// When a [`RecordBatch`] made from a pool is dropped (by whichever operator consumed it
/// last), its records go back here, so a steady stream allocates nothing after its first few
/// batches. At most `capacity` buffers are kept; the rest are freed.
#[derive(Debug, Clone)]
pub struct BatchPool {
    spare: Arc<Mutex<Vec<Vec<ByteRecord>>>>,
    capacity: usize,
}

impl BatchPool {
    /// A pool keeping at most `capacity` spare batches.
    pub fn new(capacity: usize) -> Self {
        Self {
            spare: Arc::default(),
            capacity,
        }
    }

    /// An empty batch with `headers`, reusing a spare buffer if there is one.
    pub fn batch(&self, headers: Arc<Headers>) -> RecordBatch {
        let records = self
            .spare
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default();
        RecordBatch {
            headers,
            records,
            len: 0,
            pool: Some(self.clone()),
        }
    }

    fn give_back(&self, records: Vec<ByteRecord>) {
        let mut spare = self.spare.lock().unwrap_or_else(PoisonError::into_inner);
        if spare.len() < self.capacity {
            spare.push(records);
        }
    }
}

/// A batch of records sharing one set of [`Headers`].
///
/// Fields are bytes ([`ByteRecord`]): CSV data that is not UTF-8 passes through untouched.
/// The batch keeps the buffers of removed records for reuse, so filling, filtering and
/// refilling it does not allocate once it has warmed up.
///
/// ```
/// use std::sync::Arc;
/// use symphony_operators::data::{Headers, RecordBatch};
///
/// let headers = Arc::new(Headers::new(["name", "city"])?);
/// let mut batch = RecordBatch::new(headers);
/// batch.push_fields(["ada", "London"]);
/// batch.push_fields(["alan", "Wilmslow"]);
/// batch.retain(|record| record.get(1) == Some(&b"London"[..]));
/// assert_eq!(batch.len(), 1);
/// assert_eq!(batch.to_json()?[0]["name"], "ada");
/// # Ok::<(), symphony_operators::data::DataError>(())
/// ```
#[derive(Debug)]
pub struct RecordBatch {
    headers: Arc<Headers>,
    // records[..len] are the batch; records[len..] are spare buffers.
    records: Vec<ByteRecord>,
    len: usize,
    pool: Option<BatchPool>,
}

impl RecordBatch {
    /// An empty batch, not tied to a pool.
    pub fn new(headers: Arc<Headers>) -> Self {
        Self {
            headers,
            records: Vec::new(),
            len: 0,
            pool: None,
        }
    }

    /// The headers.
    pub fn headers(&self) -> &Arc<Headers> {
        &self.headers
    }

    /// Replaces the headers (after an operator changed the columns of every record).
    pub fn set_headers(&mut self, headers: Arc<Headers>) {
        self.headers = headers;
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the batch holds no records.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The records.
    pub fn records(&self) -> &[ByteRecord] {
        &self.records[..self.len]
    }

    /// The records, to change in place.
    pub fn records_mut(&mut self) -> &mut [ByteRecord] {
        &mut self.records[..self.len]
    }

    /// Sets the field in `column` of the record at `row` (from 0) to `value`, in place.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use symphony_operators::data::{Headers, RecordBatch};
    ///
    /// let mut batch = RecordBatch::new(Arc::new(Headers::new(["name", "city"])?));
    /// batch.push_fields(["ada", "london"]);
    /// batch.set_field(0, "city", "London")?;
    /// assert_eq!(batch.to_json()?[0]["city"], "London");
    /// assert!(batch.set_field(0, "town", "x").unwrap_err().to_string().contains("name, city"));
    /// assert!(batch.set_field(5, "city", "x").is_err());
    /// # Ok::<(), symphony_operators::data::DataError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DataError::UnknownColumn`] listing the columns there are, or
    /// [`DataError::NoSuchField`] if the batch has no such row or that (ragged) record is
    /// shorter.
    pub fn set_field(
        &mut self,
        row: usize,
        column: &str,
        value: impl AsRef<[u8]>,
    ) -> Result<(), DataError> {
        let index = self.headers.index_of(column)?;
        let missing = || DataError::NoSuchField {
            row,
            column: column.to_owned(),
        };
        let record = self.records_mut().get_mut(row).ok_or_else(missing)?;
        if index >= record.len() {
            return Err(missing());
        }
        let mut scratch = ByteRecord::new();
        replace_field(record, index, value.as_ref(), &mut scratch);
        Ok(())
    }

    /// Replaces every field in `column` with what `change` makes of it, in place; records
    /// too short to have the column (ragged rows) are left as they are.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use symphony_operators::data::{Headers, RecordBatch};
    ///
    /// let mut batch = RecordBatch::new(Arc::new(Headers::new(["name"])?));
    /// batch.push_fields(["ada"]);
    /// batch.update_column("name", |name| name.to_ascii_uppercase())?;
    /// assert_eq!(batch.to_json()?[0]["name"], "ADA");
    /// # Ok::<(), symphony_operators::data::DataError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`DataError::UnknownColumn`] listing the columns there are.
    pub fn update_column<T: AsRef<[u8]>>(
        &mut self,
        column: &str,
        mut change: impl FnMut(&[u8]) -> T,
    ) -> Result<(), DataError> {
        let index = self.headers.index_of(column)?;
        let mut scratch = ByteRecord::new();
        for record in self.records_mut() {
            if let Some(field) = record.get(index) {
                let value = change(field);
                replace_field(record, index, value.as_ref(), &mut scratch);
            }
        }
        Ok(())
    }

    /// Appends an empty record and returns it to fill (reusing a spare buffer).
    pub fn push_empty(&mut self) -> &mut ByteRecord {
        if self.len == self.records.len() {
            self.records.push(ByteRecord::new());
        }
        let index = self.len;
        self.len += 1;
        let record = &mut self.records[index];
        record.clear();
        record
    }

    /// Removes the last record (e.g. one that [`push_empty`](Self::push_empty) added but
    /// could not fill); its buffer stays for reuse.
    pub fn pop(&mut self) {
        self.len = self.len.saturating_sub(1);
    }

    /// Appends a record with these fields.
    pub fn push_fields<T: AsRef<[u8]>>(&mut self, fields: impl IntoIterator<Item = T>) {
        let record = self.push_empty();
        for field in fields {
            record.push_field(field.as_ref());
        }
    }

    /// Appends a copy of `source`.
    pub fn push_record(&mut self, source: &ByteRecord) {
        let record = self.push_empty();
        record.extend(source.iter());
    }

    /// Keeps the records for which `keep` is true, in order, without copying any.
    pub fn retain(&mut self, mut keep: impl FnMut(&ByteRecord) -> bool) {
        let mut kept = 0;
        for index in 0..self.len {
            if keep(&self.records[index]) {
                self.records.swap(kept, index);
                kept += 1;
            }
        }
        self.len = kept;
    }

    /// Removes every record, keeping the buffers.
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// A batch from the same pool (if any) with the same headers, for a second output.
    pub fn sibling(&self) -> RecordBatch {
        match &self.pool {
            Some(pool) => pool.batch(Arc::clone(&self.headers)),
            None => RecordBatch::new(Arc::clone(&self.headers)),
        }
    }
}

/// Rebuilds `record` with `value` at `index` (a `ByteRecord` keeps its fields in one buffer,
/// so a field cannot grow in place); `scratch` is reused between records.
fn replace_field(record: &mut ByteRecord, index: usize, value: &[u8], scratch: &mut ByteRecord) {
    scratch.clear();
    for (position, field) in record.iter().enumerate() {
        scratch.push_field(if position == index { value } else { field });
    }
    std::mem::swap(record, scratch);
}

impl Clone for RecordBatch {
    fn clone(&self) -> Self {
        let mut copy = self.sibling();
        for record in self.records() {
            copy.push_record(record);
        }
        copy
    }
}

impl Drop for RecordBatch {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            pool.give_back(std::mem::take(&mut self.records));
        }
    }
}
