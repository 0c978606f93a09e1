//! The summary printed after a run.

use std::fmt;

use crate::run::{Summary, ms};

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Symphony quickstart: {} extensions, each in its own process, driven over the \
             Orchestra Kit protocol (JSON-RPC on stdin/stdout)",
            self.steps.len()
        )?;
        for (number, step) in self.steps.iter().enumerate() {
            let pid = step
                .pid
                .map_or_else(String::new, |pid| format!("  (pid {pid})"));
            let note = step
                .startup_note
                .as_ref()
                .map_or_else(String::new, |note| format!(", {note}"));
            writeln!(f)?;
            writeln!(
                f,
                "{}. {:<11} {}{pid}",
                number + 1,
                step.kind.name(),
                step.id
            )?;
            writeln!(
                f,
                "   started    {} (spawn + handshake{note})",
                ms(step.started)
            )?;
            writeln!(f, "   granted    {}", step.grants.join(", "))?;
            writeln!(f, "   sandbox    {}", step.sandbox)?;
            writeln!(f, "   did        {}", step.work)?;
            for (label, text) in &step.details {
                writeln!(f, "   {label:<10} {text}")?;
            }
        }
        let counts: Vec<String> = self
            .report
            .class_counts()
            .into_iter()
            .map(|(class, count)| format!("{} {count}", self.report.class_name(class)))
            .collect();
        writeln!(f)?;
        writeln!(
            f,
            "Predicted   {} ({} rows)",
            counts.join(", "),
            self.report.rows.len()
        )?;
        writeln!(f, "Report      {}", self.out.display())?;
        writeln!(f, "Total       {}", ms(self.total))
    }
}
