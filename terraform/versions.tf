# Terraform and provider versions. The AWS provider 5.x line has every argument used here
# (Aurora Serverless v2 with the Data API, SQS event-source maximum concurrency, CloudFront
# origin access control, state machine versions and aliases). The provider itself (region,
# default tags) is configured by the environment that calls this module.

terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.70, < 7.0"
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}
