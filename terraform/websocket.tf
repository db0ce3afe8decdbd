# The WebSocket API for live status: $connect (behind the Lambda authorizer, the Cognito
# token in the `token` query parameter, since browsers cannot set headers on a WebSocket)
# and $disconnect go to the connections Lambda, which keeps the connections table; the
# status Lambda pushes through the stage's management endpoint.

resource "aws_apigatewayv2_api" "websocket" {
  name                       = "${var.name}-live"
  description                = "docex live job status"
  protocol_type              = "WEBSOCKET"
  route_selection_expression = "$request.body.action"
}

resource "aws_apigatewayv2_authorizer" "websocket" {
  name             = "cognito-token"
  api_id           = aws_apigatewayv2_api.websocket.id
  authorizer_type  = "REQUEST"
  authorizer_uri   = local.live_alias["authorizer"].invoke_arn
  identity_sources = ["route.request.querystring.token"]
}

resource "aws_apigatewayv2_integration" "connections" {
  api_id             = aws_apigatewayv2_api.websocket.id
  integration_type   = "AWS_PROXY"
  integration_method = "POST"
  integration_uri    = local.live_alias["connections"].invoke_arn
}

resource "aws_apigatewayv2_route" "connect" {
  api_id             = aws_apigatewayv2_api.websocket.id
  route_key          = "$connect"
  authorization_type = "CUSTOM"
  authorizer_id      = aws_apigatewayv2_authorizer.websocket.id
  target             = "integrations/${aws_apigatewayv2_integration.connections.id}"
}

resource "aws_apigatewayv2_route" "disconnect" {
  #checkov:skip=CKV_AWS_309:$disconnect cannot have an authorizer (API Gateway runs authorizers on $connect only); the connection was authorised when it opened.
  api_id    = aws_apigatewayv2_api.websocket.id
  route_key = "$disconnect"
  target    = "integrations/${aws_apigatewayv2_integration.connections.id}"
}

resource "aws_cloudwatch_log_group" "websocket_access" {
  name              = "/aws/apigateway/${var.name}-live"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.docex.arn
}

resource "aws_apigatewayv2_stage" "websocket" {
  #checkov:skip=CKV2_AWS_51:Browsers connect; client certificates are for API Gateway calling an HTTP backend, and the backend here is a Lambda.
  api_id      = aws_apigatewayv2_api.websocket.id
  name        = local.websocket_stage
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.api_throttle_rate
    throttling_burst_limit = var.api_throttle_burst
    logging_level          = "ERROR"
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.websocket_access.arn
    format = jsonencode({
      requestId    = "$context.requestId"
      ip           = "$context.identity.sourceIp"
      principal    = "$context.authorizer.principalId"
      requestTime  = "$context.requestTime"
      routeKey     = "$context.routeKey"
      status       = "$context.status"
      connectionId = "$context.connectionId"
      error        = "$context.error.message"
    })
  }

  depends_on = [aws_api_gateway_account.this, aws_apigatewayv2_route.connect, aws_apigatewayv2_route.disconnect]
}

resource "aws_lambda_permission" "websocket" {
  statement_id  = "websocket-api"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["connections"].function_name
  qualifier     = local.live_alias["connections"].name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.websocket.execution_arn}/*"
}

resource "aws_lambda_permission" "websocket_authorizer" {
  statement_id  = "websocket-api-authorizer"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this["authorizer"].function_name
  qualifier     = local.live_alias["authorizer"].name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.websocket.execution_arn}/authorizers/${aws_apigatewayv2_authorizer.websocket.id}"
}
