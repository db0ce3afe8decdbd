//! The report templates built into the binary, so reports render from any working
//! directory. `common.typ` holds the styling the others import; it is not a report itself.

/// `(name, Typst source)` of every builtin template file.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("common", include_str!("../../../templates/common.typ")),
    ("invoice", include_str!("../../../templates/invoice.typ")),
    ("receipt", include_str!("../../../templates/receipt.typ")),
    ("contract", include_str!("../../../templates/contract.typ")),
    ("generic", include_str!("../../../templates/generic.typ")),
];

/// The names of the builtin report templates (every file but `common`).
pub fn builtin_template_names() -> Vec<&'static str> {
    BUILTIN_TEMPLATES.iter().map(|(name, _)| *name).filter(|name| *name != "common").collect()
}
