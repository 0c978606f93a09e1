mod checkpoint;
mod codes;
mod csv_files;
mod entry;
mod files;
mod ops;
mod support;
mod workflow;
