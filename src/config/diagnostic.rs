//! Diagnostics: what is wrong with a config (errors) or suspicious in it (warnings), and where.
//!
//! Each has a stable [`Code`] (for `--format json` and tests), a message, the position it points
//! at, an optional label under the caret, optional help, and secondary positions ("first declared
//! here"). Rendering them for people is `render::diagnostics`'s job.

use serde::Serialize;

use super::located::Pos;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// What kind of mistake a diagnostic reports. The kebab-case name is stable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    // Reading and parsing.
    FileUnreadable,
    NotUtf8,
    NoConfigFiles,
    YamlSyntax,
    DuplicateKey,
    UnknownKey,
    UnknownValue,
    WrongType,
    InvalidValue,
    MissingKey,
    // Merging several files.
    DeclaredTwice,
    SameOktaApp,
    // Cross-object checks.
    InlineSecret,
    UnresolvedReference,
    InvalidOrgUrl,
    InvalidName,
    BaseAttribute,
    BaseAttributeCase,
    NotApplicable,
    UniqueLimit,
    LengthRange,
    EnumValueType,
    DuplicateEnumValue,
    UnknownAttribute,
    UnknownExpressionVariable,
    MappingType,
    MappedAndAssigned,
    NotInEnum,
    ProfileValueType,
    AuthIncomplete,
    UsernameExpression,
    GroupPushAction,
    VendorNoGroups,
    // Warnings.
    MissingNamespace,
    MissingExternalName,
    ToggleConflict,
    PriorityClash,
    PushedNotAssigned,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::FileUnreadable => "file-unreadable",
            Code::NotUtf8 => "not-utf8",
            Code::NoConfigFiles => "no-config-files",
            Code::YamlSyntax => "yaml-syntax",
            Code::DuplicateKey => "duplicate-key",
            Code::UnknownKey => "unknown-key",
            Code::UnknownValue => "unknown-value",
            Code::WrongType => "wrong-type",
            Code::InvalidValue => "invalid-value",
            Code::MissingKey => "missing-key",
            Code::DeclaredTwice => "declared-twice",
            Code::SameOktaApp => "same-okta-app",
            Code::InlineSecret => "inline-secret",
            Code::UnresolvedReference => "unresolved-reference",
            Code::InvalidOrgUrl => "invalid-org-url",
            Code::InvalidName => "invalid-name",
            Code::BaseAttribute => "base-attribute",
            Code::BaseAttributeCase => "base-attribute-case",
            Code::NotApplicable => "not-applicable",
            Code::UniqueLimit => "unique-limit",
            Code::LengthRange => "length-range",
            Code::EnumValueType => "enum-value-type",
            Code::DuplicateEnumValue => "duplicate-enum-value",
            Code::UnknownAttribute => "unknown-attribute",
            Code::UnknownExpressionVariable => "unknown-expression-variable",
            Code::MappingType => "mapping-type",
            Code::MappedAndAssigned => "mapped-and-assigned",
            Code::NotInEnum => "not-in-enum",
            Code::ProfileValueType => "profile-value-type",
            Code::AuthIncomplete => "auth-incomplete",
            Code::UsernameExpression => "username-expression",
            Code::GroupPushAction => "group-push-action",
            Code::VendorNoGroups => "vendor-no-groups",
            Code::MissingNamespace => "missing-namespace",
            Code::MissingExternalName => "missing-external-name",
            Code::ToggleConflict => "toggle-conflict",
            Code::PriorityClash => "priority-clash",
            Code::PushedNotAssigned => "pushed-not-assigned",
        }
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One finding about the config.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// Where it points. `None` for problems with no place in a file (a missing file).
    pub at: Option<Pos>,
    /// Text under the caret.
    pub label: Option<String>,
    /// What to do about it.
    pub help: Option<String>,
    /// Other places that explain it, e.g. where something was first declared.
    pub related: Vec<(Pos, String)>,
    /// The text at `at` is (or may be) a secret: show carets, never the text.
    pub redact: bool,
}

impl Diagnostic {
    pub fn error(code: Code, at: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            at: Some(at),
            label: None,
            help: None,
            related: Vec::new(),
            redact: false,
        }
    }

    pub fn warning(code: Code, at: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, at, message)
        }
    }

    /// An error that has no place in a file.
    pub fn unplaced(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            at: None,
            ..Diagnostic::error(code, Pos::default(), message)
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, at: Pos, note: impl Into<String>) -> Self {
        self.related.push((at, note.into()));
        self
    }

    pub fn redacted(mut self) -> Self {
        self.redact = true;
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}
