//! `config`: YAML files → the desired state, typed, located and validated offline.
//!
//! [`load`] reads and merges files into a [`Config`] (positions on every value, see
//! [`located`]); [`validate()`] checks it as a whole before anything touches the network.

pub mod diagnostic;
pub mod expression;
pub mod interpolate;
pub mod load;
pub mod located;
pub mod model;
pub mod schema;
pub mod validate;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use load::{Sources, load};
pub use located::{FileId, Loc, Pos};
pub use model::Config;
pub use validate::validate;
