//! HTML renderer: one self-contained file (inline CSS, SVG and script; no network, no external
//! assets) that works offline.
//!
//! Sections: summary table; timeline of evidence ([`super::svg::timeline`]); findings, each with
//! collapsible evidence (`<details class="evidence">`), explained findings nested under their
//! cause; the wait-for graph of each goroutine dump with contended locks
//! ([`super::svg::wait_for`]); the process subtree of each orphaned shim; warnings; inventory.
//!
//! Above the findings, a filter bar: minimum severity, host, and a search box over each finding's
//! own text and evidence; a finding stays shown when one it explains matches, and evidence that
//! holds the search term is opened. Printing opens every evidence block and drops the controls
//! and the timeline (print CSS). Without script the page shows everything.
//!
//! When the page is opened with `#selftest` the script also checks itself: it sets the severity
//! filter to `critical` and records how many findings stay visible (`data-filter-critical`),
//! searches `StopContainer` (`data-search-stopcontainer`), resets (`data-filter-reset`), then clicks
//! the first evidence toggle (a dispatched click event) and records whether the evidence, hidden
//! before, became visible (`checkVisibility`, layout box, computed style)
//! (`data-selftest="evidence-visible"`) and how many findings the page has (`data-findings`), so
//! a headless browser can check the page end to end.

use std::fmt::Write as _;

use crate::base::{Evidence, Finding};
use crate::model::host::HostState;
use crate::report::Report;
use crate::report::svg::{self, esc, severity_color};
use crate::report::text::{
    UNREAD_LISTED, distinct_evidence, human_bytes, no_findings, number_label,
};
use crate::stacks::Analysis;

/// What the HTML report draws besides the [`Report`]: dump analyses and host state.
#[derive(Clone, Copy, Debug, Default)]
pub struct Extras<'a> {
    /// Goroutine dump analyses by member path (wait-for graphs).
    pub dumps: &'a [(String, Analysis)],
    /// The host of each dump (an index in [`Report::hosts`]), indexed like `dumps`; a dump
    /// past its end is the first host's.
    pub dump_hosts: &'a [usize],
    /// Host state of a report of one host (process subtrees of orphaned shims).
    pub host: Option<&'a HostState>,
    /// Host state of every host of a report of several, in the order of [`Report::hosts`];
    /// when empty, `host` is the first host's.
    pub hosts: &'a [HostState],
}

/// Locks drawn per dump.
const MAX_LOCKS: usize = 4;

const CSS: &str = r#"
:root{--fg:#1d2330;--muted:#5b6475;--line:#dde1e7;--bg:#fff;--soft:#f4f5f7}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{background:#1d2330;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#c9cfda}
main{padding:8px 28px 40px;max-width:1240px}
h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--soft);font-weight:600}
table.host{width:auto}table.host th{background:none;font-weight:600;padding-right:16px}
table.host td.src code{color:var(--muted);font-size:12px}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;color:#fff;font-size:12px;font-weight:600;text-transform:uppercase}
article.finding{border:1px solid var(--line);border-left:6px solid var(--sev);border-radius:6px;padding:10px 14px;margin:12px 0;background:#fff}
article.finding article.finding{margin-left:18px}
article.finding h3{margin:0 0 4px;font-size:15px}
article.finding h3 code{font-size:14px}
.title{font-weight:600}
.summary{margin:6px 0}
.muted{color:var(--muted)}
details.evidence{margin:8px 0}
details.evidence>summary{cursor:pointer;font-weight:600;color:#234a8a}
table.ev td{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
table.ev td.loc{white-space:nowrap;color:#7a2e8e}
table.ev td.text{white-space:pre-wrap;word-break:break-all}
mark{background:#c6f6c6;padding:0 1px}
pre{background:var(--soft);padding:8px 10px;border-radius:4px;overflow-x:auto;font-size:12px;white-space:pre-wrap}
ul.refs{margin:4px 0;padding-left:20px}
svg{background:#fff;border:1px solid var(--line);border-radius:6px;margin:6px 0}
svg text{font-family:system-ui,sans-serif}
form.controls{display:flex;flex-wrap:wrap;gap:14px;align-items:center;margin:10px 0;padding:8px 10px;background:var(--soft);border-radius:6px}
form.controls input{width:22em}
article.finding.filtered{display:none}
@media print{
header{background:none;color:#000;padding:0}header p{color:#000}
form.controls,#timeline,details.evidence>summary{display:none}
article.finding{break-inside:avoid;border-left-width:3px}
a{color:inherit;text-decoration:none}
main{max-width:none;padding:0}
}
"#;

const SCRIPT: &str = r#"
(function(){
  function visible(e){
    var shown=e.checkVisibility?e.checkVisibility({visibilityProperty:true,contentVisibilityAuto:true}):e.offsetParent!==null;
    return shown&&e.getBoundingClientRect().height>0&&getComputedStyle(e).visibility!=='hidden';
  }
  function selftest(){
    var body=document.body;
    body.setAttribute('data-findings',String(document.querySelectorAll('article.finding').length));
    var d=document.querySelector('details.evidence');
    if(!d){body.setAttribute('data-selftest','no-evidence');return;}
    var row=d.querySelector('tr.ev-row');
    var hiddenBefore=!row||!visible(row);
    var s=d.querySelector('summary');
    s.dispatchEvent(new MouseEvent('click',{bubbles:true,cancelable:true,view:window}));
    setTimeout(function(){
      var r=d.querySelector('tr.ev-row');
      var shown=d.open&&r&&visible(r);
      body.setAttribute('data-selftest',hiddenBefore&&shown?'evidence-visible':'evidence-hidden');
    },50);
  }
  var order={info:0,low:1,medium:2,high:3,critical:4};
  function ownText(a){
    var t='';
    for(var i=0;i<a.children.length;i++){var c=a.children[i];if(c.tagName!=='ARTICLE'){t+=' '+c.textContent;}}
    return t.toLowerCase();
  }
  function applyFilters(){
    var sev=document.getElementById('f-severity'),host=document.getElementById('f-host'),q=document.getElementById('f-search');
    if(!sev){return 0;}
    var min=order[sev.value]||0,h=host.value,term=q.value.trim().toLowerCase();
    var all=Array.prototype.slice.call(document.querySelectorAll('article.finding'));
    var shown=0;
    // Children before parents: a finding stays shown when one it explains matches.
    for(var i=all.length-1;i>=0;i--){
      var a=all[i];
      var self=(order[a.getAttribute('data-severity')]||0)>=min&&(!h||a.getAttribute('data-host')===h)&&(!term||ownText(a).indexOf(term)>=0);
      var kid=a.querySelector(':scope > article.finding:not(.filtered)')!==null;
      var on=self||kid;
      a.classList.toggle('filtered',!on);
      if(on){shown++;}
      if(on&&term){var d=a.querySelector(':scope > details.evidence');if(d&&d.textContent.toLowerCase().indexOf(term)>=0){d.open=true;}}
    }
    var c=document.getElementById('f-count');
    if(c){c.textContent=shown+' of '+all.length+' finding(s) shown';}
    return shown;
  }
  function bind(){
    ['f-severity','f-host','f-search'].forEach(function(id){
      var e=document.getElementById(id);
      if(e){e.addEventListener(id==='f-search'?'input':'change',applyFilters);}
    });
    window.addEventListener('beforeprint',function(){
      document.querySelectorAll('details.evidence').forEach(function(d){d.open=true;});
    });
  }
  function filterSelftest(){
    var body=document.body,sev=document.getElementById('f-severity'),q=document.getElementById('f-search');
    if(!sev){return;}
    function visibleCount(){return Array.prototype.filter.call(document.querySelectorAll('article.finding'),visible).length;}
    sev.value='critical';sev.dispatchEvent(new Event('change'));
    body.setAttribute('data-filter-critical',String(visibleCount()));
    sev.value='info';sev.dispatchEvent(new Event('change'));
    q.value='StopContainer';q.dispatchEvent(new Event('input'));
    body.setAttribute('data-search-stopcontainer',String(visibleCount()));
    q.value='';q.dispatchEvent(new Event('input'));
    body.setAttribute('data-filter-reset',String(visibleCount()));
    // The search opened matching evidence: close it again for the evidence check.
    document.querySelectorAll('details.evidence').forEach(function(d){d.open=false;});
  }
  if(document.readyState==='loading'){document.addEventListener('DOMContentLoaded',bind);}else{bind();}
  if(location.hash==='#selftest'){
    if(document.readyState==='loading'){document.addEventListener('DOMContentLoaded',filterSelftest);}else{filterSelftest();}
    if(document.readyState==='loading'){document.addEventListener('DOMContentLoaded',selftest);}else{selftest();}
  }
})();
"#;

/// Renders the report as one self-contained HTML page.
pub fn render(report: &Report, extras: &Extras<'_>) -> String {
    let report = &report.qualified();
    let mut out = String::with_capacity(64 << 10);
    let total: usize = report.findings.iter().map(count).sum();
    let inputs: Vec<String> = report.inputs.iter().map(|i| esc(&i.path)).collect();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>nodemortem report: {}</title><style>{CSS}</style></head>\n<body>\n\
         <header><h1>nodemortem report</h1><p>{} · {} finding(s), {} root cause(s) · {} {}</p></header>\n<main>\n",
        if inputs.is_empty() {
            "bundle".to_string()
        } else {
            inputs.join(", ")
        },
        if inputs.is_empty() {
            "no input".to_string()
        } else {
            inputs.join(", ")
        },
        total,
        report.findings.len(),
        esc(&report.tool.name),
        esc(&report.tool.version),
    );
    not_read(&mut out, report);
    let per_host = report.per_host();
    if report.multi_host() {
        for (h, (_, sub)) in per_host.iter().enumerate() {
            let _ = writeln!(
                out,
                "<section class=\"host-group\"><h2>{}</h2></section>",
                esc(&report.host_heading(h))
            );
            host(&mut out, &sub.host, &format!("host-{h}"));
        }
    } else {
        host(&mut out, &report.host, "host");
    }
    summary(&mut out, report);
    out.push_str("<section id=\"timeline\"><h2>Timeline of evidence</h2>\n");
    match svg::timeline(report) {
        Some(s) => {
            out.push_str("<p class=\"muted\">One row per file; each dot is an evidence line (hover for the text), dashed lines mark where each finding's evidence begins. Times in UTC.</p>\n");
            out.push_str(&s);
        }
        None => out.push_str("<p class=\"muted\">No evidence line carries a time.</p>"),
    }
    out.push_str("\n</section>\n<section id=\"findings\"><h2>Findings</h2>\n");
    if report.findings.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", esc(&no_findings(report)));
    }
    let host = report
        .host
        .hostname
        .as_ref()
        .map_or("unknown", |h| h.value.as_str());
    if !report.findings.is_empty() {
        let names: Vec<&str> = if report.multi_host() {
            report.hosts.iter().map(|e| e.name.as_str()).collect()
        } else {
            vec![host]
        };
        controls(&mut out, &names);
    }
    if report.multi_host() {
        // Findings grouped by host, each under its heading.
        for (h, (before, sub)) in per_host.iter().enumerate() {
            let _ = writeln!(out, "<h3>{}</h3>", esc(&report.host_heading(h)));
            if sub.findings.is_empty() {
                out.push_str("<p class=\"muted\">No findings on this host.</p>\n");
            }
            let name = report.hosts.get(h).map_or(host, |e| e.name.as_str());
            for (i, f) in sub.findings.iter().enumerate() {
                finding(&mut out, f, &format!("{}", before + i + 1), name);
            }
        }
    } else {
        for (i, f) in report.findings.iter().enumerate() {
            finding(&mut out, f, &format!("{}", i + 1), host);
        }
    }
    out.push_str("</section>\n");
    if report.multi_host() {
        // Each host's dumps and shims under its own heading.
        for h in 0..report.hosts.len() {
            let mine: Vec<&(String, Analysis)> = extras
                .dumps
                .iter()
                .enumerate()
                .filter(|(i, _)| extras.dump_hosts.get(*i).copied().unwrap_or_default() == h)
                .map(|(_, d)| d)
                .collect();
            let state = extras
                .hosts
                .get(h)
                .or(if h == 0 && extras.hosts.is_empty() {
                    extras.host
                } else {
                    None
                });
            let heading = report.host_heading(h);
            graphs(&mut out, &mine, &format!("waitfor-{h}"), Some(&heading));
            if let Some(state) = state {
                shims(&mut out, state, &format!("shims-{h}"), Some(&heading));
            }
        }
    } else {
        let all: Vec<&(String, Analysis)> = extras.dumps.iter().collect();
        graphs(&mut out, &all, "waitfor", None);
        if let Some(state) = extras.host.or(extras.hosts.first()) {
            shims(&mut out, state, "shims", None);
        }
    }
    inventory(&mut out, report);
    let _ = write!(out, "</main>\n<script>{SCRIPT}</script>\n</body></html>\n");
    out
}

/// The filter bar over the findings: minimum severity, host, a search over findings and their
/// evidence (the inline script applies them; without script every finding stays shown).
fn controls(out: &mut String, hosts: &[&str]) {
    let options: String = hosts
        .iter()
        .map(|h| format!("<option value=\"{0}\">{0}</option>", esc(h)))
        .collect();
    let _ = writeln!(
        out,
        "<form class=\"controls\" id=\"controls\" onsubmit=\"return false\">\
         <label>Severity at least <select id=\"f-severity\">\
         <option value=\"info\">any</option><option value=\"low\">low</option>\
         <option value=\"medium\">medium</option><option value=\"high\">high</option>\
         <option value=\"critical\">critical</option></select></label> \
         <label>Host <select id=\"f-host\"><option value=\"\">all</option>\
         {options}</select></label> \
         <label>Search <input id=\"f-search\" type=\"search\" placeholder=\"rule, text, evidence…\"></label> \
         <span class=\"muted\" id=\"f-count\"></span></form>"
    );
}

/// The host header: one row per fact with the member it came from.
fn host(out: &mut String, h: &crate::report::host::Host, id: &str) {
    let _ = writeln!(out, "<section id=\"{id}\"><h2>Host</h2>");
    if h.is_empty() {
        out.push_str("<p class=\"muted\">unknown (no host-state member read)</p></section>\n");
        return;
    }
    out.push_str("<table class=\"host\"><tbody>\n");
    for (label, fact) in h.rows() {
        match fact {
            Some(f) => {
                let _ = writeln!(
                    out,
                    "<tr><th>{label}</th><td>{}</td><td class=\"src\"><code>{}</code></td></tr>",
                    esc(&f.value),
                    esc(&f.source)
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "<tr><th>{label}</th><td class=\"muted\">unknown</td><td></td></tr>"
                );
            }
        }
    }
    out.push_str("</tbody></table></section>\n");
}

fn count(f: &Finding) -> usize {
    1 + f.explains.iter().map(count).sum::<usize>()
}

fn badge(f: &Finding) -> String {
    format!(
        "<span class=\"badge\" style=\"background:{}\">{}</span>",
        severity_color(f.severity),
        f.severity.name()
    )
}

/// The first section of a report read in part: what was not read.
fn not_read(out: &mut String, report: &Report) {
    for w in report.assumptions() {
        let _ = writeln!(
            out,
            "<p class=\"warnings\"><strong>Assumed:</strong> {}</p>",
            esc(&w.message)
        );
    }
    if !report.incomplete() {
        return;
    }
    let _ = write!(
        out,
        "<section id=\"not-read\" class=\"warnings\"><h2>{}</h2>\n<ul>",
        if report.stats.partial {
            "Partial: a limit cut the analysis short; not read in full"
        } else {
            "Incomplete: part of the input was not read"
        }
    );
    let unread: Vec<_> = report.unread().collect();
    for w in unread.iter().take(UNREAD_LISTED) {
        let at = w
            .offset
            .map(|o| format!(" (offset {o})"))
            .unwrap_or_default();
        let _ = write!(
            out,
            "<li><code>{}</code>{at}: {}</li>",
            esc(&w.path),
            esc(&w.message)
        );
    }
    if unread.len() > UNREAD_LISTED {
        let _ = write!(
            out,
            "<li>… {} more (listed under Inventory)</li>",
            unread.len() - UNREAD_LISTED
        );
    }
    out.push_str("</ul></section>\n");
}

fn summary(out: &mut String, report: &Report) {
    out.push_str("<section id=\"summary\"><h2>Summary</h2>\n");
    if report.findings.is_empty() {
        let _ = writeln!(out, "<p>{}</p></section>", esc(&no_findings(report)));
        return;
    }
    out.push_str("<table class=\"summary\"><thead><tr><th>#</th><th>Rule</th><th>Severity</th><th>Score</th><th>Summary</th></tr></thead><tbody>\n");
    fn rows(out: &mut String, f: &Finding, num: &str, depth: usize) {
        let _ = writeln!(
            out,
            "<tr><td>{num}</td><td>{}<a href=\"#f-{num}\"><code>{}</code></a></td><td>{} {}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            if depth > 0 { "↳ " } else { "" },
            esc(&f.rule),
            badge(f),
            f.confidence.name(),
            f.score,
            esc(&f.summary)
        );
        for (i, c) in f.explains.iter().enumerate() {
            rows(out, c, &format!("{num}.{}", i + 1), depth + 1);
        }
    }
    for (i, f) in report.findings.iter().enumerate() {
        rows(out, f, &format!("{}", i + 1), 0);
    }
    out.push_str("</tbody></table></section>\n");
}

fn evidence_text(e: &Evidence) -> String {
    match e.highlight {
        Some((a, b)) => match (e.text.get(..a), e.text.get(a..b), e.text.get(b..)) {
            (Some(x), Some(y), Some(z)) if a < b => {
                format!("{}<mark>{}</mark>{}", esc(x), esc(y), esc(z))
            }
            _ => esc(&e.text),
        },
        None => esc(&e.text),
    }
}

fn finding(out: &mut String, f: &Finding, num: &str, host: &str) {
    let _ = writeln!(
        out,
        "<article class=\"finding\" id=\"f-{num}\" data-rule=\"{}\" data-severity=\"{}\" data-host=\"{}\" style=\"--sev:{}\">\n<h3>{} {} <code>{}</code> <span class=\"muted\">{} · score {}</span></h3>\n<div class=\"title\">{}</div>\n<p class=\"summary\">{}</p>",
        esc(&f.rule),
        f.severity.name(),
        esc(host),
        severity_color(f.severity),
        number_label(num),
        badge(f),
        esc(&f.rule),
        f.confidence.name(),
        f.score,
        esc(&f.title),
        esc(&f.summary)
    );
    let ev = distinct_evidence(f);
    if !ev.is_empty() {
        let _ = writeln!(
            out,
            "<details class=\"evidence\"><summary>Evidence ({} line{})</summary>\n<table class=\"ev\"><tbody>",
            ev.len(),
            if ev.len() == 1 { "" } else { "s" }
        );
        for e in ev {
            let loc = if e.line > 0 {
                format!("{}:{}", e.path, e.line)
            } else {
                e.path.clone()
            };
            let _ = writeln!(
                out,
                "<tr class=\"ev-row\"><td class=\"loc\">{}</td><td>{}</td><td>{}</td><td class=\"text\">{}</td></tr>",
                esc(&loc),
                e.time.map(|t| t.to_string()).unwrap_or_default(),
                esc(&e.label),
                evidence_text(e)
            );
        }
        out.push_str("</tbody></table></details>\n");
    }
    if !f.missing.is_empty() {
        out.push_str("<p class=\"muted\">Not found:</p><ul>");
        for m in &f.missing {
            let _ = write!(out, "<li>{}</li>", esc(m));
        }
        out.push_str("</ul>\n");
    }
    if !f.remediation.trim().is_empty() {
        let _ = writeln!(
            out,
            "<p class=\"muted\">Remediation:</p><pre class=\"remediation\">{}</pre>",
            esc(f.remediation.trim())
        );
    }
    if !f.references.is_empty() {
        out.push_str("<p class=\"muted\">References:</p><ul class=\"refs\">");
        for r in &f.references {
            if r.starts_with("https://") || r.starts_with("http://") {
                let _ = write!(out, "<li><a href=\"{0}\">{0}</a></li>", esc(r));
            } else {
                let _ = write!(out, "<li>{}</li>", esc(r));
            }
        }
        out.push_str("</ul>\n");
    }
    for (i, c) in f.explains.iter().enumerate() {
        finding(out, c, &format!("{num}.{}", i + 1), host);
    }
    out.push_str("</article>\n");
}

/// The wait-for graphs of `dumps` in a section of id `id`, titled for host `heading` in a
/// report of several hosts. Each graph's arrow marker gets an id of its own (`id-1-arrow`).
fn graphs(out: &mut String, dumps: &[&(String, Analysis)], id: &str, heading: Option<&str>) {
    // A dump copied into several members (the journal, a log file, a support paste) is drawn
    // once, naming its copies.
    let mut unique: Vec<(&String, Vec<&String>, &Analysis)> = Vec::new();
    for (p, a) in dumps.iter().map(|d| (&d.0, &d.1)) {
        match unique.iter_mut().find(|u| u.2 == a) {
            Some(u) => u.1.push(p),
            None => unique.push((p, Vec::new(), a)),
        }
    }
    let drawn: Vec<(String, String, &Analysis)> = unique
        .into_iter()
        .filter_map(|(p, copies, a)| {
            let name = match copies.len() {
                0 => format!("<code>{}</code>", esc(p)),
                n => format!(
                    "<code>{}</code> <span class=\"muted\">+{n} {}: {}</span>",
                    esc(p),
                    if n == 1 { "copy" } else { "copies" },
                    copies
                        .iter()
                        .map(|c| format!("<code>{}</code>", esc(c)))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            svg::wait_for(a, MAX_LOCKS).map(|s| (name, s, a))
        })
        .collect();
    if drawn.is_empty() {
        return;
    }
    let title = heading.map_or(String::new(), |h| format!(": {}", esc(h)));
    let _ = writeln!(out, "<section id=\"{id}\"><h2>Wait-for graph{title}</h2>");
    out.push_str("<p class=\"muted\">Waiting goroutines are grouped by identical stack (left), the lock they wait on (middle) and its holder (right); a red holder is a root blocker: it waits on no lock itself.</p>\n");
    for (n, (path, s, a)) in drawn.into_iter().enumerate() {
        let marker = format!("{id}-{}-arrow", n + 1);
        let s = s
            .replace("id=\"arrow\"", &format!("id=\"{marker}\""))
            .replace("url(#arrow)", &format!("url(#{marker})"));
        let _ = writeln!(
            out,
            "<h3>{path}</h3><p class=\"muted\">{} goroutines, {} contended lock(s){}</p>",
            a.goroutines,
            a.locks.len(),
            if a.locks.len() > MAX_LOCKS {
                format!(", the {MAX_LOCKS} with most waiters shown")
            } else {
                String::new()
            }
        );
        out.push_str(&s);
        out.push('\n');
    }
    out.push_str("</section>\n");
}

/// The process subtrees of a host's orphaned shims in a section of id `id`, titled for host
/// `heading` in a report of several hosts.
fn shims(out: &mut String, host: &HostState, id: &str, heading: Option<&str>) {
    let facts: Vec<_> = host.facts_of("orphaned-shim").collect();
    if facts.is_empty() {
        return;
    }
    let title = heading.map_or(String::new(), |h| format!(": {}", esc(h)));
    let _ = writeln!(out, "<section id=\"{id}\"><h2>Orphaned shims{title}</h2>");
    for f in facts {
        let _ = writeln!(out, "<p>{}</p>", esc(&f.summary));
        let Some(pid) = f.attrs.get("pid").and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let mut tree = String::new();
        if let Some(p) = host.processes.get(pid) {
            let _ = writeln!(
                tree,
                "{}({}) ppid {}  {}",
                p.name,
                p.pid,
                p.ppid.map_or("?".to_string(), |x| x.to_string()),
                p.args
            );
        }
        // Depth below the shim: parents come before their children. Indentation stops at
        // MAX_INDENT levels (a fork chain may be 100 000 deep); deeper lines say their depth.
        const MAX_INDENT: usize = 32;
        let mut depth_of: std::collections::HashMap<u32, usize> =
            std::collections::HashMap::from([(pid, 0)]);
        for d in host.processes.descendants(pid) {
            let depth = d
                .ppid
                .and_then(|pp| depth_of.get(&pp))
                .map_or(1, |&up| up + 1);
            depth_of.insert(d.pid, depth);
            let indent = depth.saturating_sub(1);
            let _ = writeln!(
                tree,
                "{}{}└─ {}({}){}{}",
                "   ".repeat(indent.min(MAX_INDENT)),
                if indent > MAX_INDENT {
                    format!("[depth {depth}] ")
                } else {
                    String::new()
                },
                d.name,
                d.pid,
                if d.args.is_empty() { "" } else { "  " },
                d.args
            );
        }
        let _ = writeln!(out, "<pre class=\"ptree\">{}</pre>", esc(&tree));
    }
    out.push_str("</section>\n");
}

fn inventory(out: &mut String, report: &Report) {
    let s = &report.stats;
    let _ = writeln!(
        out,
        "<section id=\"inventory\"><h2>Inventory</h2><p>{} member(s) read, {} record(s), {}. Time span: {}.{}</p>",
        s.members,
        s.records,
        human_bytes(s.bytes),
        match (s.first, s.last) {
            (Some(a), Some(b)) => format!("{a} .. {b}"),
            _ => "unknown (no timed records)".into(),
        },
        if s.partial {
            " <strong>Partial: a limit cut the analysis short.</strong>"
        } else {
            ""
        }
    );
    let _ = writeln!(out, "<p>{} warning(s)</p>", report.warnings.len());
    if !report.warnings.is_empty() {
        out.push_str("<ul class=\"warnings\">");
        for w in report.warnings.iter().take(100) {
            let _ = write!(
                out,
                "<li><code>{}</code>: {}</li>",
                esc(&w.path),
                esc(&w.message)
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::Severity;
    use crate::report::{Stats, Tool};

    // Evidence shape: an `inet` line of `ip netns exec … ip addr` (sos 4.x networking plugin).
    fn report() -> Report {
        let f = Finding {
            host: 0,
            rule: "leaked-netns-ip-conflict".into(),
            title: "Same IP in several namespaces".into(),
            severity: Severity::Critical,
            score: 100,
            confidence: crate::base::Confidence::Confirmed,
            summary: "10.233.14.137 is configured in 3 namespaces <pids>.".into(),
            evidence: vec![Evidence {
                input: 0,
                path: "nsenter-ip-addr.txt".into(),
                line: 36,
                time: None,
                text: "inet 10.233.14.137/24 scope global eth0".into(),
                highlight: Some((5, 18)),
                label: "ip".into(),
            }],
            missing: vec![],
            remediation: "Remove the namespace.".into(),
            references: vec!["https://github.com/moby/moby/issues/31597".into()],
            explains: vec![],
        };
        Report {
            hosts: Vec::new(),
            schema_version: 1,
            tool: Tool::default(),
            inputs: vec![],
            host: Default::default(),
            findings: vec![f],
            warnings: vec![],
            stats: Stats::default(),
        }
    }

    /// The same dump in three members is drawn once, with its two copies named.
    #[test]
    fn identical_dumps_are_drawn_once() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../corpus/seed-003-volume-remove-lock/var/run/docker/goroutine-stacks-2020-07-15T101222Z.log"
        );
        let Ok(bytes) = std::fs::read(path) else {
            println!("skipped: {path} not present");
            return;
        };
        let a = crate::stacks::analyze(&crate::parse::goroutine::parse(&bytes));
        let dumps = vec![
            (
                "sos_commands/logs/journalctl_--no-pager".to_string(),
                a.clone(),
            ),
            ("var/log/messages".to_string(), a.clone()),
            ("var/run/docker/goroutine-stacks.log".to_string(), a),
        ];
        let html = render(
            &report(),
            &Extras {
                dumps: &dumps,
                ..Extras::default()
            },
        );
        assert_eq!(
            html.matches("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"waitfor\"")
                .count(),
            1
        );
        assert!(html.contains("<h3><code>sos_commands/logs/journalctl_--no-pager</code> <span class=\"muted\">+2 copies: <code>var/log/messages</code>, <code>var/run/docker/goroutine-stacks.log</code></span></h3>"), "{html}");
    }

    #[test]
    fn self_contained_with_collapsible_marked_evidence() {
        let html = render(&report(), &Extras::default());
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert_eq!(html.matches("<article class=\"finding\"").count(), 1);
        assert_eq!(html.matches("<details class=\"evidence\">").count(), 1);
        assert!(html.contains(
            "<td class=\"text\">inet <mark>10.233.14.137</mark>/24 scope global eth0</td>"
        ));
        assert!(html.contains("3 namespaces &lt;pids&gt;."));
        // Nothing is fetched: no external scripts, styles, images or fonts.
        for needle in ["<script src", "<link", "<img", "@import", "url(http"] {
            assert!(!html.contains(needle), "{needle}");
        }
        assert!(html.contains("No evidence line carries a time."));
    }
}
