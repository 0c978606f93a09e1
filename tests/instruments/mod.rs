//! Instrument extensions as real child processes, spawned and driven by the core host.

mod http_chat;
mod onnx_classifier;
mod semantic_search;

use symphony_tests::extension::workspace_root as workspace;
