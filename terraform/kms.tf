# One customer managed key encrypts everything docex stores: buckets, tables, queues, the
# database and its secret, log groups, the alarm topic. IAM policies decide who may use it
# (the key policy defers to the account); the services that write with it on their own
# behalf are named in the key policy, each limited to this account.

resource "aws_kms_key" "docex" {
  description             = "docex data at rest (${var.name})"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "docex" {
  name          = "alias/${var.name}"
  target_key_id = aws_kms_key.docex.key_id
}

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:A key policy's resource "*" is the key itself; the account statement hands the key to IAM, where each role gets only the actions it needs.
  #checkov:skip=CKV_AWS_111:A key policy's resource "*" is the key itself; the service statements are limited to this account by conditions.
  #checkov:skip=CKV_AWS_356:A key policy's resource "*" is the key itself (key policies cannot name another resource).
  statement {
    sid       = "AccountManagesTheKeyThroughIam"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudWatchLogsEncryptsDocexLogGroups"
    actions   = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${local.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:*"]
    }
  }

  # EventBridge delivers upload events to the encrypted intake queue; CloudWatch alarms
  # publish to the encrypted alarm topic.
  statement {
    sid       = "EventBridgeAndAlarmsWriteToEncryptedQueuesAndTopics"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["events.amazonaws.com", "cloudwatch.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  # CloudFront reads the app's objects from the web bucket (origin access control).
  statement {
    sid       = "CloudFrontReadsTheApp"
    actions   = ["kms:Decrypt"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["cloudfront.amazonaws.com"]
    }
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${local.partition}:cloudfront::${local.account_id}:distribution/*"]
    }
  }
}
