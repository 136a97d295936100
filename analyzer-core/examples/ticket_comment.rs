//! Ticket tooling: read an attachment, analyse it, print a Markdown comment.
//!
//! ```text
//! cargo run -p analyzer-core --example ticket_comment -- sosreport-node1.tar.xz > comment.md
//! ```
//!
//! The attachment is read into memory as a ticket system would hand it over (bytes plus a
//! file name), so the same code works on a download stream or a database blob.

use std::process::ExitCode;

use analyzer_core::report::markdown::{self, MarkdownOptions};
use analyzer_core::{Bundle, Options, analyze};

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1) else {
        eprintln!("usage: ticket_comment ATTACHMENT");
        return ExitCode::from(2);
    };
    let path = std::path::PathBuf::from(path);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("ticket_comment: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    // The name tells the reader how the bytes are packed (`.tar.xz`, `.gz`, a plain log).
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "attachment".into());
    let bundle = Bundle::from_bytes(name, bytes);
    let report = match analyze(&bundle, &Options::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("ticket_comment: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let comment = markdown::render(
        &report,
        &MarkdownOptions {
            // A comment, not a document: findings under a third-level heading.
            heading: 3,
            evidence_lines: 5,
            ..MarkdownOptions::default()
        },
    );
    print!("{comment}");
    ExitCode::SUCCESS
}
