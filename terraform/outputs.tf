# What a deployer needs next: where the app is, the APIs, the user pool to add users to,
# the state machine to watch, the buckets to upload specs and templates to.

output "web_url" {
  description = "The browser app."
  value       = "https://${aws_cloudfront_distribution.web.domain_name}/"
}

output "api_url" {
  description = "The REST API (stage v1)."
  value       = aws_api_gateway_stage.api.invoke_url
}

output "websocket_url" {
  description = "The WebSocket API for live status (connect with ?token=<Cognito id token>)."
  value       = "${aws_apigatewayv2_api.websocket.api_endpoint}/${local.websocket_stage}"
}

output "user_pool_id" {
  description = "The Cognito user pool; add users with aws cognito-idp admin-create-user."
  value       = aws_cognito_user_pool.users.id
}

output "user_pool_client_id" {
  description = "The browser app's Cognito client (authorization code with PKCE)."
  value       = aws_cognito_user_pool_client.web.id
}

output "sign_in_url" {
  description = "The Cognito hosted UI."
  value       = "https://${aws_cognito_user_pool_domain.users.domain}.auth.${local.region}.amazoncognito.com"
}

output "state_machine_arn" {
  description = "The workflow; executions are named by job id."
  value       = aws_sfn_state_machine.workflow.arn
}

output "dead_letter_queue_url" {
  description = "Failed jobs, one message each, for operators."
  value       = aws_sqs_queue.dead_letters.url
}

output "buckets" {
  description = "The buckets by role."
  value       = { for k, b in aws_s3_bucket.this : k => b.bucket }
}

output "database" {
  description = "The Aurora cluster and its secret, for the Data API (aws rds-data execute-statement)."
  value = {
    cluster_arn = aws_rds_cluster.results.arn
    secret_arn  = aws_rds_cluster.results.master_user_secret[0].secret_arn
    database    = aws_rds_cluster.results.database_name
  }
}

output "dashboard_url" {
  description = "The CloudWatch dashboard."
  value       = "https://${local.region}.console.aws.amazon.com/cloudwatch/home?region=${local.region}#dashboards:name=${aws_cloudwatch_dashboard.docex.dashboard_name}"
}

output "state_machine_alias_arn" {
  description = "The alias executions start through (DOCEX_STATE_MACHINE_ARN of the starter and the API)."
  value       = aws_sfn_alias.live.arn
}

output "state_machine_version_arn" {
  description = "The workflow version the last apply published; the alias points at it."
  value       = aws_sfn_state_machine.workflow.state_machine_version_arn
}

output "function_versions" {
  description = "Per function, the version the last apply published. The live alias points at it, except for the gradual functions until their CodeDeploy rollout has finished."
  value       = { for name, f in aws_lambda_function.this : name => f.version }
}

output "rollout" {
  description = "The CodeDeploy application and, per gradually rolled out function, its deployment group, function name and alias (terraform/shift-traffic reads this)."
  value = {
    application = aws_codedeploy_app.functions.name
    functions = {
      for name in local.gradual_functions : name => {
        deployment_group = aws_codedeploy_deployment_group.gradual[name].deployment_group_name
        function_name    = aws_lambda_function.this[name].function_name
        alias            = local.live_alias[name].name
        version          = aws_lambda_function.this[name].version
      }
    }
  }
}
