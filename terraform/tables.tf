# DynamoDB: the jobs table (job records and their status history, key schema and indexes as
# lambdas/aws/src/dynamodb.rs describes them) and the WebSocket connections table
# (lambdas/aws/src/websocket.rs, expiring through TTL on expires_at). On-demand, encrypted
# with the docex key, point-in-time recovery on.

resource "aws_dynamodb_table" "jobs" {
  name                        = "${var.name}-jobs"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }
  attribute {
    name = "owner"
    type = "S"
  }
  attribute {
    name = "created_at"
    type = "S"
  }
  attribute {
    name = "status"
    type = "S"
  }
  attribute {
    name = "updated_order"
    type = "S"
  }

  global_secondary_index {
    name            = "owner-created"
    hash_key        = "owner"
    range_key       = "created_at"
    projection_type = "ALL"
  }

  global_secondary_index {
    name            = "status-updated"
    hash_key        = "status"
    range_key       = "updated_order"
    projection_type = "ALL"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.docex.arn
  }
}

resource "aws_dynamodb_table" "connections" {
  name                        = "${var.name}-connections"
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = "pk"
  range_key                   = "sk"
  deletion_protection_enabled = var.deletion_protection

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.docex.arn
  }
}
