//! Closed sets with an identifier and a Chinese label (kinds, statuses,
//! rules…): one macro defines them, one trait lets lists, forms and
//! storage treat them alike.

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
                let text = [$(concat!($id, "（", $label, "）")),+].join("、");
                ::utoipa::openapi::RefOr::T(::utoipa::openapi::schema::Schema::Object(
                    ::utoipa::openapi::schema::ObjectBuilder::new()
                        .schema_type(::utoipa::openapi::schema::Type::String)
                        .enum_values(Some([$($id),+]))
                        .description(Some(text))
                        .build(),
                ))
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
        }
    };
}

pub(crate) use labelled_enum;
