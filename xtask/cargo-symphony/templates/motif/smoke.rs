use symphony_motifs::{bridge::BridgeEvent, methods::motif::*, testing::MotifTestHost};

#[test]
fn a_click_increments_the_counter() {
    let panel = MotifTestHost::spawn(env!("CARGO_BIN_EXE_@NAME@")).unwrap();
    let click = EventParams::new("counter", &BridgeEvent::click([]));
    let update = panel.request::<Event>(&click).unwrap();
    assert_eq!(update.patches.len(), 1, "only the text changes: {update:?}");

    let view = panel.request::<Render>(&ComponentParams::new("counter")).unwrap();
    assert_eq!(view.html, r#"<button data-motif-on-click="increment">1</button>"#);
    panel.shutdown().unwrap();
}
