//! Prints the visual lines of a PDF as the extractor sees them (for looking into a miss).
//!
//! `cargo run -p docex-offline --example lines -- FILE.pdf`

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: lines FILE.pdf");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).unwrap_or_default();
    match docex_pdf::read_pdf(&bytes, &docex_pdf::Limits::default(), &docex_pdf::OcrOptions::default()) {
        Ok(document) => {
            for page in &document.pages {
                for line in page.lines() {
                    let words: Vec<String> = line
                        .words
                        .iter()
                        .map(|w| {
                            format!("{}@{:.0}-{:.0},{:.0}-{:.0}", w.text, w.bbox.x0, w.bbox.x1, w.bbox.y0, w.bbox.y1)
                        })
                        .collect();
                    println!("p{} {}", page.number, words.join(" "));
                }
            }
        }
        Err(e) => eprintln!("{e}"),
    }
}
