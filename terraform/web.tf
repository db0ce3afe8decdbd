# The browser app: the web bucket behind CloudFront with origin access control (the bucket
# stays private), HTTPS only, and a config.json that tells the app where the APIs and the
# sign-in are.

resource "aws_cloudfront_origin_access_control" "web" {
  name                              = "${var.name}-web"
  description                       = "CloudFront reads the docex web bucket"
  origin_access_control_origin_type = "s3"
  signing_behavior                  = "always"
  signing_protocol                  = "sigv4"
}

resource "aws_cloudfront_response_headers_policy" "web" {
  name = "${var.name}-web"

  security_headers_config {
    content_type_options {
      override = true
    }
    frame_options {
      frame_option = "DENY"
      override     = true
    }
    referrer_policy {
      referrer_policy = "strict-origin-when-cross-origin"
      override        = true
    }
    strict_transport_security {
      access_control_max_age_sec = 31536000
      include_subdomains         = true
      preload                    = true
      override                   = true
    }
  }
}

data "aws_cloudfront_cache_policy" "optimized" {
  name = "Managed-CachingOptimized"
}

resource "aws_cloudfront_distribution" "web" {
  #checkov:skip=CKV_AWS_68:No WAF web ACL by default: the app is static files and every API call is authorised by Cognito tokens and throttled; attach an ACL when the account has one.
  #checkov:skip=CKV2_AWS_47:See CKV_AWS_68: no WAF web ACL by default.
  #checkov:skip=CKV_AWS_86:Access logs of a static app bucket would need an ACL-enabled log bucket; API calls are logged by API Gateway.
  #checkov:skip=CKV_AWS_310:A single S3 origin; an origin failover group needs a second bucket in another region.
  #checkov:skip=CKV_AWS_374:No geo restriction: who may sign in is decided by the user pool, not by country.
  #checkov:skip=CKV2_AWS_42:The default CloudFront certificate (*.cloudfront.net) serves HTTPS; a custom domain and ACM certificate are optional.
  #checkov:skip=CKV_AWS_174:With the default CloudFront certificate the minimum protocol cannot be raised; TLSv1.2_2021 applies once a custom certificate is attached.
  enabled             = true
  comment             = "docex web app (${var.name})"
  default_root_object = "index.html"
  price_class         = "PriceClass_100"
  http_version        = "http2and3"

  origin {
    origin_id                = "web"
    domain_name              = aws_s3_bucket.this["web"].bucket_regional_domain_name
    origin_access_control_id = aws_cloudfront_origin_access_control.web.id
  }

  default_cache_behavior {
    target_origin_id           = "web"
    viewer_protocol_policy     = "redirect-to-https"
    allowed_methods            = ["GET", "HEAD"]
    cached_methods             = ["GET", "HEAD"]
    compress                   = true
    cache_policy_id            = data.aws_cloudfront_cache_policy.optimized.id
    response_headers_policy_id = aws_cloudfront_response_headers_policy.web.id
  }

  # The app routes in the browser: unknown paths get index.html.
  custom_error_response {
    error_code         = 403
    response_code      = 200
    response_page_path = "/index.html"
  }

  restrictions {
    geo_restriction {
      restriction_type = "none"
    }
  }

  viewer_certificate {
    cloudfront_default_certificate = true
  }
}

locals {
  web_dir = abspath(startswith(var.web_dist_dir, "/") ? var.web_dist_dir : "${path.module}/${var.web_dist_dir}")
  content_types = {
    html  = "text/html; charset=utf-8"
    js    = "text/javascript; charset=utf-8"
    mjs   = "text/javascript; charset=utf-8"
    css   = "text/css; charset=utf-8"
    json  = "application/json"
    svg   = "image/svg+xml"
    png   = "image/png"
    ico   = "image/x-icon"
    woff2 = "font/woff2"
    map   = "application/json"
    txt   = "text/plain; charset=utf-8"
    wasm  = "application/wasm"
  }
}

resource "aws_s3_object" "web" {
  for_each     = fileset(local.web_dir, "**")
  bucket       = aws_s3_bucket.this["web"].id
  key          = each.value
  source       = "${local.web_dir}/${each.value}"
  source_hash  = filemd5("${local.web_dir}/${each.value}")
  content_type = lookup(local.content_types, lower(element(split(".", each.value), length(split(".", each.value)) - 1)), "application/octet-stream")
  kms_key_id   = aws_kms_key.docex.arn
}

# Where the app finds the APIs and the sign-in.
resource "aws_s3_object" "web_config" {
  bucket       = aws_s3_bucket.this["web"].id
  key          = "config.json"
  content_type = "application/json"
  kms_key_id   = aws_kms_key.docex.arn
  content = jsonencode({
    api       = aws_api_gateway_stage.api.invoke_url
    websocket = "${aws_apigatewayv2_api.websocket.api_endpoint}/${local.websocket_stage}"
    region    = local.region
    auth = {
      userPoolId  = aws_cognito_user_pool.users.id
      clientId    = aws_cognito_user_pool_client.web.id
      domain      = "https://${aws_cognito_user_pool_domain.users.domain}.auth.${local.region}.amazoncognito.com"
      redirectUri = "https://${aws_cloudfront_distribution.web.domain_name}/"
      scopes      = ["openid", "email", "profile"]
    }
  })
}
