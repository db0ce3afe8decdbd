//! The `MergeAndValidate` Lambda: merges the chunks, validates them against the spec and decides whether a person must review the result. The task itself is
//! `docex_tasks`' function, the same the local engine runs; this binary only wires the AWS
//! adapters into it.

use docex_tasks::MergeInput;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let aws = docex_aws::lambda::Services::from_env().await;
    // The result names the extractor the Extract Lambdas use: the same configuration.
    let extractor = docex_agent::extractor_from_env(&aws.sdk)?;
    let (blobs, jobs, specs, extractor) = (&aws.blobs()?, &aws.jobs()?, &aws.specs()?, extractor.name());
    docex_aws::lambda::serve(|input: MergeInput| async move {
        docex_tasks::merge(&input, blobs, jobs, specs, extractor).await
    })
    .await
}
