# The REST API: API Gateway in front of the api Lambda (proxy integration on / and
# /{proxy+}), every method but the CORS preflight behind the Lambda authorizer (Cognito
# token in the Authorization header), throttled, traced, with JSON access logs.

resource "aws_api_gateway_rest_api" "api" {
  name        = "${var.name}-api"
  description = "docex REST API"

  lifecycle {
    create_before_destroy = true
  }

  endpoint_configuration {
    types = ["REGIONAL"]
  }
}

resource "aws_api_gateway_resource" "proxy" {
  rest_api_id = aws_api_gateway_rest_api.api.id
  parent_id   = aws_api_gateway_rest_api.api.root_resource_id
  path_part   = "{proxy+}"
}

resource "aws_api_gateway_authorizer" "token" {
  name                             = "cognito-token"
  rest_api_id                      = aws_api_gateway_rest_api.api.id
  type                             = "TOKEN"
  identity_source                  = "method.request.header.Authorization"
  authorizer_uri                   = local.live_alias["authorizer"].invoke_arn
  authorizer_result_ttl_in_seconds = 300
}

locals {
  api_paths = {
    root  = aws_api_gateway_rest_api.api.root_resource_id
    proxy = aws_api_gateway_resource.proxy.id
  }
  cors_headers = {
    "Access-Control-Allow-Origin"  = "'https://${aws_cloudfront_distribution.web.domain_name}'"
    "Access-Control-Allow-Headers" = "'Authorization,Content-Type'"
    "Access-Control-Allow-Methods" = "'GET,POST,PUT,PATCH,DELETE,OPTIONS'"
  }
}

resource "aws_api_gateway_method" "any" {
  #checkov:skip=CKV2_AWS_53:A proxy to the api Lambda, which validates every request body and parameter against the API's own types and answers with a named JSON error; an API Gateway model would be a second, drifting copy.
  for_each      = local.api_paths
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = each.value
  http_method   = "ANY"
  authorization = "CUSTOM"
  authorizer_id = aws_api_gateway_authorizer.token.id
}

resource "aws_api_gateway_integration" "any" {
  for_each                = local.api_paths
  rest_api_id             = aws_api_gateway_rest_api.api.id
  resource_id             = each.value
  http_method             = aws_api_gateway_method.any[each.key].http_method
  type                    = "AWS_PROXY"
  integration_http_method = "POST"
  uri                     = local.live_alias["api"].invoke_arn
}

# CORS preflight, answered by API Gateway itself.
resource "aws_api_gateway_method" "options" {
  #checkov:skip=CKV_AWS_59:A CORS preflight carries no credentials by definition; API Gateway answers it with a mock integration and it reaches no Lambda.
  #checkov:skip=CKV2_AWS_53:The preflight has no body or parameters to validate.
  for_each      = local.api_paths
  rest_api_id   = aws_api_gateway_rest_api.api.id
  resource_id   = each.value
  http_method   = "OPTIONS"
  authorization = "NONE"
}

resource "aws_api_gateway_integration" "options" {
  for_each          = local.api_paths
  rest_api_id       = aws_api_gateway_rest_api.api.id
  resource_id       = each.value
  http_method       = aws_api_gateway_method.options[each.key].http_method
  type              = "MOCK"
  request_templates = { "application/json" = "{\"statusCode\": 204}" }
}

resource "aws_api_gateway_method_response" "options" {
  for_each            = local.api_paths
  rest_api_id         = aws_api_gateway_rest_api.api.id
  resource_id         = each.value
  http_method         = aws_api_gateway_method.options[each.key].http_method
  status_code         = "204"
  response_parameters = { for h in keys(local.cors_headers) : "method.response.header.${h}" => true }
}

resource "aws_api_gateway_integration_response" "options" {
  for_each            = local.api_paths
  rest_api_id         = aws_api_gateway_rest_api.api.id
  resource_id         = each.value
  http_method         = aws_api_gateway_method.options[each.key].http_method
  status_code         = aws_api_gateway_method_response.options[each.key].status_code
  response_parameters = { for h, v in local.cors_headers : "method.response.header.${h}" => v }

  depends_on = [aws_api_gateway_integration.options]
}

# Errors API Gateway answers itself (401 from the authorizer, throttling) carry the CORS
# headers too, so the browser can read them.
resource "aws_api_gateway_gateway_response" "cors" {
  for_each            = toset(["DEFAULT_4XX", "DEFAULT_5XX"])
  rest_api_id         = aws_api_gateway_rest_api.api.id
  response_type       = each.value
  response_parameters = { for h, v in local.cors_headers : "gatewayresponse.header.${h}" => v }
}

resource "aws_api_gateway_deployment" "api" {
  rest_api_id = aws_api_gateway_rest_api.api.id

  triggers = {
    redeployment = sha1(jsonencode([
      aws_api_gateway_resource.proxy,
      aws_api_gateway_authorizer.token,
      aws_api_gateway_method.any,
      aws_api_gateway_integration.any,
      aws_api_gateway_method.options,
      aws_api_gateway_integration.options,
      aws_api_gateway_integration_response.options,
      aws_api_gateway_gateway_response.cors,
    ]))
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/aws/apigateway/${var.name}-api"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.docex.arn
}

resource "aws_api_gateway_stage" "api" {
  #checkov:skip=CKV_AWS_120:Responses are per user and change as jobs run; a stage cache would serve one user's data to another's identical request path.
  #checkov:skip=CKV2_AWS_29:No WAF web ACL by default: every method is authorised by the Cognito authorizer and the stage is throttled; attach an ACL when the account has one.
  #checkov:skip=CKV2_AWS_51:Browsers call the API; client certificates are for API Gateway calling a backend over HTTP, and the backend here is a Lambda.
  rest_api_id          = aws_api_gateway_rest_api.api.id
  deployment_id        = aws_api_gateway_deployment.api.id
  stage_name           = "v1"
  xray_tracing_enabled = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format = jsonencode({
      requestId      = "$context.requestId"
      ip             = "$context.identity.sourceIp"
      principal      = "$context.authorizer.principalId"
      requestTime    = "$context.requestTime"
      httpMethod     = "$context.httpMethod"
      path           = "$context.path"
      status         = "$context.status"
      responseLength = "$context.responseLength"
      latency        = "$context.responseLatency"
      error          = "$context.error.message"
      authorizer     = "$context.authorizer.error"
    })
  }

  depends_on = [aws_api_gateway_account.this]
}

resource "aws_api_gateway_method_settings" "api" {
  #checkov:skip=CKV_AWS_225:No stage cache (see the stage): nothing to encrypt.
  #checkov:skip=CKV_AWS_308:No stage cache (see the stage): nothing to encrypt.
  rest_api_id = aws_api_gateway_rest_api.api.id
  stage_name  = aws_api_gateway_stage.api.stage_name
  method_path = "*/*"

  settings {
    throttling_rate_limit  = var.api_throttle_rate
    throttling_burst_limit = var.api_throttle_burst
    metrics_enabled        = true
    logging_level          = "ERROR"
    data_trace_enabled     = false
    caching_enabled        = false
  }
}

resource "aws_lambda_permission" "api" {
  statement_id  = "rest-api"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["api"].function_name
  qualifier     = local.live_alias["api"].name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.api.execution_arn}/*/*"
}

resource "aws_lambda_permission" "rest_authorizer" {
  statement_id  = "rest-api-authorizer"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["authorizer"].function_name
  qualifier     = local.live_alias["authorizer"].name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_api_gateway_rest_api.api.execution_arn}/authorizers/${aws_api_gateway_authorizer.token.id}"
}

# API Gateway writes access and execution logs through one role per account and region.
data "aws_iam_policy_document" "apigateway_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["apigateway.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "apigateway_logs" {
  count              = var.manage_api_gateway_account ? 1 : 0
  name               = "${var.name}-apigateway-logs"
  description        = "API Gateway writes access and execution logs to CloudWatch Logs"
  assume_role_policy = data.aws_iam_policy_document.apigateway_assume.json
}

resource "aws_iam_role_policy_attachment" "apigateway_logs" {
  count      = var.manage_api_gateway_account ? 1 : 0
  role       = aws_iam_role.apigateway_logs[0].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs"
}

resource "aws_api_gateway_account" "this" {
  count               = var.manage_api_gateway_account ? 1 : 0
  cloudwatch_role_arn = aws_iam_role.apigateway_logs[0].arn

  depends_on = [aws_iam_role_policy_attachment.apigateway_logs]
}
