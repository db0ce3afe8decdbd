//! Renders the builtin templates, hostile data and hostile templates, and the generated
//! invoices and receipts; checks the PDFs' text with `pdftotext` (poppler-utils).

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use docex_core::{ErrorName, Renderer};
use docex_render::generate::{self, invoice_layout_count};
use docex_render::{RenderLimits, ReportDate, TemplateSource, TypstRenderer, builtin_template_names, samples};
use serde_json::json;

fn renderer() -> &'static TypstRenderer {
    static RENDERER: OnceLock<TypstRenderer> = OnceLock::new();
    RENDERER.get_or_init(|| TypstRenderer::new(ReportDate::new(2025, 1, 2).expect("a valid date")))
}

/// The PDF's text, as `pdftotext -layout` reads it.
fn pdf_text(pdf: &[u8]) -> String {
    let mut child = Command::new("pdftotext")
        .args(["-layout", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("pdftotext (poppler-utils) is installed");
    child.stdin.take().expect("stdin").write_all(pdf).expect("write the PDF");
    let out = child.wait_with_output().expect("pdftotext runs");
    assert!(out.status.success(), "pdftotext failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Text with runs of whitespace collapsed, so wrapped table cells still match.
fn squashed(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn inline(main: &str) -> TemplateSource {
    TemplateSource::in_memory(main, BTreeMap::new())
}

fn fast() -> TypstRenderer {
    TypstRenderer::new(ReportDate::new(2025, 1, 2).expect("a valid date")).with_limits(RenderLimits {
        time_budget: Duration::from_secs(3),
        max_pages: 50,
        ..RenderLimits::default()
    })
}

#[test]
fn every_builtin_template_renders_its_result_with_fields_confidence_and_status() {
    let invoice = samples::invoice_result(45);
    let cases = [
        (
            "invoice",
            invoice.clone(),
            vec!["RE-2024-0815", "Kranich Software GmbH", "NEEDS REVIEW", "45%", "line items"],
        ),
        (
            "receipt",
            samples::receipt_result(),
            vec!["Café Rheinblick", "CHF 23.80", "SUCCEEDED", "Rheinweg 4 4051 Basel"],
        ),
        ("contract", samples::contract_result(), vec!["Northwind Consulting LLC", "State of Delaware", "2 years"]),
        ("generic", invoice, vec!["RE-2024-0815", "Line items (45)", "Vendor vat id", "Hauptstraße 12"]),
    ];
    for (name, data, expected) in cases {
        let pdf = renderer().render(&TemplateSource::builtin(name), &data).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(pdf.starts_with(b"%PDF"), "{name}");
        let text = squashed(&pdf_text(&pdf));
        for needle in expected {
            assert!(text.to_lowercase().contains(&needle.to_lowercase()), "{name} lacks {needle:?}:\n{text}");
        }
    }
    assert_eq!(builtin_template_names(), ["invoice", "receipt", "contract", "generic"]);
}

#[test]
fn templates_survive_odd_and_missing_data() {
    let odd = [
        json!({}),
        json!([1, 2, 3]),
        json!({"data": "not an object", "fields": [], "review_reasons": "nope", "confidence": "high"}),
        json!({"data": {"total_amount": 1e300, "line_items": [{"amount": -3.5}, {"x": {"y": null}}], "": "", "a/b~c": true},
               "fields": {"/total_amount": {"confidence": 7, "page": "one"}}, "status": "WEIRD"}),
    ];
    for name in builtin_template_names() {
        for data in &odd {
            renderer().render(&TemplateSource::builtin(name), data).unwrap_or_else(|e| panic!("{name} on {data}: {e}"));
        }
    }
}

#[test]
fn extracted_text_is_printed_literally_and_never_runs() {
    let hostile = [
        "#panic(\"x\")",
        "] [ #eval(\"1/0\")",
        "$ x^2 $ and $$",
        "#import \"@preview/cetz:0.3.0\": *",
        "back\\slash \\ and \\u{41}",
        "*bold* _em_ `raw` <label> @ref // comment /* block",
        "#read(\"/etc/passwd\")",
    ];
    let mut fields = serde_json::Map::new();
    let mut data = serde_json::Map::new();
    for (i, text) in hostile.iter().enumerate() {
        data.insert(format!("field_{i}"), json!(text));
        fields.insert(format!("/field_{i}"), json!({"confidence": 0.5, "page": 1, "text": text}));
    }
    let result = json!({
        "job_id": "#panic(\"job\")", "document": "]#[", "spec": "$", "status": "NEEDS_REVIEW",
        "data": data, "fields": fields, "confidence": 0.5, "review_reasons": hostile, "generated_at": "2025-01-02",
    });
    for name in builtin_template_names() {
        let pdf = renderer().render(&TemplateSource::builtin(name), &result).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = squashed(&pdf_text(&pdf));
        for needle in hostile {
            assert!(text.contains(&squashed(needle)), "{name} lacks {needle:?} literally:\n{text}");
        }
    }
}

fn error_of(renderer: &TypstRenderer, main: &str) -> (String, String) {
    let err = renderer.render(&inline(main), &json!({})).expect_err("the template must fail");
    (err.name().to_string(), err.to_string())
}

#[test]
fn compile_errors_name_file_line_and_message() {
    let (name, message) = error_of(renderer(), "Hello\n#let x = 1\n#unknown-thing(x)\n");
    assert_eq!(name, "Docex.TemplateInvalid");
    assert!(message.contains("main.typ:3:2") && message.contains("unknown variable"), "{message}");
    let (_, message) = error_of(renderer(), "#let f(x) = x\n#f(1, 2, 3)\n");
    assert!(message.contains("main.typ:2"), "{message}");
}

#[test]
fn the_sandbox_holds_only_the_template_and_the_data() {
    let cases = [
        ("#import \"@preview/cetz:0.3.0\": canvas", "packages are not available"),
        ("#read(\"/etc/passwd\")", "not found"),
        ("#read(\"../../../../etc/passwd\")", "escape the project root"),
        ("#plugin(\"evil.wasm\")", "plugins are not available"),
        ("#image(\"/usr/share/pixmaps/debian-logo.png\")", "not found"),
    ];
    for (main, expected) in cases {
        let (name, message) = error_of(renderer(), main);
        assert_eq!(name, "Docex.TemplateInvalid", "{main}");
        assert!(message.contains(expected), "{main}: {message}");
    }
    // The data file and the date are there, and the date is the one passed in.
    let pdf = renderer()
        .render_dated(
            &inline("#json(\"/data.json\").greeting #datetime.today().display()"),
            &json!({"greeting": "hi"}),
            ReportDate::new(2024, 12, 31).expect("a valid date"),
        )
        .expect("renders");
    assert!(pdf_text(&pdf).contains("hi 2024-12-31"));
}

#[test]
fn a_folder_template_reads_its_siblings_but_nothing_beside_the_folder() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let folder = dir.path().join("tpl");
    std::fs::create_dir_all(folder.join("parts")).expect("mkdir");
    std::fs::write(dir.path().join("secret.txt"), "top secret").expect("write");
    std::fs::write(folder.join("parts/common.typ"), "#let greet(who) = [Hello #who]").expect("write");
    std::fs::write(folder.join("main.typ"), "#import \"parts/common.typ\": greet\n#greet(json(\"/data.json\").name)")
        .expect("write");
    let pdf =
        renderer().render(&TemplateSource::folder(&folder, "main.typ"), &json!({"name": "Ada"})).expect("renders");
    assert!(pdf_text(&pdf).contains("Hello Ada"));

    std::fs::write(folder.join("peek.typ"), "#read(\"../secret.txt\")").expect("write");
    let err = renderer().render(&TemplateSource::folder(&folder, "peek.typ"), &json!({})).expect_err("refused");
    assert_eq!(err.name(), "Docex.TemplateInvalid");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), folder.join("link.txt")).expect("symlink");
        std::fs::write(folder.join("link.typ"), "#read(\"link.txt\")").expect("write");
        let err = renderer().render(&TemplateSource::folder(&folder, "link.typ"), &json!({})).expect_err("refused");
        assert!(!err.to_string().contains("top secret"), "{err}");
    }
    let err = renderer().render(&TemplateSource::folder(&folder, "../secret.txt"), &json!({})).expect_err("refused");
    assert_eq!(err.name(), "Docex.TemplateNotFound");
}

#[test]
fn runaway_templates_end_with_a_named_error() {
    let r = fast();
    let (name, message) = error_of(&r, "#let f(n) = f(n + 1)\n#f(0)");
    assert_eq!(name, "Docex.TemplateInvalid", "{message}");
    assert!(message.contains("call depth"), "{message}");

    let start = Instant::now();
    let (name, message) = error_of(&r, "#for i in range(10000) [Page #i #pagebreak()]");
    assert!(name == "Docex.RenderFailed", "{name}: {message}");
    assert!(message.contains("pages") || message.contains("budget"), "{message}");
    assert!(start.elapsed() < Duration::from_secs(8), "took {:?}", start.elapsed());

    let start = Instant::now();
    let (name, message) = error_of(&r, "#for i in range(3000000) [#i ]");
    assert_eq!(name, "Docex.RenderFailed", "{message}");
    assert!(message.contains("budget of 3000 ms"), "{message}");
    assert!(start.elapsed() < Duration::from_secs(6), "took {:?}", start.elapsed());

    let (name, _) = error_of(&r, "#while true { }");
    assert_eq!(name, "Docex.TemplateInvalid");

    // The renderer still works afterwards.
    let pdf = r.render(&inline("fine"), &json!({})).expect("renders");
    assert!(pdf_text(&pdf).contains("fine"));
}

#[test]
fn output_is_reproducible_and_names_resolve() {
    let data = samples::receipt_result();
    let a = renderer().render(&TemplateSource::builtin("receipt"), &data).expect("renders");
    let b = renderer().render(&TemplateSource::builtin("receipt"), &data).expect("renders");
    assert_eq!(a, b);
    let by_name = Renderer::render(renderer(), "receipt", &data).expect("renders");
    let dated = renderer()
        .render_dated(&TemplateSource::builtin("receipt"), &data, ReportDate::parse("2025-03-14").expect("a date"))
        .expect("renders");
    assert_eq!(dated, by_name, "by name, the result's generated_at dates the report");
    for bad in ["nope", "common", "../invoice", ""] {
        let err = Renderer::render(renderer(), bad, &data).expect_err("unknown");
        assert_eq!(err.name(), "Docex.TemplateNotFound", "{bad}");
    }
}

#[test]
fn generated_invoices_print_their_number_and_total() {
    let cases = generate::generate_invoices(renderer(), 2024, 24).expect("renders");
    assert_eq!(cases.len(), 24);
    let mut layouts = std::collections::BTreeSet::new();
    let mut languages = std::collections::BTreeSet::new();
    for (i, generated) in cases.iter().enumerate() {
        let text = squashed(&pdf_text(&generated.pdf));
        let number = generated.case.printed("invoice_number").expect("a number");
        let total = generated.case.printed("total").expect("a total");
        assert!(text.contains(number), "case {i} lacks {number}:\n{text}");
        assert!(text.contains(total), "case {i} lacks {total}:\n{text}");
        assert!(text.contains(generated.case.printed("issue_date").expect("a date")), "case {i}:\n{text}");
        assert_eq!(generated.case.truth["invoice_number"], json!(number));
        layouts.insert(generated.case.document["layout"]["id"].clone().to_string());
        languages.insert(generated.case.document["lang"].as_str().unwrap_or_default().to_string());
    }
    assert_eq!(layouts.len(), 24.min(invoice_layout_count()));
    assert_eq!(languages.len(), 3, "{languages:?}");
}

#[test]
fn generated_receipts_print_their_total_and_shop() {
    for generated in generate::generate_receipts(renderer(), 7, 8).expect("renders") {
        let text = squashed(&pdf_text(&generated.pdf));
        let total = generated.case.printed("total").expect("a total");
        assert!(text.contains(total), "lacks {total}:\n{text}");
        let shop = generated.case.truth["company"].as_str().unwrap_or_default();
        assert!(text.contains(shop), "lacks {shop}:\n{text}");
    }
}
