//! The one error shape of the HTTP API: `{"error": {"code": "...", "message": "..."}}`
//! with a stable machine-readable code. 5xx bodies stay generic; the full error is
//! logged once, here.

use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::storage::StoreError;

/// Stable error codes clients may match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON or does not match the schema.
    InvalidBody,
    /// A value is well-formed but not acceptable.
    InvalidValue,
    /// The body is larger than the endpoint accepts.
    PayloadTooLarge,
    /// The widget key names no site.
    UnknownSite,
    /// Credentials are missing or wrong.
    Unauthorized,
    /// Login: the email or the password is wrong (one code for both).
    InvalidCredentials,
    /// Login: too many wrong passwords; the answer carries `Retry-After`.
    AccountLocked,
    /// Too many requests from this client; the answer carries `Retry-After`.
    RateLimited,
    /// Authenticated, but the role does not allow this.
    Forbidden,
    /// A cookie-authenticated write without the session's `X-CSRF-Token`.
    CsrfFailed,
    /// `If-Match` / `expected_version` names a version the ticket is no longer at.
    VersionConflict,
    /// The thing asked for does not exist (or is not yours).
    NotFound,
    /// The request conflicts with the current state (e.g. resolving a new ticket).
    Conflict,
    /// The site verifies identities and the `user_hash` is missing or wrong.
    IdentityUnverified,
    /// An idempotency key (a widget request's, or an agent's `Idempotency-Key`)
    /// replayed with another body, or expired.
    IdempotencyConflict,
    /// The request took longer than the server allows.
    RequestTimeout,
    /// Too many live streams are open on the conversation or the site.
    TooManyStreams,
    /// The server is taking in more than it can store right now; the answer
    /// carries `Retry-After`.
    Overloaded,
    /// Something failed on the server.
    Internal,
    /// A ticket action needs information the site's matrix requires first; the
    /// body lists it under `missing`.
    MissingInformation,
}

impl ErrorCode {
    fn status(self) -> StatusCode {
        match self {
            Self::InvalidBody | Self::InvalidValue => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnknownSite => StatusCode::FORBIDDEN,
            Self::Unauthorized | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::AccountLocked | Self::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            Self::Forbidden | Self::CsrfFailed => StatusCode::FORBIDDEN,
            Self::VersionConflict => StatusCode::CONFLICT,
            Self::IdempotencyConflict => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::IdentityUnverified => StatusCode::UNAUTHORIZED,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::TooManyStreams => StatusCode::TOO_MANY_REQUESTS,
            Self::Overloaded => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Self::MissingInformation => StatusCode::UNPROCESSABLE_ENTITY,
        }
    }
}

/// An error answered to an API client.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
    retry_after: Option<u64>,
    missing: Vec<crate::flow::policy::MissingInfo>,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: ErrorCode,
    message: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    missing: &'a [crate::flow::policy::MissingInfo],
}

impl ApiError {
    /// An error with `code` and a message that names what is wrong.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after: None,
            missing: Vec::new(),
        }
    }

    /// The same error, answered with `Retry-After: secs`.
    pub fn retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(secs);
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let body = Body {
            error: Inner {
                code: self.code,
                message: &self.message,
                missing: &self.missing,
            },
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::VersionConflict(message) => {
                return Self::new(ErrorCode::VersionConflict, message);
            }
            StoreError::AlreadyApplied(message) => return Self::new(ErrorCode::Conflict, message),
            StoreError::IngestQueueFull => {
                return Self::new(
                    ErrorCode::Overloaded,
                    "too many events are waiting to be stored: retry in 1 s",
                )
                .retry_after(1);
            }
            _ => {}
        }
        tracing::error!(error = %err, "storage failure");
        Self::new(ErrorCode::Internal, "internal error")
    }
}

impl From<crate::flow::FlowError> for ApiError {
    fn from(err: crate::flow::FlowError) -> Self {
        use crate::flow::FlowError as F;
        match err {
            F::NotFound(message) => Self::new(ErrorCode::NotFound, message),
            F::Invalid(message) => Self::new(ErrorCode::InvalidValue, message),
            F::Conflict(message) => Self::new(ErrorCode::Conflict, message),
            F::Unauthorized(message) => Self::new(ErrorCode::Unauthorized, message),
            F::IdentityUnverified(message) => Self::new(ErrorCode::IdentityUnverified, message),
            F::IdempotencyConflict(message) => Self::new(ErrorCode::IdempotencyConflict, message),
            F::RateLimited(message) => Self::new(ErrorCode::RateLimited, message).retry_after(60),
            F::Store(err) => err.into(),
            F::MissingInformation { stage, missing } => {
                let message = F::MissingInformation {
                    stage,
                    missing: missing.clone(),
                }
                .to_string();
                let mut error = Self::new(ErrorCode::MissingInformation, message);
                error.missing = missing;
                error
            }
            other @ (F::Matrix(_) | F::Knowledge(_) | F::Randomness(_)) => {
                tracing::error!(error = %other, "flow failure");
                Self::new(ErrorCode::Internal, "internal error")
            }
        }
    }
}

impl From<crate::auth::AccountError> for ApiError {
    fn from(err: crate::auth::AccountError) -> Self {
        use crate::auth::AccountError as A;
        match err {
            A::InvalidCredentials => Self::new(ErrorCode::InvalidCredentials, err.to_string()),
            A::Locked { retry_after_secs } => {
                Self::new(ErrorCode::AccountLocked, err.to_string()).retry_after(retry_after_secs)
            }
            A::RateLimited { retry_after_secs } => {
                Self::new(ErrorCode::RateLimited, err.to_string()).retry_after(retry_after_secs)
            }
            A::Unauthorized(message) => Self::new(ErrorCode::Unauthorized, message),
            A::Invalid(message) => Self::new(ErrorCode::InvalidValue, message),
            A::NotFound(message) => Self::new(ErrorCode::NotFound, message),
            A::Store(err) => err.into(),
            A::Internal(message) => {
                tracing::error!(error = %message, "account failure");
                Self::new(ErrorCode::Internal, "internal error")
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::BytesRejection(_)
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE =>
            {
                Self::new(ErrorCode::PayloadTooLarge, "request body is too large")
            }
            other => Self::new(ErrorCode::InvalidBody, other.body_text()),
        }
    }
}
