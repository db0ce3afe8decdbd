//! The `RenderReport` Lambda: renders the job's result with its Typst template into the
//! report PDF. A template uploaded to the templates bucket (`<name>/main.typ` and the files
//! beside it) is used before the shipped one of the same name, so templates change without
//! a deploy. The task itself is `docex_tasks::render`, the same the local engine runs.

use std::collections::BTreeMap;

use docex_core::{DocexError, Renderer};
use docex_render::{ReportDate, TemplateSource, TypstRenderer};
use docex_tasks::JobInput;
use serde_json::Value;

/// The renderer for one job: the uploaded template when there is one, else the shipped one.
struct JobTemplate<'a> {
    typst: &'a TypstRenderer,
    uploaded: Option<TemplateSource>,
}

impl Renderer for JobTemplate<'_> {
    fn render(&self, template: &str, data: &Value) -> Result<Vec<u8>, DocexError> {
        match &self.uploaded {
            Some(source) => self.typst.render_result(source, data),
            None => Renderer::render(self.typst, template, data),
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let aws = docex_aws::lambda::Services::from_env().await;
    let today = ReportDate::parse(&chrono::Utc::now().format("%Y-%m-%d").to_string())
        .ok_or_else(|| DocexError::InvalidInput("the system date is out of range".into()))?;
    let typst = &TypstRenderer::new(today);
    let (blobs, templates) = (&aws.blobs()?, &aws.templates()?);
    docex_aws::lambda::serve(|input: JobInput| async move {
        let uploaded = match templates.load(&input.template).await? {
            Some(files) => Some(uploaded_template(&input.template, files)?),
            None => None,
        };
        docex_tasks::render(&input, blobs, &JobTemplate { typst, uploaded }).await
    })
    .await
}

/// A template folder from the bucket as a template source: `main.typ` and the files beside it.
fn uploaded_template(name: &str, mut files: BTreeMap<String, Vec<u8>>) -> Result<TemplateSource, DocexError> {
    let main = files
        .remove("main.typ")
        .ok_or_else(|| DocexError::TemplateInvalid(format!("the uploaded template {name:?} has no main.typ")))?;
    let main = String::from_utf8(main)
        .map_err(|_| DocexError::TemplateInvalid(format!("the main.typ of template {name:?} is not UTF-8")))?;
    Ok(TemplateSource::in_memory(&main, files))
}
