//! The `JobFailed` Lambda: ends the execution with the job's error; after an operator's re-drive, lets the job resume. The task itself is
//! `docex_tasks`' function, the same the local engine runs; this binary only wires the AWS
//! adapters into it.

use docex_tasks::JobFailedInput;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let aws = docex_aws::lambda::Services::from_env().await;
    let (jobs, events) = (&aws.jobs()?, &aws.events()?);
    docex_aws::lambda::serve(|input: JobFailedInput| async move { docex_tasks::job_failed(&input, jobs, events).await })
        .await
}
