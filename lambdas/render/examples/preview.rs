//! Writes the builtin reports and a few generated documents as PDFs and PNG pages into a
//! folder, for looking at them: `cargo run -p docex-render --example preview -- DIR`
//! (needs `pdftoppm` from poppler-utils).

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use docex_render::{ReportDate, TemplateSource, TypstRenderer, generate, samples};

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1).map(PathBuf::from) else {
        eprintln!("usage: preview DIR");
        return ExitCode::FAILURE;
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let renderer = TypstRenderer::new(ReportDate::new(2026, 1, 15).expect("a valid date"));
    let mut pdfs: Vec<(String, Vec<u8>)> = Vec::new();
    let invoice = samples::invoice_result(45);
    for (name, data) in [
        ("invoice", invoice.clone()),
        ("receipt", samples::receipt_result()),
        ("contract", samples::contract_result()),
        ("generic", invoice),
    ] {
        match renderer.render(&TemplateSource::builtin(name), &data) {
            Ok(pdf) => pdfs.push((name.into(), pdf)),
            Err(e) => eprintln!("{name}: {e}"),
        }
    }
    match (generate::generate_invoices(&renderer, 2024, 8), generate::generate_receipts(&renderer, 7, 2)) {
        (Ok(invoices), Ok(receipts)) => {
            for g in invoices {
                pdfs.push((format!("gen-invoice-{}", g.case.document["layout"]["id"]), g.pdf));
            }
            for (i, g) in receipts.into_iter().enumerate() {
                pdfs.push((format!("gen-receipt-{i}"), g.pdf));
            }
        }
        (Err(e), _) | (_, Err(e)) => eprintln!("generator: {e}"),
    }
    for (name, pdf) in pdfs {
        let path = dir.join(format!("{name}.pdf"));
        if let Err(e) = std::fs::write(&path, &pdf) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        let converted = Command::new("pdftoppm").args(["-png", "-r", "60"]).arg(&path).arg(dir.join(&name)).status();
        if !converted.is_ok_and(|s| s.success()) {
            eprintln!("pdftoppm failed on {} (is poppler-utils installed?)", path.display());
            return ExitCode::FAILURE;
        }
    }
    println!("wrote previews to {}", dir.display());
    ExitCode::SUCCESS
}
