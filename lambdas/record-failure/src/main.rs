//! The `RecordFailure` Lambda: marks the job failed with the error the workflow caught and announces it. The task itself is
//! `docex_tasks`' function, the same the local engine runs; this binary only wires the AWS
//! adapters into it.

use docex_tasks::FailureInput;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let aws = docex_aws::lambda::Services::from_env().await;
    let (blobs, jobs, events) = (&aws.blobs()?, &aws.jobs()?, &aws.events()?);
    docex_aws::lambda::serve(|input: FailureInput| async move {
        docex_tasks::record_failure(&input, blobs, jobs, events).await
    })
    .await
}
