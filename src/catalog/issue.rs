//! What the validator finds: a problem at a path of the document. A leaf, so that the kinds'
//! own checks (`template.rs`) and the validator that calls them share it.

use super::yaml::Seg;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Issue {
    pub code: &'static str,
    pub path: Vec<Seg>,
    pub message: String,
}
