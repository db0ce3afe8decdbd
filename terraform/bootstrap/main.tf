# Once per AWS account, before the environments: the S3 bucket that holds every
# environment's Terraform state (versioned, encrypted, TLS only; locking is a lock object
# next to each state), GitHub's OIDC identity provider, and per environment the role the
# release workflow assumes to deploy it. The role trusts only tokens GitHub issues to jobs
# of this repository that run in that GitHub environment (`sub` =
# repo:<owner>/<name>:environment:<env>); which tags may run there is the environment's
# deployment protection rule in the repository settings (terraform/RUNBOOK.md). No
# long-lived keys exist anywhere.
#
#   cd terraform/bootstrap
#   terraform init          # local state: this stack is small and rebuilt from this file
#   terraform apply -var github_repository=<owner>/<name>

terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70, < 7.0"
    }
  }
}

variable "region" {
  description = "AWS region of the state bucket."
  type        = string
  default     = "eu-central-1"
}

variable "github_repository" {
  description = "The repository whose release workflow deploys, as owner/name."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be owner/name."
  }
}

variable "environments" {
  description = "Per GitHub environment (and Terraform environment under environments/), the name prefix of its docex stack."
  type        = map(string)
  default     = { dev = "docex-dev", prod = "docex-prod" }
}

provider "aws" {
  region = var.region

  default_tags {
    tags = { Application = "docex", Stack = "docex-bootstrap" }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
  github     = "token.actions.githubusercontent.com"
}

# --- Terraform state ---------------------------------------------------------------------

resource "aws_kms_key" "state" {
  description         = "docex Terraform state"
  enable_key_rotation = true
  policy              = data.aws_iam_policy_document.state_key.json
}

data "aws_iam_policy_document" "state_key" {
  #checkov:skip=CKV_AWS_109:The key policy hands the key to IAM of this account (the root principal), the standard default; who may use it is decided by IAM policies.
  #checkov:skip=CKV_AWS_111:Same: the account's IAM decides; the policy names no other principal.
  #checkov:skip=CKV_AWS_356:A key policy's resource is always the key itself ("*").
  statement {
    sid       = "AccountIam"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV_AWS_18:Access logging needs a second bucket; state reads and writes are recorded by CloudTrail data events when the account enables them.
  #checkov:skip=CKV_AWS_144:The state is versioned (every earlier state can be restored); a second region is left to accounts that replicate everything.
  #checkov:skip=CKV2_AWS_62:Nothing reacts to state changes.
  bucket = "docex-terraform-state-${local.account_id}"
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id
  rule {
    id     = "old-states"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 90
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

data "aws_iam_policy_document" "state_bucket" {
  statement {
    sid       = "TlsOnly"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
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
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = data.aws_iam_policy_document.state_bucket.json
}

# --- GitHub OIDC and the deploy roles -----------------------------------------------------

resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://${local.github}"
  client_id_list = ["sts.amazonaws.com"]
  # AWS trusts GitHub's certificate authority itself; the thumbprints are GitHub's published
  # intermediate certificates, for providers that still check them.
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
}

data "aws_iam_policy_document" "deploy_trust" {
  for_each = var.environments
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.github}:sub"
      values   = ["repo:${var.github_repository}:environment:${each.key}"]
    }
  }
}

resource "aws_iam_role" "deploy" {
  for_each             = var.environments
  name                 = "${each.value}-deploy"
  description          = "The release workflow of ${var.github_repository} deploying the ${each.key} environment (${each.value})"
  assume_role_policy   = data.aws_iam_policy_document.deploy_trust[each.key].json
  max_session_duration = 3600
}

# What Terraform needs to manage a docex stack: the services it uses (PowerUserAccess: all
# but IAM and the organisation), IAM only for the stack's own roles, and its own state.
resource "aws_iam_role_policy_attachment" "deploy_services" {
  for_each   = var.environments
  role       = aws_iam_role.deploy[each.key].name
  policy_arn = "arn:${local.partition}:iam::aws:policy/PowerUserAccess"
}

data "aws_iam_policy_document" "deploy" {
  for_each = var.environments
  statement {
    sid = "TheStacksOwnRoles"
    actions = [
      "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole",
      "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies",
      "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole", "iam:PassRole",
    ]
    resources = ["arn:${local.partition}:iam::${local.account_id}:role/${each.value}-*"]
  }
  statement {
    sid       = "ItsState"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${aws_s3_bucket.state.arn}/docex/${each.key}/*"]
  }
  statement {
    sid       = "ListTheStateBucket"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.state.arn]
  }
  statement {
    sid       = "StateKey"
    actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.state.arn]
  }
}

resource "aws_iam_role_policy" "deploy" {
  for_each = var.environments
  name     = "${each.value}-deploy"
  role     = aws_iam_role.deploy[each.key].id
  policy   = data.aws_iam_policy_document.deploy[each.key].json
}

output "state_bucket" {
  description = "The bucket of every environment's state: -backend-config=\"bucket=...\" at terraform init, and the TF_STATE_BUCKET variable of the GitHub environments."
  value       = aws_s3_bucket.state.bucket
}

output "deploy_role_arns" {
  description = "Per environment, the role its GitHub environment's AWS_DEPLOY_ROLE_ARN variable names."
  value       = { for env, role in aws_iam_role.deploy : env => role.arn }
}
