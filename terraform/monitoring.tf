# Alarms to an SNS topic (failed executions, dead-letter queue depth, Lambda errors and
# throttles, Bedrock throttles) and a dashboard of the same signals.

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = aws_kms_key.docex.arn
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

locals {
  alarm_actions = concat([aws_sns_topic.alarms.arn], var.extra_alarm_actions)

  dead_letter_queues = {
    failed-jobs         = aws_sqs_queue.dead_letters.name
    intake-dead-letters = aws_sqs_queue.intake_dead_letters.name
  }

  # JobFailed re-raises the job's error on purpose (that is how the execution ends FAILED
  # with the original error), so its errors are the failed-executions alarm, not this one.
  error_alarm_functions = { for name, f in local.functions : name => f if name != "job-failed" }
}

resource "aws_cloudwatch_metric_alarm" "executions_failed" {
  alarm_name          = "${var.name}-executions-failed"
  alarm_description   = "docex workflow executions failed, timed out or were aborted: the jobs are in the failed-jobs queue; see the runbook to re-drive them."
  namespace           = "AWS/States"
  metric_name         = "ExecutionsFailed"
  dimensions          = { StateMachineArn = aws_sfn_state_machine.workflow.arn }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "executions_timed_out" {
  alarm_name          = "${var.name}-executions-timed-out"
  alarm_description   = "docex workflow executions timed out."
  namespace           = "AWS/States"
  metric_name         = "ExecutionsTimedOut"
  dimensions          = { StateMachineArn = aws_sfn_state_machine.workflow.arn }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  for_each            = local.dead_letter_queues
  alarm_name          = "${var.name}-${each.key}-not-empty"
  alarm_description   = "Messages wait in ${each.value}: failed jobs or uploads that could not be started."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = each.value }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "lambda_errors" {
  for_each            = local.error_alarm_functions
  alarm_name          = "${var.name}-${each.key}-errors"
  alarm_description   = "The ${each.key} Lambda reported errors."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.this[each.key].function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "lambda_throttles" {
  for_each            = local.functions
  alarm_name          = "${var.name}-${each.key}-throttles"
  alarm_description   = "The ${each.key} Lambda was throttled (reserved or account concurrency reached)."
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = aws_lambda_function.this[each.key].function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "bedrock_throttles" {
  alarm_name          = "${var.name}-bedrock-throttles"
  alarm_description   = "Bedrock throttled calls to ${var.bedrock_model_id}: the workflow retries them, but sustained throttling means the quota or extract_concurrency needs a change."
  namespace           = "AWS/Bedrock"
  metric_name         = "InvocationThrottles"
  dimensions          = { ModelId = var.bedrock_model_id }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
}

resource "aws_cloudwatch_dashboard" "docex" {
  dashboard_name = var.name
  dashboard_body = jsonencode({
    widgets = [
      {
        type = "metric", x = 0, y = 0, width = 12, height = 6
        properties = {
          title  = "Executions"
          region = local.region
          stat   = "Sum"
          period = 300
          metrics = [for m in ["ExecutionsStarted", "ExecutionsSucceeded", "ExecutionsFailed", "ExecutionsTimedOut"] :
          ["AWS/States", m, "StateMachineArn", aws_sfn_state_machine.workflow.arn]]
        }
      },
      {
        type = "metric", x = 12, y = 0, width = 12, height = 6
        properties = {
          title   = "Queues: intake backlog and dead letters"
          region  = local.region
          stat    = "Maximum"
          period  = 300
          metrics = [for q in [aws_sqs_queue.intake.name, aws_sqs_queue.intake_dead_letters.name, aws_sqs_queue.dead_letters.name] : ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q]]
        }
      },
      {
        type = "metric", x = 0, y = 6, width = 12, height = 6
        properties = {
          title   = "Lambda errors"
          region  = local.region
          stat    = "Sum"
          period  = 300
          metrics = [for name in keys(local.functions) : ["AWS/Lambda", "Errors", "FunctionName", "${var.name}-${name}"]]
        }
      },
      {
        type = "metric", x = 12, y = 6, width = 12, height = 6
        properties = {
          title   = "Lambda duration (p95)"
          region  = local.region
          stat    = "p95"
          period  = 300
          metrics = [for name in keys(local.functions) : ["AWS/Lambda", "Duration", "FunctionName", "${var.name}-${name}"]]
        }
      },
      {
        type = "metric", x = 0, y = 12, width = 12, height = 6
        properties = {
          title  = "Bedrock ${var.bedrock_model_id}"
          region = local.region
          stat   = "Sum"
          period = 300
          metrics = [for m in ["Invocations", "InvocationThrottles", "InvocationClientErrors", "InvocationServerErrors"] :
          ["AWS/Bedrock", m, "ModelId", var.bedrock_model_id]]
        }
      },
      {
        type = "metric", x = 12, y = 12, width = 12, height = 6
        properties = {
          title  = "REST API"
          region = local.region
          stat   = "Sum"
          period = 300
          metrics = [for m in ["Count", "4XXError", "5XXError"] :
          ["AWS/ApiGateway", m, "ApiName", aws_api_gateway_rest_api.api.name, "Stage", aws_api_gateway_stage.api.stage_name]]
        }
      },
      {
        type = "alarm", x = 0, y = 18, width = 24, height = 3
        properties = {
          title  = "Rollout: errors and throttles of the api and start-job live aliases (they stop a CodeDeploy rollout)"
          alarms = [for alarm in aws_cloudwatch_metric_alarm.rollout : alarm.arn]
        }
      },
    ]
  })
}
