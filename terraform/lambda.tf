# The Lambdas: one for_each over lambdas/functions.json. Each function is the crate of the
# same name, built outside Terraform with
#   .ci/lambda-zips   (cargo lambda build --profile lambda --arm64 --output-format zip)
# into target/lambda/<name>/bootstrap.zip; it runs on provided.al2023 on arm64 with X-Ray
# tracing, its own log group, and its own role holding exactly the table's statements.
#
# Every apply that changes a function publishes a new version of it, and everything that
# invokes a function (the state machine, the APIs, the authorizers, EventBridge, the intake
# queue) calls its `live` alias, never the unqualified function ($LATEST). The alias moves to
# the new version with the apply, except for the functions of rollout.tf, whose alias
# CodeDeploy shifts gradually and rolls back on alarm.

resource "aws_cloudwatch_log_group" "function" {
  for_each          = local.functions
  name              = "/aws/lambda/${var.name}-${each.key}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.docex.arn
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "function" {
  for_each           = local.functions
  name               = "${var.name}-${each.key}"
  description        = each.value.description
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
}

data "aws_iam_policy_document" "function" {
  for_each = local.functions

  # What every function needs: its own log group, X-Ray, and its environment variables,
  # which are encrypted with the docex key.
  statement {
    sid       = "OwnLogs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function[each.key].arn}:*"]
  }
  statement {
    sid       = "XRay"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
  statement {
    sid       = "OwnEnvironment"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.docex.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:EncryptionContext:LambdaFunctionName"
      values   = ["${var.name}-${each.key}"]
    }
  }

  # The function's own statements from the table.
  dynamic "statement" {
    for_each = each.value.permissions
    content {
      actions   = statement.value.actions
      resources = flatten([for kind in statement.value.resources : local.resource_arns[kind]])
    }
  }
}

resource "aws_iam_role_policy" "function" {
  for_each = local.functions
  name     = "${var.name}-${each.key}"
  role     = aws_iam_role.function[each.key].id
  policy   = data.aws_iam_policy_document.function[each.key].json
}

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_117:No function needs a VPC: the database is reached through the RDS Data API, everything else through AWS endpoints; a VPC would add NAT costs and cold-start time for nothing.
  #checkov:skip=CKV_AWS_116:Every invocation is synchronous (Step Functions, API Gateway, the SQS event source with its own dead-letter queue) except the status pushes from EventBridge, which are best effort by design (a browser that reconnects reads the state from the API).
  #checkov:skip=CKV_AWS_272:The zips are built by the deployer with cargo lambda; code signing needs an AWS Signer profile and a signing step, which this deployment leaves to the release pipeline.
  #checkov:skip=CKV_AWS_115:Concurrency is reserved where it protects a quota (the extractor against Bedrock, the starter) from lambdas/functions.json and the extract_concurrency variable; reserving it for every function would exhaust small accounts' limits.
  for_each = local.functions

  function_name    = "${var.name}-${each.key}"
  description      = each.value.description
  role             = aws_iam_role.function[each.key].arn
  runtime          = "provided.al2023"
  architectures    = ["arm64"]
  handler          = "bootstrap"
  filename         = "${local.artifacts_dir}/${each.key}/bootstrap.zip"
  source_code_hash = filebase64sha256("${local.artifacts_dir}/${each.key}/bootstrap.zip")
  memory_size      = lookup(var.function_memory, each.key, each.value.memory)
  timeout          = each.value.timeout
  kms_key_arn      = aws_kms_key.docex.arn
  publish          = true

  reserved_concurrent_executions = local.reserved_concurrency[each.key]

  environment {
    variables = merge(
      { for name in each.value.env : name => local.env_values[name] },
      contains(local.extractor_functions, each.key) ? var.extraction_settings : {},
    )
  }

  tracing_config {
    mode = "Active"
  }

  depends_on = [aws_cloudwatch_log_group.function, aws_iam_role_policy.function]
}

# The `live` alias of every function whose new versions go live with the apply.
resource "aws_lambda_alias" "live" {
  for_each         = { for name, f in local.functions : name => f if !contains(local.gradual_functions, name) }
  name             = local.live_alias_name
  description      = "The version every caller invokes; moved by terraform apply"
  function_name    = aws_lambda_function.this[each.key].function_name
  function_version = aws_lambda_function.this[each.key].version
}

# The `live` alias of the gradually rolled out functions (rollout.tf): created on the first
# version, then moved only by CodeDeploy deployments, which Terraform must not undo.
resource "aws_lambda_alias" "live_gradual" {
  for_each         = { for name, f in local.functions : name => f if contains(local.gradual_functions, name) }
  name             = local.live_alias_name
  description      = "The version every caller invokes; shifted by CodeDeploy (see terraform/RUNBOOK.md)"
  function_name    = aws_lambda_function.this[each.key].function_name
  function_version = aws_lambda_function.this[each.key].version

  lifecycle {
    ignore_changes = [function_version, routing_config]
  }
}

locals {
  # Every function's live alias, by function name: what callers reference.
  live_alias = merge(aws_lambda_alias.live, aws_lambda_alias.live_gradual)
}
