# The prod environment: the docex module (terraform/) as the `docex-prod` stack, sized for
# load, protected against deletion, the api and the starter rolled out as a canary (10 % of
# traffic for 5 minutes, rolled back on any error or throttle), alarms to on-call. Its state
# is its own (state.s3.tfbackend); the release workflow deploys it with the docex-prod-deploy
# role (terraform/bootstrap), from release tags only.
#
#   terraform init -backend-config=state.s3.tfbackend -backend-config="bucket=<state bucket>"
#   terraform apply -var alarm_email=ops@example.com

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
  description = "Where prod alarms go."
  type        = string
}

variable "paging_topic_arns" {
  description = "SNS topics of the on-call rotation, notified by every alarm besides alarm_email."
  type        = list(string)
  default     = []
}

variable "bedrock_model_id" {
  description = "The model the extractor calls."
  type        = string
  default     = "anthropic.claude-3-5-sonnet-20240620-v1:0"
}

provider "aws" {
  region = var.region

  default_tags {
    tags = { Application = "docex", Environment = "prod", Stack = "docex-prod" }
  }
}

module "docex" {
  source = "../.."

  name                = "docex-prod"
  bedrock_model_id    = var.bedrock_model_id
  alarm_email         = var.alarm_email
  extra_alarm_actions = var.paging_topic_arns

  # Sized for load: Bedrock conversations and starts in flight, more memory for the PDF
  # reader and the report renderer, a database that stays warm, a year of logs.
  extract_concurrency   = 40
  reserve_concurrency   = true
  max_concurrent_starts = 10
  function_memory       = { prepare-document = 2048, render-report = 2048, merge-and-validate = 1024 }
  db_min_capacity       = 0.5
  db_max_capacity       = 16
  log_retention_days    = 365
  api_throttle_rate     = 200
  api_throttle_burst    = 400

  rollout_deployment_config = "CodeDeployDefault.LambdaCanary10Percent5Minutes"
  deletion_protection       = true
}

output "stack" {
  description = "Every output of the docex module (terraform output -json stack)."
  value       = module.docex
}
