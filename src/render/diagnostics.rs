//! Config diagnostics for people (rustc-style snippets with a caret) and for machines (JSON).
//!
//! Snippets come from annotate-snippets. A diagnostic marked `redact` has the text under its
//! caret replaced by `*` before rendering, so an inline secret is pointed at, never printed.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde::Serialize;

use crate::config::{Diagnostic, Pos, Severity, Sources};

/// Colour or plain text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Plain,
    Color,
}

/// Renders diagnostics, errors first, each followed by a blank line.
pub fn render_text(diagnostics: &[Diagnostic], sources: &Sources, style: Style) -> String {
    let renderer = match style {
        Style::Plain => Renderer::plain(),
        Style::Color => Renderer::styled(),
    };
    let mut out = String::new();
    for diagnostic in ordered(diagnostics) {
        let text = render_one(diagnostic, sources);
        out.push_str(&renderer.render(&text.groups()));
        out.push_str("\n\n");
    }
    out
}

/// Errors before warnings, each kind in file order.
fn ordered(diagnostics: &[Diagnostic]) -> Vec<&Diagnostic> {
    let mut sorted: Vec<&Diagnostic> = diagnostics.iter().collect();
    sorted.sort_by_key(|d| (d.severity, d.at.map(|p| (p.file, p.line, p.col))));
    sorted
}

/// A mark under the source: its byte range, label, and whether it is the primary one.
struct Mark {
    range: std::ops::Range<usize>,
    label: Option<String>,
    primary: bool,
}

/// One file's source (redacted where needed) and the marks in it.
struct FileSnippet {
    path: String,
    text: String,
    marks: Vec<Mark>,
}

/// The owned pieces of one rendered diagnostic (annotate-snippets borrows them).
struct Prepared<'a> {
    diagnostic: &'a Diagnostic,
    snippets: Vec<FileSnippet>,
}

fn render_one<'a>(diagnostic: &'a Diagnostic, sources: &Sources) -> Prepared<'a> {
    let mut snippets: Vec<FileSnippet> = Vec::new();
    let mut add = |pos: &Pos, label: Option<String>, primary: bool, redact: bool| {
        let Some(file) = sources.get(pos.file) else {
            return;
        };
        let path = file.path.display().to_string();
        let index = match snippets.iter().position(|s| s.path == path) {
            Some(i) => i,
            None => {
                snippets.push(FileSnippet {
                    path,
                    text: file.text.clone(),
                    marks: Vec::new(),
                });
                snippets.len() - 1
            }
        };
        let snippet = &mut snippets[index];
        let range = span(&snippet.text, pos);
        if redact {
            mask(&mut snippet.text, range.clone());
        }
        snippet.marks.push(Mark {
            range,
            label,
            primary,
        });
    };
    if let Some(at) = &diagnostic.at {
        add(at, diagnostic.label.clone(), true, diagnostic.redact);
    }
    for (pos, note) in &diagnostic.related {
        add(pos, Some(note.clone()), false, false);
    }
    Prepared {
        diagnostic,
        snippets,
    }
}

impl Prepared<'_> {
    fn groups(&self) -> Vec<Group<'_>> {
        let d = self.diagnostic;
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let mut group =
            Group::with_title(level.primary_title(d.message.as_str()).id(d.code.as_str()));
        for file in &self.snippets {
            let mut snippet = Snippet::source(file.text.as_str())
                .path(file.path.as_str())
                .fold(true);
            for mark in &file.marks {
                let kind = if mark.primary {
                    AnnotationKind::Primary
                } else {
                    AnnotationKind::Context
                };
                let annotation = kind.span(mark.range.clone());
                snippet = snippet.annotation(match &mark.label {
                    Some(label) => annotation.label(label.as_str()),
                    None => annotation,
                });
            }
            group = group.element(snippet);
        }
        if let Some(help) = &d.help {
            group = group.element(Level::HELP.message(help.as_str()));
        }
        vec![group]
    }
}

/// The byte range a position covers in `text`, at least one character wide when possible.
fn span(text: &str, pos: &Pos) -> std::ops::Range<usize> {
    let start = pos
        .offset
        .map(|o| o as usize)
        .or_else(|| crate::config::load::byte_offset(text, pos.line, pos.col).map(|o| o as usize))
        .unwrap_or(0)
        .min(text.len());
    let mut end = (start + pos.len as usize).min(text.len());
    if end == start {
        end = text[start..]
            .chars()
            .next()
            .filter(|c| *c != '\n')
            .map_or(start, |c| start + c.len_utf8());
    }
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    start..end
}

/// Replaces the characters in `range` with `*`, keeping byte offsets valid after it.
fn mask(text: &mut String, range: std::ops::Range<usize>) {
    if let Some(secret) = text.get(range.clone()) {
        let stars = "*".repeat(secret.len());
        text.replace_range(range, &stars);
    }
}

/// The machine-readable report of `oktaform validate --format json` (schema version 1).
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    pub version: u32,
    pub valid: bool,
    pub errors: usize,
    pub warnings: usize,
    pub diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Debug, Serialize)]
pub struct JsonDiagnostic<'a> {
    pub severity: Severity,
    pub code: &'static str,
    pub message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<JsonLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<JsonRelated<'a>>,
}

#[derive(Debug, Serialize)]
pub struct JsonLocation {
    pub file: String,
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Serialize)]
pub struct JsonRelated<'a> {
    #[serde(flatten)]
    pub location: JsonLocation,
    pub note: &'a str,
}

fn json_location(pos: &Pos, sources: &Sources) -> Option<JsonLocation> {
    sources.get(pos.file).map(|file| JsonLocation {
        file: file.path.display().to_string(),
        line: pos.line,
        column: pos.col,
    })
}

pub fn json_report<'a>(diagnostics: &'a [Diagnostic], sources: &Sources) -> JsonReport<'a> {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    JsonReport {
        version: 1,
        valid: errors == 0,
        errors,
        warnings: diagnostics.len() - errors,
        diagnostics: ordered(diagnostics)
            .into_iter()
            .map(|d| JsonDiagnostic {
                severity: d.severity,
                code: d.code.as_str(),
                message: &d.message,
                location: d.at.as_ref().and_then(|p| json_location(p, sources)),
                label: d.label.as_deref(),
                help: d.help.as_deref(),
                related: d
                    .related
                    .iter()
                    .filter_map(|(pos, note)| {
                        json_location(pos, sources).map(|location| JsonRelated { location, note })
                    })
                    .collect(),
            })
            .collect(),
    }
}
