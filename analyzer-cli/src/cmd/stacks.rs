//! `nodemortem stacks`: buckets, contended locks, holders and deadlocks of every goroutine dump
//! found in the inputs. The inputs are read as `analyze` reads them (the same walker, limits and
//! time budget): a dump file plain or compressed, a bundle directory or archive, standard input.

use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

use analyzer_core::analysis::Options;
use analyzer_core::report::sanitize::{escape_controls, escape_controls_keep_lines};
use analyzer_core::stacks::{self, Analysis};
use anyhow::Context;

use crate::Global;
use crate::cmd::analyze::{Meter, display_paths, nothing_read};

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Human-readable summary, root blockers, buckets.
    Text,
    /// The analysis as JSON (schema_version 1).
    Json,
    /// The wait-for graph in Graphviz DOT, collapsed by bucket.
    Dot,
}

/// Arguments of `nodemortem stacks`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  nodemortem stacks goroutine-stacks.log\n  nodemortem stacks sosreport-node1.tar.xz --format json\n  curl -s localhost:6060/debug/pprof/goroutine?debug=2 | nodemortem stacks -\n\nEach dump found is shown under its member path when there are several (JSON: an array).\nExit status: 0 a dump was analysed, 1 no goroutine dump in the inputs, 2 error."
)]
pub struct Args {
    /// Inputs, time budget and limits, as for every command that reads bundles.
    #[command(flatten)]
    pub read: crate::limits::ReadArgs,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Only show buckets with at least this many goroutines.
    #[arg(long, default_value_t = 1)]
    pub min_count: u64,
}

/// Runs the command.
pub fn run(args: Args, global: Global) -> anyhow::Result<ExitCode> {
    let engine = analyzer_core::rules::load(&[]).context("loading rules")?;
    let meter = Meter::new(global.quiet);
    let opts = Options {
        timeout: args.read.timeout(),
        limits: args.read.limits.limits(),
        progress: meter.as_ref().map(Meter::callback),
        ..Options::default()
    };
    let result = analyzer_core::analysis::analyze_detailed(&args.read.bundle(), &opts, &engine);
    if let Some(m) = &meter {
        m.finish();
    }
    let paths = &args.read.paths;
    let analysed = result.with_context(|| format!("analysing {}", display_paths(paths)))?;
    let report = &analysed.report;
    nothing_read(report, paths)?;
    let mut err = std::io::stderr().lock();
    for w in report.unread() {
        writeln!(
            err,
            "nodemortem: warning: {}",
            escape_controls(&analyzer_core::report::text::unread_line(w))
        )?;
    }
    let dumps: Vec<(String, Analysis)> = analysed
        .dumps
        .into_iter()
        .filter(|(_, a)| a.goroutines > 0)
        .map(|(path, mut a)| {
            if args.format == Format::Json {
                a.buckets.retain(|b| b.count >= args.min_count);
            }
            (path, a)
        })
        .collect();
    if dumps.is_empty() {
        writeln!(
            err,
            "nodemortem: no goroutine dump found in {}",
            display_paths(paths)
        )?;
        return Ok(ExitCode::from(1));
    }
    let several = dumps.len() > 1;
    let mut out = String::new();
    match args.format {
        Format::Json => {
            out = if several {
                // Each analysis with the member path it came from.
                let mut items = Vec::with_capacity(dumps.len());
                for (path, a) in &dumps {
                    let mut v = serde_json::to_value(a)?;
                    if let Some(o) = v.as_object_mut() {
                        o.insert("path".into(), path.as_str().into());
                    }
                    items.push(v);
                }
                serde_json::to_string_pretty(&items)?
            } else {
                serde_json::to_string_pretty(&dumps[0].1)?
            };
            out.push('\n');
        }
        Format::Text => {
            for (i, (path, a)) in dumps.iter().enumerate() {
                if several {
                    let _ = writeln!(out, "{}== {} ==", if i > 0 { "\n" } else { "" }, path);
                }
                out.push_str(&text(a, args.min_count));
            }
        }
        Format::Dot => {
            for (i, (path, a)) in dumps.iter().enumerate() {
                out.push_str(&dot(a, path, if several { Some(i) } else { None }));
            }
        }
    }
    // Dump text and member paths are input: control characters are shown escaped.
    if args.format != Format::Json {
        out = escape_controls_keep_lines(&out).into_owned();
    }
    std::io::stdout().lock().write_all(out.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn minutes(m: Option<u32>) -> String {
    m.map(|m| format!(", {m} minutes")).unwrap_or_default()
}

fn text(a: &Analysis, min_count: u64) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "goroutines: {} (dumps: {})", a.goroutines, a.dumps);
    let mut states: Vec<_> = a.states.iter().collect();
    states.sort_by(|x, y| y.1.cmp(x.1).then(x.0.cmp(y.0)));
    let states: Vec<String> = states.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(s, "states: {}", states.join(", "));
    if let Some(c) = &a.crash {
        let _ = writeln!(s, "crash (line {}): {}", c.line, c.text);
    }
    if !a.longest_waits.is_empty() {
        let _ = writeln!(s, "longest waits:");
        for w in a.longest_waits.iter().take(5) {
            let _ = writeln!(
                s,
                "  goroutine {} [{}, {} minutes] {} (line {})",
                w.id, w.state, w.minutes, w.top, w.line
            );
        }
    }
    if !a.deadlocks.is_empty() {
        let _ = writeln!(s, "\ndeadlocks:");
        for d in &a.deadlocks {
            let ids: Vec<String> = d.iter().map(u64::to_string).collect();
            let _ = writeln!(s, "  goroutines {}", ids.join(" -> "));
        }
    }
    if !a.locks.is_empty() {
        let _ = writeln!(s, "\nroot blockers:");
    }
    for l in &a.locks {
        let kind = match l.kind {
            stacks::LockKind::Mutex => "mutex",
            stacks::LockKind::Rwmutex => "rwmutex",
        };
        let _ = writeln!(
            s,
            "  lock {} ({kind}{}): {} waiting directly, {} transitively, longest {}",
            l.address,
            l.owner_type
                .as_deref()
                .map(|t| format!(" in {t}"))
                .unwrap_or_default(),
            l.waiters_total,
            l.transitive_waiters,
            l.max_wait_minutes
                .map_or("-".into(), |m| format!("{m} minutes")),
        );
        match l.holder {
            Some(h) => {
                let _ = writeln!(
                    s,
                    "    holder: goroutine {h} [{}{}] (line {}) doing {}",
                    l.holder_state.as_deref().unwrap_or("?"),
                    minutes(l.holder_minutes),
                    l.holder_line.unwrap_or(0),
                    l.holder_activity.name(),
                );
                for f in l.holder_top.iter().take(6) {
                    let _ = writeln!(s, "      {f}");
                }
            }
            None => {
                let _ = writeln!(
                    s,
                    "    holder: unknown ({} candidates)",
                    l.holder_candidates.len()
                );
                for c in &l.holder_candidates {
                    let _ = writeln!(
                        s,
                        "      goroutine {} [{}{}] {:?} via {}",
                        c.id,
                        c.state,
                        minutes(c.minutes),
                        c.reason,
                        c.frame
                    );
                }
            }
        }
        let _ = writeln!(s, "    waiters call from:");
        for f in l.waiter_funcs.iter().take(5) {
            let _ = writeln!(s, "      {f}");
        }
    }
    let shown: Vec<_> = a.buckets.iter().filter(|b| b.count >= min_count).collect();
    let _ = writeln!(
        s,
        "\nbuckets: {} of {} (min count {min_count})",
        shown.len(),
        a.buckets.len()
    );
    for b in shown {
        let m = match (b.min_minutes, b.max_minutes) {
            (Some(lo), Some(hi)) if lo != hi => format!(", {lo}-{hi} minutes"),
            (_, Some(hi)) => format!(", {hi} minutes"),
            _ => String::new(),
        };
        let _ = writeln!(
            s,
            "  {} x [{}{m}] (first at line {})",
            b.count, b.state, b.line
        );
        for f in b.frames.iter().take(6) {
            let _ = writeln!(s, "      {} {}:{}", f.func, f.file, f.line);
        }
    }
    s
}

/// Text for a quoted DOT label: backslashes, quotes and line breaks escaped (the `\n` DOT reads
/// as a line break is added by the caller).
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The wait-for graph of one dump in Graphviz DOT (`n`: its number when there are several, for
/// distinct graph names). Every node is declared once with a unique id: `lockN` per contended
/// lock, `gID` per goroutine that holds a lock (or may), `lockN_bM` per group of waiters with
/// identical stacks. A holder that waits on another lock is drawn with an edge to it rather
/// than inside a group, so a deadlock is drawn as the cycle it is.
fn dot(a: &Analysis, path: &str, n: Option<usize>) -> String {
    // Waiters collapse by bucket: a goroutine's bucket is the one listing its id.
    let bucket_of: std::collections::HashMap<u64, usize> = a
        .buckets
        .iter()
        .enumerate()
        .flat_map(|(i, b)| b.ids.iter().map(move |id| (*id, i)))
        .collect();
    let mut s = format!(
        "digraph waitfor{} {{\n  label=\"{}\";\n  rankdir=LR;\n  node [shape=box, fontname=\"monospace\"];\n",
        n.map(|n| format!("_{}", n + 1)).unwrap_or_default(),
        esc(path)
    );
    // Goroutines drawn as their own node: holders and holder candidates.
    let mut own: std::collections::BTreeMap<u64, String> = Default::default();
    for l in &a.locks {
        if let Some(h) = l.holder {
            let (outside, holding) = stacks::holder_frames(a, l);
            let mut label = format!(
                "goroutine {h} [{}{}]\\n{}",
                esc(l.holder_state.as_deref().unwrap_or("?")),
                minutes(l.holder_minutes),
                l.holder_activity.name(),
            );
            if let Some(f) = outside {
                label.push_str(&format!("\\nin {}", esc(f)));
            }
            if let Some(f) = holding {
                label.push_str(&format!("\\nholds it in {}", esc(f)));
            }
            own.insert(h, label);
        }
    }
    for l in a.locks.iter().filter(|l| l.holder.is_none()) {
        for c in &l.holder_candidates {
            own.entry(c.id).or_insert_with(|| {
                format!(
                    "goroutine {} [{}]\\ncandidate via {}",
                    c.id,
                    esc(&c.state),
                    esc(&c.frame)
                )
            });
        }
    }
    for (id, label) in &own {
        let held = a.locks.iter().any(|l| l.holder == Some(*id));
        let style = if held {
            ", style=filled, fillcolor=\"#ffb3b3\""
        } else {
            ""
        };
        let _ = writeln!(s, "  g{id} [label=\"{label}\"{style}];");
    }
    for (li, l) in a.locks.iter().enumerate() {
        let lock = format!("lock{li}");
        let _ = writeln!(
            s,
            "  {lock} [shape=ellipse, label=\"{} {}\\n{} waiters ({} transitive)\"];",
            l.kind.name(),
            esc(&l.address),
            l.waiters_total,
            l.transitive_waiters
        );
        let mut groups: std::collections::BTreeMap<Option<usize>, u64> = Default::default();
        for &id in &l.waiters {
            if own.contains_key(&id) {
                let _ = writeln!(s, "  g{id} -> {lock} [label=\"waits\", color=\"#b3001b\"];");
                continue;
            }
            *groups.entry(bucket_of.get(&id).copied()).or_default() += 1;
        }
        for (b, n) in groups {
            let (node, label) = match b.and_then(|b| a.buckets.get(b).map(|x| (b, x))) {
                Some((bi, bucket)) => (
                    format!("{lock}_b{bi}"),
                    format!("{n} x [{}]\\n{}", esc(&bucket.state), esc(bucket.caller())),
                ),
                None => (format!("{lock}_other"), format!("{n} waiters")),
            };
            let _ = writeln!(s, "  {node} [label=\"{label}\"];");
            let _ = writeln!(s, "  {node} -> {lock} [label=\"waits\"];");
        }
        match l.holder {
            Some(h) => {
                let _ = writeln!(s, "  {lock} -> g{h} [label=\"held by\"];");
            }
            None => {
                for c in &l.holder_candidates {
                    let _ = writeln!(
                        s,
                        "  {lock} -> g{} [style=dashed, label=\"maybe held by\"];",
                        c.id
                    );
                }
            }
        }
    }
    s.push_str("}\n");
    s
}
