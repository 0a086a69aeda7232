//! Attributes as the diff compares them: one [`Shape`] built from the config or from Okta's
//! schema, in Okta's vocabulary, with Okta's defaults filled in and what Okta drops or rewrites
//! taken out — so a re-plan after apply is empty.
//!
//! What Okta does to an attribute on the way back (recorded in `../shared/okta-fixtures`):
//! app user schemas drop `master`, `permissions`, `required: false` and sometimes `union`;
//! `unique: true` comes back as `UNIQUE_VALIDATED` (or `PENDING_UNIQUENESS`); an array's
//! `union` defaults to `DISABLE`. A setting the config leaves out and that Okta fills with a
//! server-side default (`external_name`, `external_namespace`, `master`, `permissions`,
//! `mutability`) is not managed; every other setting left out means Okta's default.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::config::model::{AttrType, Attribute, Choices, Master, Mutability, Permission, Scope};
use crate::okta::types::{EnumChoice, SchemaItems, SchemaProperty};

/// Which profile an attribute lives on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    OktaUser,
    App,
}

/// One enum value, typed as Okta stores it, and its display title.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Choice {
    pub value: Value,
    pub title: String,
}

/// An attribute in comparable form.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shape {
    pub title: String,
    pub description: Option<String>,
    pub kind: AttrType,
    /// Enum values in display order; `None` for a free value.
    pub choices: Option<Vec<Choice>>,
    pub required: bool,
    pub unique: bool,
    pub scope_self: bool,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub union: bool,
    /// Managed only when set (Okta fills a default otherwise).
    pub external_name: Option<String>,
    pub external_namespace: Option<String>,
    pub master: Option<Master>,
    pub permission: Option<Permission>,
    pub mutability: Option<Mutability>,
}

/// How a live attribute differs from the desired one.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Difference {
    /// Only the enum's display order differs.
    Reorder,
    /// Settings Okta changes in place.
    Update { fields: Vec<FieldChange> },
    /// The type differs: Okta can only delete and re-create, losing every user's value.
    Replace { fields: Vec<FieldChange> },
}

/// One setting's old and new value, as people read them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

fn okta_type(kind: AttrType) -> (&'static str, Option<&'static str>) {
    match kind {
        AttrType::String => ("string", None),
        AttrType::Boolean => ("boolean", None),
        AttrType::Integer => ("integer", None),
        AttrType::Number => ("number", None),
        AttrType::StringArray => ("array", Some("string")),
        AttrType::IntegerArray => ("array", Some("integer")),
        AttrType::NumberArray => ("array", Some("number")),
    }
}

fn attr_type(kind: &str, item: Option<&str>) -> Option<AttrType> {
    Some(match (kind, item) {
        ("string", _) => AttrType::String,
        ("boolean", _) => AttrType::Boolean,
        ("integer", _) => AttrType::Integer,
        ("number", _) => AttrType::Number,
        ("array", Some("string") | None) => AttrType::StringArray,
        ("array", Some("integer")) => AttrType::IntegerArray,
        ("array", Some("number")) => AttrType::NumberArray,
        _ => return None,
    })
}

/// A config enum value as the JSON Okta stores (integers and numbers as numbers).
pub fn typed_value(text: &str, kind: AttrType) -> Value {
    match kind.element() {
        AttrType::Integer => text
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .unwrap_or(json!(text)),
        AttrType::Number => text
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Value::Number)
            .unwrap_or(json!(text)),
        _ => json!(text),
    }
}

impl Shape {
    /// The desired shape of a config attribute (validated beforehand).
    pub fn from_config(attribute: &Attribute) -> Shape {
        let kind = attribute.kind.value;
        Shape {
            title: attribute.title.value.clone(),
            description: attribute.description.as_ref().map(|d| d.value.clone()),
            kind,
            choices: attribute.choices.as_ref().map(|c| choices(&c.value, kind)),
            required: attribute.required.as_ref().is_some_and(|r| r.value),
            unique: attribute.unique.as_ref().is_some_and(|u| u.value),
            scope_self: attribute
                .scope
                .as_ref()
                .is_some_and(|s| s.value == Scope::SelfScope),
            min_length: attribute.min_length.as_ref().map(|l| u64::from(l.value)),
            max_length: attribute.max_length.as_ref().map(|l| u64::from(l.value)),
            union: attribute.union.as_ref().is_some_and(|u| u.value),
            external_name: attribute.external_name.as_ref().map(|n| n.value.clone()),
            external_namespace: attribute
                .external_namespace
                .as_ref()
                .map(|n| n.value.clone()),
            master: attribute.master.as_ref().map(|m| m.value),
            permission: attribute.permissions.as_ref().map(|p| p.value),
            mutability: attribute.mutability.as_ref().map(|m| m.value),
        }
    }

    /// The live shape of an Okta schema property; `None` for a type oktaform does not model.
    pub fn from_okta(property: &SchemaProperty) -> Option<Shape> {
        let items_kind = property.items.as_ref().and_then(|i| i.kind.as_deref());
        let kind = attr_type(property.kind.as_deref()?, items_kind)?;
        let (values, one_of) = if kind.is_array() {
            let items = property.items.as_ref();
            (
                items.and_then(|i| i.enum_values.as_ref()),
                items.and_then(|i| i.one_of.as_ref()),
            )
        } else {
            (property.enum_values.as_ref(), property.one_of.as_ref())
        };
        let choices = values.map(|values| {
            values
                .iter()
                .map(|value| Choice {
                    title: one_of
                        .and_then(|o| o.iter().find(|c| &c.value == value))
                        .map(|c| c.title.clone())
                        .unwrap_or_else(|| display(value)),
                    value: value.clone(),
                })
                .collect()
        });
        let unique = match &property.unique {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s != "NOT_UNIQUE",
            _ => false,
        };
        Some(Shape {
            title: property.title.clone().unwrap_or_default(),
            description: property.description.clone().filter(|d| !d.is_empty()),
            kind,
            choices,
            required: property.required.unwrap_or(false),
            unique,
            scope_self: property.scope.as_deref() == Some("SELF"),
            min_length: property.min_length,
            max_length: property.max_length,
            union: property.union.as_deref() == Some("ENABLE"),
            external_name: property.external_name.clone(),
            external_namespace: property.external_namespace.clone(),
            master: property
                .master
                .as_ref()
                .and_then(|m| m.get("type"))
                .and_then(Value::as_str)
                .and_then(|t| match t {
                    "PROFILE_MASTER" => Some(Master::ProfileMaster),
                    "OKTA" => Some(Master::Okta),
                    _ => None,
                }),
            permission: property
                .permissions
                .as_ref()
                .and_then(|ps| {
                    ps.iter()
                        .find(|p| p.get("principal").and_then(Value::as_str) == Some("SELF"))
                })
                .and_then(|p| p.get("action").and_then(Value::as_str))
                .and_then(|a| match a {
                    "HIDE" => Some(Permission::Hide),
                    "READ_ONLY" => Some(Permission::ReadOnly),
                    "READ_WRITE" => Some(Permission::ReadWrite),
                    _ => None,
                }),
            mutability: property.mutability.as_deref().and_then(|m| match m {
                "READ_WRITE" => Some(Mutability::ReadWrite),
                "READ_ONLY" => Some(Mutability::ReadOnly),
                "WRITE_ONLY" => Some(Mutability::WriteOnly),
                "IMMUTABLE" => Some(Mutability::Immutable),
                _ => None,
            }),
        })
    }

    /// The property as Okta's schema API takes it.
    pub fn to_okta(&self, profile: Profile) -> SchemaProperty {
        let (kind, item) = okta_type(self.kind);
        let values = self
            .choices
            .as_ref()
            .map(|c| c.iter().map(|c| c.value.clone()).collect::<Vec<_>>());
        let one_of = self.choices.as_ref().map(|c| {
            c.iter()
                .map(|c| EnumChoice {
                    value: c.value.clone(),
                    title: c.title.clone(),
                    extra: Map::new(),
                })
                .collect::<Vec<_>>()
        });
        let mut property = SchemaProperty {
            title: Some(self.title.clone()),
            description: self.description.clone(),
            kind: Some(kind.into()),
            external_name: self.external_name.clone(),
            external_namespace: self.external_namespace.clone(),
            scope: Some(if self.scope_self { "SELF" } else { "NONE" }.into()),
            required: Some(self.required),
            min_length: self.min_length,
            max_length: self.max_length,
            ..SchemaProperty::default()
        };
        if self.unique {
            property.unique = Some(json!(true));
        }
        match item {
            Some(item) => {
                property.items = Some(SchemaItems {
                    kind: Some(item.into()),
                    enum_values: values,
                    one_of,
                    extra: Map::new(),
                });
                property.union = Some(if self.union { "ENABLE" } else { "DISABLE" }.into());
            }
            None => {
                property.enum_values = values;
                property.one_of = one_of;
            }
        }
        if let Some(master) = self.master {
            property.master = Some(json!({ "type": match master {
                Master::ProfileMaster => "PROFILE_MASTER",
                Master::Okta => "OKTA",
            }}));
        }
        if let Some(permission) = self.permission {
            let action = match permission {
                Permission::Hide => "HIDE",
                Permission::ReadOnly => "READ_ONLY",
                Permission::ReadWrite => "READ_WRITE",
            };
            property.permissions = Some(vec![json!({ "principal": "SELF", "action": action })]);
        }
        if profile == Profile::OktaUser {
            property.mutability = self.mutability.map(|m| {
                match m {
                    Mutability::ReadWrite => "READ_WRITE",
                    Mutability::ReadOnly => "READ_ONLY",
                    Mutability::WriteOnly => "WRITE_ONLY",
                    Mutability::Immutable => "IMMUTABLE",
                }
                .to_string()
            });
        }
        property
    }

    /// How `live` differs from `self` (desired); `None` when it is the same attribute.
    pub fn compare(&self, live: &Shape, profile: Profile) -> Option<Difference> {
        let mut fields = Vec::new();
        if self.kind != live.kind {
            field(
                &mut fields,
                "type",
                live.kind.label().into(),
                self.kind.label().into(),
            );
            return Some(Difference::Replace { fields });
        }
        field(&mut fields, "title", live.title.clone(), self.title.clone());
        field(
            &mut fields,
            "description",
            opt(&live.description),
            opt(&self.description),
        );
        field(
            &mut fields,
            "required",
            live.required.to_string(),
            self.required.to_string(),
        );
        field(
            &mut fields,
            "min_length",
            opt(&live.min_length),
            opt(&self.min_length),
        );
        field(
            &mut fields,
            "max_length",
            opt(&live.max_length),
            opt(&self.max_length),
        );
        if self.kind.is_array() {
            field(
                &mut fields,
                "union",
                live.union.to_string(),
                self.union.to_string(),
            );
        }
        // Settings Okta keeps as created (finding B4: terraform-provider-okta marks them
        // ForceNew, the Profile Editor shows them read-only; the sandbox ignores a change):
        // a change is a delete and re-create.
        let in_place = fields.len();
        field(
            &mut fields,
            "unique",
            live.unique.to_string(),
            self.unique.to_string(),
        );
        field(
            &mut fields,
            "scope",
            scope(live.scope_self),
            scope(self.scope_self),
        );
        // Managed only when the config sets them.
        if let Some(name) = &self.external_name
            && !live
                .external_name
                .as_ref()
                .is_some_and(|l| l.eq_ignore_ascii_case(name))
        {
            field(
                &mut fields,
                "external_name",
                opt(&live.external_name),
                name.clone(),
            );
        }
        if self.external_namespace.is_some() {
            field(
                &mut fields,
                "external_namespace",
                opt(&live.external_namespace),
                opt(&self.external_namespace),
            );
        }
        let fixed = fields.len() > in_place;
        // App user schemas drop master and permissions: comparing them would never converge.
        if profile == Profile::OktaUser {
            if self.master.is_some() {
                field(
                    &mut fields,
                    "master",
                    debug_opt(&live.master),
                    debug_opt(&self.master),
                );
            }
            if self.permission.is_some() {
                field(
                    &mut fields,
                    "permissions",
                    debug_opt(&live.permission),
                    debug_opt(&self.permission),
                );
            }
            if self.mutability.is_some() {
                field(
                    &mut fields,
                    "mutability",
                    debug_opt(&live.mutability),
                    debug_opt(&self.mutability),
                );
            }
        }
        let reordered = match (&self.choices, &live.choices) {
            (Some(want), Some(have)) if same_set(want, have) => want != have,
            (want, have) => {
                field(
                    &mut fields,
                    "enum",
                    choices_text(have.as_deref()),
                    choices_text(want.as_deref()),
                );
                false
            }
        };
        if fixed {
            return Some(Difference::Replace { fields });
        }
        match (fields.is_empty(), reordered) {
            (true, false) => None,
            (true, true) => Some(Difference::Reorder),
            (false, _) => Some(Difference::Update { fields }),
        }
    }
}

fn choices(choices: &Choices, kind: AttrType) -> Vec<Choice> {
    choices
        .0
        .iter()
        .map(|c| Choice {
            value: typed_value(&c.value.value, kind),
            title: c.title.value.clone(),
        })
        .collect()
}

/// Same values with the same titles, in any order.
/// Records a setting whose value differs.
fn field(fields: &mut Vec<FieldChange>, name: &'static str, before: String, after: String) {
    if before != after {
        fields.push(FieldChange {
            field: name.into(),
            before,
            after,
        });
    }
}

fn same_set(a: &[Choice], b: &[Choice]) -> bool {
    a.len() == b.len() && a.iter().all(|c| b.contains(c))
}

fn display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn choices_text(choices: Option<&[Choice]>) -> String {
    match choices {
        None => "(none)".into(),
        Some(c) => c
            .iter()
            .map(|c| {
                let value = display(&c.value);
                if value == c.title {
                    value
                } else {
                    format!("{value} ({})", c.title)
                }
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn opt<T: ToString>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "(none)".into(), ToString::to_string)
}

fn debug_opt<T: std::fmt::Debug>(value: &Option<T>) -> String {
    value
        .as_ref()
        .map_or_else(|| "(none)".into(), |v| format!("{v:?}").to_lowercase())
}

fn scope(self_scope: bool) -> String {
    if self_scope {
        "self".into()
    } else {
        "none".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{FileId, load::parse};

    fn desired(yaml: &str) -> Shape {
        let text =
            format!("apps:\n  a:\n    find: {{ label: A }}\n    attributes:\n      x:\n{yaml}");
        let config = parse(FileId(0), &text).unwrap();
        Shape::from_config(&config.apps["a"].attributes["x"])
    }

    fn live(json: Value) -> Shape {
        Shape::from_okta(&serde_json::from_value(json).unwrap()).unwrap()
    }

    #[test]
    fn what_okta_sends_back_for_an_app_enum_compares_equal() {
        // The app-schema round trip recorded in
        // terraform-provider-okta/TestAccResourceOktaAppUserSchemas_enum_string__oie-00.yaml:
        // master, permissions, union and required:false are dropped.
        let want = desired(
            "        title: Instabug Role\n        type: string\n        external_namespace: urn:x\n        enum: { adminstrator: Admin, member: Member }\n",
        );
        let got = live(json!({
            "title": "Instabug Role", "type": "string", "scope": "NONE",
            "externalName": "instabugRole", "externalNamespace": "urn:x",
            "enum": ["adminstrator", "member"],
            "oneOf": [{"const": "adminstrator", "title": "Admin"}, {"const": "member", "title": "Member"}]
        }));
        assert_eq!(want.compare(&got, Profile::App), None);
    }

    #[test]
    fn unique_and_union_as_okta_reports_them() {
        let want = desired("        title: Apps\n        type: string array\n");
        let got = live(
            json!({"title": "Apps", "type": "array", "items": {"type": "string"}, "union": "DISABLE"}),
        );
        assert_eq!(want.compare(&got, Profile::App), None);
        let want = desired("        title: Id\n        type: string\n        unique: true\n");
        let got = live(json!({"title": "Id", "type": "string", "unique": "UNIQUE_VALIDATED"}));
        assert_eq!(want.compare(&got, Profile::OktaUser), None);
    }

    #[test]
    fn settings_okta_keeps_as_created_are_a_replace_not_an_update() {
        // Finding B4: externalName, externalNamespace, scope and unique cannot change in place.
        let got = live(json!({"title": "R", "type": "string", "scope": "NONE",
            "externalName": "role", "externalNamespace": "urn:old"}));
        for (yaml, field) in [
            (
                "        external_namespace: urn:new\n",
                "external_namespace",
            ),
            ("        external_name: instabugRole\n", "external_name"),
            ("        scope: self\n", "scope"),
        ] {
            let want = desired(&format!("        title: R\n        type: string\n{yaml}"));
            let Some(Difference::Replace { fields }) = want.compare(&got, Profile::App) else {
                panic!("{field}: {:?}", want.compare(&got, Profile::App))
            };
            assert_eq!(fields[0].field, field);
        }
        // A title still changes in place.
        let want = desired("        title: Role\n        type: string\n");
        assert!(matches!(
            want.compare(&got, Profile::App),
            Some(Difference::Update { .. })
        ));
    }

    #[test]
    fn enum_order_alone_is_a_reorder() {
        let want = desired(
            "        title: R\n        type: string\n        enum: { member: Member, adminstrator: Admin }\n",
        );
        let got = live(
            json!({"title": "R", "type": "string", "enum": ["adminstrator", "member"],
            "oneOf": [{"const": "adminstrator", "title": "Admin"}, {"const": "member", "title": "Member"}]}),
        );
        assert_eq!(want.compare(&got, Profile::App), Some(Difference::Reorder));
    }

    #[test]
    fn a_new_enum_value_is_an_update_and_a_type_change_a_replace() {
        let want = desired("        title: R\n        type: string\n        enum: [a, b, c]\n");
        let got = live(json!({"title": "R", "type": "string", "enum": ["a", "b"]}));
        let Some(Difference::Update { fields }) = want.compare(&got, Profile::App) else {
            panic!()
        };
        assert_eq!(
            fields,
            vec![FieldChange {
                field: "enum".into(),
                before: "a, b".into(),
                after: "a, b, c".into()
            }]
        );
        let want = desired("        title: R\n        type: integer\n");
        let got = live(json!({"title": "R", "type": "string"}));
        assert!(matches!(
            want.compare(&got, Profile::App),
            Some(Difference::Replace { .. })
        ));
    }

    #[test]
    fn integer_enums_are_stored_as_numbers() {
        let want = desired(
            "        title: Tier\n        type: integer\n        enum: { 1: Basic, 2: Pro }\n",
        );
        let property = want.to_okta(Profile::OktaUser);
        assert_eq!(property.enum_values, Some(vec![json!(1), json!(2)]));
        assert_eq!(
            Shape::from_okta(&property)
                .unwrap()
                .compare(&want, Profile::OktaUser),
            None
        );
    }

    #[test]
    fn what_we_send_reads_back_as_the_same_shape() {
        let want = desired(
            "        title: Apps\n        type: string array\n        description: d\n        union: true\n        required: true\n        enum: { iOS: iOS App, web: Web }\n        external_name: apps\n        external_namespace: urn:y\n",
        );
        let sent = want.to_okta(Profile::App);
        assert_eq!(
            sent.items.as_ref().unwrap().enum_values,
            Some(vec![json!("iOS"), json!("web")])
        );
        assert_eq!(
            Shape::from_okta(&sent)
                .unwrap()
                .compare(&want, Profile::App),
            None
        );
        assert_eq!(
            want.compare(&Shape::from_okta(&sent).unwrap(), Profile::App),
            None
        );
    }

    #[test]
    fn master_and_permissions_are_not_compared_on_app_profiles() {
        let want = desired(
            "        title: R\n        type: string\n        master: okta\n        permissions: read_write\n",
        );
        let got = live(json!({"title": "R", "type": "string"}));
        assert_eq!(want.compare(&got, Profile::App), None);
        assert!(want.compare(&got, Profile::OktaUser).is_some());
    }
}
