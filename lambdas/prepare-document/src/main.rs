//! The `PrepareDocument` Lambda: checks the uploaded PDF, reads its pages and plans the chunks. The task itself is
//! `docex_tasks`' function, the same the local engine runs; this binary only wires the AWS
//! adapters into it.

use docex_pdf::PdfReader;
use docex_tasks::JobInput;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let aws = docex_aws::lambda::Services::from_env().await;
    let (blobs, jobs, events, reader) = (&aws.blobs()?, &aws.jobs()?, &aws.events()?, &PdfReader::default());
    docex_aws::lambda::serve(|input: JobInput| async move {
        docex_tasks::prepare(&input, blobs, jobs, reader, events).await
    })
    .await
}
