//! The deployment matches the code: `terraform/` parses, checkov finds no failed check, and
//! the function table (`lambdas/functions.json`) that Terraform deploys from agrees with the
//! Lambda crates and the workflow definition:
//! - every `${...}` placeholder of `statemachine/docex.asl.json` is supplied by the
//!   `templatefile` call, each `*_arn` by the function of that name, and the state machine's
//!   functions are exactly the table's `invoked_by: state_machine` ones;
//! - every Lambda crate (a `lambdas/*` crate with a `src/main.rs` that depends on a Lambda
//!   runtime) has an entry and every entry a crate (entries marked `planned` may wait for
//!   theirs);
//! - every environment variable a function's code path reads is set (or has a default in
//!   the code, listed in the table), and Terraform has a value for it;
//! - every SDK operation a function's code path calls is covered by its IAM statements, and
//!   no statement grants an action the code does not need.
//!
//! The code path of a function is read from the source: its crate's own files, and for each
//! adapter it builds (`aws.jobs()`, `S3Catalog::from_env(..)`, the extractor) the adapter's
//! trait implementations, constructors and the inherent methods the crate calls, followed
//! through the calls inside the adapter's file. It over-approximates (a name called is
//! counted as reached), which errs towards requiring a permission.
//!
//! The parse and checkov need `python-hcl2` and `checkov` from PyPI (`.ci/run` installs
//! them); without them these tests fail with the install command.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const INSTALL: &str = "pip install python-hcl2 checkov (in a virtual environment on PATH; .ci/run does this)";

/// The SDK client fields and variables the adapters call operations on.
const CLIENT_RECEIVERS: &[&str] = &["client", "dynamodb", "management"];
/// Methods called on a client that are not service operations.
const NOT_OPERATIONS: &[&str] = &["as_deref", "as_ref", "clone", "config"];

fn workspace() -> PathBuf {
    docex_e2e::workspace()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

fn table() -> Value {
    serde_json::from_str(&read(&workspace().join("lambdas/functions.json"))).expect("lambdas/functions.json is JSON")
}

fn functions(table: &Value) -> &serde_json::Map<String, Value> {
    table["functions"].as_object().expect("functions.json has a functions object")
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(String::from)).collect()).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Rust source, read just enough: comments and literals blanked, functions with their
// bodies and the impl block they sit in.

/// A source file with comments and the insides of string and char literals blanked (same
/// length, same line breaks), and the string literals kept aside.
struct Source {
    code: Vec<char>,
    literals: Vec<(usize, String)>,
}

impl Source {
    fn parse(text: &str) -> Source {
        let raw: Vec<char> = text.chars().collect();
        let mut code = raw.clone();
        let mut literals = Vec::new();
        let blank = |code: &mut Vec<char>, from: usize, to: usize| {
            for c in code.iter_mut().take(to).skip(from) {
                if *c != '\n' {
                    *c = ' ';
                }
            }
        };
        let mut i = 0;
        while i < raw.len() {
            let c = raw[i];
            let next = raw.get(i + 1).copied();
            if c == '/' && next == Some('/') {
                let end = raw[i..].iter().position(|&c| c == '\n').map_or(raw.len(), |p| i + p);
                blank(&mut code, i, end);
                i = end;
            } else if c == '/' && next == Some('*') {
                let (mut depth, mut j) = (1, i + 2);
                while j < raw.len() && depth > 0 {
                    if raw[j] == '/' && raw.get(j + 1) == Some(&'*') {
                        depth += 1;
                        j += 2;
                    } else if raw[j] == '*' && raw.get(j + 1) == Some(&'/') {
                        depth -= 1;
                        j += 2;
                    } else {
                        j += 1;
                    }
                }
                blank(&mut code, i, j);
                i = j;
            } else if c == 'r' && (next == Some('"') || next == Some('#')) && !is_ident(raw.get(i.wrapping_sub(1))) {
                let hashes = raw[i + 1..].iter().take_while(|&&c| c == '#').count();
                if raw.get(i + 1 + hashes) != Some(&'"') {
                    i += 1;
                    continue;
                }
                let start = i + 2 + hashes;
                let closing: Vec<char> = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                let mut j = start;
                while j < raw.len() && raw[j..].iter().take(closing.len()).ne(closing.iter()) {
                    j += 1;
                }
                literals.push((start, raw[start..j.min(raw.len())].iter().collect()));
                blank(&mut code, start, j);
                i = j + closing.len();
            } else if c == '"' {
                let mut j = i + 1;
                while j < raw.len() && raw[j] != '"' {
                    j += if raw[j] == '\\' { 2 } else { 1 };
                }
                literals.push((i + 1, raw[i + 1..j.min(raw.len())].iter().collect()));
                blank(&mut code, i + 1, j);
                i = j + 1;
            } else if c == '\'' {
                // A char literal ('x', '\n', '{'), or a lifetime ('a), which is left alone.
                if next == Some('\\') {
                    let end = raw[i + 2..].iter().position(|&c| c == '\'').map_or(raw.len(), |p| i + 2 + p);
                    blank(&mut code, i + 1, end);
                    i = end + 1;
                } else if raw.get(i + 2) == Some(&'\'') {
                    blank(&mut code, i + 1, i + 2);
                    i += 3;
                } else {
                    i += 1;
                }
            } else {
                i += 1;
            }
        }
        Source { code, literals }
    }

    fn text(&self, from: usize, to: usize) -> String {
        self.code[from..to].iter().collect()
    }

    /// The index of the `}` closing the `{` at `open`.
    fn closing(&self, open: usize) -> usize {
        let mut depth = 0;
        for (i, &c) in self.code.iter().enumerate().skip(open) {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return i;
                    }
                }
                _ => {}
            }
        }
        self.code.len()
    }

    /// Identifier tokens with their positions.
    fn idents(&self) -> Vec<(usize, String)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < self.code.len() {
            if is_ident_start(self.code[i]) && !is_ident(self.code.get(i.wrapping_sub(1))) {
                let start = i;
                while i < self.code.len() && is_ident(Some(&self.code[i])) {
                    i += 1;
                }
                out.push((start, self.text(start, i)));
            } else {
                i += 1;
            }
        }
        out
    }

    /// The functions with a body, each with the type of the impl block it sits in and
    /// whether that block implements a trait.
    fn functions(&self) -> Vec<RustFn> {
        let idents = self.idents();
        // impl blocks: (body start, body end, type, is a trait impl)
        let mut impls = Vec::new();
        for (k, (pos, word)) in idents.iter().enumerate() {
            if word != "impl" {
                continue;
            }
            let Some(open) = (pos + 4..self.code.len()).find(|&i| self.code[i] == '{' || self.code[i] == ';') else {
                continue;
            };
            if self.code[open] == ';' {
                continue;
            }
            let header: Vec<&String> = idents[k + 1..].iter().take_while(|(p, _)| *p < open).map(|(_, w)| w).collect();
            let (ty, is_trait) = match header.iter().position(|w| w.as_str() == "for") {
                Some(f) => (header.get(f + 1).map(|w| w.to_string()), true),
                None => (
                    header.iter().find(|w| w.chars().next().is_some_and(char::is_uppercase)).map(|w| w.to_string()),
                    false,
                ),
            };
            if let Some(ty) = ty {
                impls.push((open, self.closing(open), ty, is_trait));
            }
        }
        let mut out = Vec::new();
        for (k, (pos, word)) in idents.iter().enumerate() {
            if word != "fn" {
                continue;
            }
            let Some((_, name)) = idents.get(k + 1) else { continue };
            // The body: the first `{` outside parentheses, unless a `;` ends a declaration.
            let mut depth = 0i32;
            let mut body = None;
            for i in pos + 2..self.code.len() {
                match self.code[i] {
                    '(' | '[' => depth += 1,
                    ')' | ']' => depth -= 1,
                    ';' if depth == 0 => break,
                    '{' if depth == 0 => {
                        body = Some(i);
                        break;
                    }
                    _ => {}
                }
            }
            let Some(open) = body else { continue };
            let owner = impls
                .iter()
                .filter(|(s, e, _, _)| *s < *pos && *pos < *e)
                .max_by_key(|(s, _, _, _)| *s)
                .map(|(_, _, ty, is_trait)| (ty.clone(), *is_trait));
            out.push(RustFn { name: name.clone(), owner, body: (open, self.closing(open)) });
        }
        out
    }

    /// Names called in `from..to`: `name(`, `.name(`, `::name(`.
    fn calls(&self, from: usize, to: usize) -> BTreeSet<String> {
        self.qualified_calls(from, to).into_iter().map(|(_, name)| name).collect()
    }

    /// Calls in `from..to` with what they are called on: `Type::name(` (that type's),
    /// `self.name(` and `Self::name(` (the current type's), `x.name(` (any type's method),
    /// `name(` (a free function).
    fn qualified_calls(&self, from: usize, to: usize) -> Vec<(Callee, String)> {
        let idents = self.idents();
        let mut out = Vec::new();
        for (k, (p, w)) in idents.iter().enumerate() {
            if *p < from || *p >= to || self.code[p + w.len()..to].iter().find(|c| !c.is_whitespace()) != Some(&'(') {
                continue;
            }
            // The separator before the name, and the identifier right before that.
            let before: String = self.code[from..*p].iter().rev().skip_while(|c| c.is_whitespace()).take(2).collect();
            let previous = k
                .checked_sub(1)
                .map(|j| &idents[j])
                .filter(|(q, v)| {
                    *q >= from && self.text(q + v.len(), *p).chars().filter(|c| !c.is_whitespace()).count() <= 2
                })
                .map(|(_, v)| v.as_str())
                .unwrap_or("");
            let callee = if before == "::" {
                match previous {
                    "Self" => Callee::SelfType,
                    ty if ty.chars().next().is_some_and(char::is_uppercase) => Callee::Type(ty.to_string()),
                    _ => Callee::Free,
                }
            } else if before.starts_with('.') {
                if previous == "self" { Callee::SelfType } else { Callee::AnyMethod }
            } else {
                Callee::Free
            };
            out.push((callee, w.clone()));
        }
        out
    }

    /// SDK operations called in `from..to`: `client.op()`, `self.client\n    .op()`.
    fn operations(&self, from: usize, to: usize) -> BTreeSet<String> {
        let idents = self.idents();
        let mut out = BTreeSet::new();
        for pair in idents.windows(2) {
            let ((p, receiver), (q, op)) = (&pair[0], &pair[1]);
            if *p < from || *q >= to || !CLIENT_RECEIVERS.contains(&receiver.as_str()) {
                continue;
            }
            let between: String = self.text(p + receiver.len(), *q).chars().filter(|c| !c.is_whitespace()).collect();
            let after: String =
                self.text(q + op.len(), (q + op.len() + 40).min(to)).chars().filter(|c| !c.is_whitespace()).collect();
            if between == "." && after.starts_with("()") && !NOT_OPERATIONS.contains(&op.as_str()) {
                out.insert(op.clone());
            }
        }
        out
    }

    /// Environment variable names in `from..to`: `"DOCEX_..."` literals and the names of the
    /// constants referenced (resolved through `constants`).
    fn env(&self, from: usize, to: usize, constants: &BTreeMap<String, String>) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self
            .literals
            .iter()
            .filter(|(p, s)| *p >= from && *p < to && is_env_name(s))
            .map(|(_, s)| s.clone())
            .collect();
        for (p, word) in self.idents() {
            if p >= from && p < to {
                if let Some(name) = constants.get(&word) {
                    out.insert(name.clone());
                }
            }
        }
        out
    }

    /// `pub const NAME: &str = "DOCEX_...";` constants.
    fn env_constants(&self) -> BTreeMap<String, String> {
        let idents = self.idents();
        let mut out = BTreeMap::new();
        for pair in idents.windows(2) {
            if pair[0].1 == "const" {
                let (pos, name) = &pair[1];
                let end = (*pos..self.code.len()).find(|&i| self.code[i] == ';').unwrap_or(self.code.len());
                if let Some((_, value)) = self.literals.iter().find(|(p, s)| p > pos && *p < end && is_env_name(s)) {
                    out.insert(name.clone(), value.clone());
                }
            }
        }
        out
    }
}

/// What a call is made on.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Callee {
    Type(String),
    SelfType,
    AnyMethod,
    Free,
}

impl Callee {
    /// Whether `f` may be what a call from a function of type `caller` reaches.
    fn reaches(&self, f: &RustFn, caller: Option<&str>) -> bool {
        let owner = f.owner.as_ref().map(|(ty, _)| ty.as_str());
        match self {
            Callee::Type(ty) => owner == Some(ty.as_str()),
            Callee::SelfType => owner.is_some() && owner == caller,
            Callee::AnyMethod => owner.is_some(),
            Callee::Free => owner.is_none(),
        }
    }
}

struct RustFn {
    name: String,
    owner: Option<(String, bool)>,
    body: (usize, usize),
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
}

fn is_env_name(s: &str) -> bool {
    s.starts_with("DOCEX_")
        && s.len() > 6
        && s.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    files.sort();
    files
}

// ---------------------------------------------------------------------------------------
// What a Lambda crate's code path reads and calls.

/// An adapter a Lambda builds: the file that defines it and the type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Adapter {
    file: PathBuf,
    ty: String,
}

#[derive(Debug, Default)]
struct CodePath {
    adapters: BTreeSet<Adapter>,
    operations: BTreeSet<String>,
    env: BTreeSet<String>,
}

/// The Lambda crates: folders under lambdas/ with a `src/main.rs` and a Lambda runtime
/// among their dependencies (library crates and the local binaries have neither).
fn lambda_crates() -> BTreeSet<String> {
    let lambdas = workspace().join("lambdas");
    std::fs::read_dir(&lambdas)
        .expect("lambdas/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("src/main.rs").is_file())
        .filter(|e| {
            let manifest = std::fs::read_to_string(e.path().join("Cargo.toml")).unwrap_or_default();
            manifest
                .lines()
                .any(|l| l.trim_start().starts_with("lambda_runtime") || l.trim_start().starts_with("lambda_http"))
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect()
}

/// Every env constant of the adapter and agent crates, by constant name.
fn env_constants() -> BTreeMap<String, String> {
    let root = workspace().join("lambdas");
    let mut out = BTreeMap::new();
    for dir in ["aws/src", "agent/src"] {
        for file in rust_files(&root.join(dir)) {
            out.extend(Source::parse(&read(&file)).env_constants());
        }
    }
    out
}

/// `Services` methods to the adapter each builds (`crate::s3::S3BlobStore::from_env`).
fn services() -> BTreeMap<String, Adapter> {
    let aws = workspace().join("lambdas/aws/src");
    let source = Source::parse(&read(&aws.join("lambda.rs")));
    let mut out = BTreeMap::new();
    for f in source.functions() {
        if f.owner.as_ref().map(|(ty, _)| ty.as_str()) != Some("Services") {
            continue;
        }
        let body = source.text(f.body.0, f.body.1);
        let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(start) = compact.find("crate::") {
            let path: Vec<&str> = compact[start + 7..].split("::").take(2).collect();
            if let [module, ty] = path[..] {
                out.insert(f.name.clone(), Adapter { file: aws.join(format!("{module}.rs")), ty: ty.to_string() });
            }
        }
    }
    out
}

/// Types defined in the adapter crate, by name.
fn adapter_types() -> BTreeMap<String, Adapter> {
    let aws = workspace().join("lambdas/aws/src");
    let mut out = BTreeMap::new();
    for file in rust_files(&aws) {
        let source = Source::parse(&read(&file));
        let idents = source.idents();
        for pair in idents.windows(2) {
            if pair[0].1 == "struct" {
                out.insert(pair[1].1.clone(), Adapter { file: file.clone(), ty: pair[1].1.clone() });
            }
        }
    }
    out
}

fn code_path(krate: &str) -> CodePath {
    let root = workspace().join("lambdas");
    let constants = env_constants();
    let services = services();
    let types = adapter_types();
    let mut path = CodePath::default();

    // The crate's own files.
    let own: Vec<Source> = rust_files(&root.join(krate).join("src")).iter().map(|f| Source::parse(&read(f))).collect();
    let mut called = BTreeSet::new();
    for source in &own {
        let len = source.code.len();
        path.env.extend(source.env(0, len, &constants));
        path.operations.extend(source.operations(0, len));
        called.extend(source.calls(0, len));
        let text: String = source.code.iter().filter(|c| !c.is_whitespace()).collect();
        for (method, adapter) in &services {
            if text.contains(&format!("aws.{method}()")) {
                path.adapters.insert(adapter.clone());
            }
        }
        for (name, adapter) in &types {
            if text.contains(&format!("{name}::from_env(")) {
                path.adapters.insert(adapter.clone());
            }
        }
        // The extractor: docex-agent's Bedrock client, configured from the environment.
        if text.contains("docex_agent::extractor_from_env") {
            path.adapters.insert(Adapter { file: root.join("agent/src/bedrock.rs"), ty: "BedrockClient".into() });
            for file in rust_files(&root.join("agent/src")) {
                let source = Source::parse(&read(&file));
                path.env.extend(source.env(0, source.code.len(), &constants));
            }
        }
    }

    // Trait implementations of an adapter outside its own file (the API's ports in api.rs)
    // are reached when the crate calls them by name, and what they call is called too.
    for adapter in &path.adapters {
        for file in rust_files(&root.join("aws/src")).into_iter().filter(|f| *f != adapter.file) {
            let source = Source::parse(&read(&file));
            for f in source.functions() {
                if matches!(&f.owner, Some((ty, true)) if *ty == adapter.ty) && called.contains(&f.name) {
                    let (from, to) = f.body;
                    path.operations.extend(source.operations(from, to));
                    path.env.extend(source.env(from, to, &constants));
                    called.extend(source.calls(from, to));
                }
            }
        }
    }

    // Each adapter: its trait implementations, constructors and the methods the crate
    // calls, and whatever those call in the same file.
    // An adapter that builds another adapter of the crate (`EventBridgeBus::from_env(..)`
    // inside `EventBridgeCorrections::from_env`) brings that one's code path in too.
    let mut pending: Vec<Adapter> = path.adapters.iter().cloned().collect();
    let mut done = BTreeSet::new();
    while let Some(adapter) = pending.pop() {
        if !done.insert(adapter.clone()) {
            continue;
        }
        let source = Source::parse(&read(&adapter.file));
        let fns = source.functions();
        let mut reached: BTreeSet<usize> = fns
            .iter()
            .enumerate()
            .filter(|(_, f)| match &f.owner {
                Some((ty, is_trait)) if *ty == adapter.ty => {
                    *is_trait || f.name == "from_env" || f.name == "new" || called.contains(&f.name)
                }
                _ => false,
            })
            .map(|(i, _)| i)
            .collect();
        loop {
            let calls: Vec<(Callee, String, Option<&str>)> = reached
                .iter()
                .flat_map(|&i| {
                    let caller = fns[i].owner.as_ref().map(|(ty, _)| ty.as_str());
                    source.qualified_calls(fns[i].body.0, fns[i].body.1).into_iter().map(move |(c, n)| (c, n, caller))
                })
                .collect();
            let more: BTreeSet<usize> = fns
                .iter()
                .enumerate()
                .filter(|(i, f)| {
                    !reached.contains(i) && calls.iter().any(|(c, n, caller)| *n == f.name && c.reaches(f, *caller))
                })
                .map(|(i, _)| i)
                .collect();
            if more.is_empty() {
                break;
            }
            reached.extend(more);
        }
        for &i in &reached {
            let (from, to) = fns[i].body;
            path.operations.extend(source.operations(from, to));
            path.env.extend(source.env(from, to, &constants));
            for (callee, name) in source.qualified_calls(from, to) {
                let Callee::Type(ty) = callee else { continue };
                if ty != adapter.ty && (name == "from_env" || name == "new") {
                    if let Some(built) = types.get(&ty) {
                        path.adapters.insert(built.clone());
                        pending.push(built.clone());
                    }
                }
            }
        }
    }
    path
}

// ---------------------------------------------------------------------------------------
// Terraform, parsed by python-hcl2.

fn tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} is not on PATH: {INSTALL}"))
}

/// Every .tf file of terraform/ (the module), parsed, by file name.
fn terraform() -> BTreeMap<String, Value> {
    terraform_in(&workspace().join("terraform"))
}

/// Every .tf file of one Terraform folder, parsed, by file name.
fn terraform_in(dir: &Path) -> BTreeMap<String, Value> {
    let python = ["python3", "python"]
        .iter()
        .find_map(|name| {
            let path = std::env::var_os("PATH").unwrap_or_default();
            std::env::split_paths(&path).map(|dir| dir.join(name)).find(|p| p.is_file())
        })
        .unwrap_or_else(|| panic!("python3 is not on PATH: {INSTALL}"));
    let script = r#"
import glob, json, os, sys
try:
    import hcl2
except ImportError:
    sys.exit("python-hcl2 is missing")
out = {}
for path in sorted(glob.glob(os.path.join(sys.argv[1], "*.tf"))):
    with open(path) as f:
        try:
            out[os.path.basename(path)] = hcl2.load(f)
        except Exception as e:
            sys.exit(f"{path} does not parse: {e}")
json.dump(out, sys.stdout)
"#;
    let output = Command::new(python).args(["-c", script]).arg(dir).output().expect("python3 runs");
    assert!(
        output.status.success(),
        "parsing {}/*.tf failed: {}\n(python-hcl2 needed: {INSTALL})",
        dir.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the parse is JSON")
}

/// The blocks of one kind (`resource`, `locals`, ...) across all files.
fn blocks<'a>(tf: &'a BTreeMap<String, Value>, kind: &str) -> Vec<&'a Value> {
    tf.values().filter_map(|file| file.get(kind)).filter_map(Value::as_array).flatten().collect()
}

fn resource<'a>(tf: &'a BTreeMap<String, Value>, ty: &str, name: &str) -> &'a Value {
    blocks(tf, "resource")
        .into_iter()
        .find_map(|b| b.get(ty).and_then(|r| r.get(name)))
        .unwrap_or_else(|| panic!("terraform/ has no resource {ty}.{name}"))
}

/// An attribute's single value (python-hcl2 wraps values in lists).
fn attr<'a>(block: &'a Value, name: &str) -> &'a Value {
    let value = block.get(name).unwrap_or_else(|| panic!("no attribute {name} in {block}"));
    match value.as_array() {
        Some(list) if list.len() == 1 => &list[0],
        _ => value,
    }
}

fn local<'a>(tf: &'a BTreeMap<String, Value>, name: &str) -> &'a Value {
    let value = blocks(tf, "locals")
        .into_iter()
        .find_map(|b| b.get(name))
        .unwrap_or_else(|| panic!("terraform/ has no local {name}"));
    match value.as_array() {
        Some(list) if list.len() == 1 => &list[0],
        _ => value,
    }
}

/// The keys of the object literal in a `templatefile(path, { key = value, ... })` call, as
/// python-hcl2 renders it (`{'key': 'value', ...}`), with their values.
fn template_vars(expression: &str) -> BTreeMap<String, String> {
    let start = expression.find("templatefile(").expect("a templatefile call");
    let body = &expression[start..];
    let mut out = BTreeMap::new();
    let mut rest = &body[body.find('{').expect("a variables object")..];
    while let Some(q) = rest.find('\'') {
        let after = &rest[q + 1..];
        let Some(end) = after.find('\'') else { break };
        let key = &after[..end];
        let tail = &after[end + 1..];
        if tail.starts_with(": '") {
            let value_start = &tail[3..];
            let value_end = value_start.find("', '").or_else(|| value_start.find("'}")).unwrap_or(value_start.len());
            out.insert(key.to_string(), value_start[..value_end].to_string());
            rest = value_start[value_end..].strip_prefix("', ").unwrap_or(&value_start[value_end..]);
        } else {
            rest = tail;
        }
    }
    out
}

/// `${name}` placeholders of a template file (templatefile's syntax; `$${` is an escape).
fn placeholders(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        if i > 0 && rest.as_bytes()[i - 1] == b'$' {
            rest = &rest[i + 2..];
            continue;
        }
        let after = &rest[i + 2..];
        let end = after.find('}').expect("a closed placeholder");
        out.insert(after[..end].trim().to_string());
        rest = &after[end..];
    }
    out
}

// ---------------------------------------------------------------------------------------
// The tests.

#[test]
fn every_tf_file_parses_and_the_lambdas_are_one_for_each_over_the_table() {
    let tf = terraform();
    assert!(tf.len() >= 5, "terraform/ holds the .tf files, found {:?}", tf.keys());

    let lambda = resource(&tf, "aws_lambda_function", "this");
    assert_eq!(attr(lambda, "for_each"), "${local.functions}");
    assert_eq!(attr(lambda, "runtime"), "provided.al2023");
    assert_eq!(attr(lambda, "architectures"), &serde_json::json!(["arm64"]));
    assert_eq!(attr(lambda, "handler"), "bootstrap");
    let filename = attr(lambda, "filename").as_str().unwrap();
    assert!(filename.ends_with("/${each.key}/bootstrap.zip"), "{filename}");
    let hash = attr(lambda, "source_code_hash").as_str().unwrap();
    assert!(hash.contains("filebase64sha256(") && hash.contains("/${each.key}/bootstrap.zip"), "{hash}");
    assert_eq!(attr(&attr(lambda, "tracing_config"), "mode"), "Active");
    let table = local(&tf, "table").as_str().unwrap();
    assert!(table.contains("jsondecode(file(") && table.contains("/../lambdas/functions.json"), "{table}");
}

#[test]
fn the_state_machine_gets_every_placeholder_from_templatefile() {
    let tf = terraform();
    let asl = read(&workspace().join("statemachine/docex.asl.json"));
    let wanted = placeholders(&asl);
    assert!(wanted.contains("prepare_document_arn") && wanted.contains("dead_letter_queue_url"), "{wanted:?}");

    let machine = resource(&tf, "aws_sfn_state_machine", "workflow");
    assert_eq!(attr(machine, "type"), "STANDARD");
    let definition = attr(machine, "definition").as_str().unwrap();
    assert!(
        definition.contains("/../statemachine/docex.asl.json"),
        "the definition is the repo's ASL file: {definition}"
    );
    let supplied = template_vars(definition);
    let keys: BTreeSet<String> = supplied.keys().cloned().collect();
    assert_eq!(wanted, keys, "ASL placeholders (left) and templatefile variables (right) differ");

    // Each *_arn is the ARN of the function of the same name, and those are exactly the
    // functions the table says the state machine invokes.
    let table = table();
    let workflow: BTreeSet<String> = functions(&table)
        .iter()
        .filter(|(_, f)| f["invoked_by"] == "state_machine")
        .map(|(name, _)| name.clone())
        .collect();
    let mut named = BTreeSet::new();
    for (key, value) in &supplied {
        if let Some(stem) = key.strip_suffix("_arn") {
            let name = stem.replace('_', "-");
            let expected = format!("${{local.live_alias[\"{name}\"].arn}}");
            assert_eq!(value, &expected, "{key} must be the ARN of the live alias of the {name} function");
            named.insert(name);
        }
    }
    assert_eq!(named, workflow, "Task functions in the ASL (left) and invoked_by state_machine in the table (right)");
    assert_eq!(supplied["dead_letter_queue_url"], "${aws_sqs_queue.dead_letters.url}");

    // The role invokes exactly those functions and sends to exactly that queue.
    let policy = blocks(&tf, "data")
        .into_iter()
        .find_map(|b| b.get("aws_iam_policy_document").and_then(|d| d.get("workflow")))
        .expect("data.aws_iam_policy_document.workflow");
    let text = policy.to_string();
    assert!(text.contains("local.live_alias[name].arn") && text.contains("local.workflow_functions"), "{text}");
    assert!(text.contains("aws_sqs_queue.dead_letters.arn"), "{text}");
    let functions_local = local(&tf, "workflow_functions").as_str().unwrap();
    assert!(functions_local.contains("f.invoked_by == \"state_machine\""), "{functions_local}");
}

#[test]
fn every_lambda_crate_has_a_function_and_every_function_a_crate() {
    let table = table();
    let crates = lambda_crates();
    for name in &crates {
        assert!(
            functions(&table).contains_key(name),
            "the Lambda crate lambdas/{name} has no entry in lambdas/functions.json"
        );
    }
    for (name, f) in functions(&table) {
        let planned = f.get("status").and_then(Value::as_str) == Some("planned");
        assert!(
            crates.contains(name) || planned,
            "lambdas/functions.json names {name}, but lambdas/{name} is not a Lambda crate (mark it \"status\": \"planned\" while it is being written)"
        );
    }
    for expected in ["prepare-document", "start-job", "push-status", "authorizer"] {
        assert!(crates.contains(expected), "the crate scan finds {expected}: {crates:?}");
    }
}

#[test]
fn every_function_is_wired_to_what_invokes_it() {
    let tf = terraform();
    let all: String = tf.values().map(Value::to_string).collect();
    let table = table();
    for (name, f) in functions(&table) {
        let invoker = f["invoked_by"].as_str().unwrap_or_default();
        let reference = format!("local.live_alias[\\\"{name}\\\"]");
        match invoker {
            "state_machine" => {} // checked with the templatefile
            "intake_queue" | "events" | "authorizer" | "rest_api" | "websocket" => {
                assert!(all.contains(&reference), "{name} ({invoker}) is referenced by nothing in terraform/")
            }
            other => panic!("{name}: unknown invoked_by {other:?}"),
        }
    }
    let mapping = resource(&tf, "aws_lambda_event_source_mapping", "intake");
    let types = attr(mapping, "function_response_types");
    assert_eq!(types, &serde_json::json!(["ReportBatchItemFailures"]), "the starter reports batch item failures");
}

#[test]
fn every_environment_variable_a_function_reads_is_set() {
    let table = table();
    let tf = terraform();
    let values = local(&tf, "env_values").as_object().expect("local.env_values is an object").clone();
    let defaults: BTreeSet<String> =
        table["defaults_in_code"].as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default();
    let crates = lambda_crates();
    let mut problems = Vec::new();
    for (name, f) in functions(&table) {
        let set: BTreeSet<String> = strings(&f["env"]).into_iter().collect();
        for var in &set {
            if !values.contains_key(var) {
                problems.push(format!("{name}: {var} has no value in terraform/locals.tf env_values"));
            }
        }
        if !crates.contains(name) {
            continue; // planned, no code yet
        }
        let path = code_path(name);
        for var in &path.env {
            if !set.contains(var) && !defaults.contains(var) {
                problems.push(format!("{name}: the code reads {var}, which functions.json does not set"));
            }
        }
        for var in &set {
            if !path.env.contains(var) {
                problems.push(format!("{name}: functions.json sets {var}, which the code does not read"));
            }
        }
    }
    assert!(problems.is_empty(), "environment mismatches:\n{}", problems.join("\n"));
}

#[test]
fn every_function_may_do_what_its_code_calls_and_no_more() {
    let table = table();
    let tf = terraform();
    let operations = table["operations"].as_object().expect("functions.json has operations");
    let kinds = local(&tf, "resource_arns").as_object().expect("local.resource_arns is an object").clone();
    let crates = lambda_crates();
    let mut problems = Vec::new();
    for (name, f) in functions(&table) {
        let mut granted = BTreeSet::new();
        for statement in f["permissions"].as_array().cloned().unwrap_or_default() {
            for kind in strings(&statement["resources"]) {
                if !kinds.contains_key(&kind) {
                    problems
                        .push(format!("{name}: resource kind {kind} has no ARN in terraform/locals.tf resource_arns"));
                }
            }
            // Statements for the event source or the result destination serve Lambda, not the code.
            if !matches!(statement.get("for").and_then(Value::as_str), Some("trigger" | "destination")) {
                granted.extend(strings(&statement["actions"]));
            }
        }
        if !crates.contains(name) {
            continue; // planned, no code yet
        }
        let path = code_path(name);
        let mut needed = BTreeSet::new();
        for op in &path.operations {
            match operations.get(op) {
                Some(entry) => needed.extend(strings(&entry["actions"])),
                None => problems.push(format!(
                    "{name}: the code calls {op}, which functions.json's operations table does not map to IAM actions"
                )),
            }
        }
        for action in needed.difference(&granted) {
            problems.push(format!(
                "{name}: the code needs {action} (from {:?}), which its statements do not grant",
                path.operations
            ));
        }
        for action in granted.difference(&needed) {
            problems.push(format!("{name}: its statements grant {action}, which its code does not need"));
        }
    }
    assert!(problems.is_empty(), "IAM mismatches:\n{}", problems.join("\n"));
}

#[test]
fn the_code_path_is_read_from_the_source() {
    // The reading itself, on functions whose needs are known: the starter reads jobs and
    // starts executions (describing one that exists), and never writes to S3.
    let start = code_path("start-job");
    assert!(
        start.operations.contains("start_execution") && start.operations.contains("describe_execution"),
        "{start:?}"
    );
    assert!(!start.operations.contains("redrive_execution") && !start.operations.contains("put_object"), "{start:?}");
    assert!(start.env.contains("DOCEX_STATE_MACHINE_ARN") && start.env.contains("DOCEX_JOBS_TABLE"), "{start:?}");
    let store = code_path("store-result");
    for op in [
        "execute_statement",
        "batch_execute_statement",
        "begin_transaction",
        "commit_transaction",
        "rollback_transaction",
    ] {
        assert!(store.operations.contains(op), "{op} in {store:?}");
    }
    let authorizer = code_path("authorizer");
    assert!(authorizer.operations.is_empty() && authorizer.env.contains("DOCEX_COGNITO_ISSUER"), "{authorizer:?}");
    let extract = code_path("extract-chunk");
    assert!(extract.operations.contains("converse") && extract.env.contains("DOCEX_MODEL"), "{extract:?}");
}

#[test]
fn checkov_finds_no_failed_check() {
    let checkov = tool("checkov");
    let output = Command::new(checkov)
        .args(["-d", "terraform", "--framework", "terraform", "--compact", "--quiet", "--skip-download"])
        .env("BC_SKIP_MAPPING", "TRUE")
        .current_dir(workspace())
        .output()
        .expect("checkov runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("Failed checks: 0"),
        "checkov failed (exit {:?}):\n{stdout}\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
}

// ---------------------------------------------------------------------------------------
// Versions, aliases, rollout, environments and the deploy roles.

/// Every resource of one type, by name.
fn resources<'a>(tf: &'a BTreeMap<String, Value>, ty: &str) -> Vec<(&'a String, &'a Value)> {
    blocks(tf, "resource")
        .into_iter()
        .filter_map(|b| b.get(ty).and_then(Value::as_object))
        .flat_map(|r| r.iter().filter(|(name, _)| !name.starts_with("__")))
        .collect()
}

/// References to a function's own ARN (`aws_lambda_function.this[...].arn`, `.qualified_arn`,
/// `.invoke_arn`) in a text.
fn function_arns(text: &str) -> usize {
    text.split("aws_lambda_function.this[")
        .skip(1)
        .filter(|rest| {
            rest.split_once(']').is_some_and(|(_, after)| {
                [".arn", ".qualified_arn", ".invoke_arn"].iter().any(|a| after.starts_with(a))
            })
        })
        .count()
}

/// The module's variables: name → whether it has a default.
fn variables(tf: &BTreeMap<String, Value>) -> BTreeMap<String, bool> {
    blocks(tf, "variable")
        .into_iter()
        .filter_map(Value::as_object)
        .flat_map(|v| v.iter().map(|(name, body)| (name.clone(), body.get("default").is_some())))
        .collect()
}

/// The environment roots under terraform/environments, by name.
fn environments() -> BTreeMap<String, PathBuf> {
    let dir = workspace().join("terraform/environments");
    std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("main.tf").is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect()
}

/// The one `module "docex"` call of an environment root, its arguments without the
/// parser's bookkeeping.
fn module_call(tf: &BTreeMap<String, Value>) -> serde_json::Map<String, Value> {
    let calls: Vec<&Value> = blocks(tf, "module").into_iter().filter_map(|m| m.get("docex")).collect();
    assert_eq!(calls.len(), 1, "one module \"docex\" call");
    calls[0]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| !k.starts_with("__"))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[test]
fn every_function_is_published_with_a_live_alias() {
    let tf = terraform();
    assert_eq!(local(&tf, "live_alias_name"), "live");
    let lambda = resource(&tf, "aws_lambda_function", "this");
    assert_eq!(attr(lambda, "publish"), &Value::Bool(true), "every apply publishes a version");

    // Two alias resources split the table between them: the gradual functions' alias is
    // moved by CodeDeploy (and ignored by Terraform), every other one by the apply.
    let moved = resource(&tf, "aws_lambda_alias", "live");
    let shifted = resource(&tf, "aws_lambda_alias", "live_gradual");
    for alias in [moved, shifted] {
        assert_eq!(attr(alias, "name"), "${local.live_alias_name}");
        assert_eq!(attr(alias, "function_name"), "${aws_lambda_function.this[each.key].function_name}");
        assert_eq!(attr(alias, "function_version"), "${aws_lambda_function.this[each.key].version}");
    }
    let for_each = |alias: &Value| attr(alias, "for_each").as_str().unwrap().replace(' ', "");
    assert!(
        for_each(moved).contains("local.functions")
            && for_each(moved).contains("if!contains(local.gradual_functions,name)")
    );
    assert!(
        for_each(shifted).contains("local.functions")
            && for_each(shifted).contains("ifcontains(local.gradual_functions,name)")
    );
    let ignored = attr(&attr(shifted, "lifecycle"), "ignore_changes").to_string();
    assert!(ignored.contains("function_version") && ignored.contains("routing_config"), "{ignored}");
    assert!(moved.get("lifecycle").is_none(), "the apply moves the other aliases");
    assert_eq!(local(&tf, "live_alias"), "${merge(aws_lambda_alias.live,aws_lambda_alias.live_gradual)}");
}

#[test]
fn nothing_invokes_an_unqualified_function() {
    let tf = terraform();
    let everything: String = tf.values().map(Value::to_string).collect();
    assert!(!everything.contains("$LATEST"), "terraform/ names $LATEST");
    let asl = read(&workspace().join("statemachine/docex.asl.json"));
    assert!(
        !asl.contains("$LATEST") && !asl.contains(":function:"),
        "the definition names functions only through placeholders"
    );

    // A function's own ARNs (plain, qualified with $LATEST, invoke) appear only where
    // CodeDeploy reads and moves the aliases: rollout.tf's IAM policy.
    let codedeploy_policy = blocks(&tf, "data")
        .into_iter()
        .find_map(|b| b.get("aws_iam_policy_document").and_then(|d| d.get("codedeploy")))
        .expect("data.aws_iam_policy_document.codedeploy")
        .to_string();
    assert_eq!(function_arns(&codedeploy_policy), 2, "CodeDeploy may read the gradual functions and their versions");
    let total: usize = tf.values().map(|parsed| function_arns(&parsed.to_string())).sum();
    assert_eq!(total, 2, "a function's unqualified ARN is referenced outside the CodeDeploy policy");

    // Every permission to invoke is on the alias.
    let permissions = resources(&tf, "aws_lambda_permission");
    assert!(permissions.len() >= 5, "{permissions:?}");
    for (name, permission) in permissions {
        let qualifier = attr(permission, "qualifier").as_str().unwrap_or_default();
        assert!(
            qualifier.starts_with("${local.live_alias[") && qualifier.ends_with("].name}"),
            "aws_lambda_permission.{name}: {qualifier}"
        );
    }
    // The intake queue and the EventBridge targets deliver to the alias.
    let mapping = resource(&tf, "aws_lambda_event_source_mapping", "intake");
    assert_eq!(attr(mapping, "function_name"), "${local.live_alias[\"start-job\"].arn}");
    for (name, target) in resources(&tf, "aws_cloudwatch_event_target") {
        let arn = attr(target, "arn").as_str().unwrap();
        assert!(
            !arn.contains("aws_lambda_function"),
            "aws_cloudwatch_event_target.{name} targets a function, not its alias: {arn}"
        );
    }
    let status = resource(&tf, "aws_cloudwatch_event_target", "status");
    assert_eq!(attr(status, "arn"), "${local.live_alias[\"push-status\"].arn}");
}

#[test]
fn a_corrected_report_is_announced_when_it_is_rendered() {
    let tf = terraform();
    // render-report, invoked by the correction rule, sends its success to the docex bus...
    let config = resource(&tf, "aws_lambda_function_event_invoke_config", "report_rendered");
    assert_eq!(attr(config, "qualifier"), "${local.live_alias[\"render-report\"].name}");
    let destination = attr(&attr(&attr(config, "destination_config"), "on_success"), "destination");
    assert_eq!(destination, "${aws_cloudwatch_event_bus.docex.arn}");
    // ...whose report-rendered rule hands it to push-status (pushed like a status change).
    let rules = local(&tf, "status_rules");
    let rule = attr(rules, "report-rendered");
    assert_eq!(attr(rule, "bus"), "${aws_cloudwatch_event_bus.docex.name}");
    let pattern = attr(rule, "pattern").to_string();
    for expected in
        ["Lambda Function Invocation Result - Success", "\"source\":[\"lambda\"]", "live_alias[", "render-report"]
    {
        assert!(pattern.contains(expected), "{expected} not in {pattern}");
    }
}

#[test]
fn executions_start_through_the_state_machine_alias() {
    let tf = terraform();
    let machine = resource(&tf, "aws_sfn_state_machine", "workflow");
    assert_eq!(attr(machine, "publish"), &Value::Bool(true), "every changed definition is a new version");
    let alias = resource(&tf, "aws_sfn_alias", "live");
    assert_eq!(attr(alias, "name"), "${local.live_alias_name}");
    let routing = attr(alias, "routing_configuration");
    assert_eq!(
        attr(routing, "state_machine_version_arn"),
        "${aws_sfn_state_machine.workflow.state_machine_version_arn}"
    );
    assert_eq!(attr(routing, "weight"), 100);
    // The functions that start executions are given the alias ARN, which is the state
    // machine ARN (the name the functions know before the machine exists) plus the alias.
    let env = local(&tf, "env_values");
    assert_eq!(env["DOCEX_STATE_MACHINE_ARN"], "${local.state_machine_alias_arn}");
    assert_eq!(local(&tf, "state_machine_alias_arn"), "${local.state_machine_arn}:${local.live_alias_name}");
    let table = table();
    let starters: Vec<&String> = functions(&table)
        .iter()
        .filter(|(_, f)| strings(&f["env"]).contains(&"DOCEX_STATE_MACHINE_ARN".into()))
        .map(|(n, _)| n)
        .collect();
    assert!(starters.iter().any(|n| *n == "start-job"), "{starters:?}");
}

#[test]
fn the_api_and_the_starter_roll_out_gradually_and_roll_back_on_alarm() {
    let tf = terraform();
    assert_eq!(local(&tf, "gradual_functions"), "${toset(['api', 'start-job'])}");
    let table = table();
    for name in ["api", "start-job"] {
        assert!(functions(&table).contains_key(name), "{name} is in the function table");
    }
    let group = resource(&tf, "aws_codedeploy_deployment_group", "gradual");
    assert_eq!(attr(group, "for_each"), "${local.gradual_functions}");
    assert_eq!(attr(group, "deployment_config_name"), "${var.rollout_deployment_config}");
    let style = attr(group, "deployment_style");
    assert_eq!(attr(style, "deployment_type"), "BLUE_GREEN");
    assert_eq!(attr(style, "deployment_option"), "WITH_TRAFFIC_CONTROL");
    let rollback = attr(group, "auto_rollback_configuration");
    assert_eq!(attr(rollback, "enabled"), &Value::Bool(true));
    let events = attr(rollback, "events").to_string();
    assert!(events.contains("DEPLOYMENT_STOP_ON_ALARM") && events.contains("DEPLOYMENT_FAILURE"), "{events}");
    let alarms = attr(group, "alarm_configuration");
    assert_eq!(attr(alarms, "enabled"), &Value::Bool(true));
    assert!(attr(alarms, "alarms").to_string().contains("aws_cloudwatch_metric_alarm.rollout[key].alarm_name"));

    // The rollout alarms watch errors and throttles of each gradual function's live alias.
    let rollout = local(&tf, "rollout_alarms").as_str().unwrap().to_string();
    assert!(
        rollout.contains("'Errors'") && rollout.contains("'Throttles'") && rollout.contains("local.gradual_functions"),
        "{rollout}"
    );
    let alarm = resource(&tf, "aws_cloudwatch_metric_alarm", "rollout");
    let dimensions = attr(alarm, "dimensions");
    assert_eq!(
        dimensions["Resource"],
        "${aws_lambda_function.this[each.value.function].function_name}:${local.live_alias_name}",
        "the alarm watches the alias"
    );
    assert_eq!(attr(alarm, "threshold"), 0);

    let variables = blocks(&tf, "variable")
        .into_iter()
        .find_map(|v| v.get("rollout_deployment_config"))
        .expect("variable rollout_deployment_config");
    assert_eq!(attr(variables, "default"), "CodeDeployDefault.LambdaCanary10Percent5Minutes");
}

#[test]
fn the_environments_call_the_module_with_their_own_state_and_sizes() {
    let module = variables(&terraform());
    let required: BTreeSet<&String> = module.iter().filter(|(_, has_default)| !**has_default).map(|(n, _)| n).collect();
    let environments = environments();
    assert_eq!(environments.keys().collect::<Vec<_>>(), ["dev", "prod"], "terraform/environments");

    let mut calls = BTreeMap::new();
    let mut state_keys = BTreeSet::new();
    for (env, dir) in &environments {
        let tf = terraform_in(dir);
        let call = module_call(&tf);
        assert_eq!(call["source"], serde_json::json!(["../.."]), "{env} calls the module in terraform/");
        for name in &required {
            assert!(call.contains_key(*name), "{env} does not give the module's required variable {name}");
        }
        for name in call.keys().filter(|k| !["source", "providers", "depends_on"].contains(&k.as_str())) {
            assert!(module.contains_key(name), "{env} gives {name}, which the module does not declare");
        }
        // Its own state: an S3 backend configured by its own file, locked.
        let backend =
            blocks(&tf, "terraform").iter().find_map(|t| t.get("backend")).map(Value::to_string).unwrap_or_default();
        assert!(backend.contains("\"s3\""), "{env} keeps its state in S3: {backend}");
        let config = read(&dir.join("state.s3.tfbackend"));
        let key = config
            .lines()
            .find_map(|l| l.trim().strip_prefix("key"))
            .map(|v| v.trim_start_matches([' ', '=']).trim().to_string());
        let key = key.unwrap_or_else(|| panic!("{env}/state.s3.tfbackend names no key"));
        assert!(key.contains(env.as_str()), "{env}'s state key {key} names the environment");
        assert!(state_keys.insert(key), "two environments share a state key");
        let settings: String =
            config.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n").replace(' ', "");
        assert!(settings.contains("use_lockfile=true") && settings.contains("encrypt=true"), "{env}: {settings}");
        calls.insert(env.clone(), call);
    }

    // Different names, sizes and rollouts.
    let value = |env: &str, name: &str| calls[env].get(name).map(Value::to_string).unwrap_or_default();
    assert_ne!(value("dev", "name"), value("prod", "name"));
    for differs in
        ["extract_concurrency", "log_retention_days", "db_max_capacity", "function_memory", "rollout_deployment_config"]
    {
        assert_ne!(value("dev", differs), value("prod", differs), "dev and prod set {differs} alike");
    }
    assert!(value("prod", "rollout_deployment_config").contains("Canary"), "prod rolls out as a canary");
    assert_eq!(value("prod", "deletion_protection"), "[true]");
}

#[test]
fn the_deploy_roles_trust_only_this_repository_in_its_environments() {
    let tf = terraform_in(&workspace().join("terraform/bootstrap"));
    let provider = resource(&tf, "aws_iam_openid_connect_provider", "github");
    assert_eq!(attr(provider, "url"), "https://${local.github}");
    assert_eq!(local(&tf, "github"), "token.actions.githubusercontent.com");
    assert_eq!(attr(provider, "client_id_list"), &serde_json::json!(["sts.amazonaws.com"]));

    let trust = blocks(&tf, "data")
        .into_iter()
        .find_map(|b| b.get("aws_iam_policy_document").and_then(|d| d.get("deploy_trust")))
        .expect("data.aws_iam_policy_document.deploy_trust");
    let statement = attr(trust, "statement");
    assert_eq!(attr(statement, "actions"), &serde_json::json!(["sts:AssumeRoleWithWebIdentity"]));
    assert_eq!(
        attr(&attr(statement, "principals"), "identifiers"),
        &serde_json::json!(["${aws_iam_openid_connect_provider.github.arn}"])
    );
    let conditions: BTreeMap<String, (String, Value)> = statement["condition"]
        .as_array()
        .expect("conditions")
        .iter()
        .map(|c| {
            (
                attr(c, "variable").as_str().unwrap().to_string(),
                (attr(c, "test").as_str().unwrap().to_string(), attr(c, "values").clone()),
            )
        })
        .collect();
    assert_eq!(
        conditions["${local.github}:aud"],
        ("StringEquals".to_string(), serde_json::json!(["sts.amazonaws.com"]))
    );
    // Exactly one subject, no wildcard: jobs of this repository running in that environment.
    assert_eq!(
        conditions["${local.github}:sub"],
        ("StringEquals".to_string(), serde_json::json!(["repo:${var.github_repository}:environment:${each.key}"]))
    );

    // One role per environment the release workflow deploys to.
    let role = resource(&tf, "aws_iam_role", "deploy");
    assert_eq!(attr(role, "for_each"), "${var.environments}");
    assert_eq!(attr(role, "assume_role_policy"), "${data.aws_iam_policy_document.deploy_trust[each.key].json}");
    let defaults = blocks(&tf, "variable")
        .into_iter()
        .find_map(|v| v.get("environments"))
        .map(|v| attr(v, "default").clone())
        .expect("variable environments");
    let defaults: BTreeSet<String> = defaults.as_object().expect("a map").keys().cloned().collect();
    let dirs: BTreeSet<String> = environments().into_keys().collect();
    assert_eq!(defaults, dirs, "a deploy role for every environment under terraform/environments");
}
