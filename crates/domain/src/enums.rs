//! Closed sets with an identifier and a Chinese label (kinds, statuses,
//! rules…): one macro defines them, one trait lets lists, forms and
//! storage treat them alike.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

/// A closed set of values, each with a stable identifier (stored, sent in
/// URLs and the API) and a Chinese label (shown, exported, accepted by imports).
pub trait Labelled: Copy + Eq + 'static {
    const ALL: &'static [Self];
    fn as_str(self) -> &'static str;
    fn label(self) -> &'static str;
    /// From the identifier or the Chinese label.
    fn parse(s: &str) -> Option<Self> {
        let s = s.trim();
        Self::ALL.iter().copied().find(|v| v.as_str() == s || v.label() == s)
    }
    /// (identifier, label) pairs, for choice lists.
    fn choices() -> Vec<(&'static str, &'static str)> {
        Self::ALL.iter().map(|v| (v.as_str(), v.label())).collect()
    }
}

macro_rules! labelled_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $id:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $crate::enums::Labelled for $name {
            const ALL: &'static [$name] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str { $name::as_str(self) }
            fn label(self) -> &'static str { $name::label(self) }
        }

        // in the OpenAPI document: a string of the identifiers, the labels in
        // its description
        impl ::utoipa::PartialSchema for $name {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                $crate::enums::labelled_schema::<$name>(false)
            }
        }

        impl ::utoipa::ToSchema for $name {}

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }

            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }

            /// From the identifier or the Chinese label (imports use labels).
            pub fn parse(s: &str) -> Option<Self> {
                let s = s.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == s || v.label() == s)
            }

            /// The OpenAPI schema of a field that holds one of these or `""`
            /// (none chosen or recorded), for `#[schema(schema_with = …)]`.
            pub fn schema_or_empty() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                $crate::enums::labelled_schema::<$name>(true)
            }
        }
    };
}

/// The OpenAPI schema of a closed set given as (identifier, label) pairs: a
/// string whose `enum` lists the identifiers, with the labels in its
/// description (`association（社会团体）、…`). With `empty`, `""` is allowed
/// too: a field left blank (none chosen, or not recorded).
pub fn choice_schema(pairs: &[(&str, &str)], empty: bool) -> RefOr<Schema> {
    let mut text = pairs.iter().map(|(id, label)| format!("{id}（{label}）")).collect::<Vec<_>>().join("、");
    let mut ids: Vec<&str> = pairs.iter().map(|(id, _)| *id).collect();
    if empty {
        ids.push("");
        text.push_str("；空字符串表示未填");
    }
    RefOr::T(Schema::Object(
        ObjectBuilder::new().schema_type(Type::String).enum_values(Some(ids)).description(Some(text)).build(),
    ))
}

/// A labelled set's schema (see [`choice_schema`]).
pub fn labelled_schema<T: Labelled>(empty: bool) -> RefOr<Schema> {
    choice_schema(&T::choices(), empty)
}

pub(crate) use labelled_enum;
