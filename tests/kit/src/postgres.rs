//! A scratch PostgreSQL database for one test: created with a unique name on the server
//! at 127.0.0.1:5432 (or `DOCEX_TEST_POSTGRES`), dropped when the value is dropped.
//!
//! A test that needs PostgreSQL fails when the server is not there, with the command that
//! starts it; it never skips silently.

use anyhow::{Context, Result, bail};
use tokio_postgres::{Client, Config, NoTls};

/// The environment variable that overrides the server's URL.
pub const POSTGRES_ENV: &str = "DOCEX_TEST_POSTGRES";
/// The server tests use when `DOCEX_TEST_POSTGRES` is unset.
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
/// How to start the local cluster when it is down.
pub const START_COMMAND: &str = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";

/// A database that exists for as long as this value does.
pub struct ScratchDatabase {
    name: String,
    url: String,
    base: Config,
}

/// The base URL: `DOCEX_TEST_POSTGRES` or the default.
pub fn base_url() -> String {
    std::env::var(POSTGRES_ENV).ok().filter(|v| !v.trim().is_empty()).unwrap_or_else(|| DEFAULT_POSTGRES_URL.into())
}

/// Connects to `config`, spawning the connection on the current runtime.
async fn connect(config: &Config) -> std::result::Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// `name` as a quoted SQL identifier.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The URL of database `name` on the server of `base_url` (its path replaced).
fn url_for(base_url: &str, name: &str) -> Result<String> {
    let (without_query, query) = match base_url.split_once('?') {
        Some((url, query)) => (url, Some(query)),
        None => (base_url, None),
    };
    let scheme_end = without_query.find("://").context("the PostgreSQL URL has no scheme")? + 3;
    let host_end = without_query[scheme_end..].find('/').map_or(without_query.len(), |i| scheme_end + i);
    let mut url = format!("{}/{name}", &without_query[..host_end]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    Ok(url)
}

impl ScratchDatabase {
    /// Creates a uniquely named, empty database.
    pub async fn create() -> Result<ScratchDatabase> {
        let base_url = base_url();
        let base: Config = base_url.parse().with_context(|| format!("{POSTGRES_ENV} is not a PostgreSQL URL"))?;
        let admin = match connect(&base).await {
            Ok(client) => client,
            Err(error) => bail!(
                "PostgreSQL is not reachable at {base_url} ({error}). The tests need it running: start it with \
                 `{START_COMMAND}`, or point {POSTGRES_ENV} at another server."
            ),
        };
        let name = format!("docex_test_{}_{}", std::process::id(), &uuid::Uuid::new_v4().simple().to_string()[..12]);
        admin
            .batch_execute(&format!("CREATE DATABASE {}", quote_ident(&name)))
            .await
            .with_context(|| format!("creating the scratch database {name} on {base_url}"))?;
        let url = url_for(&base_url, &name)?;
        Ok(ScratchDatabase { name, url, base })
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// A URL to connect to this database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A URL to connect to the server's base database (for servers that pick the database
    /// per request).
    pub fn server_url(&self) -> String {
        base_url()
    }

    /// A new connection to this database.
    pub async fn connect(&self) -> Result<Client> {
        let mut config = self.base.clone();
        config.dbname(&self.name);
        connect(&config).await.with_context(|| format!("connecting to the scratch database {}", self.name))
    }
}

impl Drop for ScratchDatabase {
    /// Drops the database, closing whatever is still connected to it (best effort: a
    /// failure is reported, not raised, since this may run while a test unwinds).
    fn drop(&mut self) {
        let base = self.base.clone();
        let name = self.name.clone();
        // Its own thread and runtime: this may run inside (or outside) any runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            runtime.block_on(async {
                let admin = connect(&base).await?;
                admin.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&name))).await?;
                Ok::<_, anyhow::Error>(())
            })
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("could not drop the scratch database {}: {error:#}", self.name),
            Err(_) => eprintln!("could not drop the scratch database {}: the dropping thread panicked", self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_database_replaces_the_path_of_the_base_url() {
        assert_eq!(
            url_for("postgres://postgres@127.0.0.1:5432/test", "x").unwrap(),
            "postgres://postgres@127.0.0.1:5432/x"
        );
        assert_eq!(
            url_for("postgres://u:p@h/test?sslmode=disable", "x").unwrap(),
            "postgres://u:p@h/x?sslmode=disable"
        );
        assert_eq!(url_for("postgresql://h:1", "x").unwrap(), "postgresql://h:1/x");
        assert!(url_for("not a url", "x").is_err());
    }

    #[tokio::test]
    async fn a_scratch_database_exists_until_dropped() {
        let db = ScratchDatabase::create().await.expect("PostgreSQL must be running for the tests");
        let name = db.name().to_string();
        let client = db.connect().await.unwrap();
        let current: String = client.query_one("SELECT current_database()", &[]).await.unwrap().get(0);
        assert_eq!(current, name);
        drop(client);
        drop(db);
        let base: Config = base_url().parse().unwrap();
        let admin = connect(&base).await.unwrap();
        let left = admin.query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name]).await.unwrap();
        assert!(left.is_none(), "the scratch database {name} was not dropped");
    }
}
