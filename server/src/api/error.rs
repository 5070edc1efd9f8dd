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
    /// The thing asked for does not exist (or is not yours).
    NotFound,
    /// The request conflicts with the current state (e.g. resolving a new ticket).
    Conflict,
    /// Too many live streams are open on the conversation or the site.
    TooManyStreams,
    /// Something failed on the server.
    Internal,
}

impl ErrorCode {
    fn status(self) -> StatusCode {
        match self {
            Self::InvalidBody | Self::InvalidValue => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnknownSite => StatusCode::FORBIDDEN,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Conflict => StatusCode::CONFLICT,
            Self::TooManyStreams => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// An error answered to an API client.
#[derive(Debug)]
pub struct ApiError {
    code: ErrorCode,
    message: String,
}

#[derive(Serialize)]
struct Body<'a> {
    error: Inner<'a>,
}

#[derive(Serialize)]
struct Inner<'a> {
    code: ErrorCode,
    message: &'a str,
}

impl ApiError {
    /// An error with `code` and a message that names what is wrong.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
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
            },
        };
        (status, axum::Json(body)).into_response()
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
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
            F::Store(err) => err.into(),
            other @ (F::Matrix(_) | F::Knowledge(_) | F::Randomness(_)) => {
                tracing::error!(error = %other, "flow failure");
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
