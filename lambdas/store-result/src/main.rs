//! The `StoreResult` Lambda: writes the result to PostgreSQL through the RDS Data API, one transaction per result. The task itself is
//! `docex_tasks`' function, the same the local engine runs; this binary only wires the AWS
//! adapters into it.

use docex_tasks::JobInput;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let aws = docex_aws::lambda::Services::from_env().await;
    let (blobs, specs, results) = (&aws.blobs()?, &aws.specs()?, &aws.results()?);
    docex_aws::lambda::serve(|input: JobInput| async move { docex_tasks::store(&input, blobs, specs, results).await })
        .await
}
