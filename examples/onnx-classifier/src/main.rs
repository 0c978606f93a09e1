//! Example: an instrument extension serving the iris classifier in `model/` (see the
//! library: [`onnx_classifier`]).

symphony_instruments::main!(onnx_classifier::setup);
