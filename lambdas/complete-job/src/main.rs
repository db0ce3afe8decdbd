//! The `CompleteJob` Lambda: records the job's final status and confidence and announces it. The task itself is
//! `docex_tasks`' function, the same the local engine runs; this binary only wires the AWS
//! adapters into it.

use docex_tasks::JobInput;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let aws = docex_aws::lambda::Services::from_env().await;
    let (blobs, jobs, events) = (&aws.blobs()?, &aws.jobs()?, &aws.events()?);
    docex_aws::lambda::serve(|input: JobInput| async move { docex_tasks::complete(&input, blobs, jobs, events).await })
        .await
}
