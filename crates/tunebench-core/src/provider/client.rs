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
