//! The `ExtractChunk` Lambda: reads one chunk of pages against the spec with the configured extractor (Bedrock by default). The task itself is
//! `docex_tasks`' function, the same the local engine runs; this binary only wires the AWS
//! adapters into it.

use docex_tasks::Chunk;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let aws = docex_aws::lambda::Services::from_env().await;
    let extractor = docex_agent::extractor_from_env(&aws.sdk)?;
    let (blobs, specs, extractor) = (&aws.blobs()?, &aws.specs()?, extractor.as_ref());
    docex_aws::lambda::serve(|chunk: Chunk| async move { docex_tasks::extract(&chunk, blobs, specs, extractor).await })
        .await
}
