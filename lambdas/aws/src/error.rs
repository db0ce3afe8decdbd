//! AWS SDK errors as docex errors: throttling becomes `Docex.Throttled` and anything that
//! may pass on a second try (timeouts, dropped connections, 5xx) `Docex.Transient`, so the
//! state machine's `Retry` blocks handle them; the rest is `Docex.Storage` with the
//! service's own error code and message.

use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use docex_core::DocexError;

/// Error codes AWS services use for "slow down".
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "ProvisionedThroughputExceededException",
    "SlowDown",
    "RequestThrottled",
    "RequestThrottledException",
    "LimitExceededException",
];

/// Error codes that mean "try again shortly".
const TRANSIENT_CODES: &[&str] = &[
    "InternalError",
    "InternalFailure",
    "InternalServerError",
    "InternalServerErrorException",
    "ServiceUnavailable",
    "ServiceUnavailableException",
    "ServiceUnavailableError",
    "RequestTimeout",
    "RequestTimeoutException",
    "DatabaseResumingException",
    "ModelTimeoutException",
];

/// Maps an SDK error from calling `what` (e.g. "S3 GetObject output/x/result.json") to the
/// docex error the workflow routes on.
pub fn from_sdk<E, R>(what: &str, error: aws_sdk_s3::error::SdkError<E, R>) -> DocexError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    use aws_sdk_s3::error::SdkError;
    let message = format!("{what}: {}", DisplayErrorContext(&error));
    match &error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            DocexError::Transient(message)
        }
        SdkError::ServiceError(service) => classify(service.err().code(), &message),
        _ => DocexError::Storage(message),
    }
}

/// The docex error for a service error code.
pub fn classify(code: Option<&str>, message: &str) -> DocexError {
    match code {
        Some(code) if THROTTLING_CODES.contains(&code) => DocexError::Throttled(message.to_string()),
        Some(code) if TRANSIENT_CODES.contains(&code) => DocexError::Transient(message.to_string()),
        _ => DocexError::Storage(message.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_codes_route_to_the_names_the_state_machine_retries() {
        assert!(matches!(classify(Some("ThrottlingException"), "m"), DocexError::Throttled(_)));
        assert!(matches!(classify(Some("ProvisionedThroughputExceededException"), "m"), DocexError::Throttled(_)));
        assert!(matches!(classify(Some("DatabaseResumingException"), "m"), DocexError::Transient(_)));
        assert!(matches!(classify(Some("AccessDenied"), "m"), DocexError::Storage(_)));
        assert!(matches!(classify(None, "m"), DocexError::Storage(_)));
    }
}
