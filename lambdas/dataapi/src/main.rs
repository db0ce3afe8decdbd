//! `docex-dataapi`: serves the RDS Data API over a PostgreSQL of your own, so Data API
//! clients (docex's result store, the AWS CLI, SDKs) can run without an Aurora cluster.

use std::time::Duration;

use clap::Parser;
use tracing_subscriber::EnvFilter;

/// A local RDS Data API endpoint backed by PostgreSQL.
#[derive(Debug, Parser)]
#[command(name = "docex-dataapi", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8081", env = "DOCEX_DATAAPI_LISTEN")]
    listen: String,
    /// PostgreSQL to run statements on; its database is the default for requests naming none.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres", env = "DOCEX_DATAAPI_POSTGRES")]
    postgres: String,
    /// Seconds a transaction may stay unused before it is rolled back.
    #[arg(long, default_value_t = 180)]
    transaction_timeout: u64,
    /// Seconds a call may run before it is cancelled (unless it asks to continue).
    #[arg(long, default_value_t = 45)]
    statement_timeout: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .init();
    let args = Args::parse();
    let api = docex_dataapi::DataApi::new(&args.postgres)?
        .with_transaction_timeout(Duration::from_secs(args.transaction_timeout))
        .with_statement_timeout(Duration::from_secs(args.statement_timeout));
    let server = docex_dataapi::serve(&args.listen, api).await?;
    tracing::info!(url = %server.url(), "RDS Data API listening");
    tokio::signal::ctrl_c().await?;
    tracing::info!("stopping");
    Ok(())
}
