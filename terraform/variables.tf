# Inputs. Every variable has a description, a default that deploys a working stack where one
# is sensible, and a validation block where a wrong value would only fail late in AWS. The
# region and the provider are the caller's: the environments (environments/dev, .../prod)
# configure them and call this module with their own sizes.

variable "name" {
  description = "Prefix of every resource name; lets several stacks (dev, prod) live in one account."
  type        = string
  default     = "docex"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.name))
    error_message = "name must be 2-21 lower-case letters, digits or hyphens, starting with a letter (it becomes part of bucket names)."
  }
}

variable "lambda_artifacts_dir" {
  description = "Folder holding <function>/bootstrap.zip, as `.ci/lambda-zips` (cargo lambda with the size-optimised `lambda` profile) writes them. Relative paths are taken from this folder (terraform/)."
  type        = string
  default     = "../target/lambda"
}

variable "bedrock_model_id" {
  description = "The Bedrock model (or cross-region inference profile, e.g. eu.anthropic.claude-...) the extractor calls. Model access must be enabled for it in the Bedrock console. IAM allows exactly this model."
  type        = string
  default     = "anthropic.claude-3-5-sonnet-20240620-v1:0"

  validation {
    condition     = can(regex("^((us|eu|apac|us-gov|global)\\.)?[a-z0-9-]+\\.[A-Za-z0-9.:_-]+$", var.bedrock_model_id))
    error_message = "bedrock_model_id must be a Bedrock model id such as anthropic.claude-3-5-sonnet-20240620-v1:0, optionally with an inference-profile prefix (us., eu., apac., global.)."
  }
}

variable "extraction_settings" {
  description = "Optional tuning of the extractor, passed to the extracting Lambdas as environment variables: DOCEX_MAX_TURNS, DOCEX_PAGE_CHARS, DOCEX_MAX_TOKENS, DOCEX_PROMPT_CACHE."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.extraction_settings) : contains(["DOCEX_MAX_TURNS", "DOCEX_PAGE_CHARS", "DOCEX_MAX_TOKENS", "DOCEX_PROMPT_CACHE"], k)])
    error_message = "extraction_settings accepts DOCEX_MAX_TURNS, DOCEX_PAGE_CHARS, DOCEX_MAX_TOKENS and DOCEX_PROMPT_CACHE only."
  }
}

variable "extract_concurrency" {
  description = "Reserved concurrency of the ExtractChunk Lambda: the most Bedrock conversations in flight at once. Size it to the model's tokens-per-minute quota. -1 leaves it unreserved (needed in new accounts whose concurrency limit is 10)."
  type        = number
  default     = 10

  validation {
    condition     = var.extract_concurrency == -1 || (var.extract_concurrency >= 1 && var.extract_concurrency <= 1000)
    error_message = "extract_concurrency must be -1 (unreserved) or between 1 and 1000."
  }
}

variable "reserve_concurrency" {
  description = "Whether to apply the reserved concurrency of lambdas/functions.json to the other functions. Turn off in accounts whose Lambda concurrency limit is too small to reserve any."
  type        = bool
  default     = true
}

variable "max_concurrent_starts" {
  description = "The most starter Lambdas polling the intake queue at once (SQS event-source maximum concurrency, 2-1000): bounds how fast new executions start."
  type        = number
  default     = 2

  validation {
    condition     = var.max_concurrent_starts >= 2 && var.max_concurrent_starts <= 1000
    error_message = "max_concurrent_starts must be between 2 and 1000 (the SQS event-source limits)."
  }
}

variable "log_retention_days" {
  description = "Retention of every CloudWatch log group (Lambdas, state machine, API access logs)."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "state_machine_log_level" {
  description = "Step Functions log level: ALL, ERROR, FATAL or OFF."
  type        = string
  default     = "ALL"

  validation {
    condition     = contains(["ALL", "ERROR", "FATAL", "OFF"], var.state_machine_log_level)
    error_message = "state_machine_log_level must be ALL, ERROR, FATAL or OFF."
  }
}

variable "state_machine_log_execution_data" {
  description = "Whether state machine logs include each state's input and output. They are references (job ids, keys), not document text, but turn this off if even those must stay out of logs."
  type        = bool
  default     = true
}

variable "input_retention_days" {
  description = "Days an uploaded PDF is kept in the input bucket."
  type        = number
  default     = 30

  validation {
    condition     = var.input_retention_days >= 1
    error_message = "input_retention_days must be at least 1."
  }
}

variable "output_retention_days" {
  description = "Days results and reports are kept in the output bucket (work files: 7 days)."
  type        = number
  default     = 365

  validation {
    condition     = var.output_retention_days >= 7
    error_message = "output_retention_days must be at least 7."
  }
}

variable "noncurrent_version_days" {
  description = "Days an overwritten or deleted object version is kept in a versioned bucket."
  type        = number
  default     = 30

  validation {
    condition     = var.noncurrent_version_days >= 1
    error_message = "noncurrent_version_days must be at least 1."
  }
}

variable "allowed_origins" {
  description = "Extra browser origins (besides the CloudFront URL) allowed to call the API and upload to the input bucket, e.g. http://localhost:5173 for web development."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for o in var.allowed_origins : can(regex("^https?://[^/]+$", o))])
    error_message = "allowed_origins must be origins such as https://app.example.com (scheme and host, no path)."
  }
}

variable "cognito_domain_prefix" {
  description = "Prefix of the Cognito hosted UI domain (<prefix>.auth.<region>.amazoncognito.com); globally unique. Empty: <name>-<account id>."
  type        = string
  default     = ""

  validation {
    condition     = var.cognito_domain_prefix == "" || can(regex("^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$", var.cognito_domain_prefix))
    error_message = "cognito_domain_prefix must be lower-case letters, digits and hyphens, not starting or ending with a hyphen."
  }
}

variable "api_throttle_rate" {
  description = "Steady-state requests per second the REST and WebSocket APIs accept."
  type        = number
  default     = 50

  validation {
    condition     = var.api_throttle_rate > 0
    error_message = "api_throttle_rate must be positive."
  }
}

variable "api_throttle_burst" {
  description = "Burst of requests the REST and WebSocket APIs accept."
  type        = number
  default     = 100

  validation {
    condition     = var.api_throttle_burst > 0
    error_message = "api_throttle_burst must be positive."
  }
}

variable "manage_api_gateway_account" {
  description = "Whether to set the region's API Gateway CloudWatch role (needed for access logs). It is one setting per account and region: turn off when another stack manages it."
  type        = bool
  default     = true
}

variable "db_min_capacity" {
  description = "Aurora Serverless v2 minimum capacity in ACUs; 0 lets the database pause when idle (engine 16.3 and later), at the price of a resume of about 15 s that the store retries."
  type        = number
  default     = 0

  validation {
    condition     = var.db_min_capacity >= 0 && var.db_min_capacity <= 256
    error_message = "db_min_capacity must be between 0 and 256 ACUs."
  }
}

variable "db_max_capacity" {
  description = "Aurora Serverless v2 maximum capacity in ACUs."
  type        = number
  default     = 4

  validation {
    condition     = var.db_max_capacity >= 1 && var.db_max_capacity <= 256
    error_message = "db_max_capacity must be between 1 and 256 ACUs."
  }
}

variable "db_engine_version" {
  description = "Aurora PostgreSQL engine version; the Data API on Serverless v2 needs 13.12, 14.9, 15.4, 16.1 or later."
  type        = string
  default     = "16.6"

  validation {
    condition     = can(regex("^(1[3-9]|[2-9][0-9])\\.[0-9]+$", var.db_engine_version))
    error_message = "db_engine_version must be an Aurora PostgreSQL version such as 16.6 (13 or later)."
  }
}

variable "db_subnet_ids" {
  description = "Subnets for the Aurora cluster (at least two availability zones). Empty: the default VPC's. Nothing connects to them: every query goes through the Data API."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.db_subnet_ids) == 0 || length(var.db_subnet_ids) >= 2
    error_message = "db_subnet_ids must be empty or name at least two subnets."
  }
}

variable "db_backup_retention_days" {
  description = "Days of Aurora automated backups (point-in-time restore)."
  type        = number
  default     = 7

  validation {
    condition     = var.db_backup_retention_days >= 1 && var.db_backup_retention_days <= 35
    error_message = "db_backup_retention_days must be between 1 and 35."
  }
}

variable "deletion_protection" {
  description = "Deletion protection on the database and the tables. Set to false (and apply) before `terraform destroy`."
  type        = bool
  default     = true
}

variable "alarm_email" {
  description = "Email address subscribed to the alarm topic (confirm the subscription mail). Empty: no subscription."
  type        = string
  default     = ""

  validation {
    condition     = var.alarm_email == "" || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an email address or empty."
  }
}

variable "web_dist_dir" {
  description = "Folder of the built browser app (npm run build in web/). Relative paths are taken from this folder (terraform/). Missing or empty: nothing is uploaded but the config file."
  type        = string
  default     = "../web/dist"
}

variable "function_memory" {
  description = "Memory in MB per function, overriding lambdas/functions.json (e.g. { render-report = 2048 }); a function left out keeps the table's value."
  type        = map(number)
  default     = {}

  validation {
    condition     = alltrue([for mb in values(var.function_memory) : mb >= 128 && mb <= 10240])
    error_message = "function_memory values must be between 128 and 10240 MB."
  }
}

variable "rollout_deployment_config" {
  description = "How CodeDeploy shifts the live alias of the api and start-job functions to a new version (rollout.tf): a predefined Lambda deployment configuration. Any alarm of the rollout during the shift stops it and moves the alias back."
  type        = string
  default     = "CodeDeployDefault.LambdaCanary10Percent5Minutes"

  validation {
    condition = contains([
      "CodeDeployDefault.LambdaAllAtOnce",
      "CodeDeployDefault.LambdaCanary10Percent5Minutes",
      "CodeDeployDefault.LambdaCanary10Percent10Minutes",
      "CodeDeployDefault.LambdaCanary10Percent15Minutes",
      "CodeDeployDefault.LambdaCanary10Percent30Minutes",
      "CodeDeployDefault.LambdaLinear10PercentEvery1Minute",
      "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes",
      "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes",
      "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes",
    ], var.rollout_deployment_config)
    error_message = "rollout_deployment_config must be one of CodeDeploy's predefined Lambda configurations (CodeDeployDefault.LambdaAllAtOnce, ...Canary10Percent5Minutes, ...Linear10PercentEvery1Minute, ...)."
  }
}

variable "extra_alarm_actions" {
  description = "ARNs notified by every alarm besides the stack's own SNS topic, e.g. an on-call paging topic in production."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.extra_alarm_actions : can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", arn))])
    error_message = "extra_alarm_actions must be SNS topic ARNs."
  }
}
