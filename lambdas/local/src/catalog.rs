//! Where specs and templates come from in the embedded mode. A name (`invoice`) resolves
//! from the data directory's `specs/` or `templates/` first, then from the ones shipped in
//! the binary; an argument that names an existing file (`./my-spec.json`, `report.typ`) is
//! read from that file.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use docex_core::builtin::{BUILTIN_SPECS, builtin_spec};
use docex_core::{DocexError, Renderer, Spec, SpecStore};
use docex_render::{TemplateSource, TypstRenderer};
use serde_json::Value;

/// Specs by name or path.
pub struct LocalSpecs {
    dir: PathBuf,
}

impl LocalSpecs {
    pub fn new(dir: impl Into<PathBuf>) -> LocalSpecs {
        LocalSpecs { dir: dir.into() }
    }

    /// Loads a spec by name or path.
    pub fn load(&self, name_or_path: &str) -> Result<Spec, DocexError> {
        let path = Path::new(name_or_path);
        if looks_like_path(name_or_path, "json") {
            let text =
                std::fs::read_to_string(path).map_err(|e| DocexError::SpecNotFound(format!("{name_or_path} ({e})")))?;
            let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("spec");
            return Spec::from_json(name, &text);
        }
        if !is_plain_name(name_or_path) {
            return Err(DocexError::SpecNotFound(name_or_path.to_string()));
        }
        let user = self.dir.join(format!("{name_or_path}.json"));
        if user.is_file() {
            let text =
                std::fs::read_to_string(&user).map_err(|e| DocexError::Storage(format!("{}: {e}", user.display())))?;
            return Spec::from_json(name_or_path, &text);
        }
        let text = builtin_spec(name_or_path).ok_or_else(|| DocexError::SpecNotFound(name_or_path.to_string()))?;
        Spec::from_json(name_or_path, text)
    }

    /// Names of every spec available: the user's and the shipped ones.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = BUILTIN_SPECS.iter().map(|(n, _)| n.to_string()).collect();
        names.extend(files_with_extension(&self.dir, "json"));
        names.sort();
        names.dedup();
        names
    }
}

#[async_trait]
impl SpecStore for LocalSpecs {
    async fn spec(&self, name: &str) -> Result<Spec, DocexError> {
        self.load(name)
    }
}

/// Templates by name (data directory, then shipped) or by path to a `.typ` file, whose
/// folder becomes the template's sandbox.
pub struct LocalTemplates {
    renderer: TypstRenderer,
}

impl LocalTemplates {
    pub fn new(renderer: TypstRenderer) -> LocalTemplates {
        LocalTemplates { renderer }
    }

    fn source(&self, name_or_path: &str) -> Result<Option<TemplateSource>, DocexError> {
        if !looks_like_path(name_or_path, "typ") {
            return Ok(None);
        }
        let path = Path::new(name_or_path);
        let file = path.file_name().and_then(|f| f.to_str()).filter(|_| path.is_file());
        let file = file.ok_or_else(|| DocexError::TemplateNotFound(name_or_path.to_string()))?;
        let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        Ok(Some(TemplateSource::folder(dir, file)))
    }

    /// Checks that a template can be found, before any work is done.
    pub fn check(&self, name_or_path: &str) -> Result<(), DocexError> {
        match self.source(name_or_path)? {
            Some(_) => Ok(()),
            None => self.renderer.source_for(name_or_path).map(|_| ()),
        }
    }
}

impl Renderer for LocalTemplates {
    fn render(&self, template: &str, data: &Value) -> Result<Vec<u8>, DocexError> {
        match self.source(template)? {
            Some(source) => self.renderer.render(&source, data),
            None => Renderer::render(&self.renderer, template, data),
        }
    }
}

/// The names a user can pick from (the API's catalog): the shipped specs and templates and
/// those in the data directory.
pub struct LocalCatalog {
    specs: std::sync::Arc<LocalSpecs>,
    templates_dir: PathBuf,
}

impl LocalCatalog {
    pub fn new(specs: std::sync::Arc<LocalSpecs>, templates_dir: impl Into<PathBuf>) -> LocalCatalog {
        LocalCatalog { specs, templates_dir: templates_dir.into() }
    }
}

#[async_trait]
impl docex_core::api::Catalog for LocalCatalog {
    async fn spec_names(&self) -> Result<Vec<String>, DocexError> {
        Ok(self.specs.names())
    }

    async fn template_names(&self) -> Result<Vec<String>, DocexError> {
        let mut names: Vec<String> = docex_core::api::BUILTIN_TEMPLATE_NAMES.iter().map(|n| n.to_string()).collect();
        // `common.typ` is what reports import, not a report.
        names.extend(files_with_extension(&self.templates_dir, "typ").into_iter().filter(|n| n != "common"));
        names.sort();
        names.dedup();
        Ok(names)
    }
}

/// The template to use for a spec when none is given: the spec's own, else the generic one.
pub fn default_template_for(spec_name: &str) -> String {
    if docex_render::builtin_template_names().contains(&spec_name) {
        spec_name.to_string()
    } else {
        "generic".to_string()
    }
}

fn looks_like_path(text: &str, extension: &str) -> bool {
    text.ends_with(&format!(".{extension}")) || text.contains('/') || text.contains('\\')
}

fn is_plain_name(text: &str) -> bool {
    !text.is_empty() && text.len() <= 64 && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn files_with_extension(dir: &Path, extension: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let path = e.path();
            (path.extension()?.to_str()? == extension).then(|| path.file_stem()?.to_str().map(String::from)).flatten()
        })
        .filter(|n| is_plain_name(n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use docex_core::ErrorName;

    #[test]
    fn specs_resolve_from_the_data_directory_first_then_the_shipped_ones() {
        let dir = tempfile::tempdir().unwrap();
        let specs = LocalSpecs::new(dir.path());
        assert_eq!(specs.load("invoice").unwrap().name, "invoice");
        std::fs::write(
            dir.path().join("invoice.json"),
            r#"{"type": "object", "properties": {"only_this": {"type": "string"}}}"#,
        )
        .unwrap();
        let spec = specs.load("invoice").unwrap();
        assert!(spec.field("only_this").is_some() && spec.field("total_amount").is_none());
        assert_eq!(specs.load("nope").unwrap_err().name(), "Docex.SpecNotFound");
        assert_eq!(specs.load("../etc/passwd").unwrap_err().name(), "Docex.SpecNotFound");
        assert!(specs.names().contains(&"receipt".to_string()));
    }

    #[tokio::test]
    async fn the_catalog_lists_shipped_and_user_names_once() {
        use docex_core::api::Catalog;
        let specs_dir = tempfile::tempdir().unwrap();
        let templates_dir = tempfile::tempdir().unwrap();
        std::fs::write(specs_dir.path().join("purchase_order.json"), "{}").unwrap();
        for file in ["invoice.typ", "letter.typ", "common.typ", "notes.txt"] {
            std::fs::write(templates_dir.path().join(file), "").unwrap();
        }
        let catalog = LocalCatalog::new(std::sync::Arc::new(LocalSpecs::new(specs_dir.path())), templates_dir.path());
        let specs = catalog.spec_names().await.unwrap();
        assert!(specs.contains(&"purchase_order".to_string()) && specs.contains(&"invoice".to_string()));
        assert_eq!(catalog.template_names().await.unwrap(), ["contract", "generic", "invoice", "letter", "receipt"]);
    }
}
