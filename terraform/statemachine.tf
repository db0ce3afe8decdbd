# The workflow: statemachine/docex.asl.json, the one definition the local engine runs too,
# with the function ARNs and the dead-letter queue filled in by templatefile. A Standard
# state machine (execution name = job id, so a second start of a job is refused), logging to
# CloudWatch and traced with X-Ray; its role may invoke exactly its functions and send to
# exactly its dead-letter queue.
#
# Each apply that changes the definition publishes a new state machine version and points
# the `live` alias at it; the starter and the API start executions through the alias
# (DOCEX_STATE_MACHINE_ARN is the alias ARN), so an execution keeps the definition it started
# with to the end, re-drives included. The Task states call the functions' `live` aliases,
# resolved at each invocation: a re-driven execution runs the function version that is live
# at the re-drive, which is how a fixed function reaches failed jobs (terraform/RUNBOOK.md).

locals {
  # The functions the definition's Task states name (invoked_by = state_machine in the table).
  workflow_functions = [for name, f in local.functions : name if f.invoked_by == "state_machine"]
}

resource "aws_cloudwatch_log_group" "workflow" {
  name              = "/aws/vendedlogs/states/${local.state_machine_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.docex.arn
}

# The workflow's dead-letter queue: one message per failed job, for operators (see the
# runbook); re-drives go through Step Functions, not through this queue.
resource "aws_sqs_queue" "dead_letters" {
  name                      = "${var.name}-failed-jobs"
  message_retention_seconds = 1209600
  kms_master_key_id         = aws_kms_key.docex.arn
}

data "aws_iam_policy_document" "states_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["states.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "workflow" {
  name               = "${var.name}-workflow"
  description        = "The docex state machine: invokes its task Lambdas, parks failed jobs in the dead-letter queue"
  assume_role_policy = data.aws_iam_policy_document.states_assume.json
}

data "aws_iam_policy_document" "workflow" {
  statement {
    sid       = "InvokeItsTasks"
    actions   = ["lambda:InvokeFunction"]
    resources = [for name in local.workflow_functions : local.live_alias[name].arn]
  }
  statement {
    sid       = "SendToItsDeadLetterQueue"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.dead_letters.arn]
  }
  statement {
    sid       = "EncryptDeadLetters"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.docex.arn]
  }
  statement {
    sid       = "XRay"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"]
    resources = ["*"]
  }
  # Step Functions' log delivery works through these account-level CloudWatch Logs actions,
  # which take no resource (see "IAM Policies for logging to CloudWatch Logs").
  statement {
    sid = "LogDelivery"
    actions = [
      "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_role_policy" "workflow" {
  name   = "${var.name}-workflow"
  role   = aws_iam_role.workflow.id
  policy = data.aws_iam_policy_document.workflow.json
}

resource "aws_sfn_state_machine" "workflow" {
  name     = local.state_machine_name
  type     = "STANDARD"
  role_arn = aws_iam_role.workflow.arn
  publish  = true

  definition = templatefile("${path.module}/../statemachine/docex.asl.json", {
    prepare_document_arn   = local.live_alias["prepare-document"].arn
    extract_chunk_arn      = local.live_alias["extract-chunk"].arn
    merge_and_validate_arn = local.live_alias["merge-and-validate"].arn
    store_result_arn       = local.live_alias["store-result"].arn
    render_report_arn      = local.live_alias["render-report"].arn
    complete_job_arn       = local.live_alias["complete-job"].arn
    record_failure_arn     = local.live_alias["record-failure"].arn
    job_failed_arn         = local.live_alias["job-failed"].arn
    dead_letter_queue_url  = aws_sqs_queue.dead_letters.url
  })

  logging_configuration {
    log_destination        = "${aws_cloudwatch_log_group.workflow.arn}:*"
    include_execution_data = var.state_machine_log_execution_data
    level                  = var.state_machine_log_level
  }

  tracing_configuration {
    enabled = true
  }

  depends_on = [aws_iam_role_policy.workflow]
}

# The alias executions start through: all of them on the version the last apply published.
resource "aws_sfn_alias" "live" {
  name        = local.live_alias_name
  description = "The workflow version new executions run"

  routing_configuration {
    state_machine_version_arn = aws_sfn_state_machine.workflow.state_machine_version_arn
    weight                    = 100
  }
}
