//! Example: semantic search over a folder's text files with MiniLM (see the library:
//! [`semantic_search`]).

symphony_instruments::main!(semantic_search::setup);
