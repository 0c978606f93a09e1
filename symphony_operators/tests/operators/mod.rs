mod checkpoint;
mod codes;
mod csv_files;
mod files;
mod fusion;
mod ops;
mod support;
mod workflow;
