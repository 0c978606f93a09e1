mod checkpoint;
mod csv_files;
mod files;
mod ops;
mod support;
mod workflow;
