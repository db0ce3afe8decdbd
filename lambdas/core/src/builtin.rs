//! The specs shipped inside the binary, so `docex` works from any working directory.
//! A spec of the same name in the data directory takes precedence (see `docex-local`).

/// `(name, JSON text)` of every shipped spec.
pub const BUILTIN_SPECS: &[(&str, &str)] = &[
    ("invoice", include_str!("../../../specs/invoice.json")),
    ("receipt", include_str!("../../../specs/receipt.json")),
    ("contract", include_str!("../../../specs/contract.json")),
];

/// The JSON text of a shipped spec.
pub fn builtin_spec(name: &str) -> Option<&'static str> {
    BUILTIN_SPECS.iter().find(|(n, _)| *n == name).map(|(_, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{FieldKind, Spec};

    #[test]
    fn every_shipped_spec_loads_and_has_the_promised_fields() {
        let expected: &[(&str, &[&str])] = &[
            (
                "invoice",
                &[
                    "invoice_number",
                    "issue_date",
                    "due_date",
                    "vendor_name",
                    "vendor_address",
                    "vendor_vat_id",
                    "buyer_name",
                    "currency",
                    "net_amount",
                    "tax_amount",
                    "total_amount",
                    "amount_due",
                    "line_items",
                ],
            ),
            ("receipt", &["company", "address", "date", "total", "currency"]),
            ("contract", &["effective_date", "jurisdiction", "party", "term"]),
        ];
        for (name, fields) in expected {
            let spec = Spec::from_json(name, builtin_spec(name).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
            for field in *fields {
                assert!(spec.field(field).is_some(), "{name} lacks {field}");
            }
        }
        let invoice = Spec::from_json("invoice", builtin_spec("invoice").unwrap()).unwrap();
        let FieldKind::Table(columns) = &invoice.field("line_items").unwrap().kind else {
            panic!("line_items is a table")
        };
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["description", "quantity", "unit_price", "amount"]);
        assert_eq!(invoice.field("issue_date").unwrap().kind, FieldKind::Date);
        assert_eq!(invoice.field("total_amount").unwrap().kind, FieldKind::Money);
    }
}
