//! The human-readable summary of a manifest and of validated config values.

use std::fmt::Write;

use symphony::operators::config::{ConfigSchema, ConfigValues, FieldSchema, FieldType};
use symphony::operators::manifest::{InstrumentPort, KindSection, Manifest, OperatorPort};
use symphony::operators::version::api_version;

/// The whole summary of a valid manifest.
pub(crate) fn manifest(manifest: &Manifest) -> String {
    let mut out = String::new();
    header(&mut out, manifest);
    permissions(&mut out, manifest);
    activation(&mut out, manifest);
    config(&mut out, manifest.config());
    section(&mut out, manifest.section());
    out
}

fn header(out: &mut String, manifest: &Manifest) {
    let _ = writeln!(
        out,
        "{} {} — {}",
        manifest.id(),
        manifest.version(),
        manifest.name()
    );
    let _ = writeln!(out, "  kind:        {}", manifest.kind());
    let _ = writeln!(
        out,
        "  engine:      {} (this SDK implements API {})",
        manifest.engine(),
        api_version()
    );
    if let Some(description) = manifest.description() {
        let _ = writeln!(out, "  description: {description}");
    }
    if !manifest.authors().is_empty() {
        let _ = writeln!(out, "  authors:     {}", manifest.authors().join(", "));
    }
    if let Some(license) = manifest.license() {
        let _ = writeln!(out, "  license:     {license}");
    }
}

fn permissions(out: &mut String, manifest: &Manifest) {
    let permissions = manifest.permissions();
    let _ = writeln!(out, "\nPermissions requested");
    // (category, what, detail)
    let mut rows: Vec<(&str, String, String)> = Vec::new();
    for rule in &permissions.filesystem {
        let access: Vec<String> = rule
            .access
            .iter()
            .map(|a| format!("{a:?}").to_lowercase())
            .collect();
        rows.push(("filesystem", rule.path.clone(), access.join(", ")));
    }
    for rule in &permissions.network {
        let ports = if rule.ports.is_empty() {
            "any port".to_owned()
        } else {
            let ports: Vec<String> = rule.ports.iter().map(u16::to_string).collect();
            format!("port {}", ports.join(", "))
        };
        rows.push(("network", rule.host.clone(), ports));
    }
    rows.extend(
        permissions
            .env
            .iter()
            .map(|name| ("env", name.clone(), "read".to_owned())),
    );
    rows.extend(
        permissions
            .process
            .iter()
            .map(|name| ("process", name.clone(), "spawn".to_owned())),
    );
    rows.extend(
        permissions
            .model
            .iter()
            .map(|action| ("model", format!("{action:?}").to_lowercase(), String::new())),
    );
    if rows.is_empty() {
        let _ = writeln!(out, "  none");
    }
    let width = rows
        .iter()
        .map(|(_, what, _)| what.chars().count())
        .max()
        .unwrap_or(0);
    let mut previous = "";
    for (category, what, detail) in rows {
        let label = if category == previous { "" } else { category };
        let line = format!("  {label:<11} {what:<width$}  {detail}");
        let _ = writeln!(out, "{}", line.trim_end());
        previous = category;
    }
}

fn activation(out: &mut String, manifest: &Manifest) {
    let _ = writeln!(out, "\nActivation events");
    if manifest.activation_events().is_empty() {
        let _ = writeln!(out, "  none (activated only when the host asks)");
    }
    for event in manifest.activation_events() {
        let _ = writeln!(out, "  {event}");
    }
}

fn config(out: &mut String, schema: &ConfigSchema) {
    let _ = writeln!(out, "\nConfig fields");
    if schema.is_empty() {
        let _ = writeln!(out, "  none");
    }
    let width = schema
        .fields()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    for (name, field) in schema.fields() {
        let _ = writeln!(
            out,
            "  {name:<width$}  {:<7} {}",
            field.type_name(),
            field_details(field)
        );
        if let Some(description) = field.description() {
            let _ = writeln!(out, "  {:<width$}  {:<7} {description}", "", "");
        }
    }
}

/// Default, requirement and constraints of one field, in one line.
fn field_details(field: &FieldSchema) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(default) = field.default() {
        parts.push(format!("default {default}"));
    } else if field.is_required() {
        parts.push("required".to_owned());
    } else {
        parts.push("optional".to_owned());
    }
    parts.extend(constraints(field.field_type()));
    parts.join(", ")
}

fn constraints(field_type: &FieldType) -> Vec<String> {
    let mut parts = Vec::new();
    let mut bound = |label: &str, value: Option<String>| {
        if let Some(value) = value {
            parts.push(format!("{label} {value}"));
        }
    };
    match field_type {
        FieldType::String {
            min_length,
            max_length,
            pattern,
        }
        | FieldType::Secret {
            min_length,
            max_length,
            pattern,
        } => {
            bound("min length", min_length.map(|n| n.to_string()));
            bound("max length", max_length.map(|n| n.to_string()));
            bound("pattern", pattern.as_ref().map(|p| p.as_str().to_owned()));
        }
        FieldType::Integer { min, max } => {
            bound("min", min.map(|n| n.to_string()));
            bound("max", max.map(|n| n.to_string()));
        }
        FieldType::Float { min, max } => {
            bound("min", min.map(|n| n.to_string()));
            bound("max", max.map(|n| n.to_string()));
        }
        FieldType::Enum { values } => bound("one of", Some(values.join(" | "))),
        FieldType::Array {
            items,
            min_items,
            max_items,
        } => {
            bound("items", Some(items.type_name().to_owned()));
            bound("min items", min_items.map(|n| n.to_string()));
            bound("max items", max_items.map(|n| n.to_string()));
            parts.extend(
                constraints(items.field_type())
                    .into_iter()
                    .map(|c| format!("item {c}")),
            );
        }
        FieldType::Object { properties } => {
            let names: Vec<String> = properties
                .fields()
                .map(|(name, field)| match field.default() {
                    Some(default) => format!("{name}: {} = {default}", field.type_name()),
                    None => format!("{name}: {}", field.type_name()),
                })
                .collect();
            bound("properties", Some(format!("{{ {} }}", names.join(", "))));
        }
        FieldType::Url { schemes } if !schemes.is_empty() => {
            bound("schemes", Some(schemes.join(", ")))
        }
        _ => {}
    }
    parts
}

fn section(out: &mut String, section: &KindSection) {
    match section {
        KindSection::Operator(operator) => {
            let _ = writeln!(out, "\nOperator (category: {})", operator.category);
            let ports = |ports: &[OperatorPort]| -> String {
                let names: Vec<String> = ports
                    .iter()
                    .map(|port| format!("{} ({})", port.name, port.port_type))
                    .collect();
                names.join(", ")
            };
            let _ = writeln!(out, "  inputs:  {}", ports(&operator.inputs));
            let _ = writeln!(out, "  outputs: {}", ports(&operator.outputs));
        }
        KindSection::Instrument(instrument) => {
            let _ = writeln!(
                out,
                "\nInstrument (streaming: {}, batching: {})",
                instrument.streaming, instrument.batching
            );
            let ports = |ports: &[InstrumentPort]| -> String {
                let names: Vec<String> = ports
                    .iter()
                    .map(|port| format!("{} ({})", port.name, port.port_type))
                    .collect();
                names.join(", ")
            };
            let _ = writeln!(out, "  inputs:  {}", ports(&instrument.inputs));
            let _ = writeln!(out, "  outputs: {}", ports(&instrument.outputs));
            let keys: Vec<&str> = instrument.model.keys().map(String::as_str).collect();
            let _ = writeln!(out, "  model:   {}", keys.join(", "));
        }
        KindSection::Motif(motif) => {
            let _ = writeln!(out, "\nMotif");
            for component in &motif.components {
                let _ = writeln!(
                    out,
                    "  component {} \"{}\" ({})",
                    component.id, component.title, component.placement
                );
            }
            for editor in &motif.editors {
                let _ = writeln!(
                    out,
                    "  editor    {} \"{}\" for {}",
                    editor.view_type,
                    editor.display_name,
                    editor.file_patterns.join(", ")
                );
            }
        }
    }
}

/// Validated config values, secrets as `***`.
pub(crate) fn values(schema: &ConfigSchema, values: &ConfigValues) -> String {
    let mut out = String::from("\nConfig values (defaults applied)\n");
    let width = schema
        .fields()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    for (name, _) in schema.fields() {
        let shown = match (values.secret(name), values.value(name)) {
            (Some(secret), _) => secret.to_string(),
            (None, Some(value)) => value.to_string(),
            (None, None) => "(not set)".to_owned(),
        };
        let _ = writeln!(out, "  {name:<width$}  {shown}");
    }
    out
}
