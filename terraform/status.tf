# Live status: docex's own job events (published on the docex bus by the task Lambdas),
# Step Functions' execution status changes for this state machine (on the default bus), and
# the on-success records of render-report after a correction (corrections.tf) go to the
# status Lambda, which pushes them to the job owner's WebSocket connections.

resource "aws_cloudwatch_event_bus" "docex" {
  name = var.name
}

locals {
  status_rules = {
    job-status = {
      bus         = aws_cloudwatch_event_bus.docex.name
      description = "docex job status changes"
      pattern = {
        source        = ["docex"]
        "detail-type" = ["Job Status Changed"]
      }
    }
    execution-status = {
      bus         = "default"
      description = "Status changes of the docex workflow's executions"
      pattern = {
        source        = ["aws.states"]
        "detail-type" = ["Step Functions Execution Status Change"]
        detail        = { stateMachineArn = [local.state_machine_arn] }
      }
    }
    report-rendered = {
      bus         = aws_cloudwatch_event_bus.docex.name
      description = "A corrected job's report was rendered again"
      pattern = {
        source        = ["lambda"]
        "detail-type" = ["Lambda Function Invocation Result - Success"]
        detail        = { requestContext = { functionArn = [local.live_alias["render-report"].arn] } }
      }
    }
  }
}

resource "aws_cloudwatch_event_rule" "status" {
  for_each       = local.status_rules
  name           = "${var.name}-${each.key}"
  description    = each.value.description
  event_bus_name = each.value.bus
  event_pattern  = jsonencode(each.value.pattern)
}

resource "aws_cloudwatch_event_target" "status" {
  for_each       = local.status_rules
  rule           = aws_cloudwatch_event_rule.status[each.key].name
  event_bus_name = each.value.bus
  target_id      = "push-status"
  arn            = local.live_alias["push-status"].arn

  retry_policy {
    maximum_event_age_in_seconds = 300
    maximum_retry_attempts       = 3
  }
}

resource "aws_lambda_permission" "status" {
  for_each      = local.status_rules
  statement_id  = "events-${each.key}"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["push-status"].function_name
  qualifier     = local.live_alias["push-status"].name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.status[each.key].arn
}
