# Intake: an upload to input/... in the input bucket -> S3 "Object Created" event on the
# default EventBridge bus -> the intake queue (its own dead-letter queue after 5 failed
# receives) -> the starter Lambda, at most max_concurrent_starts at once. A duplicate event
# starts nothing twice: the execution is named by the job id and the starter counts an
# existing one as started.

resource "aws_sqs_queue" "intake_dead_letters" {
  name                      = "${var.name}-intake-dead-letters"
  message_retention_seconds = 1209600
  kms_master_key_id         = aws_kms_key.docex.arn
}

resource "aws_sqs_queue" "intake" {
  name                       = "${var.name}-intake"
  visibility_timeout_seconds = 6 * local.functions["start-job"].timeout
  message_retention_seconds  = 345600
  kms_master_key_id          = aws_kms_key.docex.arn
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.intake_dead_letters.arn
    maxReceiveCount     = 5
  })
}

resource "aws_sqs_queue_redrive_allow_policy" "intake_dead_letters" {
  queue_url = aws_sqs_queue.intake_dead_letters.id
  redrive_allow_policy = jsonencode({
    redrivePermission = "byQueue"
    sourceQueueArns   = [aws_sqs_queue.intake.arn]
  })
}

resource "aws_cloudwatch_event_rule" "upload" {
  name        = "${var.name}-upload"
  description = "A PDF uploaded under input/ in the docex input bucket"
  event_pattern = jsonencode({
    source        = ["aws.s3"]
    "detail-type" = ["Object Created"]
    detail = {
      bucket = { name = [aws_s3_bucket.this["input"].bucket] }
      object = { key = [{ prefix = "input/" }] }
    }
  })
}

resource "aws_cloudwatch_event_target" "upload" {
  rule      = aws_cloudwatch_event_rule.upload.name
  target_id = "intake-queue"
  arn       = aws_sqs_queue.intake.arn
}

data "aws_iam_policy_document" "intake" {
  statement {
    sid       = "UploadEventsOnly"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.intake.arn]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "aws:SourceArn"
      values   = [aws_cloudwatch_event_rule.upload.arn]
    }
  }
}

resource "aws_sqs_queue_policy" "intake" {
  queue_url = aws_sqs_queue.intake.id
  policy    = data.aws_iam_policy_document.intake.json
}

resource "aws_lambda_event_source_mapping" "intake" {
  event_source_arn                   = aws_sqs_queue.intake.arn
  function_name                      = local.live_alias["start-job"].arn
  batch_size                         = 10
  maximum_batching_window_in_seconds = 1
  function_response_types            = ["ReportBatchItemFailures"]

  scaling_config {
    maximum_concurrency = var.max_concurrent_starts
  }
}
