# Reviewers' corrections: the API publishes "Job Result Corrected" on the docex bus after it
# wrote the corrected result.json; this rule hands the job to the workflow's own StoreResult
# and RenderReport functions, so the corrected result reaches the database and the report
# is rendered again by the same code as a fresh result, and the API function carries
# neither Typst nor database access. The input transformer builds the task input
# {job_id, spec, template} from the event's detail; it is the one in
# lambdas/aws/src/api.rs (CORRECTION_INPUT_PATHS, CORRECTION_INPUT_TEMPLATE), which the
# API tests run on an emulated bus.

locals {
  correction_targets = toset(["store-result", "render-report"])
}

resource "aws_cloudwatch_event_rule" "result_corrected" {
  name           = "${var.name}-result-corrected"
  description    = "A reviewer corrected a job's result: store it and render its report again"
  event_bus_name = aws_cloudwatch_event_bus.docex.name
  event_pattern = jsonencode({
    source        = ["docex"]
    "detail-type" = ["Job Result Corrected"]
  })
}

resource "aws_cloudwatch_event_target" "result_corrected" {
  for_each       = local.correction_targets
  rule           = aws_cloudwatch_event_rule.result_corrected.name
  event_bus_name = aws_cloudwatch_event_bus.docex.name
  target_id      = each.key
  arn            = local.live_alias[each.key].arn

  input_transformer {
    input_paths = {
      job_id   = "$.detail.job_id"
      spec     = "$.detail.spec"
      template = "$.detail.template"
    }
    input_template = "{\"job_id\": \"<job_id>\", \"spec\": \"<spec>\", \"template\": \"<template>\"}"
  }

  retry_policy {
    maximum_event_age_in_seconds = 3600
    maximum_retry_attempts       = 8
  }
}

# When render-report has rendered a corrected result (an asynchronous invocation by the
# rule above; the state machine's synchronous calls have no destination), Lambda sends the
# invocation record to the docex bus, and the report-rendered rule of status.tf hands it to
# push-status: the job's owner is told, and an open job page fetches the new report.
resource "aws_lambda_function_event_invoke_config" "report_rendered" {
  function_name                = aws_lambda_function.this["render-report"].function_name
  qualifier                    = local.live_alias["render-report"].name
  maximum_event_age_in_seconds = 3600
  maximum_retry_attempts       = 2

  destination_config {
    on_success {
      destination = aws_cloudwatch_event_bus.docex.arn
    }
  }
}

resource "aws_lambda_permission" "result_corrected" {
  for_each      = local.correction_targets
  statement_id  = "events-result-corrected"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this[each.key].function_name
  qualifier     = local.live_alias[each.key].name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.result_corrected.arn
}
