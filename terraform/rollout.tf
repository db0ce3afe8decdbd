# Gradual rollout of the functions users and uploads reach first: the REST API and the
# starter. Terraform publishes their new version, and a CodeDeploy deployment (started by
# the release workflow, or by hand with terraform/shift-traffic) moves their `live` alias
# to it step by step (var.rollout_deployment_config: 10 % for 5 minutes, then all, by
# default). An error or a throttle of the alias during the shift raises a rollout alarm;
# CodeDeploy then stops the deployment and points the alias back at the previous version.

locals {
  # The functions whose live alias CodeDeploy shifts; the others move with the apply.
  gradual_functions = toset(["api", "start-job"])

  # Per gradual function, the alarms that stop its rollout: errors and throttles of the
  # live alias (both versions while traffic is split).
  rollout_alarms = {
    for pair in setproduct(local.gradual_functions, ["Errors", "Throttles"]) :
    "${pair[0]}-${lower(pair[1])}" => { function = pair[0], metric = pair[1] }
  }
}

resource "aws_cloudwatch_metric_alarm" "rollout" {
  for_each            = local.rollout_alarms
  alarm_name          = "${var.name}-rollout-${each.key}"
  alarm_description   = "${each.value.metric} of ${var.name}-${each.value.function}:${local.live_alias_name}. During a CodeDeploy rollout this stops the deployment and moves the alias back to the previous version."
  namespace           = "AWS/Lambda"
  metric_name         = each.value.metric
  dimensions          = { FunctionName = aws_lambda_function.this[each.value.function].function_name, Resource = "${aws_lambda_function.this[each.value.function].function_name}:${local.live_alias_name}" }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
}

resource "aws_codedeploy_app" "functions" {
  name             = "${var.name}-functions"
  compute_platform = "Lambda"
}

data "aws_iam_policy_document" "codedeploy_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codedeploy.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "codedeploy" {
  name               = "${var.name}-codedeploy"
  description        = "CodeDeploy shifting the live alias of the docex api and start-job functions"
  assume_role_policy = data.aws_iam_policy_document.codedeploy_assume.json
}

data "aws_iam_policy_document" "codedeploy" {
  statement {
    sid       = "ShiftTheLiveAliases"
    actions   = ["lambda:GetAlias", "lambda:UpdateAlias", "lambda:GetFunction", "lambda:GetProvisionedConcurrencyConfig"]
    resources = flatten([for name in local.gradual_functions : [aws_lambda_function.this[name].arn, "${aws_lambda_function.this[name].arn}:*"]])
  }
  statement {
    sid       = "WatchTheRolloutAlarms"
    actions   = ["cloudwatch:DescribeAlarms"]
    resources = [for alarm in aws_cloudwatch_metric_alarm.rollout : alarm.arn]
  }
}

resource "aws_iam_role_policy" "codedeploy" {
  name   = "${var.name}-codedeploy"
  role   = aws_iam_role.codedeploy.id
  policy = data.aws_iam_policy_document.codedeploy.json
}

resource "aws_codedeploy_deployment_group" "gradual" {
  for_each               = local.gradual_functions
  app_name               = aws_codedeploy_app.functions.name
  deployment_group_name  = each.key
  service_role_arn       = aws_iam_role.codedeploy.arn
  deployment_config_name = var.rollout_deployment_config

  deployment_style {
    deployment_type   = "BLUE_GREEN"
    deployment_option = "WITH_TRAFFIC_CONTROL"
  }

  alarm_configuration {
    enabled = true
    alarms  = [for key, alarm in local.rollout_alarms : aws_cloudwatch_metric_alarm.rollout[key].alarm_name if alarm.function == each.key]
  }

  auto_rollback_configuration {
    enabled = true
    events  = ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"]
  }

  depends_on = [aws_iam_role_policy.codedeploy]
}
