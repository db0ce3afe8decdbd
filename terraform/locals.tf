# The function table (lambdas/functions.json) and the values it is resolved against: resource
# kinds to ARNs for the IAM policies, environment variable names to values. Adding a
# function, a variable or a permission is an edit to that table, not to this file, unless it
# names a resource kind or variable that does not exist yet.

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  region     = data.aws_region.current.name

  # Bucket names carry the account id and region: S3 names are global.
  bucket_suffix = "${local.account_id}-${local.region}"

  table     = jsondecode(file("${path.module}/../lambdas/functions.json"))
  functions = local.table.functions

  artifacts_dir = abspath(startswith(var.lambda_artifacts_dir, "/") ? var.lambda_artifacts_dir : "${path.module}/${var.lambda_artifacts_dir}")

  # Reserved concurrency per function: the table's value, the variable for the extractor
  # (Bedrock's quota), nothing when reservations are turned off.
  reserved_concurrency = {
    for name, f in local.functions : name => (
      name == "extract-chunk" ? var.extract_concurrency :
      var.reserve_concurrency && f.reserved_concurrency != null ? f.reserved_concurrency : -1
    )
  }

  # A cross-region inference profile (eu.anthropic...) is invoked through the profile and
  # reaches the foundation model in any of its regions; a plain model id only in this one.
  bedrock_model_parts = split(".", var.bedrock_model_id)
  bedrock_is_profile  = can(regex("^(us|eu|apac|us-gov|global)\\.", var.bedrock_model_id))
  bedrock_base_model  = join(".", slice(local.bedrock_model_parts, local.bedrock_is_profile ? 1 : 0, length(local.bedrock_model_parts)))
  bedrock_model_arns = !local.bedrock_is_profile ? [
    "arn:${local.partition}:bedrock:${local.region}::foundation-model/${var.bedrock_model_id}",
    ] : [
    "arn:${local.partition}:bedrock:${local.region}:${local.account_id}:inference-profile/${var.bedrock_model_id}",
    "arn:${local.partition}:bedrock:*::foundation-model/${local.bedrock_base_model}",
  ]

  # Resource kinds the table's permissions name, as ARNs.
  resource_arns = {
    input_bucket             = [aws_s3_bucket.this["input"].arn]
    input_objects            = ["${aws_s3_bucket.this["input"].arn}/input/*"]
    output_bucket            = [aws_s3_bucket.this["output"].arn]
    output_objects           = ["${aws_s3_bucket.this["output"].arn}/*"]
    specs_bucket             = [aws_s3_bucket.this["specs"].arn]
    specs_objects            = ["${aws_s3_bucket.this["specs"].arn}/*"]
    templates_bucket         = [aws_s3_bucket.this["templates"].arn]
    templates_objects        = ["${aws_s3_bucket.this["templates"].arn}/*"]
    jobs_table               = [aws_dynamodb_table.jobs.arn]
    jobs_table_indexes       = ["${aws_dynamodb_table.jobs.arn}/index/*"]
    connections_table        = [aws_dynamodb_table.connections.arn]
    db_cluster               = [aws_rds_cluster.results.arn]
    db_secret                = [aws_rds_cluster.results.master_user_secret[0].secret_arn]
    event_bus                = [aws_cloudwatch_event_bus.docex.arn]
    state_machine            = [local.state_machine_arn]
    state_machine_executions = ["arn:${local.partition}:states:${local.region}:${local.account_id}:execution:${local.state_machine_name}:*"]
    websocket_connections    = ["${aws_apigatewayv2_api.websocket.execution_arn}/${local.websocket_stage}/POST/@connections/*"]
    bedrock_model            = local.bedrock_model_arns
    intake_queue             = [aws_sqs_queue.intake.arn]
    kms_key                  = [aws_kms_key.docex.arn]
  }

  # Values of the environment variables the table names.
  env_values = {
    DOCEX_INPUT_BUCKET          = aws_s3_bucket.this["input"].bucket
    DOCEX_OUTPUT_BUCKET         = aws_s3_bucket.this["output"].bucket
    DOCEX_SPECS_BUCKET          = aws_s3_bucket.this["specs"].bucket
    DOCEX_TEMPLATES_BUCKET      = aws_s3_bucket.this["templates"].bucket
    DOCEX_JOBS_TABLE            = aws_dynamodb_table.jobs.name
    DOCEX_CONNECTIONS_TABLE     = aws_dynamodb_table.connections.name
    DOCEX_DB_CLUSTER_ARN        = aws_rds_cluster.results.arn
    DOCEX_DB_SECRET_ARN         = aws_rds_cluster.results.master_user_secret[0].secret_arn
    DOCEX_DB_NAME               = aws_rds_cluster.results.database_name
    DOCEX_STATE_MACHINE_ARN     = local.state_machine_alias_arn
    DOCEX_EVENT_BUS             = aws_cloudwatch_event_bus.docex.name
    DOCEX_WEBSOCKET_ENDPOINT    = local.websocket_management_endpoint
    DOCEX_DEAD_LETTER_QUEUE_URL = aws_sqs_queue.dead_letters.url
    DOCEX_PROVIDER              = "bedrock"
    DOCEX_MODEL                 = var.bedrock_model_id
    DOCEX_COGNITO_ISSUER        = local.cognito_issuer
    DOCEX_COGNITO_CLIENT_ID     = aws_cognito_user_pool_client.web.id
    DOCEX_COGNITO_JWKS_URL      = "${local.cognito_issuer}/.well-known/jwks.json"
    DOCEX_ALLOWED_ORIGIN        = "https://${aws_cloudfront_distribution.web.domain_name}"
  }

  # The alias every function and the state machine is called through.
  live_alias_name = "live"

  # Names and addresses the functions need before the resources that invoke them exist: the
  # functions are one resource, so referring to the state machine or an API stage (which
  # refer back to the functions) would be a cycle.
  state_machine_name            = "${var.name}-workflow"
  state_machine_arn             = "arn:${local.partition}:states:${local.region}:${local.account_id}:stateMachine:${local.state_machine_name}"
  state_machine_alias_arn       = "${local.state_machine_arn}:${local.live_alias_name}"
  websocket_stage               = "live"
  websocket_management_endpoint = "https://${aws_apigatewayv2_api.websocket.id}.execute-api.${local.region}.amazonaws.com/${local.websocket_stage}"
  cognito_issuer                = "https://cognito-idp.${local.region}.amazonaws.com/${aws_cognito_user_pool.users.id}"

  # The settings the extractor reads, for the functions that build one.
  extractor_functions = toset([for name, f in local.functions : name if contains(f.env, "DOCEX_MODEL")])
}
