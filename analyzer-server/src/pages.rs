//! The pages: the upload form with the recent analyses (`/`), the HTML report
//! (`/analyses/{id}`) and the token form (`/login`). Plain server-rendered HTML with inline CSS
//! and a little inline JavaScript (drag and drop, the progress bar); no external assets.
//!
//! Every page is sent with a Content-Security-Policy that allows nothing but its own inline
//! style and script and requests to this server.

use std::sync::Arc;

use analyzer_core::Severity;
use analyzer_core::report::svg::{esc, severity_color};
use analyzer_core::report::text::human_bytes;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use crate::api::{ListParams, parse_id};
use crate::app::{COOKIE, Shared, blocking, is_https, token_matches};
use crate::store::Summary;

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; \
                   img-src data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
                   frame-ancestors 'none'";

const CSS: &str = r#"
:root{--fg:#1d2330;--muted:#5b6475;--line:#dde1e7;--soft:#f4f5f7}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg)}
header{background:#1d2330;color:#fff;padding:14px 28px}
header h1{margin:0;font-size:20px}
header a{color:#fff;text-decoration:none}
main{padding:8px 28px 40px;max-width:1240px}
h2{font-size:17px;margin:24px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}
#drop{border:2px dashed #8a94a6;border-radius:8px;padding:28px;text-align:center;background:var(--soft)}
#drop.over{border-color:#234a8a;background:#e6eefc}
progress{width:100%;height:14px;margin-top:10px}
#status{margin-top:6px;min-height:1.4em}
form.inline{display:flex;gap:8px;flex-wrap:wrap;align-items:end;margin:8px 0}
label{display:flex;flex-direction:column;font-size:12px;color:var(--muted)}
input[type=text],input[type=password]{font:inherit;padding:4px 6px;border:1px solid #b8bfcc;border-radius:4px}
button{font:inherit;padding:4px 12px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{background:var(--soft);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;color:#fff;font-size:12px;font-weight:600;text-transform:uppercase}
.muted{color:var(--muted)}
.error{color:#b3001b}
"#;

const UPLOAD_JS: &str = r#"
(function(){
  var drop=document.getElementById('drop'),input=document.getElementById('file'),
      host=document.getElementById('host'),bar=document.getElementById('progress'),
      status=document.getElementById('status');
  function say(s,state){status.textContent=s;document.body.setAttribute('data-upload',state);}
  function upload(file){
    var q='?name='+encodeURIComponent(file.name);
    if(host.value.trim()){q+='&host='+encodeURIComponent(host.value.trim());}
    var xhr=new XMLHttpRequest();
    xhr.open('POST','/api/v1/analyses'+q);
    xhr.setRequestHeader('Content-Type','application/octet-stream');
    bar.hidden=false;bar.max=file.size||1;bar.value=0;
    say('Uploading '+file.name+' …','uploading');
    xhr.upload.onprogress=function(e){
      if(e.lengthComputable){bar.max=e.total;bar.value=e.loaded;
        say('Uploading '+file.name+': '+Math.round(100*e.loaded/e.total)+' %','uploading');}
    };
    xhr.upload.onload=function(){bar.value=bar.max;say('Analysing '+file.name+' …','analysing');};
    xhr.onload=function(){
      var r={};try{r=JSON.parse(xhr.responseText);}catch(e){}
      if(xhr.status===201){say('Stored as analysis '+r.id+'; opening the report …','done');
        location.href='/analyses/'+r.id;}
      else{say('Failed ('+xhr.status+'): '+(r.error||xhr.statusText),'failed');}
    };
    xhr.onerror=function(){say('Upload failed: the connection was lost.','failed');};
    xhr.send(file);
  }
  input.addEventListener('change',function(){if(input.files.length){upload(input.files[0]);}});
  drop.addEventListener('dragover',function(e){e.preventDefault();drop.classList.add('over');});
  drop.addEventListener('dragleave',function(){drop.classList.remove('over');});
  drop.addEventListener('drop',function(e){e.preventDefault();drop.classList.remove('over');
    if(e.dataTransfer.files.length){upload(e.dataTransfer.files[0]);}});
})();
"#;

/// A page with the common headers (CSP, nosniff, no caching of reports behind a token).
fn page(status: StatusCode, html: String) -> Response {
    let mut resp = (status, Html(html)).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn shell(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{}</title><style>{CSS}</style></head>\n<body>\n\
         <header><h1><a href=\"/\">nodemortem</a></h1></header>\n<main>\n{body}</main>\n</body></html>\n",
        esc(title)
    )
}

/// `GET /`: the upload form, a search over past analyses and the recent (or matching) ones.
pub async fn index(State(app): State<Shared>, Query(params): Query<ListParams>) -> Response {
    let (query, problem) = match params.query() {
        Ok(q) => (q, None),
        Err(msg) => (
            ListParams::default().query().expect("defaults are valid"),
            Some(msg),
        ),
    };
    let filtered = query.rule.is_some() || query.host.is_some() || query.since.is_some();
    let store = Arc::clone(&app.store);
    let q = query.clone();
    let rows = match blocking(move || store.list(&q)).await {
        Ok(r) => r,
        Err(resp) => return resp,
    };
    let mut b = String::with_capacity(16 << 10);
    b.push_str(
        "<section id=\"upload\"><h2>Upload a bundle</h2>\n\
         <div id=\"drop\"><p>Drop a sosreport, a log or a goroutine dump here (archives and \
         .gz/.xz/.bz2 as they are), or</p>\
         <label for=\"file\" style=\"display:inline\"><input type=\"file\" id=\"file\" name=\"file\"></label>\
         <p><label style=\"display:inline-flex\">node (optional)\
         <input type=\"text\" id=\"host\" name=\"host\" placeholder=\"node1\"></label></p>\
         <progress id=\"progress\" value=\"0\" max=\"100\" hidden></progress>\
         <div id=\"status\" role=\"status\"></div></div>\n\
         <noscript><p>Uploading from this page needs JavaScript; without it: \
         <code>curl --data-binary @BUNDLE 'URL/api/v1/analyses?name=BUNDLE'</code></p></noscript>\n\
         </section>\n",
    );
    b.push_str("<section id=\"analyses\"><h2>");
    b.push_str(if filtered {
        "Matching analyses"
    } else {
        "Recent analyses"
    });
    b.push_str("</h2>\n<form class=\"inline\" method=\"get\" action=\"/\">");
    for (name, label, value, hint) in [
        ("rule", "rule", query.rule.as_deref(), "oom-kill"),
        ("host", "node", query.host.as_deref(), "node1"),
        (
            "since",
            "since",
            params.since.as_deref().filter(|_| query.since.is_some()),
            "2026-11-01",
        ),
    ] {
        b.push_str(&format!(
            "<label>{label}<input type=\"text\" name=\"{name}\" value=\"{}\" placeholder=\"{hint}\"></label>",
            esc(value.unwrap_or(""))
        ));
    }
    b.push_str("<button type=\"submit\">Search</button>");
    if filtered {
        b.push_str(" <a href=\"/\">all</a>");
    }
    b.push_str("</form>\n");
    if let Some(p) = problem {
        b.push_str(&format!("<p class=\"error\">{}</p>\n", esc(&p)));
    }
    if rows.is_empty() {
        b.push_str("<p class=\"muted\">No analysis yet.</p>\n");
    } else {
        b.push_str(
            "<table id=\"list\"><thead><tr><th>#</th><th>received (UTC)</th><th>name</th><th>node</th>\
             <th>size</th><th>top finding</th><th>findings</th></tr></thead><tbody>\n",
        );
        for s in &rows {
            row(&mut b, s);
        }
        b.push_str("</tbody></table>\n");
    }
    b.push_str("</section>\n");
    b.push_str(&format!("<script>{UPLOAD_JS}</script>\n"));
    page(StatusCode::OK, shell("nodemortem", &b))
}

fn row(b: &mut String, s: &Summary) {
    let top = match &s.top_finding {
        Some(t) => format!(
            "<span class=\"badge\" style=\"background:{}\">{}</span> <a href=\"/?rule={}\"><code>{}</code></a> {}",
            severity_color(Severity::from_name(&t.severity).unwrap_or(Severity::Info)),
            esc(&t.severity),
            esc(&t.rule),
            esc(&t.rule),
            esc(&t.summary)
        ),
        None => "<span class=\"muted\">none</span>".to_string(),
    };
    let host = match &s.host {
        Some(h) => format!("<a href=\"/?host={0}\">{0}</a>", esc(h)),
        None => String::new(),
    };
    b.push_str(&format!(
        "<tr data-id=\"{id}\"><td><a href=\"/analyses/{id}\">{id}</a></td><td class=\"num\">{}</td>\
         <td><a href=\"/analyses/{id}\">{}</a>{}</td><td>{host}</td><td class=\"num\">{}</td><td>{top}</td>\
         <td class=\"num\">{}</td></tr>\n",
        esc(s.received.get(..19).unwrap_or(&s.received)).replace('T', " "),
        esc(&s.name),
        if s.partial { " <span class=\"muted\">(partial)</span>" } else { "" },
        human_bytes(s.size),
        s.findings,
        id = s.id,
    ));
}

/// `GET /analyses/{id}`: the stored HTML report, with a bar linking back and to the JSON.
pub async fn report(State(app): State<Shared>, Path(id): Path<String>) -> Response {
    let missing = |what: &str| {
        page(
            StatusCode::NOT_FOUND,
            shell(
                "not found",
                &format!(
                    "<p>No analysis {}. <a href=\"/\">All analyses</a></p>",
                    esc(what)
                ),
            ),
        )
    };
    let Some(n) = parse_id(&id) else {
        return missing(&id);
    };
    let store = Arc::clone(&app.store);
    let html = match blocking(move || store.html(n)).await {
        Ok(Some(h)) => h,
        Ok(None) => return missing(&id),
        Err(resp) => return resp,
    };
    let bar = format!(
        "<nav style=\"background:#eef1f5;padding:6px 28px;font:13px system-ui,sans-serif\">\
         <a href=\"/\">← all analyses</a> · analysis {n} · <a href=\"/api/v1/analyses/{n}\">JSON</a></nav>\n"
    );
    let html = match html.find("<body>") {
        Some(i) => {
            let at = i + "<body>".len();
            format!("{}\n{bar}{}", &html[..at], &html[at..])
        }
        None => html,
    };
    page(StatusCode::OK, html)
}

/// The token form; `next` is where to go once the token is accepted.
pub fn login_page(next: &str, error: Option<&str>) -> Response {
    let body = format!(
        "<h2>Token</h2>\n<p>This server needs its access token.</p>\n\
         {}<form class=\"inline\" method=\"post\" action=\"/login\">\
         <label>token<input type=\"password\" name=\"token\" id=\"token\" autocomplete=\"current-password\" autofocus></label>\
         <input type=\"hidden\" name=\"next\" value=\"{}\"><button type=\"submit\" id=\"login\">Enter</button></form>\n",
        error.map_or(String::new(), |e| format!(
            "<p class=\"error\">{}</p>\n",
            esc(e)
        )),
        esc(next)
    );
    page(StatusCode::OK, shell("nodemortem: token", &body))
}

/// Query of `GET /login`.
#[derive(Debug, Deserialize)]
pub struct NextParam {
    /// Where to go after the form.
    pub next: Option<String>,
}

/// `GET /login`: the token form.
pub async fn login_form(Query(q): Query<NextParam>) -> Response {
    login_page(&safe_next(q.next.as_deref()), None)
}

/// The token form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    /// The token typed.
    pub token: String,
    /// Where to go after.
    pub next: Option<String>,
}

/// `POST /login`: with the right token, sets the cookie (HttpOnly, SameSite=Strict, Secure
/// behind an https `--public-url`) and goes to `next`; else `401` and the form again.
pub async fn login(State(app): State<Shared>, Form(form): Form<LoginForm>) -> Response {
    let next = safe_next(form.next.as_deref());
    if app.token.is_none() {
        return redirect(&next, None);
    }
    if !token_matches(&app, form.token.trim()) {
        tracing::warn!("401: wrong token typed in the token form");
        let mut resp = login_page(&next, Some("Wrong token."));
        *resp.status_mut() = StatusCode::UNAUTHORIZED;
        return resp;
    }
    let cookie = format!(
        "{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{}",
        form.token.trim(),
        if is_https(&app) { "; Secure" } else { "" }
    );
    redirect(&next, Some(cookie))
}

fn redirect(to: &str, cookie: Option<String>) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        resp.headers_mut().insert(header::LOCATION, v);
    }
    if let Some(c) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        resp.headers_mut().insert(header::SET_COOKIE, c);
    }
    resp
}

/// A local path to go to after the form: starts with one `/`, never another host.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_server() {
        assert_eq!(safe_next(Some("/analyses/3")), "/analyses/3");
        assert_eq!(safe_next(Some("//evil.example.com/")), "/");
        assert_eq!(safe_next(Some("https://evil.example.com/")), "/");
        assert_eq!(safe_next(Some("/\\evil.example.com")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
