//! The starter Lambda's entry point: the intake queue's batches to [`start_job::start_batch`].

use aws_lambda_events::sqs::SqsEvent;
use lambda_runtime::{LambdaEvent, service_fn};

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let aws = docex_aws::lambda::Services::from_env().await;
    let (jobs, workflows) = (&aws.jobs()?, &aws.workflows()?);
    lambda_runtime::run(service_fn(|event: LambdaEvent<SqsEvent>| async move {
        Ok::<_, lambda_runtime::Error>(start_job::start_batch(event.payload, jobs, workflows).await)
    }))
    .await
}
