use symphony_instruments::{methods::Infer, prelude::*, testing::TestHost};

#[tokio::test]
async fn shouts() {
    let host = TestHost::spawn(env!("CARGO_BIN_EXE_@NAME@")).await.unwrap();
    let input = InferenceInput::Text("hello".into()).into();
    let answer = host.request::<Infer>(&input).await.unwrap();
    assert_eq!(answer.output, InferenceOutput::Text("HELLO".into()));
    assert_eq!(answer.usage.batch_size, 1);
    host.shutdown().await.unwrap();
}
