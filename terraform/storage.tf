# The buckets: input (uploads), output (work files, results, reports), specs and templates
# (read before the shipped ones, so they change without a deploy), web (the browser app,
# read by CloudFront only). All private, encrypted with the docex key, versioned, TLS only,
# with lifecycle rules; the shipped specs and templates are uploaded.

locals {
  buckets = {
    input = {
      purpose = "Uploaded PDFs (input/<job>/document.pdf), put by browsers with presigned URLs"
      cors    = ["PUT", "GET", "HEAD"]
      expire = {
        "input/" = var.input_retention_days
      }
    }
    output = {
      purpose = "Work files (work/<job>/...), results and reports (output/<job>/...)"
      cors    = ["GET", "HEAD"]
      expire = {
        "work/"   = 7
        "output/" = var.output_retention_days
      }
    }
    specs = {
      purpose = "Extraction specs (<name>.json), read before the shipped ones"
      cors    = []
      expire  = {}
    }
    templates = {
      purpose = "Report templates (<name>/main.typ and the files beside it), read before the shipped ones"
      cors    = []
      expire  = {}
    }
    web = {
      purpose = "The browser app, served by CloudFront"
      cors    = []
      expire  = {}
    }
  }

  browser_origins = concat(["https://${aws_cloudfront_distribution.web.domain_name}"], var.allowed_origins)
}

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:Access logging would need a log bucket without KMS default encryption (S3 log delivery cannot use SSE-KMS); object access is recorded by CloudTrail data events when the account enables them.
  #checkov:skip=CKV2_AWS_62:Only the input bucket starts work (its uploads go to EventBridge); the other buckets are written by docex itself or by operators, and nothing reacts to their changes.
  #checkov:skip=CKV_AWS_144:One-region deployment; versioning and lifecycle rules keep overwritten objects, and cross-region replication is a per-organisation decision.
  for_each      = local.buckets
  bucket        = "${var.name}-${each.key}-${local.bucket_suffix}"
  force_destroy = false
  tags          = { Purpose = each.value.purpose }
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.this[each.key].id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each                = local.buckets
  bucket                  = aws_s3_bucket.this[each.key].id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.this[each.key].id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.this[each.key].id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.docex.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.this[each.key].id

  rule {
    id     = "tidy-versions-and-uploads"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
    expiration {
      expired_object_delete_marker = true
    }
  }

  dynamic "rule" {
    for_each = each.value.expire
    content {
      id     = "expire-${trimsuffix(rule.key, "/")}"
      status = "Enabled"
      filter {
        prefix = rule.key
      }
      expiration {
        days = rule.value
      }
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_cors_configuration" "this" {
  for_each = { for k, v in local.buckets : k => v if length(v.cors) > 0 }
  bucket   = aws_s3_bucket.this[each.key].id
  cors_rule {
    allowed_methods = each.value.cors
    allowed_origins = local.browser_origins
    allowed_headers = ["*"]
    expose_headers  = ["ETag"]
    max_age_seconds = 3600
  }
}

# Uploads reach the intake queue through EventBridge ("Object Created" events).
resource "aws_s3_bucket_notification" "input" {
  bucket      = aws_s3_bucket.this["input"].id
  eventbridge = true
}

data "aws_iam_policy_document" "bucket" {
  for_each = local.buckets

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this[each.key].arn, "${aws_s3_bucket.this[each.key].arn}/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  dynamic "statement" {
    for_each = each.key == "web" ? [1] : []
    content {
      sid       = "CloudFrontReadsTheApp"
      actions   = ["s3:GetObject"]
      resources = ["${aws_s3_bucket.this[each.key].arn}/*"]
      principals {
        type        = "Service"
        identifiers = ["cloudfront.amazonaws.com"]
      }
      condition {
        test     = "StringEquals"
        variable = "aws:SourceArn"
        values   = [aws_cloudfront_distribution.web.arn]
      }
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = local.buckets
  bucket   = aws_s3_bucket.this[each.key].id
  policy   = data.aws_iam_policy_document.bucket[each.key].json

  depends_on = [aws_s3_bucket_public_access_block.this]
}

# The shipped specs, as <name>.json.
resource "aws_s3_object" "spec" {
  for_each     = fileset("${path.module}/../specs", "*.json")
  bucket       = aws_s3_bucket.this["specs"].id
  key          = each.value
  source       = "${path.module}/../specs/${each.value}"
  source_hash  = filemd5("${path.module}/../specs/${each.value}")
  content_type = "application/json"
  kms_key_id   = aws_kms_key.docex.arn
}

# The shipped templates, one folder each: <name>/main.typ and the shared common.typ beside it
# (the layout the templates bucket is read in).
locals {
  template_names = [for f in fileset("${path.module}/../templates", "*.typ") : trimsuffix(f, ".typ") if f != "common.typ"]
  template_files = merge(
    { for n in local.template_names : "${n}/main.typ" => "${n}.typ" },
    { for n in local.template_names : "${n}/common.typ" => "common.typ" },
  )
}

resource "aws_s3_object" "template" {
  for_each     = local.template_files
  bucket       = aws_s3_bucket.this["templates"].id
  key          = each.key
  source       = "${path.module}/../templates/${each.value}"
  source_hash  = filemd5("${path.module}/../templates/${each.value}")
  content_type = "text/plain; charset=utf-8"
  kms_key_id   = aws_kms_key.docex.arn
}
