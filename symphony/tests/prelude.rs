//! `symphony::prelude::*` globs the three kinds' preludes; naming each of their items through
//! it proves none is ambiguous (that would not compile), and `type_name` proves each is the
//! focused crate's own item.

#![cfg(all(feature = "instruments", feature = "operators", feature = "motifs"))]

use std::any::{type_name, type_name_of_val};

use symphony::prelude::{
    ChatMessage, Context, Document, DocumentModel, Editor, Effects, Event, Files, Headers, Health,
    Inference, InferenceInput, InferenceOutput, Instrument, InstrumentError, Io, Modality,
    ModelCapabilities, ModelConfig, ModelInfo, Motif, MotifServer, Node, Operator,
    OperatorCategory, OperatorError, OperatorPortType, OperatorSpec, Pipeline, Placement, PortSpec,
    RecordBatch, RunOptions, Task, Tensor, TextDocument, TextEdit, Usage, Workflow, async_trait,
    el, serve_operators, text,
};

/// `text` and `serve_operators` take `impl Trait` arguments, so they have no type to name;
/// they are used here instead.
#[allow(dead_code)]
fn functions_are_in_scope(manifest: symphony::operators::manifest::Manifest) -> Node {
    serve_operators(manifest, Vec::new());
    text("named")
}

#[test]
fn every_prelude_item_is_the_focused_crates_own() {
    let names = [
        type_name::<Pipeline>(),
        type_name::<InstrumentError>(),
        type_name::<RecordBatch>(),
        type_name::<Workflow>(),
        type_name::<MotifServer>(),
        type_name::<Effects>(),
        type_name::<OperatorCategory>(),
        type_name::<Placement>(),
    ];
    assert_eq!(
        names,
        [
            "symphony_instruments::pipeline::Pipeline",
            "symphony_instruments::error::InstrumentError",
            "symphony_operators::data::batch::RecordBatch",
            "symphony_operators::workflow::build::Workflow",
            "symphony_motifs::serve::MotifServer",
            "symphony_motifs::motif::Effects",
            "symphony_core::manifest::operator::OperatorCategory",
            "symphony_core::manifest::motif::Placement",
        ]
    );
    // Functions: the focused crates' own items.
    assert_eq!(
        [type_name_of_val(&el),],
        ["symphony_motifs::view::node::el",]
    );
    // Traits: the same traits under both names.
    fn is_focused_instrument<T: symphony_instruments::Instrument + ?Sized>() {}
    is_focused_instrument::<dyn Instrument>();
    fn is_focused_operator<T: symphony_operators::Operator + ?Sized>() {}
    is_focused_operator::<dyn Operator>();
    fn is_focused_task<T: symphony_operators::Task + ?Sized>() {}
    is_focused_task::<dyn Task>();
}

/// Types that the assertions above do not name, kept here so that an ambiguity among them
/// fails this test's build.
#[allow(dead_code)]
type Named = (
    ChatMessage,
    Health,
    Inference,
    InferenceInput,
    InferenceOutput,
    Modality,
    ModelCapabilities,
    ModelConfig,
    ModelInfo,
    Context,
    Tensor,
    Usage,
    Files,
    Headers,
    Io<'static>,
    OperatorError,
    OperatorPortType,
    OperatorSpec,
    PortSpec,
    RunOptions,
    Event,
    Node,
    TextDocument,
    TextEdit,
    Document<TextDocument>,
);

#[allow(dead_code)]
fn uses_traits<M: Motif, D: DocumentModel, E: Editor>() {}

#[async_trait]
#[allow(dead_code)]
trait AsyncTraitIsTheRealAttribute {
    async fn call(&self);
}
