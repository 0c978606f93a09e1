mod checkpoint;
mod csv_files;
mod extension;
mod files;
mod ops;
mod support;
mod workflow;
