//! Render timings of the builtin templates on realistic results (an invoice with 45 line
//! items): font loading, the first (cold) render and the mean of 20 warm renders.
//!
//! `cargo run --release -p docex-render --example render_bench`

use std::time::Instant;

use docex_render::{ReportDate, TemplateSource, TypstRenderer, generate, samples};

const WARM_RUNS: u32 = 20;

fn main() {
    let Some(today) = ReportDate::new(2025, 1, 2) else { return };
    let start = Instant::now();
    let renderer = TypstRenderer::new(today);
    println!("fonts: {} faces loaded in {:.1} ms", renderer.font_count(), ms(start));

    let invoice = samples::invoice_result(45);
    let cases = [
        ("invoice", invoice.clone()),
        ("receipt", samples::receipt_result()),
        ("contract", samples::contract_result()),
        ("generic", invoice),
    ];
    println!("{:<10} {:>9} {:>9} {:>7} {:>9}", "template", "cold ms", "warm ms", "pages", "PDF KiB");
    for (name, data) in cases {
        let template = TemplateSource::builtin(name);
        let start = Instant::now();
        let pdf = match renderer.render(&template, &data) {
            Ok(pdf) => pdf,
            Err(e) => {
                eprintln!("{name}: {e}");
                continue;
            }
        };
        let cold = ms(start);
        let start = Instant::now();
        for _ in 0..WARM_RUNS {
            if let Err(e) = renderer.render(&template, &data) {
                eprintln!("{name}: {e}");
            }
        }
        let warm = ms(start) / f64::from(WARM_RUNS);
        let pages = count_pages(&pdf);
        println!("{name:<10} {cold:>9.1} {warm:>9.1} {pages:>7} {:>9.1}", pdf.len() as f64 / 1024.0);
    }

    let start = Instant::now();
    match generate::generate_invoices(&renderer, 1, 24) {
        Ok(cases) => {
            println!("generator: 24 invoices in {:.1} ms ({:.1} ms each)", ms(start), ms(start) / cases.len() as f64)
        }
        Err(e) => eprintln!("generator: {e}"),
    }
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1000.0
}

/// Counts the PDF's page objects (`/Type /Page`, however the writer spaced it).
fn count_pages(pdf: &[u8]) -> usize {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type")
        .filter(|(i, _)| {
            let rest = text[i + "/Type".len()..].trim_start();
            rest.starts_with("/Page") && !rest.starts_with("/Pages")
        })
        .count()
}
