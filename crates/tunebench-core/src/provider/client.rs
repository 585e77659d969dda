//! The one HTTP client every provider call goes through (the app, the CLI and the tests
//! build it here), so its policy is set in one place.

/// A client for provider calls. It follows no redirect: reqwest drops `Authorization` when a
/// redirect leads to another host, but keeps Anthropic's `x-api-key` and Azure's `api-key`,
/// so following one could hand a key to whoever the provider's URL redirects to. A
/// redirect is reported as the call's failure instead.
pub fn http_client() -> crate::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| crate::Error::Internal(format!("could not start the HTTP client: {e}")))
}

/// Sends `rb`: the response of a 2xx answer, else the provider's error (with the wait its
/// `Retry-After` asks for) with `key` redacted from the message. For the plain JSON
/// endpoints (batches, files, fine-tuning jobs) where an error answer is final.
pub(crate) async fn send_checked(
    rb: reqwest::RequestBuilder,
    key: Option<&super::ApiKey>,
) -> Result<reqwest::Response, super::CallError> {
    use super::CallError;
    let resp = rb.send().await.map_err(|e| CallError::from_transport(&e))?;
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let retry = super::retry_after_from(resp.headers());
    let text = resp
        .text()
        .await
        .map_err(|e| CallError::from_transport(&e))?;
    Err(CallError::from_status(status.as_u16(), &text, retry).redacted(key))
}

/// [`send_checked`], then the whole body as text.
pub(crate) async fn send_for_text(
    rb: reqwest::RequestBuilder,
    key: Option<&super::ApiKey>,
) -> Result<String, super::CallError> {
    send_checked(rb, key)
        .await?
        .text()
        .await
        .map_err(|e| super::CallError::from_transport(&e))
}

/// [`send_for_text`], read as JSON.
pub(crate) async fn send_for_json(
    rb: reqwest::RequestBuilder,
    key: Option<&super::ApiKey>,
) -> Result<serde_json::Value, super::CallError> {
    let text = send_for_text(rb, key).await?;
    serde_json::from_str(&text).map_err(super::CallError::malformed)
}
