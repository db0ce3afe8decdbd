# The dev environment: the docex module (terraform/) as the `docex-dev` stack, small and
# cheap to leave running, every change live at once, alarms to the developers' address.
# Its state is its own (state.s3.tfbackend); the release workflow deploys it with the
# docex-dev-deploy role (terraform/bootstrap).
#
#   terraform init -backend-config=state.s3.tfbackend -backend-config="bucket=<state bucket>"
#   terraform apply -var alarm_email=dev-team@example.com

terraform {
  required_version = ">= 1.10"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70, < 7.0"
    }
  }

  backend "s3" {}
}

variable "region" {
  description = "AWS region of the stack."
  type        = string
  default     = "eu-central-1"
}

variable "alarm_email" {
  description = "Where dev alarms go (empty: the SNS topic only)."
  type        = string
  default     = ""
}

variable "bedrock_model_id" {
  description = "The model the extractor calls."
  type        = string
  default     = "anthropic.claude-3-5-haiku-20241022-v1:0"
}

variable "shares_account_with_prod" {
  description = "Whether prod runs in the same account and region (then prod owns the account-wide API Gateway logging role)."
  type        = bool
  default     = false
}

provider "aws" {
  region = var.region

  default_tags {
    tags = { Application = "docex", Environment = "dev", Stack = "docex-dev" }
  }
}

module "docex" {
  #checkov:skip=CKV_AWS_338:dev keeps logs 14 days on purpose (cost); prod keeps them a year.
  #checkov:skip=CKV_AWS_139:dev is torn down and rebuilt freely, so its database has no deletion protection; prod's has.
  source = "../.."

  name             = "docex-dev"
  bedrock_model_id = var.bedrock_model_id
  alarm_email      = var.alarm_email

  # Small: a few conversations and starts at once, no reservations (new accounts have a
  # concurrency limit of 10), a database that pauses, short log retention.
  extract_concurrency   = -1
  reserve_concurrency   = false
  max_concurrent_starts = 2
  function_memory       = {}
  db_min_capacity       = 0
  db_max_capacity       = 2
  log_retention_days    = 14
  output_retention_days = 30

  # Every new version live at once; dev is torn down and rebuilt freely.
  rollout_deployment_config = "CodeDeployDefault.LambdaAllAtOnce"
  deletion_protection       = false

  allowed_origins = ["http://localhost:5173"]

  # API Gateway's logging role is one setting per account and region: when dev shares both
  # with prod, prod sets it and dev leaves it alone.
  manage_api_gateway_account = !var.shares_account_with_prod
}

output "stack" {
  description = "Every output of the docex module (terraform output -json stack)."
  value       = module.docex
}
